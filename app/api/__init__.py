"""The JSON API under /api/v1 (contract: shared API.md)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from app.api import auth, comments, ideas, me, moderation, notifications  # noqa: E402,F401 - routes register on bp
