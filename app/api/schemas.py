"""Objects to JSON dicts, exactly as shared API.md names the fields."""

from datetime import UTC, datetime

from app.links import absolute_path, absolute_url
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.notification import Notification
from app.models.user import User
from app.services.pagination import Page


def timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z suffix."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def user_json(user: User) -> dict:
    return {"id": user.id, "display_name": user.display_name, "role": user.role}


def page_json(page: Page, item_json) -> dict:
    return {
        "items": [item_json(item) for item in page.items],
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
    }


def idea_json(idea: Idea, voted: bool = False) -> dict:
    """An Idea; `idea.author` and `idea.category` must be loaded."""
    category = idea.category
    return {
        "id": idea.id,
        "title": idea.title,
        "body": idea.body,
        "body_html": idea.body_html,
        "status": idea.status,
        "category": {"slug": category.slug, "name": category.name} if category else None,
        "author": user_json(idea.author),
        "vote_count": idea.vote_count,
        "comment_count": idea.comment_count,
        "voted": voted,
        "locked": idea.is_locked,
        "merged_into": idea.merged_into_id,
        "roadmap_items": [],
        "created_at": timestamp(idea.created_at),
        "updated_at": timestamp(idea.updated_at),
        "url": absolute_url("ideas.detail", idea_id=idea.id),
    }


def comment_json(comment: Comment) -> dict:
    """A Comment; a deleted one keeps its place with an empty body. `comment.author` must be loaded."""
    deleted = comment.is_deleted
    return {
        "id": comment.id,
        "body": "" if deleted else comment.body,
        "body_html": "" if deleted else comment.body_html,
        "author": user_json(comment.author),
        "parent_id": comment.parent_id,
        "created_at": timestamp(comment.created_at),
        "edited_at": timestamp(comment.edited_at),
        "deleted": deleted,
    }


def notification_json(notification: Notification) -> dict:
    return {
        "id": notification.id,
        "kind": notification.kind,
        "message": notification.message,
        "url": absolute_path(notification.url),
        "read": notification.is_read,
        "created_at": timestamp(notification.created_at),
    }
