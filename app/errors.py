"""Domain errors raised by services, and their one mapping to pages and to API JSON."""

import logging
import math

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.links import referrer_path

log = logging.getLogger(__name__)


class DomainError(Exception):
    """Base of the errors a service raises; `status` and `code` follow shared/API.md."""

    status = 400
    code = "bad_request"
    default_message = "The request could not be understood."

    def __init__(self, message: str | None = None, fields: dict[str, list[str]] | None = None):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.fields = fields or {}


class BadRequest(DomainError):
    status, code = 400, "bad_request"


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"
    default_message = "Please sign in first."


class Forbidden(DomainError):
    status, code = 403, "forbidden"
    default_message = "You are not allowed to do that."


class EmailUnverified(Forbidden):
    """A signed-in member whose address is not confirmed yet: they may read, not write."""

    code = "email_unverified"
    default_message = (
        "Please confirm your email address first: open the link we sent you, or ask for a new one."
    )


class NotFound(DomainError):
    status, code = 404, "not_found"
    default_message = "That page does not exist, or you may not see it."


class Conflict(DomainError):
    status, code = 409, "conflict"
    default_message = "That cannot be done in the current state."


class Invalid(DomainError):
    """Fields failed validation; `fields` maps each field name to its messages."""

    status, code = 422, "validation_error"
    default_message = "Some fields need attention."

    def __init__(self, fields: dict[str, list[str]], message: str | None = None):
        first = next((msgs[0] for msgs in fields.values() if msgs), None)
        super().__init__(message or first or self.default_message, fields)


class RateLimited(DomainError):
    status, code = 429, "rate_limited"
    default_message = "Too many requests. Please wait a moment and try again."

    def __init__(self, message: str | None = None, retry_after: int = 60):
        super().__init__(message)
        self.retry_after = retry_after


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}

PAGE_MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "You are not allowed to do that."),
    404: ("Page not found", "That page does not exist, or you may not see it."),
    405: ("Not allowed", "That action is not available here."),
    413: ("Too large", "What you sent is larger than the site accepts."),
    429: ("Slow down", "Too many requests. Please wait a moment and try again."),
    500: ("Something went wrong", "We could not finish that. Nothing was changed; please try again."),
    503: ("Unavailable", "The site is briefly unavailable. Please try again soon."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def wait_phrase(seconds: int | None) -> str:
    """When to try again, in words: "in 42 seconds", "in about 3 minutes", "in about 5 hours"."""
    if not seconds:
        return "in a moment"
    if seconds < 60:
        return f"in {seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return "in about a minute" if minutes == 1 else f"in about {minutes} minutes"
    hours = math.ceil(seconds / 3600)
    return "in about an hour" if hours == 1 else f"in about {hours} hours"


def error_json(status: int, code: str, message: str, fields: dict | None = None, headers=None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def error_page(status: int, message: str | None = None, headers=None):
    title, default = PAGE_MESSAGES.get(status, PAGE_MESSAGES[500])
    body = render_template("errors/error.html", status=status, title=title, message=message or default)
    return body, status, headers or {}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else {}
        if wants_json():
            return error_json(error.status, error.code, error.message, error.fields, headers)
        if isinstance(error, Unauthorized):
            flash(error.message, "info")
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        if isinstance(error, Conflict | Invalid) and request.method == "POST":
            # A form post that the state refuses: say why on the page the user came from.
            flash(error.message, "error")
            return redirect(referrer_path() or url_for("main.index"))
        return error_page(error.status, error.message, headers)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = "Your form expired or came from another site. Please reload the page and try again."
        if wants_json():
            return error_json(400, "bad_request", message)
        return error_page(400, message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        # Werkzeug's own headers say what the client needs to know: Allow on a 405, for one.
        headers = {key: value for key, value in error.get_headers() if key.lower() != "content-type"}
        if wants_json():
            code = HTTP_CODES.get(status, "error")
            message = PAGE_MESSAGES.get(status, (None, error.description))[1]
            return error_json(status, code, message, headers=headers)
        return error_page(status, headers=headers)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        from app.extensions import db

        db.session.rollback()
        if wants_json():
            return error_json(500, "internal_error", PAGE_MESSAGES[500][1])
        return error_page(500)
