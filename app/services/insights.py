"""Insights for staff: the numbers behind the charts, and the ideas export as CSV.

Each chart's numbers come from one grouped query. Weeks are ISO weeks (Monday to Sunday, UTC);
the last twelve end with the current one, and weeks without anything show as zero.

The figures over every idea and vote (per week, per status, per category) are computed by the
worker every few minutes and stored (`refresh_figures`); the page shows them with their time,
and counts them itself when the stored ones are missing or older than FIGURES_MAX_AGE. They count
the ideas on every board (only staff read them, and staff see every board).

Staff may narrow the page to one board (`?board=SLUG`): the worker stores the same figures for
each board too, under "insights:board:ID", counted over that board's ideas and their votes
through the board's index; the page reads them like the others (counting them itself when they
are missing or too old: a board made since the worker last ran). The unfiltered page reads the
figures over every board as before. The rounds and launches charts are not by board.
"""

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.links import absolute_url
from app.models.base import utcnow
from app.models.board import Board
from app.models.idea import Category, Idea
from app.models.launch import DECISIONS, Launch
from app.models.prototype import Prototype
from app.models.round import FeedbackRound, RoundResponse
from app.permissions import require
from app.services import aggregates, dashboard
from app.services.csvfile import safe_cell
from app.visibility import shown_ideas

WEEKS = 12
TOP_CATEGORIES = 8
LAST_ROUNDS = 10
LAST_LAUNCHES = 10
# The funnel, left to right; declined ideas are counted beside it.
FUNNEL = ("open", "under_review", "planned", "in_progress", "shipped", "declined")
FIGURES = "insights"
# The worker stores the figures every few minutes (app/cli.py); older ones are counted again.
FIGURES_EVERY = timedelta(minutes=5)
FIGURES_MAX_AGE = timedelta(minutes=15)


@dataclass(frozen=True)
class Week:
    start: date
    ideas: int
    votes: int

    @property
    def label(self) -> str:
        return f"{self.start.day} {self.start:%b}"


@dataclass(frozen=True)
class CategoryStat:
    name: str
    slug: str
    ideas: int
    votes: int


@dataclass(frozen=True)
class RoundStat:
    id: int
    title: str
    prototype_title: str
    opens_at: datetime
    responses: int


@dataclass(frozen=True)
class LaunchStat:
    id: int
    title: str
    status: str
    enrolled: int
    capacity: int
    decision: str | None


@dataclass(frozen=True)
class Insights:
    weeks: list[Week]
    funnel: list[tuple[str, int]]
    categories: list[CategoryStat]
    rounds: list[RoundStat]
    launches: list[LaunchStat]
    decisions: list[tuple[str, int]]
    # When the weeks, funnel and categories were counted.
    as_of: datetime

    @property
    def idea_total(self) -> int:
        return sum(count for _, count in self.funnel)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def week_starts(now: datetime, weeks: int = WEEKS) -> list[date]:
    """The Mondays of the last `weeks` ISO weeks, oldest first, ending with the current one."""
    monday = now.astimezone(UTC).date() - timedelta(days=now.astimezone(UTC).weekday())
    return [monday - timedelta(weeks=weeks - 1 - index) for index in range(weeks)]


def _weekly(per_day: dict[date, int], starts: list[date]) -> list[int]:
    """Counts per day summed into the weeks beginning on `starts`."""
    counts = [0] * len(starts)
    for day, count in per_day.items():
        index = (day - starts[0]).days // 7
        if 0 <= index < len(starts):
            counts[index] += count
    return counts


def _per_week(column: Any, starts: list[date], *conditions: Any) -> list[int]:
    """Rows per week since the first of `starts` (one query grouped by day, summed into weeks)."""
    since = datetime.combine(starts[0], time.min, tzinfo=UTC)
    day = aggregates.utc_day_sql(column)
    rows = db.session.execute(select(day, func.count()).where(column >= since, *conditions).group_by(day))
    return _weekly({_as_date(value): count for value, count in rows}, starts)


def count_figures(now: datetime, board_id: int | None = None) -> dict[str, Any]:
    """The figures over every idea and vote (with `board_id`, over that board's ideas and their
    votes), as JSON: weeks, funnel and top categories."""
    starts = week_starts(now)
    on_board = () if board_id is None else (Idea.board_id == board_id,)
    ideas = _per_week(Idea.created_at, starts, shown_ideas(), *on_board)
    votes = _weekly(aggregates.votes_per_day(starts[0], board_id), starts)
    by_status = dict(
        db.session.execute(
            select(Idea.status, func.count())
            .where(shown_ideas(), Idea.status != "merged", *on_board)
            .group_by(Idea.status)
        ).all()
    )
    idea_count = func.count(Idea.id)
    vote_sum = func.coalesce(func.sum(Idea.vote_count), 0)
    categories = [
        [name, slug, count, int(total)]
        for name, slug, count, total in db.session.execute(
            select(Category.name, Category.slug, idea_count, vote_sum)
            .join(Idea, Idea.category_id == Category.id)
            .where(shown_ideas(), Idea.status != "merged", *on_board)
            .group_by(Category.id, Category.name, Category.slug)
            .order_by(idea_count.desc(), vote_sum.desc(), Category.name)
            .limit(TOP_CATEGORIES)
        )
    ]
    return {
        "weeks": [[start.isoformat(), ideas[i], votes[i]] for i, start in enumerate(starts)],
        "funnel": {status: by_status.get(status, 0) for status in FUNNEL},
        "categories": categories,
    }


def figures_name(board_id: int | None = None) -> str:
    """The name the figures (over every board, or over one) are stored under."""
    return FIGURES if board_id is None else f"{FIGURES}:board:{board_id}"


def refresh_figures(now: datetime | None = None) -> datetime:
    """The worker's job: count the figures over every idea and vote, and over each board's, and
    store them; returns their time."""
    now = now or utcnow()
    aggregates.store_figures(FIGURES, count_figures(now), now)
    for board_id in db.session.scalars(select(Board.id).order_by(Board.id)):
        aggregates.store_figures(figures_name(board_id), count_figures(now, board_id), now)
    return now


def _figures(now: datetime, board_id: int | None = None) -> tuple[dict[str, Any], datetime]:
    """The stored figures (over every board, or over one) when recent enough, else counted now;
    with their time."""
    stored = aggregates.stored_figures(figures_name(board_id))
    if stored is not None and timedelta(0) <= now - stored.computed_at <= FIGURES_MAX_AGE:
        return stored.data, stored.computed_at
    return count_figures(now, board_id), now


def insights(actor: Any, now: datetime | None = None, board: Board | None = None) -> Insights:
    """The numbers for every chart on the insights page (staff); a query per chart at most.

    With `board`, the ideas, votes, statuses and categories are that board's (see the module's
    notes); the rounds and launches are the same on every board.
    """
    require(actor, "dashboard.view")
    now = now or utcnow()
    figures, as_of = _figures(now, board.id if board is not None else None)
    rounds = [
        RoundStat(*row)
        for row in db.session.execute(
            select(
                FeedbackRound.id,
                FeedbackRound.title,
                Prototype.title,
                FeedbackRound.opens_at,
                func.count(RoundResponse.id),
            )
            .join(Prototype, Prototype.id == FeedbackRound.prototype_id)
            .outerjoin(RoundResponse, RoundResponse.round_id == FeedbackRound.id)
            .where(FeedbackRound.opens_at <= now)
            .group_by(FeedbackRound.id, FeedbackRound.title, Prototype.title, FeedbackRound.opens_at)
            .order_by(FeedbackRound.opens_at.desc(), FeedbackRound.id.desc())
            .limit(LAST_ROUNDS)
        )
    ]
    launches = [
        LaunchStat(*row)
        for row in db.session.execute(
            select(
                Launch.id,
                Launch.title,
                Launch.status,
                Launch.enrolled_count,
                Launch.capacity,
                Launch.decision,
            )
            .where(Launch.status.not_in(("draft", "cancelled")))
            .order_by(Launch.starts_at.desc(), Launch.id.desc())
            .limit(LAST_LAUNCHES)
        )
    ]
    decided = dict(
        db.session.execute(
            select(Launch.decision, func.count())
            .where(Launch.decision.is_not(None))
            .group_by(Launch.decision)
        ).all()
    )
    return Insights(
        weeks=[Week(date.fromisoformat(start), ideas, votes) for start, ideas, votes in figures["weeks"]],
        funnel=[(status, figures["funnel"].get(status, 0)) for status in FUNNEL],
        categories=[CategoryStat(*row) for row in figures["categories"]],
        rounds=rounds,
        launches=launches,
        decisions=[(decision, decided.get(decision, 0)) for decision in DECISIONS],
        as_of=as_of,
    )


def _time_cell(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def ideas_csv(actor: Any, filters: dashboard.Filters, now: datetime | None = None) -> tuple[str, str]:
    """The dashboard's ideas as CSV (filename, text), in its order, with segments and roadmap links."""
    rows, segments = dashboard.all_ranked(actor, filters, now)
    out = io.StringIO()
    writer = csv.writer(out)
    header = [
        "id",
        "title",
        "status",
        "category",
        "votes",
        "votes_30d",
        "comments",
        "created_at",
        "first_staff_response_at",
    ]
    header += [f"segment: {segment.name}" for segment in segments]
    if filters.weighing:
        header.append("weighted_votes")
    header += ["roadmap_items", "url"]
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        idea = row.idea
        cells: list[Any] = [
            idea.id,
            idea.title,
            idea.status,
            idea.category.name if idea.category else "",
            idea.vote_count,
            row.votes_30d,
            idea.comment_count,
            _time_cell(idea.created_at),
            _time_cell(idea.first_staff_response_at),
        ]
        cells += [row.segment_votes.get(segment.id, 0) for segment in segments]
        if filters.weighing:
            cells.append(f"{round(row.weighted_votes or 0, 2):g}")
        cells += [
            "; ".join(item.title for item in row.roadmap_items),
            absolute_url("ideas.detail", idea_id=idea.id),
        ]
        writer.writerow([safe_cell(cell) for cell in cells])
    stamp = (now or utcnow()).strftime("%Y-%m-%d")
    return f"ideas-{stamp}.csv", out.getvalue()
