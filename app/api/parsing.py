"""Reading request bodies in the API: always a JSON object, or a 400 that says so."""

from typing import Any

from flask import request

from app.errors import BadRequest


def json_object() -> dict[str, Any]:
    """The request body as a dict; anything else is a 400 bad_request."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object (Content-Type: application/json).")
    return data
