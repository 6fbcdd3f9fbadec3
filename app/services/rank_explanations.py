"""Why an idea ranks where it does: the breakdown of its trending score, for those allowed to see it."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models.idea import IdeaVote
from app.models.segment import Segment, UserSegment
from app.permissions import can
from app.services import settings
from app.services.ranking import Breakdown, explain
from app.services.segments import heaviest_segment


def may_explain(actor: Any) -> bool:
    """Whether `actor` may open "why this rank": staff always, everyone when the site setting says so."""
    return can(actor, "dashboard.view") or bool(settings.get_settings()["ranking_explanations_public"])


def _breakdown(actor: Any, idea: Any, now: datetime | None) -> Breakdown:
    """The breakdown from the idea's votes and their voters' segments (one query)."""
    rows = db.session.execute(
        select(IdeaVote.user_id, IdeaVote.created_at, Segment)
        .outerjoin(UserSegment, UserSegment.user_id == IdeaVote.user_id)
        .outerjoin(Segment, Segment.id == UserSegment.segment_id)
        .where(IdeaVote.idea_id == idea.id)
        .order_by(IdeaVote.created_at, IdeaVote.user_id)
    )
    voted_at: dict[int, datetime] = {}
    segments_of: dict[int, list[Any]] = {}
    for user_id, created_at, segment in rows:
        voted_at[user_id] = created_at
        found = segments_of.setdefault(user_id, [])
        if segment is not None:
            found.append(segment)
    # Segment weights are for staff; the public explanation shows the score alone.
    weighted = can(actor, "dashboard.view") and any(segments_of.values())
    voter_segments = [heaviest_segment(segments_of[user_id]) for user_id in voted_at] if weighted else None
    return explain(idea, list(voted_at.values()), now or datetime.now(UTC), voter_segments)


def explanation_if_allowed(actor: Any, idea: Any, now: datetime | None = None) -> Breakdown | None:
    """The breakdown for the idea page: None when `actor` may not see it."""
    return _breakdown(actor, idea, now) if may_explain(actor) else None
