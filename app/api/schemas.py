"""Objects to JSON dicts, exactly as shared API.md names the fields."""

from datetime import UTC, datetime

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
