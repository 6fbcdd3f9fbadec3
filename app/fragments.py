"""Rendered fragments (idea cards, comments), kept by the versions of what they show.

A fragment's key names everything its HTML depends on: the kind, the versions of the rows it
shows (app/versions.py moves them on in the transaction that changes the row), the relative
time it prints, the locale and the viewer's *class* (visitor, member, staff, moderator: what
they may see). Boards and languages will add their part to `viewer_class()` and `locale()`.
So a vote makes that one idea's card unreachable at commit, and no other fragment.

What differs between viewers of one class (my vote, may I edit, the CSRF token) is never in a
fragment: the template marks a *slot* (`slot("vote")`) and fills it for each viewer after the
fragment is read (`fill=`), from data the page loaded in one query.

Flask-Caching keeps the fragments: Redis with `REDIS_URL` (shared by every worker), otherwise
a bounded cache in each process (`FRAGMENT_CACHE_ENTRIES`, least recently stored go first).
"""

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, g
from flask_caching import Cache
from flask_login import current_user
from markupsafe import Markup

from app.permissions import is_moderator, is_signed_in, is_staff
from app.templating import time_ago

# Versions make fragments unreachable when their rows change; this only bounds what Redis keeps.
TIMEOUT_SECONDS = 24 * 3600
_cache = Cache()


def cache() -> Cache:
    return _cache


def enabled() -> bool:
    return current_app.config.get("FRAGMENT_CACHE", True)


def viewer_class(user: Any) -> str:
    """What the viewer may see, as far as fragments differ by it."""
    if not is_signed_in(user):
        return "visitor"
    if is_moderator(user):
        return "moderator"
    return "staff" if is_staff(user) else "member"


def locale() -> str:
    return current_app.config.get("DEFAULT_LOCALE", "en")


def key(kind: str, *parts: Any) -> str:
    # The viewer's part is worked out once per request: a list asks for many keys.
    if "fragment_viewer" not in g:
        g.fragment_viewer = f"{locale()}:{viewer_class(current_user)}"
    return ":".join((kind, g.fragment_viewer, *map(str, parts)))


def _version(row: Any) -> str:
    return f"{row.id}.{row.version}" if row is not None else "-"


def idea_card_key(idea: Any, level: int) -> str:
    """An idea card shows the idea's row, its category's name and when it was posted."""
    return key("idea-card", _version(idea), _version(idea.category), level, time_ago(idea.created_at))


def idea_card_keys(ideas: Iterable[Any], level: int) -> str:
    """Read a list's cards in one round trip before they are rendered one by one."""
    return prefetch(idea_card_key(idea, level) for idea in ideas)


def comment_key(comment: Any, parent: Any, depth: int, discussion_url: str) -> str:
    """A comment shows its row, its author, and, deep in a thread, whom it answers; a held
    comment tells its own author "only you and moderators can see it"."""
    answers = (
        f"{_version(parent.comment)}~{_version(parent.comment.author)}" if parent and depth >= 3 else "-"
    )
    own = (comment.is_hidden or comment.is_pending) and getattr(current_user, "id", None) == comment.author_id
    return key(
        "comment",
        _version(comment),
        _version(comment.author),
        answers,
        "own" if own else "-",
        discussion_url,
        time_ago(comment.created_at),
    )


def slot(name: str) -> Markup:
    return Markup("<!--slot:{}-->").format(name)


def prefetch(keys: Iterable[str]) -> str:
    """Read many fragments in one round trip (Redis MGET); returns "" for use in templates."""
    keys = [k for k in keys if k not in _prefetched()]
    if keys and enabled():
        _prefetched().update(zip(keys, _cache.get_many(*keys), strict=True))
    return ""


def _prefetched() -> dict[str, str | None]:
    if "fragments" not in g:
        g.fragments = {}
    return g.fragments


def fragment(fragment_key: str, fill: dict[str, Any] | None = None, *, caller: Callable[[], str]) -> Markup:
    """The fragment under `fragment_key`, rendered by `caller` when missing, slots filled in."""
    prefetched = _prefetched()
    if fragment_key in prefetched:
        html = prefetched.pop(fragment_key)
    else:
        html = _cache.get(fragment_key) if enabled() else None
    if html is None:
        html = str(caller())
        if enabled():
            _cache.set(fragment_key, html, timeout=TIMEOUT_SECONDS)
    for name, value in (fill or {}).items():
        html = html.replace(f"<!--slot:{name}-->", str(value), 1)
    return Markup(html)  # noqa: S704 - rendered by an autoescaping template; fills are Markup too


def init_app(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"]}
    else:
        config = {
            "CACHE_TYPE": "SimpleCache",
            "CACHE_THRESHOLD": app.config.get("FRAGMENT_CACHE_ENTRIES", 5000),
        }
    config.update(CACHE_KEY_PREFIX="cocreate:fragment:", CACHE_DEFAULT_TIMEOUT=TIMEOUT_SECONDS)
    _cache.init_app(app, config=config)
    app.jinja_env.globals.update(
        fragment=fragment,
        slot=slot,
        prefetch_idea_cards=idea_card_keys,
        idea_card_key=idea_card_key,
        comment_key=comment_key,
    )
