"""The JSON API under /api/v1 (contract: shared API.md)."""

from app.api import (  # noqa: F401 - routes register on bp
    auth,
    boards,
    comments,
    ideas,
    launches,
    me,
    me_account,
    moderation,
    notifications,
    openapi,
    prototypes,
    proxy_votes,
    roadmap,
    rounds,
    staff,
)
from app.api.blueprint import bp
from app.idempotency import guard_api

guard_api(bp)  # after the routes' modules, so it runs once the token's user is known
