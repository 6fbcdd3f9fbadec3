"""Roadmap pages: the board, an item, planning and moving items (staff), linking ideas, the changelog."""

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import AnonymousUserMixin, login_required
from markupsafe import escape

from app.extensions import db
from app.forms.roadmap import RoadmapItemForm, StatusForm
from app.forms.staff import BoardFilterForm
from app.links import absolute_url
from app.models.base import utcnow
from app.pagecache import kept_for_visitors
from app.pages import roadmap as roadmap_pages
from app.permissions import require
from app.services import roadmap
from app.versions import LISTS_SCOPE
from app.web.idea_links import chosen_idea_ids, picker
from app.web.paging import keep_in_range, list_page_args
from app.web.support import call_with_form, current_actor, safe_referrer

bp = Blueprint("roadmap", __name__)

FEED_ENTRIES = 50
ATOM = "http://www.w3.org/2005/Atom"
STATUS_MESSAGES = {
    "planned": "The item is planned again.",
    "in_progress": "The item is in progress; its linked ideas follow.",
    "shipped": "The item is shipped and on the changelog; its linked ideas are shipped too.",
    "cancelled": "The item is cancelled and off the board. Its linked ideas keep their status.",
}


def _back(item_id: int, idea_id: int | None = None, anchor: str | None = None) -> Response:
    """Back to the idea page when the form came from there, else to the item page."""
    if idea_id is not None and request.form.get("back") == "idea":
        return redirect(url_for("ideas.detail", idea_id=idea_id, _anchor="roadmap"))
    return redirect(url_for("roadmap.detail", item_id=item_id, _anchor=anchor))


def _atom_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _number(value: str | None) -> int | str:
    """A form's idea or item number; anything else is passed on for the service to refuse."""
    value = (value or "").strip().lstrip("#")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else value


@bp.get("/roadmap")
@kept_for_visitors(LISTS_SCOPE)
def index():
    form = BoardFilterForm(formdata=request.args)
    page = roadmap_pages.board_page(current_actor(), form.board.data)
    if page.boards is not None:
        form.set_boards(page.boards)
    body = render_template("roadmap/index.html", columns=page.columns, boards=page.boards, form=form)
    return body, 422 if page.boards is not None and page.boards.problem else 200


@bp.get("/roadmap/<int:item_id>")
def detail(item_id: int):
    page = roadmap_pages.item_page(current_actor(), item_id, request.args.get("q"))
    status_form = StatusForm(formdata=None, status=page.item.status, release_note=page.item.release_note)
    return render_template("roadmap/detail.html", page=page, item=page.item, status_form=status_form)


@bp.route("/roadmap/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_actor(), "roadmap.manage")
    form = RoadmapItemForm()
    valid = form.validate_on_submit()
    idea_ids = chosen_idea_ids(form)
    if valid and idea_ids is not None:
        ok, item = call_with_form(
            form,
            roadmap.create_item,
            current_actor(),
            **form.values(),
            status=form.status.data,
            idea_ids=idea_ids,
        )
        if ok:
            db.session.commit()
            if idea_ids:
                flash("The item is on the roadmap with the ideas it answers.", "success")
                return redirect(url_for("roadmap.detail", item_id=item.id))
            flash("The item is on the roadmap. Link the ideas it answers below.", "success")
            return redirect(url_for("roadmap.detail", item_id=item.id, _anchor="link"))
    status = 422 if form.is_submitted() else 200
    return render_template("roadmap/new.html", form=form, pick=picker(form)), status


@bp.route("/roadmap/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit(item_id: int):
    item = roadmap.get_item(current_actor(), item_id)
    require(current_actor(), "roadmap.manage", item)
    form = RoadmapItemForm()
    del form.status
    if request.method == "GET":
        form.fill(item, [idea.id for idea in roadmap.linked_ideas(current_actor(), [item.id])[item.id]])
    else:
        valid = form.validate_on_submit()
        idea_ids = chosen_idea_ids(form)
        if valid and idea_ids is not None:
            ok, _ = call_with_form(
                form, roadmap.update_item, current_actor(), item, **form.values(), idea_ids=idea_ids
            )
            if ok:
                db.session.commit()
                flash("Your changes are saved.", "success")
                return redirect(url_for("roadmap.detail", item_id=item_id))
        item = roadmap.get_item(current_actor(), item_id)
    status = 422 if form.is_submitted() else 200
    return render_template("roadmap/edit.html", form=form, item=item, pick=picker(form)), status


@bp.post("/roadmap/<int:item_id>/status")
@login_required
def change_status(item_id: int):
    item = roadmap.get_item(current_actor(), item_id)
    form = StatusForm()
    if form.validate_on_submit():
        ok, _ = call_with_form(
            form, roadmap.change_status, current_actor(), item, form.status.data, form.release_note.data or ""
        )
        if ok:
            db.session.commit()
            flash(
                f"{STATUS_MESSAGES[form.status.data]} Everyone who supports a linked idea is told once.",
                "success",
            )
            return redirect(url_for("roadmap.detail", item_id=item_id))
    for messages in form.errors.values():
        for message in messages:
            flash(message, "error")
    return redirect(url_for("roadmap.detail", item_id=item_id, _anchor="status"))


@bp.post("/roadmap/<int:item_id>/ideas")
@login_required
def link(item_id: int):
    item = roadmap.get_item(current_actor(), item_id)
    idea_id = _number(request.form.get("idea_id"))
    made = roadmap.link_idea(current_actor(), item, idea_id, plan=not request.form.get("keep_status"))
    db.session.commit()
    if made:
        flash(f"Idea #{idea_id} is linked to “{item.title}”.", "success")
    else:
        flash(f"Idea #{idea_id} was linked already; nothing changed.", "info")
    return _back(item_id, idea_id if isinstance(idea_id, int) else None, "ideas")


@bp.post("/roadmap/link")
@login_required
def link_from_idea():
    """The idea page's form: the item comes from a select, the idea from a hidden field."""
    item_id = _number(request.form.get("item_id"))
    idea_id = _number(request.form.get("idea_id"))
    if not isinstance(idea_id, int):
        flash("Choose an idea to link.", "error")
        return redirect(safe_referrer("roadmap.index"))
    if not isinstance(item_id, int):
        flash("Choose the roadmap item to link this idea to.", "error")
        return redirect(url_for("ideas.detail", idea_id=idea_id, _anchor="roadmap"))
    item = roadmap.get_item(current_actor(), item_id)
    made = roadmap.link_idea(current_actor(), item, idea_id, plan=not request.form.get("keep_status"))
    db.session.commit()
    if made:
        flash(f"The idea is linked to “{item.title}”.", "success")
    else:
        flash(f"The idea was linked to “{item.title}” already; nothing changed.", "info")
    return redirect(url_for("ideas.detail", idea_id=idea_id, _anchor="roadmap"))


@bp.post("/roadmap/<int:item_id>/ideas/<int:idea_id>/unlink")
@login_required
def unlink(item_id: int, idea_id: int):
    item = roadmap.get_item(current_actor(), item_id)
    if roadmap.unlink_idea(current_actor(), item, idea_id):
        flash(f"Idea #{idea_id} is no longer linked to “{item.title}”. It keeps its status.", "success")
    else:
        flash(f"Idea #{idea_id} was not linked; nothing changed.", "info")
    db.session.commit()
    return _back(item_id, idea_id, "ideas")


@bp.get("/changelog")
def changelog():
    page, _ = list_page_args()
    log = roadmap.changelog_page(current_actor(), page=page)
    keep_in_range(log.page, "release", "releases")
    return render_template("roadmap/changelog.html", log=log)


@bp.get("/changelog.atom")
def changelog_feed():
    """Atom 1.0 of the public changelog: always as an anonymous visitor, whoever asks."""
    log = roadmap.changelog_page(AnonymousUserMixin(), page=1, per_page=FEED_ENTRIES)
    items = log.page.items
    site = current_app.config["SITE_NAME"]
    ET.register_namespace("", ATOM)

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    add(feed, "id", absolute_url("roadmap.changelog"))
    add(feed, "title", f"{site} changelog")
    add(feed, "subtitle", "What we shipped, and the ideas it answers.")
    updated = max((item.shipped_at for item in items if item.shipped_at), default=None) or utcnow()
    add(feed, "updated", _atom_time(updated))
    add(feed, "link", rel="self", type="application/atom+xml", href=absolute_url("roadmap.changelog_feed"))
    add(feed, "link", rel="alternate", type="text/html", href=absolute_url("roadmap.changelog"))
    author = add(feed, "author")
    add(author, "name", site)
    for item in items:
        url = absolute_url("roadmap.detail", item_id=item.id)
        entry = add(feed, "entry")
        add(entry, "id", url)
        add(entry, "title", item.title)
        add(entry, "updated", _atom_time(item.shipped_at or item.updated_at))
        add(entry, "link", rel="alternate", type="text/html", href=url)
        content = item.release_note_html or item.description_html or f"<p>{item.title} is shipped.</p>"
        ideas = log.ideas[item.id]
        if ideas:
            # The HTML is escaped by ElementTree; titles are escaped here, inside the HTML.
            links = "".join(
                f'<li><a href="{absolute_url("ideas.detail", idea_id=idea.id)}">{escape(idea.title)}</a></li>'
                for idea in ideas
            )
            content += f"<p>The ideas it answers:</p><ul>{links}</ul>"
        add(entry, "content", content, type="html")
    body = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    return Response(
        '<?xml version="1.0" encoding="utf-8"?>\n' + body,
        content_type="application/atom+xml; charset=utf-8",
    )
