"""The caller's notifications in the API."""

from app.api import bp  # noqa: F401 - routes register on bp
