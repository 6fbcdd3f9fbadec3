"""Staff pages: the dashboard of what customers want, insights with charts, and the ideas export."""

from urllib.parse import parse_qsl, urlsplit

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from app import labels
from app.errors import BadRequest
from app.extensions import db
from app.forms.staff import BoardFilterForm, BulkStatusForm, DashboardFilterForm
from app.links import local_path
from app.pages import staff as staff_pages
from app.permissions import require
from app.services import charts, idea_links
from app.services import dashboard as dashboard_service
from app.services import insights as insights_service
from app.services.pagination import page_args
from app.web.paging import keep_in_range, list_page_args
from app.web.support import call_with_form, csv_response, current_actor, safe_next_url

bp = Blueprint("staff", __name__, url_prefix="/staff")

PER_PAGE = 50


@bp.app_template_filter("duration")
def duration(value) -> str:
    return dashboard_service.duration_text(value)


def _filter_form() -> DashboardFilterForm:
    form = DashboardFilterForm(formdata=request.args)
    form.validate()
    return form


def _render_dashboard(
    args,
    page: int,
    per_page: int,
    bulk_form: BulkStatusForm,
    picked: set[int] = frozenset(),
    status: int = 200,
):
    """The dashboard for the filters in `args`; a refused bulk change keeps its ticks and values."""
    form = DashboardFilterForm(formdata=args)
    form.validate()
    if form.errors:
        status = 422
    found = staff_pages.dashboard_page(current_actor(), None if form.errors else form.filters, page, per_page)
    data = found.data
    if data:
        keep_in_range(data.page, "idea", "ideas")
    form.set_categories(found.categories)
    form.set_boards(found.boards)
    if found.boards.problem:
        status = 422
        args = _without_board(args)
    body = render_template(
        "staff/dashboard.html",
        form=form,
        data=data,
        args=args,
        filters=found.filters,
        boards=found.boards,
        bulk_form=bulk_form,
        picked=picked,
    )
    return body, status


def _without_board(args) -> MultiDict:
    """The query string without its `board`: links on a page that let an unknown board go."""
    kept = MultiDict(args)
    kept.poplist("board")
    return kept


@bp.get("")
@login_required
def dashboard():
    require(current_actor(), "dashboard.view")
    page, per_page = list_page_args(default_per_page=PER_PAGE)
    return _render_dashboard(request.args, page, per_page, BulkStatusForm(formdata=None))


@bp.post("/bulk-status")
@login_required
def bulk_status():
    require(current_actor(), "idea.change_status")
    form = BulkStatusForm()
    ids = [int(value) for value in request.form.getlist("idea_ids") if value.isdigit() and len(value) < 11]
    if form.validate_on_submit():
        ok, result = call_with_form(
            form,
            dashboard_service.bulk_change_status,
            current_actor(),
            ids,
            form.status.data,
            form.status_note.data or "",
        )
        if ok:
            db.session.commit()
            flash(dashboard_service.bulk_message(result), "success")
            return redirect(safe_next_url("staff.dashboard"))
    # The page the form came from, again, with the same ideas ticked and the messages.
    back = urlsplit(local_path(request.form.get("next")) or "")
    args = MultiDict(parse_qsl(back.query, keep_blank_values=True))
    if back.path != url_for("staff.dashboard"):
        args = MultiDict()
    page, per_page = page_args(args, default_per_page=PER_PAGE)
    return _render_dashboard(args, page, per_page, form, set(ids), 422)


@bp.get("/ideas/pick")
@login_required
def pick_ideas():
    """The idea picker's search (staff): ideas everyone may see whose title has the words typed."""
    found = idea_links.find_ideas(current_actor(), request.args.get("q", ""))
    return jsonify(
        {
            "ideas": [
                {
                    "id": idea.id,
                    "title": idea.title,
                    "status": idea.status,
                    "status_label": idea.status_label,
                    "vote_count": idea.vote_count,
                    "url": url_for("ideas.detail", idea_id=idea.id),
                }
                for idea in found
            ]
        }
    )


@bp.get("/insights")
@login_required
def insights():
    form = BoardFilterForm(formdata=request.args)
    page = staff_pages.insights_page(current_actor(), form.board.data)
    form.set_boards(page.boards)
    data = page.data
    weeks = [week.label for week in data.weeks]
    figures = {
        "ideas": charts.column_chart(
            "chart-ideas",
            "New ideas per week",
            list(zip(weeks, [w.ideas for w in data.weeks], strict=True)),
            "new ideas",
        ),
        "votes": charts.column_chart(
            "chart-votes",
            "Votes per week",
            list(zip(weeks, [w.votes for w in data.weeks], strict=True)),
            "votes",
        ),
        "funnel": charts.bar_chart(
            "chart-funnel",
            "Ideas by status",
            [(labels.label("idea_status", status), count) for status, count in data.funnel],
            data.idea_total,
        ),
        "categories": charts.count_chart(
            "chart-categories",
            "Top categories by ideas",
            [(c.name, c.ideas) for c in data.categories],
            "ideas",
        ),
        "rounds": charts.count_chart(
            "chart-rounds",
            "Responses to the latest feedback rounds",
            [(f"{r.title} ({r.prototype_title})", r.responses) for r in data.rounds],
            "responses",
        ),
        "launches": charts.fill_chart(
            "chart-launches",
            "Enrolment in learning launches",
            [(launch.title, launch.enrolled, launch.capacity) for launch in data.launches],
            "seats filled",
        ),
        "decisions": charts.count_chart(
            "chart-decisions",
            "Decisions after learning launches",
            [(labels.label("decision", decision), count) for decision, count in data.decisions],
            "launches",
        ),
    }
    body = render_template("staff/insights.html", data=data, charts=figures, form=form, boards=page.boards)
    return body, 422 if page.boards.problem else 200


@bp.get("/ideas.csv")
@login_required
def export():
    require(current_actor(), "dashboard.view")
    form = _filter_form()
    if form.errors:
        raise BadRequest(" ".join(message for messages in form.errors.values() for message in messages))
    filename, text = insights_service.ideas_csv(current_actor(), form.filters)
    return csv_response(text, filename)
