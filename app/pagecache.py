"""Signed-out pages for shared caches, and sums kept until their scope changes.

Signed-out visitors all see the same page for the same URL. Those pages set no cookie and carry
`Cache-Control: public, s-maxage=30` with an `ETag`, so a reverse proxy or CDN in front of
several app servers may serve them for a few seconds, and a browser that has the page already
gets 304 without a body. The app renders pages from cached fragments (app/fragments.py), so
what it serves is never older than the database. The idea lists and the roadmap board are also
kept whole for visitors until the "lists" scope moves (any change to an idea, a vote or a
comment included, to a category or to the roadmap), which a busy site's votes do often: it
serves the quiet pages and the bursts of visitors on one page. An idea page is kept for
visitors until its idea's version or the "idea-pages" scope moves (app/versions.py): a vote
moves only its own idea's version, so the other idea pages stay kept.

`remember()` keeps sums that many rows make (list totals) until their *scope* changes
(app/versions.py says which transactions change which scope). Each scope has a generation:
in Redis with `REDIS_URL`, shared by every worker and host; otherwise the modification time of
a file under the instance folder, shared by every process on the machine.
"""

import hashlib
import os
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, has_app_context, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import versions
from app.versions import IDEAS_SCOPE

# Signed-out pages may be kept this long by a shared cache (a reverse proxy or CDN) in front of
# the app servers; browsers ask again each time, and an unchanged page answers 304.
SHARED_MAX_AGE = 30
# A remembered sum is recomputed at least this often, whatever its scope does.
VALUE_SECONDS = 300
# A page kept for visitors is rendered again at least this often, so its relative times
# ("5 minutes ago") are never more than a minute behind.
PAGE_SECONDS = 60
_PREFIX = "cocreate:scope:"
# What a signed-out page may be shared as: pages, and documents such as the sitemap.
SHAREABLE_TYPES = ("text/html", "application/xml")


class FileScopes:
    """Scope generations as file modification times: every process on the machine sees them."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)

    def _path(self, scope: str) -> Path:
        path = self.folder / scope
        if not path.exists():
            path.touch()
        return path

    def generation(self, scope: str) -> str:
        return str(os.stat(self._path(scope)).st_mtime_ns)

    def bump(self, scope: str) -> None:
        now = time.time_ns()
        # Strictly later than before, even within the file system's timestamp resolution.
        os.utime(self._path(scope), ns=(now, max(now, int(self.generation(scope)) + 1)))


class RedisScopes:
    """Scope generations in Redis, shared by every worker and host."""

    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url)

    def generation(self, scope: str) -> str:
        return (self.redis.get(_PREFIX + scope) or b"0").decode()

    def bump(self, scope: str) -> None:
        self.redis.incr(_PREFIX + scope)


def _scopes():
    return current_app.extensions.get("cache_scopes") if has_app_context() else None


def _anonymous_request() -> bool:
    return (
        request.method == "GET"
        and not current_user.is_authenticated
        and not session.get("_flashes")
        and "Authorization" not in request.headers
    )


def shared_for_visitors(view: Callable) -> Callable:
    """Mark what `view` renders for signed-out visitors as shareable, with a validator."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _anonymous_request():
            return view(*args, **kwargs)
        response = current_app.make_response(view(*args, **kwargs))
        if (
            response.status_code == 200
            and response.mimetype in SHAREABLE_TYPES
            and "Set-Cookie" not in response.headers
            and not session.modified
            and b'name="csrf_token"' not in response.get_data()
        ):
            return _shareable(response, hashlib.blake2b(response.get_data(), digest_size=16).hexdigest())
        return response

    return wrapper


def kept_for_visitors(
    scope: str, version_of: Callable[..., Any] | None = None
) -> Callable[[Callable], Callable]:
    """Like `shared_for_visitors`, and the page itself is kept for signed-out visitors until a
    transaction changes `scope` (for the idea lists and the roadmap: "lists") or, with
    `version_of(**view_args)`, the version of the row the page is about (None: not kept)."""

    def decorate(view: Callable) -> Callable:
        shared = shared_for_visitors(view)

        @wraps(view)
        def wrapper(*args, **kwargs):
            from app import fragments

            scopes = _scopes()
            if scopes is None or not fragments.enabled() or not _anonymous_request():
                return shared(*args, **kwargs)
            # Read before the page is, so a change committed meanwhile leaves this key behind.
            version = version_of(**kwargs) if version_of else "-"
            if version is None:
                return shared(*args, **kwargs)
            # Entries hold their type now (the sitemap is kept too), under a name older ones never had.
            key = f"kept:{scope}:{scopes.generation(scope)}:{version}:{request.full_path}"
            stored = fragments.cache().get(key)
            if stored is not None:
                etag, body, mimetype = stored
                response = Response(body, mimetype=mimetype, headers={"X-Page-Cache": "hit"})
                return _shareable(response, etag)
            response = shared(*args, **kwargs)
            etag = response.get_etag()[0]
            if etag and response.status_code == 200:
                stored = (etag, response.get_data(), response.mimetype)
                fragments.cache().set(key, stored, timeout=PAGE_SECONDS)
            return response

        return wrapper

    return decorate


def _shareable(response: Response, etag: str) -> Response:
    """Let shared caches keep the signed-out page briefly, with a validator: a browser or proxy
    that has it already gets 304 and no body. Requests with a cookie are told apart (Vary)."""
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age=0, s-maxage={SHARED_MAX_AGE}"
    response.vary.add("Cookie")
    return response.make_conditional(request)


def remember(key: str, compute: Callable[[], Any], scope: str = IDEAS_SCOPE) -> Any:
    """`compute()`, kept until a transaction changes `scope` (or for VALUE_SECONDS at most).

    For sums over many rows that every viewer of a kind shares, such as list totals; `key`
    must name everything else the value depends on (the viewer's kind, the filters).
    """
    from app import fragments

    scopes = _scopes()
    if scopes is None or not fragments.enabled():
        return compute()
    full_key = f"value:{scope}:{scopes.generation(scope)}:{key}"
    cache = fragments.cache()
    stored = cache.get(full_key)
    if stored is not None:
        return stored
    value = compute()
    cache.set(full_key, value, timeout=VALUE_SECONDS)
    return value


def _after_commit(session: Session) -> None:
    touched = versions.touched_scopes(session)
    scopes = _scopes()
    if touched and scopes is not None:
        for scope in sorted(touched):
            scopes.bump(scope)


def _after_rollback(session: Session) -> None:
    versions.touched_scopes(session)


def init_app(app: Flask) -> None:
    versions.init_app()
    url = app.config.get("REDIS_URL")
    folder = app.config.get("CACHE_SCOPE_FOLDER") or Path(app.instance_path) / "cache-scopes"
    app.extensions["cache_scopes"] = RedisScopes(url) if url else FileScopes(Path(folder))
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
