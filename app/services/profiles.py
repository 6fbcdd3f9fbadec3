"""A member's public profile: their ideas, their comments (ideas and prototypes), their vote count;
for their own eyes, the rounds they answered and the votes staff recorded for them."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from app.errors import NotFound
from app.extensions import db
from app.models.comment import Comment
from app.models.idea import Idea, IdeaVote
from app.models.prototype import Prototype
from app.models.user import User
from app.permissions import is_signed_in
from app.services import proxy_votes, rounds
from app.services.accounts import get_user
from app.visibility import ideas_on_seen_boards, visible_comments, visible_ideas, visible_prototypes

RECENT = 10


@dataclass
class Profile:
    user: User
    ideas: list[Idea]
    idea_count: int
    # (comment, the Idea or Prototype it is on), newest first.
    comments: list
    comment_count: int
    vote_count: int
    # Feedback rounds the member answered; filled only when they look at their own profile.
    answered_rounds: list
    # Votes staff recorded for the member (RecordedVote), with where and why: their own eyes only.
    recorded_votes: list = field(default_factory=list)


def profile_page(actor: Any, user_id: int) -> Profile:
    """What the profile page shows, in a fixed number of queries."""
    user = get_user(user_id)
    if user.is_deleted:
        # A deleted account keeps no public page: its contributions stay, under "Deleted member".
        raise NotFound("No such member.")
    ideas = list(
        db.session.scalars(
            select(Idea)
            .options(joinedload(Idea.category))
            .where(
                Idea.author_id == user.id,
                visible_ideas(actor),
                Idea.status != "merged",
                Idea.deleted_at.is_(None),
            )
            .order_by(Idea.created_at.desc(), Idea.id.desc())
            .limit(RECENT)
        )
    )
    idea_count = db.session.scalar(
        select(func.count(Idea.id)).where(
            Idea.author_id == user.id,
            visible_ideas(actor),
            Idea.status != "merged",
            Idea.deleted_at.is_(None),
        )
    )
    # Comments on ideas and on prototypes, each where the viewer may see what it is on.
    public_comment = (
        Comment.author_id == user.id,
        Comment.is_internal.is_(False),
        Comment.deleted_at.is_(None),
        visible_comments(actor),
        or_(
            and_(Comment.idea_id.is_not(None), visible_ideas(actor), Idea.deleted_at.is_(None)),
            and_(
                Comment.prototype_id.is_not(None),
                visible_prototypes(actor),
                Prototype.deleted_at.is_(None),
            ),
        ),
    )
    rows = db.session.execute(
        select(Comment, Idea, Prototype)
        .outerjoin(Idea, Idea.id == Comment.idea_id)
        .outerjoin(Prototype, Prototype.id == Comment.prototype_id)
        .where(*public_comment)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(RECENT)
    )
    comments = [(comment, idea if idea is not None else prototype) for comment, idea, prototype in rows]
    comment_count = db.session.scalar(
        select(func.count(Comment.id))
        .outerjoin(Idea, Idea.id == Comment.idea_id)
        .outerjoin(Prototype, Prototype.id == Comment.prototype_id)
        .where(*public_comment)
    )
    # Votes on boards the viewer may not see are not theirs to count.
    vote_count = db.session.scalar(
        select(func.count())
        .select_from(IdeaVote)
        .join(Idea, Idea.id == IdeaVote.idea_id)
        .where(IdeaVote.user_id == user.id, ideas_on_seen_boards(actor))
    )
    answered = rounds.answered_rounds(user) if is_signed_in(actor) and actor.id == user.id else []
    return Profile(
        user,
        ideas,
        idea_count or 0,
        comments,
        comment_count or 0,
        vote_count or 0,
        answered,
        recorded_votes=proxy_votes.recorded_for(actor, user),
    )
