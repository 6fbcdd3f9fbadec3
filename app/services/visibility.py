"""Who sees which ideas and comments: one condition per kind, used by every page, list and API.

Hidden and pending items are seen by moderators and by their author (who also reads why);
everyone else sees nothing of them. Deleted ideas are seen by moderators only, to restore them;
deleted comments keep their place in a thread as "[deleted]".
"""

from typing import Any

from sqlalchemy import and_, or_, true

from app.models.comment import Comment
from app.models.idea import Idea
from app.permissions import can, is_moderator, is_signed_in


def visible_ideas(actor: Any):
    """The SQL condition for ideas `actor` may see."""
    if is_moderator(actor):
        return true()
    public = and_(Idea.deleted_at.is_(None), Idea.hidden_at.is_(None), Idea.is_pending.is_(False))
    if is_signed_in(actor):
        return or_(public, and_(Idea.author_id == actor.id, Idea.deleted_at.is_(None)))
    return public


def visible_comments(actor: Any):
    """The SQL condition for comments `actor` may see on an idea they can see."""
    internal = true() if can(actor, "idea.view_internal") else Comment.is_internal.is_(False)
    if is_moderator(actor):
        return internal
    public = and_(Comment.hidden_at.is_(None), Comment.is_pending.is_(False))
    if is_signed_in(actor):
        return and_(internal, or_(public, Comment.author_id == actor.id))
    return and_(internal, public)
