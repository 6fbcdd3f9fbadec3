"""Learning launch pages: the list, planning (staff), the launch page, joining, running it, the outcome."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.extensions import db
from app.forms.launches import JoinForm, LaunchForm, MessageForm, OutcomeForm, outcome_results
from app.pages import launches as launch_page_data
from app.permissions import require, state_refusal
from app.services import launch_pages, launches, participation
from app.web.idea_links import chosen_idea_ids, picker
from app.web.paging import keep_in_range, list_page_args
from app.web.support import call_with_form, csv_response, current_actor

bp = Blueprint("launches", __name__, url_prefix="/launches")

STATUS_MESSAGES = {
    "recruiting": "The launch is open for recruiting. Followers of its linked ideas are told.",
    "running": "The launch is running: it takes no new participants now.",
    "cancelled": "The launch is cancelled. Everyone who joined is told.",
}


def _detail(launch_id: int, anchor: str | None = None) -> Response:
    return redirect(url_for("launches.detail", launch_id=launch_id, _anchor=anchor))


@bp.get("/")
def index():
    page, _ = list_page_args()
    result = launch_pages.list_launches(current_actor(), page=page)
    keep_in_range(result, "learning launch", "learning launches")
    return render_template("launches/index.html", result=result)


@bp.get("/mine")
@login_required
def mine():
    return render_template("launches/mine.html", rows=participation.my_launches(current_actor()))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_actor(), "launch.create")
    form = LaunchForm()
    valid = form.validate_on_submit()
    idea_ids = chosen_idea_ids(form)
    if valid and idea_ids is not None:
        ok, launch = call_with_form(
            form,
            launches.create_launch,
            current_actor(),
            **form.values(),
            idea_ids=idea_ids,
            status="recruiting" if request.form.get("recruit") else "draft",
        )
        if ok:
            db.session.commit()
            if launch.is_recruiting:
                flash(STATUS_MESSAGES["recruiting"], "success")
            else:
                flash(
                    "The draft is saved; only staff can see it until you open it for recruiting.", "success"
                )
            return _detail(launch.id)
    status = 422 if form.is_submitted() else 200
    form.pad_rows()
    return render_template("launches/new.html", form=form, pick=picker(form)), status


@bp.route("/<int:launch_id>/edit", methods=["GET", "POST"])
@login_required
def edit(launch_id: int):
    launch = launches.get_launch(current_actor(), launch_id)
    require(current_actor(), "launch.edit", launch, state=False)
    refusal = state_refusal("launch.edit", launch)
    if refusal is not None:
        flash(refusal, "info")
        return _detail(launch.id)
    form = LaunchForm()
    if request.method == "GET":
        idea_ids, prototype_ids = launches.linked_ids(current_actor(), [launch.id])
        form.fill(launch, idea_ids[launch.id], prototype_ids[launch.id])
    else:
        valid = form.validate_on_submit()
        idea_ids = chosen_idea_ids(form)
        if valid and idea_ids is not None:
            values = form.values()
            # The form shows dates only: unchanged dates keep the times the launch has (the API sets times).
            if form.starts_on.data == launch.starts_at.date() and form.ends_on.data == launch.ends_at.date():
                del values["starts_at"], values["ends_at"]
            ok, _ = call_with_form(
                form, participation.update_launch, current_actor(), launch, **values, idea_ids=idea_ids
            )
            if ok:
                db.session.commit()
                flash("Your changes are saved.", "success")
                return _detail(launch_id)
        launch = launches.get_launch(current_actor(), launch_id)
    status = 422 if form.is_submitted() else 200
    form.pad_rows()
    return render_template("launches/edit.html", form=form, launch=launch, pick=picker(form)), status


def render_launch_page(launch_id: int, status: int = 200, join_form=None, message_form=None):
    """The launch page; a refused join or message form comes back with its text and messages."""
    data = launch_page_data.launch_page(current_actor(), launch_id)
    body = render_template(
        "launches/detail.html",
        page=data,
        launch=data.launch,
        early_start=data.early_start,
        join_form=join_form or JoinForm(formdata=None),
        message_form=message_form or MessageForm(formdata=None),
        now=data.now,
    )
    return body, status


@bp.get("/<int:launch_id>")
def detail(launch_id: int):
    return render_launch_page(launch_id)


@bp.post("/<int:launch_id>/join")
@login_required
def join(launch_id: int):
    form = JoinForm()
    if not form.validate_on_submit():
        return render_launch_page(launch_id, 422, join_form=form)
    ok, place = call_with_form(
        form, participation.join_launch, current_actor(), launch_id, form.screening_answer.data or ""
    )
    if not ok:
        return render_launch_page(launch_id, 422, join_form=form)
    db.session.commit()
    if place.state.is_enrolled:
        flash("You are enrolled. We'll tell you here when there is news about the launch.", "success")
    else:
        flash(
            f"The launch is full: you are number {place.position} on the waitlist. "
            "We'll tell you when a seat opens.",
            "success",
        )
    return _detail(launch_id)


@bp.post("/<int:launch_id>/withdraw")
@login_required
def withdraw(launch_id: int):
    participation.withdraw(current_actor(), launch_id)
    db.session.commit()
    flash("You are no longer taking part in this launch. You can join again while it recruits.", "success")
    return _detail(launch_id)


@bp.post("/<int:launch_id>/status")
@login_required
def change_status(launch_id: int):
    launch = launches.get_launch(current_actor(), launch_id)
    target = request.form.get("status", "")
    if target == "completed":
        # Completing needs the outcome; the outcome form completes the launch.
        require(current_actor(), "launch.change_status", launch)
        return redirect(url_for("launches.complete", launch_id=launch_id))
    planned = launch.starts_at
    early = launches.early_by(launch) if target == "running" else None
    launches.change_status(
        current_actor(), launch, target, start_early=request.form.get("start_early") == "1"
    )
    db.session.commit()
    if early is not None:
        flash(
            f"The launch is running, {early} before the planned date ({launches.day(planned)}): "
            "its start date is now today. It takes no new participants now.",
            "success",
        )
    else:
        flash(STATUS_MESSAGES.get(target, "The status is changed."), "success")
    return _detail(launch_id)


@bp.route("/<int:launch_id>/complete", methods=["GET", "POST"])
@login_required
def complete(launch_id: int):
    """The outcome form: completes a running launch, or corrects a completed launch's outcome."""
    launch = launches.get_launch(current_actor(), launch_id)
    require(current_actor(), "launch.change_status", launch)
    form = OutcomeForm()
    results = {assumption.id: assumption.result or "" for assumption in launch.assumptions}
    if request.method == "GET" and launch.has_outcome:
        form.metric_actual.data = launch.metric_actual
        form.decision.data = launch.decision
        form.summary.data = launch.outcome_summary
    elif request.method == "POST":
        results = outcome_results(request.form, launch.assumptions)
        if form.validate_on_submit():
            outcome = launches.OutcomeInput(
                decision=form.decision.data,
                summary=form.summary.data or "",
                metric_actual=form.metric_actual.data or "",
                results=results,
            )
            correcting = launch.is_completed
            if correcting:
                ok, _ = call_with_form(form, launches.record_outcome, current_actor(), launch, outcome)
            else:
                ok, _ = call_with_form(
                    form, launches.change_status, current_actor(), launch, "completed", outcome
                )
            if ok:
                db.session.commit()
                if correcting:
                    flash("The outcome is corrected. Nobody is told again.", "success")
                else:
                    flash(
                        "The launch is complete. Participants and followers of its linked ideas "
                        "are told the decision.",
                        "success",
                    )
                return _detail(launch_id, "outcome")
            launch = launches.get_launch(current_actor(), launch_id)
    status = 422 if form.is_submitted() else 200
    return render_template("launches/complete.html", form=form, launch=launch, results=results), status


@bp.get("/<int:launch_id>/participants")
@login_required
def participants(launch_id: int):
    launch = launches.get_launch(current_actor(), launch_id, with_parts=False)
    rows = participation.participants(current_actor(), launch)
    return render_template(
        "launches/participants.html",
        launch=launch,
        rows=rows,
        changeable=launch.is_active,
        reason_max=participation.REASON_MAX,
    )


@bp.post("/<int:launch_id>/participants/<int:user_id>/remove")
@login_required
def remove_participant(launch_id: int, user_id: int):
    removal = participation.remove_participant(
        current_actor(),
        launch_id,
        user_id,
        request.form.get("reason", ""),
        fill_seat=request.form.get("fill_seat") == "1",
    )
    db.session.commit()
    message = f"{removal.user.display_name} is off the launch and has been told."
    if removal.promoted:
        names = ", ".join(user.display_name for user in removal.promoted)
        message += f" {names} had the first place on the waitlist and got the seat."
    elif removal.was == "enrolled" and removal.waiting:
        message += " The seat stays free for you to give to someone on the waitlist."
    elif removal.was == "enrolled":
        message += " The seat is free for the next person who joins."
    flash(message, "success")
    return redirect(url_for("launches.participants", launch_id=launch_id))


@bp.post("/<int:launch_id>/participants/<int:user_id>/promote")
@login_required
def promote_participant(launch_id: int, user_id: int):
    user = participation.promote_participant(current_actor(), launch_id, user_id)
    db.session.commit()
    flash(f"{user.display_name} is enrolled and has been told.", "success")
    return redirect(url_for("launches.participants", launch_id=launch_id))


@bp.get("/<int:launch_id>/participants.csv")
@login_required
def participants_csv(launch_id: int):
    launch = launches.get_launch(current_actor(), launch_id, with_parts=False)
    filename, text = participation.participants_csv(current_actor(), launch)
    return csv_response(text, filename)


@bp.post("/<int:launch_id>/message")
@login_required
def message(launch_id: int):
    launch = launches.get_launch(current_actor(), launch_id, with_parts=False)
    require(current_actor(), "launch.message", launch, state=False)
    form = MessageForm()
    if not form.validate_on_submit():
        return render_launch_page(launch_id, 422, message_form=form)
    ok, reached = call_with_form(
        form, participation.message_participants, current_actor(), launch, form.message.data
    )
    if not ok:
        return render_launch_page(launch_id, 422, message_form=form)
    db.session.commit()
    flash(f"Your message went to {reached} participant{'' if reached == 1 else 's'}.", "success")
    return _detail(launch_id)
