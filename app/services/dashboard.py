"""The staff dashboard: what customers want most, how fast staff answer, and bulk status changes.

Every read here takes a fixed number of queries whatever the page holds: the ideas with their
votes of the last 30 days (from the stored votes per day, see app/services/aggregates.py), the
count, their roadmap items and their demand per segment (a query each). Votes weighted by
segment are stored on each idea.

Every read can be narrowed to one board (`Filters.board`, its slug): the ideas counted and
listed are then that board's (`ix_ideas_board_trending` finds them). Staff see every board, so
the unfiltered dashboard counts private boards too.

Each order reads only the ideas of its page: the idea-column orders (votes, weighted, trending,
comments) walk their index; "recent" ranks the ideas with votes in the window from the stored
days, fetching ideas by id in that order, and only a page past them walks the votes index for
the ideas without any (see `_recent_page`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload

from app import labels
from app.errors import Conflict, Invalid
from app.extensions import db
from app.models.base import utcnow
from app.models.board import Board
from app.models.idea import STATUSES, Category, Idea, IdeaVote, IdeaVoteDay
from app.models.roadmap import RoadmapIdea, RoadmapItem
from app.models.segment import Segment, UserSegment
from app.models.user import User
from app.pagecache import remember
from app.permissions import require
from app.services import aggregates, boards, roadmap, segments
from app.services import categories as category_service
from app.services import ideas as idea_service
from app.services.ideas import STATUS_NOTE
from app.services.pagination import DEFAULT_PER_PAGE, Page
from app.visibility import shown_ideas, visible_ideas

SORTS = ("votes", "weighted", "trending", "recent", "comments")
# Statuses one can filter by: merged ideas live on in their target and are not listed.
FILTER_STATUSES = tuple(status for status in STATUSES if status != "merged")
RECENT_DAYS = 30
RESPONSE_WINDOW_DAYS = 90
WAITING_LIMIT = 10
BULK_MAX = 100
# Enough ids per IN (...) list for any database; exports ask in chunks of this size.
CHUNK = 500


@dataclass(frozen=True)
class Filters:
    category: str | None = None
    # A board's slug: only its ideas. Pages check it names a board the viewer may see first.
    board: str | None = None
    status: str | None = None
    created_from: date | None = None
    # Including that day.
    created_to: date | None = None
    unlinked: bool = False
    unanswered: bool = False
    sort: str = "votes"
    weighted: bool = False

    @property
    def weighing(self) -> bool:
        """Whether votes are weighed by segment: asked for, or needed by the sort."""
        return self.weighted or self.sort == "weighted"

    def check(self) -> None:
        """Raise Invalid naming each value that is not allowed."""
        fields: dict[str, list[str]] = {}
        if self.sort not in SORTS:
            fields["sort"] = [f"Sort by one of: {', '.join(SORTS)}."]
        if self.status is not None and self.status not in FILTER_STATUSES:
            fields["status"] = [f"Status must be one of: {', '.join(FILTER_STATUSES)}."]
        if self.created_from and self.created_to and self.created_to < self.created_from:
            fields["to"] = ["The end date is before the start date."]
        if fields:
            raise Invalid(fields)


@dataclass
class Row:
    idea: Idea
    rank: int
    votes_30d: int
    roadmap_items: list[RoadmapItem]
    # Votes per segment id; a voter in two segments counts in both.
    segment_votes: dict[int, int]
    # Votes with each voter at their heaviest segment's weight (1 without one); None unless asked.
    weighted_votes: float | None = None


@dataclass(frozen=True)
class RankedPage(Page):
    segments: list[Segment] = field(default_factory=list)
    filters: Filters = field(default_factory=Filters)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _listed(board: str | None = None) -> tuple[Any, ...]:
    """Ideas the dashboard ranks (on the board of slug `board`, if named): neither deleted,
    hidden, waiting for review nor merged, on any board the viewer may see."""
    listed = (shown_ideas(), Idea.status != "merged")
    if board is None:
        return listed
    board_id = select(Board.id).where(Board.slug == board.strip().lower()).scalar_subquery()
    return (*listed, Idea.board_id == board_id)


def _conditions(actor: Any, filters: Filters) -> list[Any]:
    conditions = [visible_ideas(actor), *_listed(filters.board)]
    if filters.category:
        conditions.append(
            Idea.category_id == select(Category.id).where(Category.slug == filters.category).scalar_subquery()
        )
    if filters.status:
        conditions.append(Idea.status == filters.status)
    if filters.created_from:
        conditions.append(Idea.created_at >= _day_start(filters.created_from))
    if filters.created_to:
        conditions.append(Idea.created_at < _day_start(filters.created_to + timedelta(days=1)))
    if filters.unlinked:
        conditions.append(~select(RoadmapIdea.idea_id).where(RoadmapIdea.idea_id == Idea.id).exists())
    if filters.unanswered:
        conditions.append(Idea.first_staff_response_at.is_(None))
    return conditions


def _recent_votes_per_idea(since: datetime, now: datetime):
    """(idea_id, votes): the ideas with votes in [since, now] and how many, from the stored days
    and the votes of the two partial ones."""
    first_whole, last_whole, edges = aggregates.recent_votes_parts(since, now)
    parts = [
        select(IdeaVoteDay.idea_id.label("idea_id"), func.sum(IdeaVoteDay.votes).label("votes"))
        .where(IdeaVoteDay.day >= first_whole, IdeaVoteDay.day <= last_whole)
        .group_by(IdeaVoteDay.idea_id),
        # Each edge is bounded at both ends, so it reads a range of ix_idea_votes_created_at_idea_id.
        *(
            select(IdeaVote.idea_id.label("idea_id"), func.count().label("votes"))
            .where(edge)
            .group_by(IdeaVote.idea_id)
            for edge in edges
        ),
    ]
    together = union_all(*parts).subquery()
    votes = func.sum(together.c.votes)
    # A day whose votes were all taken back keeps its row at 0: such an idea has none. Ordered
    # here so that PostgreSQL fetches ideas in this order and stops once a page is full.
    return (
        select(together.c.idea_id.label("idea_id"), votes.label("votes"))
        .group_by(together.c.idea_id)
        .having(votes > 0)
        .order_by(votes.desc())
        .subquery()
    )


def _no_recent_votes(since: datetime, now: datetime) -> Any:
    """A condition on Idea: no vote of it was cast in [since, now] (read through the vote indexes)."""
    first_whole, last_whole, edges = aggregates.recent_votes_parts(since, now)
    in_days = exists().where(
        IdeaVoteDay.idea_id == Idea.id,
        IdeaVoteDay.day >= first_whole,
        IdeaVoteDay.day <= last_whole,
        IdeaVoteDay.votes > 0,
    )
    at_edges = exists().where(IdeaVote.idea_id == Idea.id, or_(*edges))
    return ~in_days & ~at_edges


def _recent_votes_of_idea(since: datetime, now: datetime):
    """One idea's votes in [since, now] as a scalar subquery correlated to Idea, from the stored days."""
    first_whole, last_whole, edges = aggregates.recent_votes_parts(since, now)
    whole_days = (
        select(func.coalesce(func.sum(IdeaVoteDay.votes), 0))
        .where(IdeaVoteDay.idea_id == Idea.id, IdeaVoteDay.day >= first_whole, IdeaVoteDay.day <= last_whole)
        .scalar_subquery()
    )
    counted = [
        select(func.count()).where(IdeaVote.idea_id == Idea.id, edge).scalar_subquery() for edge in edges
    ]
    return sum(counted, whole_days)


# Orders by idea columns, each read along its index; ties go to more votes, then the newer idea.
ORDERS = {
    "votes": (Idea.vote_count.desc(), Idea.id.desc()),
    "weighted": (Idea.weighted_votes.desc(), Idea.vote_count.desc(), Idea.id.desc()),
    "trending": (Idea.trending_score.desc(), Idea.id.desc()),
    "comments": (Idea.comment_count.desc(), Idea.id.desc()),
}


def _by_column(actor: Any, filters: Filters, now: datetime):
    """The ordered query of (Idea, votes_30d) for an order by idea columns (not "recent")."""
    # Recent votes are added up only for the rows a page returns.
    recent_count = _recent_votes_of_idea(now - timedelta(days=RECENT_DAYS), now)
    return (
        select(Idea, recent_count.label("votes_30d"))
        .options(joinedload(Idea.author), joinedload(Idea.category))
        .where(*_conditions(actor, filters))
        .order_by(*ORDERS[filters.sort])
    )


def _with_recent_votes(actor: Any, filters: Filters, now: datetime, counted: bool = False):
    """(Idea, votes_30d) of the ideas with votes in the window, most first, then by votes
    (with `counted`, how many there are)."""
    recent = _recent_votes_per_idea(now - timedelta(days=RECENT_DAYS), now)
    if counted:
        return (
            select(func.count())
            .select_from(recent)
            .join(Idea, Idea.id == recent.c.idea_id)
            .where(*_conditions(actor, filters))
        )
    return (
        select(Idea, recent.c.votes.label("votes_30d"))
        .join(recent, recent.c.idea_id == Idea.id)
        .options(joinedload(Idea.author), joinedload(Idea.category))
        .where(*_conditions(actor, filters))
        .order_by(recent.c.votes.desc(), Idea.vote_count.desc(), Idea.id.desc())
    )


def _without_recent_votes(actor: Any, filters: Filters, now: datetime):
    """(Idea, 0) of the ideas without a vote in the window, by votes (they rank after the others)."""
    return (
        select(Idea, literal(0).label("votes_30d"))
        .options(joinedload(Idea.author), joinedload(Idea.category))
        .where(*_conditions(actor, filters), _no_recent_votes(now - timedelta(days=RECENT_DAYS), now))
        .order_by(Idea.vote_count.desc(), Idea.id.desc())
    )


def _recent_page(actor: Any, filters: Filters, now: datetime, limit: int | None, offset: int) -> list[Any]:
    """Rows `offset` to `offset + limit` (all from `offset` when None) of the "recent" order.

    The order is the ideas with votes in the window (most first), then those without (by
    votes). Their union sorted at once would read every idea; read apart, a page of the first
    part fetches only its ideas, and the second part is read only when the page reaches it.
    """
    first = _with_recent_votes(actor, filters, now)
    rows = list(db.session.execute(first.limit(limit).offset(offset) if limit else first.offset(offset)))
    if limit is not None and len(rows) == limit:
        return rows
    if rows or offset == 0:
        skip = 0
    else:
        # A page past the ideas with recent votes: how many there are tells where the rest starts.
        skip = offset - (db.session.scalar(_with_recent_votes(actor, filters, now, counted=True)) or 0)
    rest = _without_recent_votes(actor, filters, now).offset(skip)
    if limit is not None:
        rest = rest.limit(limit - len(rows))
    return rows + list(db.session.execute(rest))


def _ranked_rows(actor: Any, filters: Filters, now: datetime, limit: int | None, offset: int = 0) -> list:
    """(Idea, votes_30d) results of one page (or all from `offset`) in the order `filters` ask."""
    if filters.sort == "recent":
        return _recent_page(actor, filters, now, limit, offset)
    stmt = _by_column(actor, filters, now).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.execute(stmt))


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def segment_votes(idea_ids: list[int]) -> dict[int, dict[int, int]]:
    """Votes per segment for each idea: {idea_id: {segment_id: voters}} (one query per 500 ideas)."""
    found: dict[int, dict[int, int]] = {idea_id: {} for idea_id in idea_ids}
    for chunk in _chunks(idea_ids):
        rows = db.session.execute(
            select(IdeaVote.idea_id, UserSegment.segment_id, func.count())
            .join(UserSegment, UserSegment.user_id == IdeaVote.user_id)
            .where(IdeaVote.idea_id.in_(chunk))
            .group_by(IdeaVote.idea_id, UserSegment.segment_id)
        )
        for idea_id, segment_id, count in rows:
            found[idea_id][segment_id] = count
    return found


def _rows(actor: Any, filters: Filters, results: list[Any], first_rank: int) -> list[Row]:
    """Rows for (Idea, votes_30d) results, with roadmap items and segment counts."""
    ideas = [result[0] for result in results]
    ids = [idea.id for idea in ideas]
    items: dict[int, list[RoadmapItem]] = {}
    for chunk in _chunks(ids):
        items.update(roadmap.items_for_ideas(actor, chunk))
    per_segment = segment_votes(ids)
    return [
        Row(
            idea=result[0],
            rank=first_rank + index,
            votes_30d=int(result[1]),
            roadmap_items=items.get(result[0].id, []),
            segment_votes=per_segment.get(result[0].id, {}),
            weighted_votes=float(result[0].weighted_votes) if filters.weighing else None,
        )
        for index, result in enumerate(results)
    ]


def _check_board(actor: Any, filters: Filters) -> None:
    """NotFound unless the board `filters` name (if any) is one `actor` may see (one query)."""
    if filters.board is not None:
        boards.board_by_slug(actor, filters.board)


def top_ideas(
    actor: Any,
    filters: Filters,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
    now: datetime | None = None,
) -> RankedPage:
    """One page of ranked ideas (staff), in a fixed number of queries whatever the page size."""
    require(actor, "dashboard.view")
    filters.check()
    _check_board(actor, filters)
    now = now or utcnow()

    def count() -> int:
        return db.session.scalar(select(func.count(Idea.id)).where(*_conditions(actor, filters))) or 0

    # Counting every matching idea is costly and the same for all staff of a role: kept until a write.
    total = remember(f"dashboard:{actor.role}:{filters!r}", count)
    results = _ranked_rows(actor, filters, now, per_page, (page - 1) * per_page)
    rows = _rows(actor, filters, results, (page - 1) * per_page + 1)
    return RankedPage(
        items=rows,
        page=page,
        per_page=per_page,
        total=total,
        segments=segments.all_segments(),
        filters=filters,
    )


def all_ranked(actor: Any, filters: Filters, now: datetime | None = None) -> tuple[list[Row], list[Segment]]:
    """Every ranked idea matching `filters` (for exports), with the segments (staff)."""
    require(actor, "dashboard.view")
    filters.check()
    _check_board(actor, filters)
    results = _ranked_rows(actor, filters, now or utcnow(), None)
    return _rows(actor, filters, results, 1), segments.all_segments()


# ---- Bulk status ----


@dataclass(frozen=True)
class BulkResult:
    status: str
    changed: int
    unchanged: int


def bulk_change_status(actor: User, idea_ids: Iterable[int], status: str, note: str = "") -> BulkResult:
    """Move several ideas to one status with one note; ideas already there are left alone.

    Everything is checked before anything changes: one bad id or value changes nothing.
    """
    require(actor, "idea.change_status")
    ids = sorted(set(idea_ids))
    fields: dict[str, list[str]] = {}
    note = STATUS_NOTE.check(note, fields)
    if not ids:
        fields["idea_ids"] = ["Tick at least one idea to change."]
    elif len(ids) > BULK_MAX:
        fields["idea_ids"] = [f"Change at most {BULK_MAX} ideas at a time (you chose {len(ids)})."]
    if status == "merged":
        fields["status"] = ["Merging moves votes: merge ideas one at a time from the idea's page."]
    elif status not in STATUSES:
        fields["status"] = [f"Status must be one of: {', '.join(FILTER_STATUSES)}."]
    if status == "declined" and not note:
        fields["status_note"] = ["Say why the ideas are declined; the people who voted will read it."]
    if fields:
        raise Invalid(fields)
    ideas = list(
        db.session.scalars(
            select(Idea)
            .where(Idea.id.in_(ids), visible_ideas(actor), Idea.deleted_at.is_(None))
            .order_by(Idea.id)
        )
    )
    missing = sorted(set(ids) - {idea.id for idea in ideas})
    if missing:
        listed = ", ".join(f"#{idea_id}" for idea_id in missing[:5])
        raise Invalid({"idea_ids": [f"There is no idea {listed} (or it was deleted); nothing was changed."]})
    merged = [idea for idea in ideas if idea.is_merged]
    if merged:
        raise Conflict(f"Idea #{merged[0].id} is merged into another one; nothing was changed.")
    changed = 0
    for idea in ideas:
        if idea.status == status:
            continue
        idea_service.change_status(actor, idea, status, note)
        changed += 1
    return BulkResult(status=status, changed=changed, unchanged=len(ideas) - changed)


def bulk_message(result: BulkResult) -> str:
    """What a bulk change did, in words."""
    label = labels.label("idea_status", result.status)
    text = f"{result.changed} idea{'' if result.changed == 1 else 's'} moved to “{label}”."
    if result.unchanged:
        were = "was" if result.unchanged == 1 else "were"
        text += f" {result.unchanged} {were} “{label}” already."
    return text


# ---- How fast staff answer ----


@dataclass(frozen=True)
class Waiting:
    idea: Idea
    age: timedelta


@dataclass(frozen=True)
class ResponsePanel:
    waiting: list[Waiting]
    # Over ideas created in the last RESPONSE_WINDOW_DAYS days that got a first staff response.
    median: timedelta | None
    answered: int
    unanswered: int
    window_days: int = RESPONSE_WINDOW_DAYS


def median(values: list[timedelta]) -> timedelta | None:
    """The middle value (the mean of the two middle ones for an even count); None for none."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def response_panel(actor: Any, now: datetime | None = None, board: str | None = None) -> ResponsePanel:
    """Ideas waiting longest for a first staff reply, and the median time to one (two queries);
    with `board` (a slug), over that board's ideas."""
    require(actor, "dashboard.view")
    now = now or utcnow()
    waiting = list(
        db.session.scalars(
            select(Idea)
            .options(joinedload(Idea.author), joinedload(Idea.category))
            .where(
                visible_ideas(actor),
                *_listed(board),
                Idea.status != "declined",
                Idea.first_staff_response_at.is_(None),
            )
            .order_by(Idea.created_at, Idea.id)
            .limit(WAITING_LIMIT)
        )
    )

    def summary() -> tuple[float | None, int, int]:
        """(median seconds to a first reply, answered, unanswered) over the window."""
        window = db.session.execute(
            select(Idea.created_at, Idea.first_staff_response_at).where(
                visible_ideas(actor),
                *_listed(board),
                Idea.created_at >= now - timedelta(days=RESPONSE_WINDOW_DAYS),
            )
        ).all()
        times = [
            max(answered - created, timedelta(0)) for created, answered in window if answered is not None
        ]
        middle = median(times)
        return (middle.total_seconds() if middle is not None else None), len(times), len(window) - len(times)

    # Reading every idea of the window is costly; the summary waits for the next write (or a new hour).
    hour = now.strftime("%Y-%m-%dT%H")
    seconds, answered, unanswered = remember(
        f"dashboard-response:{actor.role}:{board or '-'}:{hour}", summary
    )
    return ResponsePanel(
        waiting=[Waiting(idea, max(now - idea.created_at, timedelta(0))) for idea in waiting],
        median=timedelta(seconds=seconds) if seconds is not None else None,
        answered=answered,
        unanswered=unanswered,
    )


def duration_text(value: timedelta | None) -> str:
    """A duration in words a person reads at a glance: `45 min`, `5 h 10 min`, `3 days 4 h`."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    text = f"{days} day{'' if days == 1 else 's'}"
    return f"{text} {hours} h" if hours and days < 10 else text


@dataclass(frozen=True)
class StaffDashboard:
    page: RankedPage
    panel: ResponsePanel
    categories: list[Category]


def dashboard(
    actor: Any,
    filters: Filters,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
    now: datetime | None = None,
) -> StaffDashboard:
    """Everything the dashboard page shows, in a fixed number of queries."""
    now = now or utcnow()
    return StaffDashboard(
        page=top_ideas(actor, filters, page, per_page, now),
        panel=response_panel(actor, now, filters.board),
        categories=category_service.list_categories(),
    )
