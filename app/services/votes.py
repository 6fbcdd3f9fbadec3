"""Votes on ideas: one per member, a toggle, counted atomically."""

from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, select, update

from app.extensions import db
from app.models.base import utcnow
from app.models.idea import Idea, IdeaVote
from app.models.user import User
from app.permissions import require
from app.services import aggregates, follows, webhook_events
from app.services.dialect import insert_ignore
from app.services.ranking import vote_weight
from app.versions import COUNTERS_ONLY


def _current_count(idea: Idea) -> int:
    db.session.refresh(idea, ["vote_count", "trending_score"])
    return idea.vote_count


def add_vote(
    idea: Idea,
    user_id: int,
    voted_at: datetime | None = None,
    *,
    recorded_by_id: int | None = None,
    source: str | None = None,
    note: str = "",
) -> bool:
    """Insert the vote row and count it (on the idea, plain and weighted by the voter's segments,
    on its day and in its roadmap items' demand), unless it exists; True when a vote was added.

    Also used when an idea is created (the author's own vote), by merges, which keep each
    vote's original time (`voted_at`) so the trending score stays true, and for votes staff
    record on a customer's behalf (`recorded_by_id`, `source`, `note`: app/services/proxy_votes.py).
    """
    now = voted_at or utcnow()
    row = {"idea_id": idea.id, "user_id": user_id, "created_at": now}
    if source is not None:
        row.update(recorded_by_id=recorded_by_id, source=source, note=note)
    # RETURNING, not rowcount: SQLAlchemy reports rowcount -1 for this INSERT on PostgreSQL.
    inserted = db.session.execute(insert_ignore(IdeaVote, **row).returning(IdeaVote.user_id)).first()
    if inserted is None:
        return False
    db.session.execute(
        update(Idea)
        .where(Idea.id == idea.id)
        .values(
            vote_count=Idea.vote_count + 1,
            trending_score=Idea.trending_score + vote_weight(now),
            weighted_votes=Idea.weighted_votes + aggregates.voter_weight(user_id),
        ),
        execution_options=COUNTERS_ONLY,
    )
    aggregates.count_vote(idea.id, now, +1)
    aggregates.move_demand(idea.id, user_id, +1)
    return True


def provenance(vote: IdeaVote) -> dict[str, Any]:
    """Who recorded `vote` on its voter's behalf, where it was heard and why (empty for an own
    vote), as add_vote() takes them: a vote that moves (merges) keeps its story."""
    if vote.source is None:
        return {}
    return {"recorded_by_id": vote.recorded_by_id, "source": vote.source, "note": vote.note}


def cast_vote(actor: User, idea: Idea) -> int:
    """Vote for an idea (voting twice changes nothing); returns the new vote count."""
    require(actor, "idea.vote", idea)
    if add_vote(idea, actor.id):
        follows.follow_idea(actor, idea)
        webhook_events.vote_cast(idea)
    db.session.flush()
    return _current_count(idea)


def remove_vote(idea: Idea, user_id: int) -> bool:
    """Delete the vote row and uncount it everywhere it was counted, if it exists; True when a
    vote was removed."""
    removed = db.session.execute(
        delete(IdeaVote)
        .where(IdeaVote.idea_id == idea.id, IdeaVote.user_id == user_id)
        .returning(IdeaVote.created_at)
    ).first()
    if removed is None:
        return False
    # SET expressions read the row as it was; the last vote leaves exactly 0, not float residue.
    db.session.execute(
        update(Idea)
        .where(Idea.id == idea.id)
        .values(
            vote_count=Idea.vote_count - 1,
            trending_score=case(
                (Idea.vote_count <= 1, 0.0),
                else_=Idea.trending_score - vote_weight(removed.created_at),
            ),
            weighted_votes=case(
                (Idea.vote_count <= 1, 0.0),
                else_=Idea.weighted_votes - aggregates.voter_weight(user_id),
            ),
        ),
        execution_options=COUNTERS_ONLY,
    )
    aggregates.count_vote(idea.id, removed.created_at, -1)
    aggregates.move_demand(idea.id, user_id, -1)
    return True


def retract_vote(actor: User, idea: Idea) -> int:
    """Take one's vote back (without a vote, nothing changes); returns the new vote count."""
    require(actor, "idea.vote", idea)
    remove_vote(idea, actor.id)
    db.session.flush()
    return _current_count(idea)


def has_voted(user: User, idea: Idea) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    stmt = select(IdeaVote.user_id).where(IdeaVote.idea_id == idea.id, IdeaVote.user_id == user.id)
    return db.session.scalar(stmt) is not None


def voted_idea_ids(user: User, idea_ids: list[int]) -> set[int]:
    """Which of these ideas `user` voted for, in one query."""
    if not getattr(user, "is_authenticated", False) or not idea_ids:
        return set()
    stmt = select(IdeaVote.idea_id).where(IdeaVote.user_id == user.id, IdeaVote.idea_id.in_(idea_ids))
    return set(db.session.scalars(stmt))
