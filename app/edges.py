"""What no part of the site can take is refused where requests come in, once, with a 400.

Text with NUL characters (PostgreSQL refuses them), lone surrogates, or bytes that are no UTF-8
(nothing can store or encode either) in the address, the query string or a form field, and API
bodies that hold such text or are nested deeper than MAX_JSON_DEPTH levels, are refused here,
before any view, CSRF check, rate limit or token lookup sees them: a 400 page, or the API's
`bad_request` error under /api/. Nothing is written. Uploaded files (multipart file parts) are
data, not text, and are not looked at.
"""

import re
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, current_app, g, request

from app.errors import BadRequest

MAX_JSON_DEPTH = 64

ADDRESS = "The address holds characters the site does not accept (NUL, or text that is not UTF-8)."
FORM = "The form holds characters the site does not accept (NUL, or text that is not UTF-8)."
NOT_JSON = "The request body is not valid JSON (UTF-8)."
JSON_TEXT = "The request body holds characters the API does not accept (NUL or lone surrogates)."
JSON_DEPTH = f"The request body is nested deeper than {MAX_JSON_DEPTH} levels."

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _encoded_text_ok(raw: bytes) -> bool:
    """Whether percent-encoded `raw` (a query string or URL-encoded form) decodes to storable text."""
    try:
        text = unquote_to_bytes(raw).decode("utf-8")  # strict: encoded surrogates fail too
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


def _storable(*texts: str) -> bool:
    return not any(_UNSTORABLE.search(text) for text in texts)


def _json_problem(value: Any) -> str | None:
    """Why a parsed JSON value cannot be taken, or None; iterative, so depth costs no stack."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                return JSON_DEPTH
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, str) and _UNSTORABLE.search(item):
            return JSON_TEXT
    return None


def load_json(data: bytes) -> Any:
    """The API's one JSON loader: the parsed body, or BadRequest (400 bad_request) saying why."""
    try:
        value = current_app.json.loads(data)
    except RecursionError as error:
        raise BadRequest(JSON_DEPTH) from error
    except ValueError as error:
        raise BadRequest(NOT_JSON) from error
    problem = _json_problem(value)
    if problem:
        raise BadRequest(problem)
    return value


def request_json() -> Any:
    """This request's JSON body, parsed once by load_json(); None when it sent no JSON."""
    if "request_json" not in g:
        data = request.get_data(cache=True) if request.is_json else b""
        g.request_json = load_json(data) if data else None
    return g.request_json


def refuse_hostile_input() -> None:
    """Refuse what no view can take; runs before every other before-request hook."""
    if "\x00" in request.path or not _encoded_text_ok(request.query_string):
        raise BadRequest(ADDRESS)
    if request.mimetype in _FORM_TYPES:
        if request.mimetype == _FORM_TYPES[0] and not _encoded_text_ok(request.get_data(cache=True)):
            raise BadRequest(FORM)
        # Multipart text parts are decoded by Werkzeug (bytes that are no UTF-8 become U+FFFD);
        # what can still be unstorable is checked here. File parts are never read as text.
        if not all(_storable(key, value) for key, value in request.form.items(multi=True)):
            raise BadRequest(FORM)
    if request.path.startswith("/api/"):
        request_json()


def init_app(app: Flask) -> None:
    # First of all before-request hooks: ahead of CSRF checks, rate limits and token lookups.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_hostile_input)
