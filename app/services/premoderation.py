"""Pre-moderation: which new posts wait for a moderator before anyone else sees them."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.user import User
from app.permissions import is_moderator, is_staff
from app.services.settings import get_settings

# One match per link: "https://www.example.com" is one link, not two.
_link = re.compile(r"https?://\S+|\bwww\.\S+", re.IGNORECASE)


def needs_review(author: User, text: str) -> bool:
    """Whether a new post waits in the queue under pre-moderation (off by default)."""
    if is_moderator(author) or is_staff(author):
        return False
    settings = get_settings()
    if not settings["premoderation_enabled"]:
        return False
    # Approved posts only: posts still waiting, hidden or deleted do not earn trust.
    approved_ideas = select(func.count(Idea.id)).where(
        Idea.author_id == author.id,
        Idea.is_pending.is_(False),
        Idea.hidden_at.is_(None),
        Idea.deleted_at.is_(None),
    )
    approved_comments = select(func.count(Comment.id)).where(
        Comment.author_id == author.id,
        Comment.is_internal.is_(False),
        Comment.is_pending.is_(False),
        Comment.hidden_at.is_(None),
        Comment.deleted_at.is_(None),
    )
    posts = (db.session.scalar(approved_ideas) or 0) + (db.session.scalar(approved_comments) or 0)
    if posts < settings["premoderation_first_posts"]:
        return True
    young = utcnow() - author.created_at < timedelta(days=7)
    return young and len(_link.findall(text or "")) > settings["premoderation_max_links"]
