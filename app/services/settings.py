"""Site settings that admins change on the site, with their defaults."""

from typing import Any

from sqlalchemy import select

from app.errors import Invalid
from app.extensions import db
from app.models.base import utcnow
from app.models.setting import SiteSetting
from app.permissions import require
from app.services import audit

DEFAULTS: dict[str, Any] = {
    # Pre-moderation: hold posts of new accounts for review before anyone else sees them.
    "premoderation_enabled": False,
    # The first N posts (ideas and comments) of every account wait for review.
    "premoderation_first_posts": 3,
    # Posts with more than K links from accounts younger than a week wait for review.
    "premoderation_max_links": 2,
    # Everyone (not only staff) can open "Why this rank?" on an idea's page.
    "ranking_explanations_public": False,
}
LIMITS = {"premoderation_first_posts": (0, 100), "premoderation_max_links": (0, 100)}


def get_settings() -> dict[str, Any]:
    """All settings: stored values over the defaults (one query)."""
    values = dict(DEFAULTS)
    for row in db.session.scalars(select(SiteSetting)):
        if row.key in DEFAULTS:
            values[row.key] = row.value
    return values


def update_settings(actor: Any, **changes: Any) -> dict[str, Any]:
    """Change some settings (admins only); every change is audited."""
    require(actor, "settings.manage")
    current = get_settings()
    errors: dict[str, list[str]] = {}
    for key, value in changes.items():
        if key not in DEFAULTS:
            errors[key] = ["Unknown setting."]
        elif isinstance(DEFAULTS[key], bool) and not isinstance(value, bool):
            errors[key] = ["Choose on or off."]
        elif isinstance(DEFAULTS[key], int) and not isinstance(DEFAULTS[key], bool):
            low, high = LIMITS[key]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                errors[key] = [f"Use a whole number from {low} to {high}."]
    if errors:
        raise Invalid(errors)
    for key, value in changes.items():
        if current[key] == value:
            continue
        row = db.session.get(SiteSetting, key)
        if row is None:
            db.session.add(SiteSetting(key=key, value=value, updated_at=utcnow()))
        else:
            row.value, row.updated_at = value, utcnow()
        audit.record(
            actor, "settings.update", "setting", None, reason=key, before=str(current[key]), after=str(value)
        )
        current[key] = value
    db.session.flush()
    return current
