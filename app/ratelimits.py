"""Rate limits on writes (ideas, comments, round answers, votes, joins, flags), per account.

Signed out, writes count per IP address. One table maps endpoint names to the kind of write they
are, and init_app() wraps those views after the blueprints are registered. Only POST and DELETE count, so
reading is never limited. The web and the API share one bucket per account and kind; accounts
younger than a day get the stricter `RATELIMIT_<KIND>_NEW_ACCOUNT` limits.

The web's forms (FORM_ENDPOINTS) count only what they save: a form sent back with a mistake, or the
similar-ideas step, costs nothing. Their views call count_save() once the service has made the
change and before the commit; over a limit it raises, the change is rolled back, and the page the
person was on comes back with their text in the form and the time to wait (the `form_page`
registered by the view). Signed out, every post to them counts (each is sent to sign-in).
"""

import math
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from flask import Flask, Response, current_app, flash, g, make_response, redirect, request, url_for
from flask_limiter import RouteLimit
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import parse_many

from app.errors import error_json, error_page, wait_phrase, wants_json
from app.extensions import db, limiter
from app.links import referrer_path
from app.models.base import utcnow


@limiter.request_filter
def _is_read() -> bool:
    """Reads are never limited (every limit names POST or DELETE), so they skip the limiter's work."""
    return request.method in ("GET", "HEAD", "OPTIONS")


# Endpoint name -> kind of write; tests/web/test_rate_limits.py pins the ones that must exist.
WRITE_ENDPOINTS: dict[str, str] = {
    "ideas.new": "ideas",
    "api.create_idea": "ideas",
    "comments.create": "comments",
    "comments.create_note": "comments",
    "api.comments_create": "comments",
    "comments.create_on_prototype": "comments",
    "api.prototype_comments_create": "comments",
    "ideas.vote": "votes",
    "api.cast_vote": "votes",
    "api.retract_vote": "votes",
    "moderation.flag": "flags",
    "api.create_flag": "flags",
    "prototypes.vote": "votes",
    "api.cast_prototype_vote": "votes",
    "api.retract_prototype_vote": "votes",
    # Answering a feedback round has a limit of its own, so answers never use up the comments'.
    "rounds.answer": "round_answers",
    "api.rounds_respond": "round_answers",
    # Joining and leaving a learning launch are quick toggles, like votes.
    "launches.join": "joins",
    "launches.withdraw": "joins",
    "api.launches_join": "joins",
    "api.launches_leave": "joins",
}

# Pages whose form posts count only when they save (count_save()); their refused posts come back
# in their form. Votes, joins and flags count every post and go back to the page with a message.
FORM_ENDPOINTS = frozenset(
    {"ideas.new", "comments.create", "comments.create_note", "comments.create_on_prototype", "rounds.answer"}
)

LIMITED_METHODS = ("POST", "DELETE")
NEW_ACCOUNT_AGE = timedelta(days=1)

# What happened, in the words of the 429 page and the API error; "when to try again" follows.
KIND_MESSAGES = {
    "ideas": "You are posting ideas faster than the site allows, so this one was not saved.",
    "comments": "You are posting comments faster than the site allows, so this one was not saved.",
    "round_answers": "You are answering feedback rounds faster than the site allows, "
    "so these answers were not saved.",
    "votes": "You are voting faster than the site allows, so this vote was not changed.",
    "flags": "You are flagging faster than the site allows, so this flag was not sent.",
    "joins": "You are joining and leaving launches faster than the site allows, so nothing changed.",
}

# The same refusal on a form that comes back as typed; {wait} is "in about 3 minutes".
FORM_MESSAGES = {
    "ideas": "Not posted yet: you are posting ideas faster than the site allows. "
    "Your idea is kept below. You can post again {wait}.",
    "comments": "Not posted yet: you are posting comments faster than the site allows. "
    "Your text is kept below. You can post again {wait}.",
    "round_answers": "Not saved yet: you are answering feedback rounds faster than the site allows. "
    "Your answers are kept below. You can send them again {wait}.",
}

_WRAPPED_KIND = "_rate_limit_kind"


def config_names(kind: str) -> tuple[str, str]:
    """The configuration keys of a kind's limits: for established accounts, and for new ones."""
    name = f"RATELIMIT_{kind.upper()}"
    return name, f"{name}_NEW_ACCOUNT"


def current_account() -> Any | None:
    """The signed-in account making this request (the token's user on the API), or None.

    Called when the view runs, so the API's before_request has already set g.api_user; the API
    ignores the session cookie, so it never looks at current_user there.
    """
    user = g.get("api_user") if "api" in request.blueprints else current_user
    return user if user is not None and user.is_authenticated else None


def is_new_account(user: Any) -> bool:
    """Whether the account was created less than a day ago."""
    created_at = getattr(user, "created_at", None)
    return created_at is not None and utcnow() - created_at < NEW_ACCOUNT_AGE


def rate_limit_key() -> str:
    """Whose bucket a write counts against: the account, or the IP address when signed out."""
    account = current_account()
    return f"account:{account.id}" if account is not None else f"ip:{get_remote_address()}"


def _limit_value(kind: str) -> Callable[[], str]:
    normal, strict = config_names(kind)

    def limit_value() -> str:
        account = current_account()
        new = account is not None and is_new_account(account)
        return current_app.config[strict if new else normal]

    limit_value.__name__ = f"{kind}_limit_value"
    return limit_value


def _signed_in() -> bool:
    return current_account() is not None


def _limit(kind: str, **options: Any) -> RouteLimit:
    return limiter.shared_limit(
        _limit_value(kind),
        scope=kind,
        key_func=rate_limit_key,
        methods=list(LIMITED_METHODS),
        error_message=KIND_MESSAGES[kind],
        **options,
    )


# Built once: Flask-Limiter keeps the limits of every app made in this process by view name,
# and equal limit objects keep that set from growing with each create_app().
# Every post counts: the API, votes, joins and flags.
_LIMITS: dict[str, RouteLimit] = {kind: _limit(kind) for kind in KIND_MESSAGES}
# The forms' posts while signed out (each is sent to sign-in); signed in, count_save() counts.
_SIGNED_OUT_LIMITS: dict[str, RouteLimit] = {
    kind: _limit(kind, exempt_when=_signed_in) for kind in KIND_MESSAGES
}


def _save_counter(kind: str) -> Callable[[], None]:
    def count() -> None:
        return None

    # Flask-Limiter knows a decorated function by its qualified name: one per kind.
    count.__name__ = count.__qualname__ = f"count_{kind}_save"
    return _LIMITS[kind](count)


# Calling one hits its kind's bucket at once (check and count in one step, exact across
# processes sharing Redis), unlike a count deducted after the response.
_SAVE_COUNTERS: dict[str, Callable[[], None]] = {kind: _save_counter(kind) for kind in KIND_MESSAGES}
_FORM_PAGES: dict[str, Callable[..., Any]] = {}


def count_save() -> None:
    """Count the save this form post makes against its kind's limits; raise RateLimitExceeded if over.

    Called by the views of FORM_ENDPOINTS after the service made the change and before the commit,
    so only a post that saves counts; the error handler rolls the change back.
    """
    _SAVE_COUNTERS[WRITE_ENDPOINTS[request.endpoint]]()


def form_page(endpoint: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register how `endpoint` shows a refused post again: `page(message, **view_args)` renders
    the page the person was on with their post in its form and `message` at it."""

    def register(page: Callable[..., Any]) -> Callable[..., Any]:
        _FORM_PAGES[endpoint] = page
        return page

    return register


def refused_form(seconds: int | None) -> Response | None:
    """The page of a refused form post, as typed, with the time to wait (429); None if there is none."""
    page = _FORM_PAGES.get(request.endpoint or "")
    if page is None or request.endpoint not in FORM_ENDPOINTS or current_account() is None:
        return None
    message = FORM_MESSAGES[WRITE_ENDPOINTS[request.endpoint]].format(wait=wait_phrase(seconds))
    response = make_response(page(message, **(request.view_args or {})))
    response.status_code = 429
    return response


def check_config(app: Flask) -> None:
    """Refuse to start with a limit string Flask-Limiter would otherwise skip with only a log line."""
    for kind in KIND_MESSAGES:
        for name in config_names(kind):
            value = app.config.get(name)
            if value is None:
                raise RuntimeError(f"{name} is not configured (see README: Configuration).")
            try:
                parse_many(value) if value else None
            except ValueError as error:
                raise RuntimeError(f"{name}={value!r} is not a rate limit like '5 per minute'.") from error


def wrap_views(app: Flask, table: Mapping[str, str]) -> None:
    """Wrap each endpoint of `table` with its kind's limits; every one must be registered."""
    for endpoint, kind in table.items():
        if kind not in _LIMITS:
            raise ValueError(f"unknown kind of write {kind!r} for {endpoint}")
        view = app.view_functions.get(endpoint)
        if view is None:
            raise ValueError(f"no view is named {endpoint}, the endpoint limited as {kind!r}")
        if getattr(view, _WRAPPED_KIND, None) is None:
            limits = _SIGNED_OUT_LIMITS if endpoint in FORM_ENDPOINTS else _LIMITS
            view = limits[kind](view)
            setattr(view, _WRAPPED_KIND, kind)
            app.view_functions[endpoint] = view


def retry_after_seconds() -> int | None:
    """Whole seconds until the limit this request broke lets the next one through (at least 1)."""
    if "rate_limit_retry_after" in g:
        return g.rate_limit_retry_after
    breached = limiter.current_limit
    if breached is None or not breached.breached:
        return None
    seconds = max(1, math.ceil(breached.window.reset_time - time.time()))
    g.rate_limit_retry_after = seconds
    return seconds


def _keep_retry_after(response: Response) -> Response:
    # Flask-Limiter rewrites Retry-After in its own after_request hook and truncates it, which
    # can say 0 in a window's last second; this hook runs after it and puts the whole seconds back.
    if response.status_code == 429:
        seconds = retry_after_seconds()
        if seconds is not None:
            response.headers["Retry-After"] = str(seconds)
    return response


def rate_limited(error: RateLimitExceeded):
    """The 429 for a broken limit: JSON, the refused form as typed, or back to the page with why."""
    # The limits on writes say what was refused (WRITE_ENDPOINTS); sign-in's limits do not.
    write = bool(error.limit.error_message)
    what = error.description if write else "Too many attempts."
    seconds = retry_after_seconds()
    message = f"{what} Please try again {wait_phrase(seconds)}."
    headers = {"Retry-After": str(seconds)} if seconds else {}
    if wants_json() or request.accept_mimetypes.best == "application/json":
        return error_json(429, "rate_limited", message, headers=headers)
    # A form refused at its save: the change it made goes, so the page shows none of it.
    db.session.rollback()
    page = refused_form(seconds)
    if page is not None:
        page.headers.update(headers)
        return page
    if write and current_account() is not None:
        # A vote, a join or a flag: back to the page it was on, which says why nothing changed.
        flash(message, "error")
        return redirect(referrer_path() or url_for("main.index"), 303)
    return error_page(429, message, headers)


def init_app(app: Flask) -> None:
    """Limit the writes in WRITE_ENDPOINTS and answer broken limits; call after every blueprint."""
    check_config(app)
    wrap_views(app, WRITE_ENDPOINTS)
    # App-level after_request hooks run in reverse order of registration: first in the list runs last.
    app.after_request_funcs.setdefault(None, []).insert(0, _keep_retry_after)
    app.register_error_handler(RateLimitExceeded, rate_limited)


def hit_read_limit(config_name: str, key: str) -> int:
    """Count one read against the limits in `config_name` (reads skip the write limits above).

    Returns 0 when the read may go ahead, else the whole seconds until it may (also kept for
    the Retry-After header).
    """
    if not (limiter.enabled and current_app.config.get("RATELIMIT_ENABLED", True)):
        return 0
    for item in parse_many(current_app.config[config_name]):
        if not limiter.limiter.hit(item, config_name, key):
            reset_at, _ = limiter.limiter.get_window_stats(item, config_name, key)
            g.rate_limit_retry_after = max(1, math.ceil(reset_at - time.time()))
            return g.rate_limit_retry_after
    return 0
