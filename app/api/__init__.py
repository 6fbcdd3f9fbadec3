"""The JSON API under /api/v1 (contract: shared API.md)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

import app.api.launches  # noqa: E402,F401
import app.api.openapi  # noqa: E402,F401
import app.api.prototypes  # noqa: E402,F401
import app.api.roadmap  # noqa: E402,F401
import app.api.rounds  # noqa: E402,F401
import app.api.staff  # noqa: E402,F401
from app.api import auth, comments, ideas, me, moderation, notifications  # noqa: E402,F401 - routes register on bp
from app.idempotency import guard_api  # noqa: E402

guard_api(bp)  # after the routes' modules, so it runs once the token's user is known
