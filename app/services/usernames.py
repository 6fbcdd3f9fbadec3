"""Usernames: the short, unique names @mentions use, and the members suggested while one is typed.

A username is 2–30 characters: lower-case letters a–z, digits and underscores, starting with a
letter. Every account gets one made from its display name ("Zoë O'Brien" -> zoe_obrien, then
zoe_obrien2 …) and its owner may change it in the account settings.
"""

import re
import unicodedata
from typing import Any

from sqlalchemy import func, or_, select

from app.extensions import db
from app.models.base import utcnow
from app.models.user import User
from app.permissions import is_signed_in

USERNAME_MIN, USERNAME_MAX = 2, 30
PATTERN = re.compile(rf"^[a-z][a-z0-9_]{{{USERNAME_MIN - 1},{USERNAME_MAX - 1}}}$")
FALLBACK = "member"
SUGGESTIONS_MAX = 8
QUERY_MAX = 50
BAD_FORM = (
    f"Use {USERNAME_MIN}–{USERNAME_MAX} characters: letters a–z, digits and underscores, "
    "starting with a letter."
)


def normalize_username(text: str | None) -> str:
    """A username as typed, the way it is stored: trimmed, without a leading @, lower-case."""
    return (text or "").strip().removeprefix("@").lower()


def username_base(display_name: str) -> str:
    """The username a display name suggests: "Zoë O'Brien" -> "zoe_obrien" (FALLBACK if none)."""
    ascii_name = unicodedata.normalize("NFKD", display_name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"['’]", "", ascii_name.lower())
    base = re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_")[:USERNAME_MAX]
    return base if PATTERN.match(base) else FALLBACK


def free_username(display_name: str) -> str:
    """A username no account has yet, made from `display_name` (a number is added when taken)."""
    base = username_base(display_name)
    # Escape LIKE's wildcards: "zoe_obrien%" must not match "zoeXobrien2".
    pattern = base.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "%"
    taken = set(db.session.scalars(select(User.username).where(User.username.like(pattern, escape="\\"))))
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = str(number)
        candidate = base[: USERNAME_MAX - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


def user_by_username(text: str | None) -> User | None:
    """The account with this username (as a member would type it: any case, with or without @)."""
    username = normalize_username((text or "").lstrip("@"))
    if not username:
        return None
    return db.session.scalar(select(User).where(User.username == username))


def check_username(username: str, user: User | None = None) -> list[str]:
    """What is wrong with `username` (already normalized) for `user`; empty when it may be used."""
    if not PATTERN.match(username):
        return [BAD_FORM]
    owner = db.session.scalar(select(User.id).where(User.username == username))
    if owner is not None and (user is None or owner != user.id):
        return [f"@{username} is already someone else’s username; choose another."]
    return []


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def suggest_members(actor: Any, query: str, limit: int = SUGGESTIONS_MAX) -> list[User]:
    """Up to `limit` members whose username or display name starts with `query` (or a word of
    the display name does), for the @mention completion: verified accounts that are not
    suspended, never `actor` themself; usernames that start with `query` come first.
    """
    text = normalize_username(query)[:QUERY_MAX]
    if not is_signed_in(actor) or not text:
        return []
    like = _like_escape(text)
    name = func.lower(User.display_name)
    by_username = User.username.like(f"{like}%", escape="\\")
    stmt = (
        select(User)
        .where(
            or_(by_username, name.like(f"{like}%", escape="\\"), name.like(f"% {like}%", escape="\\")),
            User.email_verified_at.is_not(None),
            User.deleted_at.is_(None),
            or_(User.suspended_at.is_(None), User.suspended_until <= utcnow()),
            User.id != actor.id,
        )
        .order_by(by_username.desc(), User.username)
        .limit(min(limit, SUGGESTIONS_MAX))
    )
    return list(db.session.scalars(stmt))
