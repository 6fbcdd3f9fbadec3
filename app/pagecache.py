"""Whole pages for signed-out visitors, kept until the next write.

Signed-out visitors all see the same page for the same URL, so the idea list, search, the idea
page and the roadmap are rendered once and served from the cache until anything is written.
Every commit that changed rows moves a *generation* on; a page stored under an older
generation is never served again. Nothing is cached for a signed-in member (they see their own
votes at once), for a visitor with a flash message waiting, or when a page holds a CSRF token
(it would belong to one visitor's session).

With `REDIS_URL` set, pages and the generation live in Redis, shared by every worker and host.
Without it, each worker keeps its own pages in memory, and the generation is the modification
time of a file under the instance folder, shared by every process on the machine.
"""

import hashlib
import json
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from threading import Lock
from typing import Any

from flask import Flask, Response, current_app, has_app_context, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

TTL_SECONDS = 300
# Signed-out pages may be kept this long by a shared cache (a reverse proxy or CDN) in front of
# the app servers; browsers ask again each time, and an unchanged page answers 304.
SHARED_MAX_AGE = 30
LOCAL_ENTRIES = 256
_PREFIX = "cocreate:page:"


class LocalStore:
    """Pages in this process's memory (least recently used go first) and a file as the generation."""

    def __init__(self, generation_file: Path):
        self.path = generation_file
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch()
        self.pages: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self.lock = Lock()

    def generation(self) -> str:
        return str(os.stat(self.path).st_mtime_ns)

    def bump(self) -> None:
        now = time.time_ns()
        # Strictly later than before, even within the file system's timestamp resolution.
        os.utime(self.path, ns=(now, max(now, int(self.generation()) + 1)))

    def get(self, key: str) -> bytes | None:
        with self.lock:
            entry = self.pages.get(key)
            if entry is None or entry[0] < time.monotonic():
                return None
            self.pages.move_to_end(key)
            return entry[1]

    def put(self, key: str, body: bytes) -> None:
        with self.lock:
            self.pages[key] = (time.monotonic() + TTL_SECONDS, body)
            self.pages.move_to_end(key)
            while len(self.pages) > LOCAL_ENTRIES:
                self.pages.popitem(last=False)


class RedisStore:
    """Pages and the generation in Redis, shared by every worker and host."""

    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url)

    def generation(self) -> str:
        return (self.redis.get(_PREFIX + "generation") or b"0").decode()

    def bump(self) -> None:
        self.redis.incr(_PREFIX + "generation")

    def get(self, key: str) -> bytes | None:
        return self.redis.get(_PREFIX + key)

    def put(self, key: str, body: bytes) -> None:
        self.redis.set(_PREFIX + key, body, ex=TTL_SECONDS)


def _store():
    return current_app.extensions.get("page_cache")


def _anonymous_request() -> bool:
    return (
        request.method == "GET"
        and not current_user.is_authenticated
        and not session.get("_flashes")
        and "Authorization" not in request.headers
    )


def cached_for_visitors(view: Callable) -> Callable:
    """Serve `view` from the cache to signed-out visitors; store what it renders for them."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        store = _store()
        if store is None or not _anonymous_request():
            return view(*args, **kwargs)
        key = f"{store.generation()}:{request.full_path}"
        stored = store.get(key)
        if stored is not None:
            etag, _, body = stored.partition(b"\n")
            response = Response(body, mimetype="text/html", headers={"X-Page-Cache": "hit"})
            return _shareable(response, etag.decode())
        response = current_app.make_response(view(*args, **kwargs))
        if (
            response.status_code == 200
            and response.mimetype == "text/html"
            and "Set-Cookie" not in response.headers
            and not session.modified
            and b'name="csrf_token"' not in response.get_data()
        ):
            etag = hashlib.blake2b(response.get_data(), digest_size=16).hexdigest()
            # The validator is stored with the page, so a hit does not hash the page again.
            store.put(key, etag.encode() + b"\n" + response.get_data())
            response.headers["X-Page-Cache"] = "miss"
            return _shareable(response, etag)
        return response

    return wrapper


def _shareable(response: Response, etag: str) -> Response:
    """Let shared caches keep the signed-out page briefly, with a validator: a browser or proxy
    that has it already gets 304 and no body. Requests with a cookie are told apart (Vary)."""
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age=0, s-maxage={SHARED_MAX_AGE}"
    response.vary.add("Cookie")
    return response.make_conditional(request)


def remember(key: str, compute: Callable[[], Any]) -> Any:
    """`compute()` (anything JSON holds), kept like a page until the next write.

    For sums over many rows that every viewer of a kind shares, such as list totals; `key`
    must name everything the value depends on.
    """
    store = _store() if has_app_context() else None
    if store is None:
        return compute()
    full_key = f"{store.generation()}:value:{key}"
    stored = store.get(full_key)
    if stored is not None:
        return json.loads(stored)
    value = compute()
    store.put(full_key, json.dumps(value).encode())
    return value


def _note_writes(session: Session, *args) -> None:
    session.info["cocreate_wrote"] = True


def _note_statement(state) -> None:
    if not state.is_select:
        state.session.info["cocreate_wrote"] = True


def _after_commit(session: Session) -> None:
    if session.info.pop("cocreate_wrote", False):
        store = current_app.extensions.get("page_cache") if has_app_context() else None
        if store is not None:
            store.bump()


def _after_rollback(session: Session) -> None:
    session.info.pop("cocreate_wrote", None)


def init_app(app: Flask) -> None:
    if not app.config.get("PAGE_CACHE", True):
        return
    url = app.config.get("REDIS_URL")
    generation_file = app.config.get("PAGE_CACHE_GENERATION_FILE") or Path(app.instance_path) / "page-cache"
    store = RedisStore(url) if url else LocalStore(Path(generation_file))
    app.extensions["page_cache"] = store
    if not event.contains(Session, "after_flush", _note_writes):
        event.listen(Session, "after_flush", _note_writes)
        event.listen(Session, "do_orm_execute", _note_statement)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
