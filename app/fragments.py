"""Rendered fragments (idea cards, comments), kept by the versions of what they show.

A fragment's key names everything its HTML depends on: the kind, the versions of the rows it
shows (app/versions.py moves them on in the transaction that changes the row), the relative
time it prints, the locale and the viewer's *class* (visitor, member, staff, moderator: what
they may see). Boards and languages will add their part to `viewer_class()` and `locale()`.
So a vote makes that one idea's card unreachable at commit, and no other fragment.

What differs between viewers of one class (my vote, may I edit, the CSRF token) is never in a
fragment: the template marks a *slot* (`slot("vote")`) and fills it for each viewer after the
fragment is read (`fill=`), from data the page loaded in one query, or names it in the key (may
I edit: a fragment of a comment's buttons exists once per answer). The forms inside a fragment
take the tokens of the viewer who reads it: while a fragment renders, `csrf_token()` and
`submission_token()` write placeholders, and each read puts this session's CSRF token and a
fresh one-time submission token in their place.

Flask-Caching keeps the fragments: Redis with `REDIS_URL` (shared by every worker), otherwise
a bounded cache in each process (`FRAGMENT_CACHE_ENTRIES`, the least recently used go first;
app/lrucache.py).
"""

import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, g
from flask_caching import Cache
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.idempotency import new_token
from app.permissions import can, is_moderator, is_signed_in, is_staff
from app.templating import time_ago

# Versions make fragments unreachable when their rows change; this only bounds what Redis keeps.
TIMEOUT_SECONDS = 24 * 3600
_cache = Cache()
# What a form inside a fragment carries until the fragment is read by a viewer.
_CSRF = "cocreate-csrf-token"
_SUBMISSION = "cocreate-submission-token"


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


def idea_card_key(idea: Any, level: int, board: Any = None) -> str:
    """An idea card shows the idea's row, its category's name, when it was posted, and, in a list
    of several boards, its board's name."""
    shown_board = f"{board.slug}~{board.name}" if board is not None else "-"
    return key(
        "idea-card", _version(idea), _version(idea.category), level, time_ago(idea.created_at), shown_board
    )


def vote_box_key(idea: Any, voted: bool, next_url: str | None) -> str:
    """A vote box shows the idea's count and title, whether the viewer voted and may vote, and
    where the form or the sign-in link comes back to."""
    may_vote = is_signed_in(current_user) and can(current_user, "idea.vote", idea)
    return key("vote-box", _version(idea), "1" if voted else "0", "1" if may_vote else "0", next_url or "-")


def idea_card_keys(
    ideas: Iterable[Any], level: int, voted_ids: set[int], next_url: str | None, with_boards: bool = False
) -> str:
    """Read a list's cards and vote boxes in one round trip before they are rendered one by one."""
    ideas = list(ideas)
    from app.services.board_lookup import board_of

    return prefetch(
        [idea_card_key(idea, level, board_of(idea) if with_boards else None) for idea in ideas]
        + [vote_box_key(idea, idea.id in voted_ids, next_url) for idea in ideas]
    )


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


def comment_actions_key(
    comment: Any,
    open_for_comments: bool,
    may_flag: bool,
    may_edit: bool,
    may_delete: bool,
    discussion_url: str,
    post_url: str,
    refused: Any,
) -> str | None:
    """A comment's buttons and reply form differ by what the viewer may do there, and by whether
    the comment is theirs (no flag on one's own); a refused form shown in place is not kept."""
    if refused:
        return None
    own = getattr(current_user, "id", None) == comment.author_id
    allowed = "".join(
        "1" if flag else "0" for flag in (open_for_comments, may_flag, may_edit, may_delete, own)
    )
    return key(
        "comment-actions", _version(comment), _version(comment.author), allowed, discussion_url, post_url
    )


def roadmap_card_key(card: Any, staff: bool) -> str:
    """A roadmap card shows its item, its demand, its first ideas (title and votes; the board
    fetches only those) and how many more there are; staff also see private marks and scores."""
    ideas = ",".join(_version(idea) for idea in card.ideas)
    viewer = "staff" if staff else "-"
    return key("roadmap-card", _version(card.item), card.demand, ideas, card.idea_count, viewer)


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


def csrf_token() -> str:
    """The session's CSRF token, or its placeholder while a fragment renders."""
    return _CSRF if g.get("fragment_depth") else generate_csrf()


def submission_token() -> str:
    """A fresh one-time token for a form's `submission_token` field (placeholder in a fragment)."""
    return _SUBMISSION if g.get("fragment_depth") else new_token()


def _render(caller: Callable[[], str]) -> str:
    g.fragment_depth = g.get("fragment_depth", 0) + 1
    try:
        return str(caller())
    finally:
        g.fragment_depth -= 1


def _viewers_tokens(html: str) -> str:
    if g.get("fragment_depth"):  # inside another fragment: its own read fills them in
        return html
    if _CSRF in html:
        html = html.replace(_CSRF, generate_csrf())
    if _SUBMISSION in html:
        html = re.sub(_SUBMISSION, lambda _: new_token(), html)
    return html


def fragment(
    fragment_key: str | None, fill: dict[str, Any] | None = None, *, caller: Callable[[], str]
) -> Markup:
    """The fragment under `fragment_key`, rendered by `caller` when missing, slots filled in.

    With `fragment_key` None (a page showing a refused form in place) it is rendered, not kept.
    """
    prefetched = _prefetched()
    if fragment_key is None or not enabled():
        html = None
    elif fragment_key in prefetched:
        html = prefetched.pop(fragment_key)
    else:
        html = _cache.get(fragment_key)
    if html is None:
        html = _render(caller)
        if fragment_key is not None and enabled():
            _cache.set(fragment_key, html, timeout=TIMEOUT_SECONDS)
    for name, value in (fill or {}).items():
        html = html.replace(f"<!--slot:{name}-->", str(value), 1)
    return Markup(_viewers_tokens(html))  # noqa: S704 - rendered by an autoescaping template; fills are Markup too


def init_app(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"]}
    else:
        config = {
            "CACHE_TYPE": "app.lrucache.LRUCache",
            "CACHE_THRESHOLD": app.config.get("FRAGMENT_CACHE_ENTRIES", 5000),
        }
    config.update(CACHE_KEY_PREFIX="cocreate:fragment:", CACHE_DEFAULT_TIMEOUT=TIMEOUT_SECONDS)
    _cache.init_app(app, config=config)
    # Flask-WTF also hands templates its csrf_token() through a context processor: this one,
    # registered later, takes its place.
    app.context_processor(lambda: {"csrf_token": csrf_token})
    app.jinja_env.globals.update(
        csrf_token=csrf_token,
        submission_token=submission_token,
        fragment=fragment,
        slot=slot,
        prefetch_idea_cards=idea_card_keys,
        idea_card_key=idea_card_key,
        vote_box_key=vote_box_key,
        comment_key=comment_key,
        comment_actions_key=comment_actions_key,
        roadmap_card_key=roadmap_card_key,
    )
