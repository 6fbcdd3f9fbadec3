"""Jinja globals and filters shared by every template."""

from datetime import UTC, datetime

from flask import Flask, current_app, request, url_for

from app import labels, permissions, sso_providers
from app.services.board_lookup import board_of

# Main navigation.
NAV_ITEMS = [
    ("Ideas", "ideas.index"),
    ("Prototypes", "prototypes.index"),
    ("Launches", "launches.index"),
    ("Roadmap", "roadmap.index"),
]
STAFF_NAV = [
    ("Staff", "staff.dashboard", "staff.access"),
    # One entry for the admin pages; they share a sub-navigation (members, categories, audit, settings).
    ("Admin", "admin.users", "user.change_role"),
]
MODERATION_NAV = [("Moderation", "moderation.queue", "moderation.access")]


def _nav_items():
    return [(label, url_for(endpoint)) for label, endpoint in NAV_ITEMS]


def _role_nav_items(user):
    """(label, url, endpoint) of the staff and moderation pages `user` may open."""
    return [
        (label, url_for(endpoint), endpoint)
        for label, endpoint, action in STAFF_NAV + MODERATION_NAV
        if permissions.can(user, action)
    ]


def _is_current(url: str) -> bool:
    return request.path == url or (url != "/" and request.path.startswith(url.rstrip("/") + "/"))


def format_date(value: datetime | None) -> str:
    """`12 Mar 2026`."""
    return value.strftime("%-d %b %Y") if value else ""


def format_datetime(value: datetime | None) -> str:
    """`12 Mar 2026, 14:05 UTC`."""
    return value.strftime("%-d %b %Y, %H:%M UTC") if value else ""


def time_ago(value: datetime | None) -> str:
    """A short relative time: `just now`, `5 minutes ago`, `3 days ago`, else the date."""
    if value is None:
        return ""
    seconds = int((datetime.now(UTC) - value).total_seconds())
    if seconds < 60:
        return "just now"
    for unit, size in (("minute", 60), ("hour", 3600), ("day", 86400)):
        limit = {"minute": 3600, "hour": 86400, "day": 86400 * 30}[unit]
        if seconds < limit:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return format_date(value)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        can=permissions.can,
        nav_items=_nav_items,
        role_nav_items=_role_nav_items,
        is_current=_is_current,
        labels=labels,
        sign_in_providers=sso_providers.providers,
        board_of=board_of,
    )
    app.jinja_env.filters.update(date=format_date, datetime=format_datetime, ago=time_ago)

    @app.context_processor
    def site_context():
        return {"site_name": current_app.config["SITE_NAME"]}
