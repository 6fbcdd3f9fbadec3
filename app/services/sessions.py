"""Signed-in sessions kept on the server, so that signing out really ends them.

The session cookie (and the remember-me cookie) carries a random key; only its SHA-256 is
stored. A request is signed in only while its key's record exists: deleting the record ends
the session wherever the cookie was copied to.
"""

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from app.errors import NotFound
from app.extensions import db
from app.models.base import utcnow
from app.models.user import User, UserSession
from app.permissions import require

# Writing last_seen_at on every request would turn each page view into a write.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)
USER_AGENT_MAX = 255


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(
    user: User, user_agent: str = "", remember: bool = False, signed_in_with: str = "password"
) -> UserSession:
    """Record a new signed-in session; `user.session_key` then holds the key for the cookie.

    `signed_in_with` says how: "password", "link" (an emailed link) or a provider's name.
    """
    key = secrets.token_urlsafe(32)
    now = utcnow()
    record = UserSession(
        user_id=user.id,
        key_hash=_hash(key),
        created_at=now,
        last_seen_at=now,
        user_agent=(user_agent or "")[:USER_AGENT_MAX],
        remember=remember,
        signed_in_with=signed_in_with,
    )
    db.session.add(record)
    db.session.flush()
    user.session_key = key
    user.current_session = record
    return record


def user_for_key(key: str) -> User | None:
    """The user whose live session this key opens, or None when it was ended or never existed."""
    if not key or len(key) > 100:
        return None
    record = db.session.scalar(select(UserSession).where(UserSession.key_hash == _hash(key)))
    if record is None:
        return None
    user = record.user
    user.session_key = key
    user.current_session = record
    return user


def end_session(record: UserSession | None) -> None:
    """End one session (signing out in this browser)."""
    if record is not None:
        db.session.execute(delete(UserSession).where(UserSession.id == record.id))
        db.session.flush()


def end_other_session(actor: User, session_id: int) -> None:
    """End one of the actor's own sessions from the settings page."""
    require(actor, "account.edit", actor)
    record = db.session.get(UserSession, session_id)
    if record is None or record.user_id != actor.id:
        raise NotFound("That session has already ended.")
    end_session(record)


def end_all_sessions(user: User, keep: UserSession | None = None) -> int:
    """End every session of `user` (all but `keep` when given); returns how many ended."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    ended = db.session.execute(query).rowcount or 0
    db.session.flush()
    return ended


def list_sessions(user: User) -> list[UserSession]:
    """The user's live sessions, most recently seen first."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id)
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def touch_if_stale(record: UserSession) -> bool:
    """Note that the session is in use, at most every few minutes; True when it wrote."""
    now = utcnow()
    if now - record.last_seen_at <= LAST_SEEN_RESOLUTION:
        return False
    record.last_seen_at = now
    db.session.flush()
    return True


_BROWSERS = (
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|Chromium/")),
    ("Safari", re.compile(r"Safari/")),
)
_SYSTEMS = (
    ("iPhone", re.compile(r"iPhone")),
    ("iPad", re.compile(r"iPad")),
    ("Android", re.compile(r"Android")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux")),
)


def device_label(user_agent: str) -> str:
    """A person's name for the device a browser runs on: "Firefox on Windows"."""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent or "")), None)
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent or "")), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"
