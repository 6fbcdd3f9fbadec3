"""Following ideas: authors, voters and commenters follow automatically and can unfollow."""

from sqlalchemy import delete, select

from app.extensions import db
from app.models.idea import Idea, IdeaFollow
from app.models.user import User
from app.permissions import require
from app.services.dialect import insert_ignore


def follow_idea(actor: User, idea: Idea) -> None:
    require(actor, "idea.follow", idea)
    db.session.execute(insert_ignore(IdeaFollow, idea_id=idea.id, user_id=actor.id))


def unfollow_idea(actor: User, idea: Idea) -> None:
    require(actor, "idea.unfollow", idea)
    db.session.execute(
        delete(IdeaFollow).where(IdeaFollow.idea_id == idea.id, IdeaFollow.user_id == actor.id)
    )


def is_following(user: User, idea: Idea) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    row = select(IdeaFollow.user_id).where(IdeaFollow.idea_id == idea.id, IdeaFollow.user_id == user.id)
    return db.session.scalar(row) is not None


def follower_ids(idea_id: int) -> list[int]:
    return list(db.session.scalars(select(IdeaFollow.user_id).where(IdeaFollow.idea_id == idea_id)))
