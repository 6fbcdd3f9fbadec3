"""The /api/v1 blueprint that every API module registers its routes on."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
