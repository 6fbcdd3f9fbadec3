"""The JSON API under /api/v1 (contract: shared API.md)."""

import app.api.launches  # noqa: F401
import app.api.openapi  # noqa: F401
import app.api.prototypes  # noqa: F401
import app.api.roadmap  # noqa: F401
import app.api.rounds  # noqa: F401
import app.api.staff  # noqa: F401
from app.api import auth, comments, ideas, me, moderation, notifications  # noqa: F401 - routes register on bp
from app.api.blueprint import bp
from app.idempotency import guard_api

guard_api(bp)  # after the routes' modules, so it runs once the token's user is known
