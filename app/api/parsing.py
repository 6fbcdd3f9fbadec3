"""Reading requests in the API: bodies are always a JSON object, or a 400 that says so.

The body is parsed once, by app/edges.py, which also refuses what no text column can hold (NUL,
lone surrogates) and bodies nested too deep, for the body and the query string alike (400). What
is left for here: whole numbers beyond a 32-bit integer (ids are 32-bit on PostgreSQL, and SQLite
binds nothing past 64 bits) are a 422 naming the field. (Ids in the path are bounded by the app's
`int` converter: 404.)
"""

from datetime import UTC, datetime
from typing import Any

from app.edges import request_json
from app.errors import BadRequest, Invalid
from app.services.fields import FieldTable

MAX_INT = 2**31 - 1
TOO_LARGE = f"Numbers here go up to {MAX_INT:,}."


def _problem(value: Any) -> str | None:
    """Why `value` (or anything inside it) cannot be stored, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if -MAX_INT <= value <= MAX_INT else TOO_LARGE
    if isinstance(value, dict):
        return next(filter(None, (_problem(item) for pair in value.items() for item in pair)), None)
    if isinstance(value, list):
        return next(filter(None, (_problem(item) for item in value)), None)
    return None


def json_object() -> dict[str, Any]:
    """The request body as a dict; anything else is a 400 bad_request, numbers past 32 bits a 422."""
    data = request_json()
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object (Content-Type: application/json).")
    errors = {str(name): [problem] for name, value in data.items() if (problem := _problem(value))}
    if errors:
        raise Invalid(errors)
    return data


TIME_HINT = "Use ISO 8601 with a time zone, like 2026-05-01T09:00:00Z."


def parse_time(value: Any, name: str, errors: dict[str, list[str]]) -> datetime | None:
    """A timestamp field: a datetime, or None when null (the service says what is missing).

    A value that is no ISO 8601 time with a zone adds a message for `name` to `errors`.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        errors[name] = [TIME_HINT]
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
        # At the calendar's edges the time has no UTC equivalent to store (OverflowError).
        if parsed.tzinfo is not None:
            parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        errors[name] = [TIME_HINT]
        return None
    if parsed.tzinfo is None:
        errors[name] = ["Give the time zone too, like 2026-05-01T09:00:00Z (UTC)."]
    return parsed


def parse_texts(
    table: FieldTable, data: dict[str, Any], errors: dict[str, list[str]], nullable: bool = True
) -> dict[str, Any]:
    """The text fields of `table` present in a body, checked for type only (the service checks the rest).

    A required text must be a string; an optional one may also be null, meaning empty, unless
    `nullable` is false (then every text must be a string).
    """
    values: dict[str, Any] = {}
    for row in table:
        if row.name not in data:
            continue
        value = data[row.name]
        if isinstance(value, str):
            values[row.name] = value
        elif value is None and nullable and not row.required:
            values[row.name] = ""
        elif nullable and not row.required:
            errors[row.name] = ["Must be a string or null."]
        else:
            errors[row.name] = ["Must be a string."]
    return values
