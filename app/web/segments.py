"""Admin pages for customer segments: define them, weigh them, and put members in them."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.extensions import db
from app.forms.staff import SegmentForm, SegmentMembersForm
from app.permissions import require
from app.services import segments
from app.web.paging import keep_in_range, list_page_args
from app.web.support import call_with_form, current_actor

bp = Blueprint("segments", __name__, url_prefix="/admin/segments")


def _list(names: list[str], limit: int = 10) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


@bp.route("", methods=["GET", "POST"])
@login_required
def index():
    require(current_actor(), "segment.manage")
    form = SegmentForm()
    status = 200
    if form.validate_on_submit():
        ok, segment = call_with_form(
            form,
            segments.create_segment,
            current_actor(),
            form.name.data,
            form.weight.data,
            form.description.data,
        )
        if ok:
            db.session.commit()
            flash(f"Segment “{segment.name}” added. Now add its members.", "success")
            return redirect(url_for("segments.detail", segment_id=segment.id))
    if request.method == "POST":
        status = 422
    rows = segments.list_segments(current_actor())
    body = render_template("admin/segments.html", form=form, rows=rows)
    return body, status


@bp.route("/<int:segment_id>", methods=["GET", "POST"])
@login_required
def detail(segment_id: int):
    segment = segments.get_segment(current_actor(), segment_id)
    form = SegmentForm(obj=segment)
    status = 200
    if form.validate_on_submit():
        ok, _ = call_with_form(
            form,
            segments.update_segment,
            current_actor(),
            segment,
            name=form.name.data,
            weight=form.weight.data,
            description=form.description.data or "",
        )
        if ok:
            db.session.commit()
            flash("Segment saved.", "success")
            return redirect(url_for("segments.detail", segment_id=segment_id))
    if request.method == "POST":
        status = 422
        db.session.refresh(segment)
    page, _ = list_page_args()
    people = segments.members(current_actor(), segment, page)
    if request.method == "GET":
        keep_in_range(people, "member", "members")
    body = render_template(
        "admin/segment_detail.html",
        segment=segment,
        form=form,
        members_form=SegmentMembersForm(formdata=None),
        members=people,
    )
    return body, status


@bp.post("/<int:segment_id>/members")
@login_required
def add_members(segment_id: int):
    segment = segments.get_segment(current_actor(), segment_id)
    form = SegmentMembersForm()
    if form.validate_on_submit():
        ok, result = call_with_form(form, segments.assign_emails, current_actor(), segment, form.emails.data)
        if ok:
            db.session.commit()
            if result.added:
                flash(f"Added to “{segment.name}”: {_list([u.email for u in result.added])}.", "success")
            if result.already:
                flash(f"Already in the segment: {_list([u.email for u in result.already])}.", "info")
            if result.unknown:
                flash(f"No account with these addresses: {_list(result.unknown)}.", "warning")
            return redirect(url_for("segments.detail", segment_id=segment_id))
    page, _ = list_page_args()
    body = render_template(
        "admin/segment_detail.html",
        segment=segment,
        form=SegmentForm(obj=segment, formdata=None),
        members_form=form,
        members=segments.members(current_actor(), segment, page),
    )
    return body, 422


@bp.post("/<int:segment_id>/members/<int:user_id>/remove")
@login_required
def remove_member(segment_id: int, user_id: int):
    segment = segments.get_segment(current_actor(), segment_id)
    if segments.unassign_member(current_actor(), segment, user_id):
        db.session.commit()
        flash("Member taken out of the segment.", "success")
    else:
        flash("That member was not in the segment.", "info")
    return redirect(url_for("segments.detail", segment_id=segment_id))


@bp.post("/<int:segment_id>/delete")
@login_required
def delete(segment_id: int):
    segment = segments.get_segment(current_actor(), segment_id)
    name = segment.name
    segments.delete_segment(current_actor(), segment)
    db.session.commit()
    flash(f"Segment “{name}” deleted; its members stay, without it.", "success")
    return redirect(url_for("segments.index"))
