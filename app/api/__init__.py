"""The JSON API under /api/v1 (contract: shared API.md)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from app.api import (  # noqa: E402,F401 - routes register on bp
    auth,
    comments,
    ideas,
    launches,
    me,
    moderation,
    notifications,
    openapi,
    prototypes,
    roadmap,
    rounds,
    staff,
)
from app.idempotency import guard_api  # noqa: E402

guard_api(bp)  # after the routes' modules, so it runs once the token's user is known
