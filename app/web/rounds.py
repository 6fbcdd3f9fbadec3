"""Feedback round pages: create and edit (staff), answer (members), results and CSV export (staff)."""

from datetime import timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.errors import Invalid
from app.extensions import db
from app.forms.rounds import RoundForm, answers_from_form
from app.models.base import utcnow
from app.permissions import require
from app.ratelimits import count_save, form_page
from app.services import charts, launches, prototypes, round_results, rounds
from app.services.rounds import UNSET, when
from app.services.timezones import DEFAULT_ZONE
from app.web.support import csv_response, current_actor

bp = Blueprint("rounds", __name__)


def _save(form: RoundForm, rows: list[int], service, *args: Any, **kwargs: Any):
    """Call a create/edit service; on Invalid undo any change and show the messages on the form.

    `rows` are the form rows the questions came from, so each message lands on its own row.
    """
    try:
        return service(*args, **kwargs)
    except Invalid as error:
        db.session.rollback()
        form.show_errors(error.fields, rows)
        return None


def _round_values(form: RoundForm) -> dict[str, Any]:
    """What the round fields say: times as typed (wall-clock, in the form's time zone)."""
    return {
        "title": form.title.data,
        "opens_at": form.opens_at.data,
        "closes_at": form.closes_at.data,
        "time_zone": form.time_zone.data or DEFAULT_ZONE,
    }


def _change_rows(form: RoundForm) -> bool:
    """Add or remove a question row (the buttons without JavaScript); True when that was the request."""
    if request.form.get("add_question"):
        form.add_question()
        return True
    if request.form.get("remove_question"):
        form.remove_question(request.form["remove_question"])
        return True
    return False


@bp.route("/prototypes/<int:prototype_id>/rounds/new", methods=["GET", "POST"])
@login_required
def new(prototype_id: int):
    prototype = prototypes.get_prototype(current_actor(), prototype_id, with_parts=False)
    require(current_actor(), "round.create", prototype)
    form = RoundForm()
    form.launch_id.choices = [(0, "Choose a launch…")] + [
        (launch.id, f"{launch.title} ({launch.status})")
        for launch in launches.launch_choices(current_actor())
    ]
    if request.method == "GET":
        start = utcnow().replace(second=0, microsecond=0)
        form.set_window(start, start + timedelta(days=14))
        # "New check-in round" on a launch page comes here with the launch chosen.
        wanted = request.args.get("launch_id", "")
        if wanted.isdigit() and any(value == int(wanted) for value, _ in form.launch_id.choices[1:]):
            form.audience.data, form.launch_id.data = "launch", int(wanted)
    elif not _change_rows(form):
        # The service checks everything the form does not, so every message shows at once.
        form.validate()
        questions, rows = form.filled_questions()
        values = _round_values(form)
        round_ = _save(
            form,
            rows,
            rounds.create_round,
            current_actor(),
            prototype,
            values["title"],
            values["opens_at"],
            values["closes_at"],
            questions,
            audience=form.audience.data,
            launch_id=form.chosen_launch(),
            time_zone=values["time_zone"],
        )
        if round_ is not None:
            db.session.commit()
            state = round_.state_at(utcnow())
            if state.is_open:
                flash("The round is open now; the followers of the prototype's ideas are told.", "success")
            else:
                opens = when(round_.opens_at, form.zone())
                flash(f"The round is scheduled: it opens on {opens}.", "success")
            return redirect(url_for("prototypes.detail", prototype_id=prototype.id, _anchor="rounds"))
    status = 422 if form.has_errors() else 200
    form.keep_one_row()
    page = render_template("rounds/new.html", form=form, prototype=prototype)
    return page, status


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@login_required
def edit(round_id: int):
    round_, prototype = rounds.load_round(current_actor(), round_id)
    require(current_actor(), "round.create", round_)
    answered = rounds.response_count(round_.id)
    form = RoundForm()
    if request.method == "GET":
        form.title.data = round_.title
        form.set_window(round_.opens_at, round_.closes_at)
        form.set_questions(round_.questions)
    elif not _change_rows(form):
        form.validate()
        # Questions are sent only by a form that showed them as editable.
        questions, rows = form.filled_questions() if request.form.get("with_questions") else (UNSET, [])
        values = _round_values(form)
        saved = _save(
            form,
            rows,
            rounds.update_round,
            current_actor(),
            round_,
            title=values["title"],
            opens_at=values["opens_at"],
            closes_at=values["closes_at"],
            questions=questions,
            time_zone=values["time_zone"],
        )
        if saved is not None:
            db.session.commit()
            flash("The round is saved.", "success")
            return redirect(url_for("prototypes.detail", prototype_id=prototype.id, _anchor="rounds"))
        round_, prototype = rounds.load_round(current_actor(), round_id)
    status = 422 if form.has_errors() else 200
    form.keep_one_row()
    return (
        render_template(
            "rounds/edit.html",
            form=form,
            round=round_,
            prototype=prototype,
            answered=answered,
        ),
        status,
    )


def _render_round(
    round_id: int,
    errors: dict[str, list[str]] | None = None,
    values=None,
    status: int = 200,
    refused: str | None = None,
):
    page = rounds.round_page(current_actor(), round_id)
    body = render_template(
        "rounds/detail.html",
        page=page,
        round=page.round,
        prototype=page.prototype,
        errors=errors or {},
        values=page.answers if values is None else values,
        refused=refused,
    )
    return body, status


def _as_typed(submitted: dict[str, Any]) -> dict[int, Any]:
    """The answers as sent, keyed like the page's own values, to show them again."""
    return {int(key): value for key, value in submitted.items() if key.isdigit()}


@form_page("rounds.answer")
def _answer_again(message: str, round_id: int):
    """The round with the answers as they were sent, refused by the rate limit: nothing is lost."""
    round_ = rounds.get_round(current_actor(), round_id)
    typed = _as_typed(answers_from_form(round_.questions, request.form))
    return _render_round(round_id, values=typed, refused=message)


@bp.get("/rounds/<int:round_id>")
def detail(round_id: int):
    return _render_round(round_id)


@bp.post("/rounds/<int:round_id>")
@login_required
def answer(round_id: int):
    round_ = rounds.get_round(current_actor(), round_id)
    submitted = answers_from_form(round_.questions, request.form)
    try:
        _, created = rounds.submit_response(current_actor(), round_, submitted)
    except Invalid as error:
        # Nothing is kept; the page comes back with the answers as typed and a message at each question.
        db.session.rollback()
        return _render_round(round_id, errors=error.fields, values=_as_typed(submitted), status=422)
    closes = when(round_.closes_at)
    count_save()
    db.session.commit()
    if created:
        flash(f"Thank you! Your answers are saved. You can change them until {closes}.", "success")
    else:
        flash(f"Your changed answers are saved. You can change them until {closes}.", "success")
    return redirect(url_for("rounds.detail", round_id=round_id))


@bp.get("/rounds/<int:round_id>/results")
@login_required
def results(round_id: int):
    data = round_results.round_results(current_actor(), round_id)
    question_charts = {result.question.id: charts.question_chart(result) for result in data.questions}
    return render_template(
        "rounds/results.html",
        results=data,
        round=data.round,
        prototype=data.prototype,
        charts=question_charts,
    )


@bp.get("/rounds/<int:round_id>/responses.csv")
@login_required
def export(round_id: int):
    filename, text = round_results.responses_csv(current_actor(), round_id)
    return csv_response(text, filename)
