"""Stored aggregates for the staff pages, so that no page counts a million votes per request.

- Votes per idea per UTC day (`idea_vote_days`) change in the same transaction as the vote
  (app/services/votes.py; merges go through it too): exact at once. The dashboard's votes in
  30 days add up the whole days inside the window and count only the votes of its two partial
  days; the insights add up days.
- The roadmap's demand (distinct voters over an item's linked ideas, `roadmap_demands`) is set
  again when an idea is linked or unlinked or a merge moves votes, moved by one with each vote,
  and recomputed for every item by the worker every few minutes (which settles what two
  transactions at once may have counted twice or missed). Beside it, `public_voters` counts the
  same over the linked ideas on public boards only (what the public roadmap shows), kept by the
  same statements; it is counted again for the items of a board whose visibility changes and of
  an idea that moves to another board.
- Each idea's votes weighted by segment (`ideas.weighted_votes`, the dashboard's "weighted"
  sort) move with each vote by the voter's weight, in the same UPDATE as the vote count, and
  are counted again for the ideas a member voted for when the member's segments or a segment's
  weight change; the worker counts every idea again with the demand.
- Figures over every idea (the insights charts), and over each board's ideas, are computed by
  the worker and stored with their time (`stored_figures`); pages show that time.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, exists, func, insert, literal_column, select, update
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.base import utcnow
from app.models.board import Board
from app.models.figures import StoredFigures
from app.models.idea import Idea, IdeaVote, IdeaVoteDay
from app.models.roadmap import RoadmapDemand, RoadmapIdea, RoadmapItem
from app.models.segment import Segment, UserSegment
from app.services.dialect import upsert
from app.versions import COUNTERS_ONLY

# Enough ids per IN (...) list for any database.
CHUNK = 500


def utc_day(moment: datetime) -> date:
    """The UTC calendar day of an aware timestamp."""
    return moment.astimezone(UTC).date()


def day_start(day: date) -> datetime:
    """The first moment of a UTC day."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def utc_day_sql(column: Any) -> Any:
    """The UTC calendar day of a timestamp column, as SQL (a date on both databases)."""
    if db.engine.dialect.name == "postgresql":
        # A literal, not a parameter: GROUP BY must repeat the very same expression.
        return func.date(func.timezone(literal_column("'UTC'"), column))
    return func.date(column)


# ---- Votes per idea per day ----


def count_vote(idea_id: int, voted_at: datetime, change: int) -> None:
    """Count a vote added (+1) or removed (-1) on the day it was cast."""
    day = utc_day(voted_at)
    if change > 0:
        db.session.execute(
            upsert(
                IdeaVoteDay,
                ["idea_id", "day"],
                {"idea_id": idea_id, "day": day, "votes": change},
                {"votes": IdeaVoteDay.votes + change},
            )
        )
        return
    # A day that drops to zero keeps its row: sums do not mind, and a vote the same day reuses it.
    db.session.execute(
        update(IdeaVoteDay)
        .where(IdeaVoteDay.idea_id == idea_id, IdeaVoteDay.day == day)
        .values(votes=IdeaVoteDay.votes + change)
        .execution_options(synchronize_session=False)
    )


def recount_vote_days(idea_ids: Iterable[int] | None = None) -> None:
    """Set the vote days of these ideas (all ideas when None) from their votes, in one statement each."""
    day = utc_day_sql(IdeaVote.created_at)
    grouped = select(IdeaVote.idea_id, day, func.count()).group_by(IdeaVote.idea_id, day)
    if idea_ids is None:
        db.session.execute(delete(IdeaVoteDay).execution_options(synchronize_session=False))
        db.session.execute(insert(IdeaVoteDay).from_select(["idea_id", "day", "votes"], grouped))
        return
    ids = sorted(set(idea_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        db.session.execute(
            delete(IdeaVoteDay)
            .where(IdeaVoteDay.idea_id.in_(chunk))
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            insert(IdeaVoteDay).from_select(
                ["idea_id", "day", "votes"], grouped.where(IdeaVote.idea_id.in_(chunk))
            )
        )


def recent_votes_parts(since: datetime, until: datetime) -> tuple[date, date, list[Any]]:
    """How to count votes cast in [since, until] exactly from the stored days.

    Returns the first and last whole day inside the window (the days to add up) and the
    conditions on `IdeaVote.created_at` for the two partial days at its ends (the votes to count).
    """
    first_whole = utc_day(since) + timedelta(days=1)
    last_whole = utc_day(until) - timedelta(days=1)
    if utc_day(since) == utc_day(until):
        return first_whole, last_whole, [(IdeaVote.created_at >= since) & (IdeaVote.created_at <= until)]
    edges = [
        (IdeaVote.created_at >= since) & (IdeaVote.created_at < day_start(first_whole)),
        (IdeaVote.created_at >= day_start(last_whole + timedelta(days=1))) & (IdeaVote.created_at <= until),
    ]
    return first_whole, last_whole, edges


def votes_per_day(since: date, board_id: int | None = None) -> dict[date, int]:
    """Votes per UTC day from `since` on, over every idea or those of the board `board_id` (one
    grouped query)."""
    stmt = select(IdeaVoteDay.day, func.sum(IdeaVoteDay.votes)).where(IdeaVoteDay.day >= since)
    if board_id is not None:
        stmt = stmt.join(Idea, Idea.id == IdeaVoteDay.idea_id).where(Idea.board_id == board_id)
    rows = db.session.execute(stmt.group_by(IdeaVoteDay.day))
    return {_as_date(day): int(total or 0) for day, total in rows}


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# ---- Roadmap demand ----


def _on_public_board(idea: Any) -> Any:
    """The SQL condition that the idea (a row of `idea`, Idea or an alias) is on a public board."""
    return exists().where(Board.id == idea.board_id, Board.visibility == "public")


def _counted_demand(item_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(voters, public voters) per item, counted from the votes (one query)."""
    public_voter = case((Board.visibility == "public", IdeaVote.user_id))
    rows = db.session.execute(
        select(
            RoadmapIdea.roadmap_item_id,
            func.count(func.distinct(IdeaVote.user_id)),
            func.count(func.distinct(public_voter)),
        )
        .join(IdeaVote, IdeaVote.idea_id == RoadmapIdea.idea_id)
        .join(Idea, Idea.id == RoadmapIdea.idea_id)
        .join(Board, Board.id == Idea.board_id)
        .where(RoadmapIdea.roadmap_item_id.in_(item_ids))
        .group_by(RoadmapIdea.roadmap_item_id)
    )
    found = {item_id: (voters, public) for item_id, voters, public in rows}
    return {item_id: found.get(item_id, (0, 0)) for item_id in item_ids}


def demand_counts(item_ids: list[int], public: bool = False) -> dict[int, int]:
    """Distinct voters over all linked ideas (with `public`, over those on public boards only),
    per item, counted from the votes (one query)."""
    if not item_ids:
        return {}
    return {item_id: pair[1 if public else 0] for item_id, pair in _counted_demand(item_ids).items()}


def board_demand_counts(item_ids: list[int], board_id: int) -> dict[int, int]:
    """Distinct voters over the linked ideas on one board, per item, counted from the votes (one
    query): the staff roadmap filtered by board, which has no stored figure to read."""
    if not item_ids:
        return {}
    rows = db.session.execute(
        select(RoadmapIdea.roadmap_item_id, func.count(func.distinct(IdeaVote.user_id)))
        .join(IdeaVote, IdeaVote.idea_id == RoadmapIdea.idea_id)
        .join(Idea, Idea.id == RoadmapIdea.idea_id)
        .where(RoadmapIdea.roadmap_item_id.in_(item_ids), Idea.board_id == board_id)
        .group_by(RoadmapIdea.roadmap_item_id)
    )
    found = dict(rows.all())
    return {item_id: found.get(item_id, 0) for item_id in item_ids}


def recount_demand(item_ids: Iterable[int]) -> None:
    """Count these items' demand (all voters and public ones) again from the votes and store it."""
    ids = sorted(set(item_ids))
    now = utcnow()
    for start in range(0, len(ids), CHUNK):
        for item_id, (voters, public) in _counted_demand(ids[start : start + CHUNK]).items():
            values = {"voters": voters, "public_voters": public, "computed_at": now}
            db.session.execute(
                upsert(RoadmapDemand, ["roadmap_item_id"], {"roadmap_item_id": item_id, **values}, values)
            )


def recount_demand_of_ideas(idea_ids: Iterable[int]) -> None:
    """Count again the demand of every item these ideas are linked to."""
    ids = sorted(set(idea_ids))
    items: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        items.update(
            db.session.scalars(
                select(RoadmapIdea.roadmap_item_id).where(RoadmapIdea.idea_id.in_(ids[start : start + CHUNK]))
            )
        )
    recount_demand(items)


def recount_demand_of_board(board_id: int) -> None:
    """A board turned public or private: count again the demand of every item linked to its ideas
    (both counts, so that the public one follows the board)."""
    items = db.session.scalars(
        select(RoadmapIdea.roadmap_item_id)
        .join(Idea, Idea.id == RoadmapIdea.idea_id)
        .where(Idea.board_id == board_id)
        .distinct()
    )
    recount_demand(list(items))


def move_demand(idea_id: int, user_id: int, change: int) -> None:
    """A vote on an idea was added (+1) or removed (-1): move the demand of the items it is
    linked to, unless the voter also voted for another idea linked to the same item; and their
    public demand if the idea is on a public board, unless the voter also voted for another
    linked idea on a public board."""
    other = aliased(RoadmapIdea)
    other_idea = aliased(Idea)
    voted_other = (
        select(other.idea_id)
        .join(IdeaVote, (IdeaVote.idea_id == other.idea_id) & (IdeaVote.user_id == user_id))
        .where(other.roadmap_item_id == RoadmapDemand.roadmap_item_id, other.idea_id != idea_id)
    )
    also_voted = voted_other.exists()
    also_voted_public = (
        voted_other.join(other_idea, other_idea.id == other.idea_id)
        .where(_on_public_board(other_idea))
        .exists()
    )
    this_idea = aliased(Idea)
    public_idea = select(this_idea.id).where(this_idea.id == idea_id, _on_public_board(this_idea)).exists()
    moves_public = public_idea & ~also_voted_public
    db.session.execute(
        update(RoadmapDemand)
        .where(
            RoadmapDemand.roadmap_item_id.in_(
                select(RoadmapIdea.roadmap_item_id).where(RoadmapIdea.idea_id == idea_id)
            ),
            # Only the rows whose counts move: a voter of another linked idea counts already (and
            # in the public count too when that idea is on a public board).
            ~also_voted | moves_public,
        )
        .values(
            voters=RoadmapDemand.voters + case((also_voted, 0), else_=change),
            public_voters=RoadmapDemand.public_voters + case((moves_public, change), else_=0),
        )
        .execution_options(synchronize_session=False)
    )


def stored_demand(item_ids: list[int], public: bool = False) -> dict[int, int]:
    """Each item's stored demand (with `public`, over ideas on public boards only; one query);
    0 for an item never linked to an idea."""
    if not item_ids:
        return {}
    column = RoadmapDemand.public_voters if public else RoadmapDemand.voters
    found = dict(
        db.session.execute(
            select(RoadmapDemand.roadmap_item_id, column).where(RoadmapDemand.roadmap_item_id.in_(item_ids))
        ).all()
    )
    return {item_id: found.get(item_id, 0) for item_id in item_ids}


def recount_all_demand() -> int:
    """The worker's job: count every item's demand again; returns how many items were counted."""
    ids = list(db.session.scalars(select(RoadmapItem.id)))
    recount_demand(ids)
    return len(ids)


# ---- Votes weighted by segment ----


def voter_weights():
    """(user_id, weight): each member in a segment at the largest weight among their segments.

    Members in no segment have no row here; they count at 1.
    """
    return (
        select(UserSegment.user_id.label("user_id"), func.max(Segment.weight).label("weight"))
        .join(Segment, Segment.id == UserSegment.segment_id)
        .group_by(UserSegment.user_id)
        .subquery()
    )


def voter_weight(user_id: int) -> Any:
    """One member's vote weight as SQL: their heaviest segment's, 1 without one."""
    heaviest = (
        select(func.max(Segment.weight))
        .join(UserSegment, UserSegment.segment_id == Segment.id)
        .where(UserSegment.user_id == user_id)
        .scalar_subquery()
    )
    return func.coalesce(heaviest, 1.0)


def weighted_sums(idea_ids: list[int] | None = None):
    """(idea_id, weighted): each voted idea's votes at their voters' weights, counted from the votes."""
    weights = voter_weights()
    stmt = (
        select(
            IdeaVote.idea_id.label("idea_id"),
            func.sum(func.coalesce(weights.c.weight, 1.0)).label("weighted"),
        )
        .outerjoin(weights, weights.c.user_id == IdeaVote.user_id)
        .group_by(IdeaVote.idea_id)
    )
    if idea_ids is not None:
        stmt = stmt.where(IdeaVote.idea_id.in_(idea_ids))
    return stmt.subquery()


def recount_weighted(idea_ids: Iterable[int] | None = None) -> None:
    """Set the weighted votes of these ideas (every idea when None) from their votes.

    The worker counts every idea again with the demand: that settles a vote cast while the
    voter's segments changed, and the rounding that adding and taking back weights leaves.
    """

    def count(ids: list[int] | None) -> None:
        sums = weighted_sums(ids)
        unvoted = update(Idea).where(Idea.weighted_votes != 0, ~exists().where(IdeaVote.idea_id == Idea.id))
        if ids is not None:
            unvoted = unvoted.where(Idea.id.in_(ids))
        for stmt in (
            unvoted.values(weighted_votes=0.0),
            # Only rows that differ: an UPDATE moves the idea's version, and with it its cached card.
            update(Idea)
            .where(Idea.id == sums.c.idea_id, Idea.weighted_votes != sums.c.weighted)
            .values(weighted_votes=sums.c.weighted),
        ):
            db.session.execute(stmt, execution_options={**COUNTERS_ONLY, "synchronize_session": False})

    if idea_ids is None:
        count(None)
        return
    ids = sorted(set(idea_ids))
    for start in range(0, len(ids), CHUNK):
        count(ids[start : start + CHUNK])


def recount_weighted_of_voters(user_ids: Iterable[int]) -> None:
    """These members' weights may have changed: count again every idea they voted for."""
    users = sorted(set(user_ids))
    for start in range(0, len(users), CHUNK):
        ideas = db.session.scalars(
            select(IdeaVote.idea_id).where(IdeaVote.user_id.in_(users[start : start + CHUNK])).distinct()
        )
        recount_weighted(list(ideas))


def recount_weighted_of_segment(segment_id: int) -> None:
    """A segment's weight changed, or it is about to go: count again what its members voted for."""
    recount_weighted_of_voters(
        db.session.scalars(select(UserSegment.user_id).where(UserSegment.segment_id == segment_id))
    )


# ---- Figures computed by the worker ----


def stored_figures(name: str) -> StoredFigures | None:
    """The figures stored under `name`, if any."""
    return db.session.get(StoredFigures, name)


def store_figures(name: str, data: Any, computed_at: datetime) -> None:
    """Keep `data` (JSON) as the figures `name` as of `computed_at`."""
    db.session.execute(
        upsert(
            StoredFigures,
            ["name"],
            {"name": name, "data": data, "computed_at": computed_at},
            {"data": data, "computed_at": computed_at},
        )
    )
