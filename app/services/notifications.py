"""In-app notifications and their email copies (at once, as a daily digest, or never).

Notifications are written in the same transaction as the event that causes them. Each
event reaches each person at most once, and never the person who caused it.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadData, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from werkzeug.exceptions import HTTPException

from app.errors import Invalid, NotFound
from app.extensions import db
from app.links import absolute_path, absolute_url
from app.models.base import utcnow
from app.models.board import Board
from app.models.notification import Notification
from app.models.user import EMAIL_PREFERENCES, User
from app.permissions import require
from app.services import outbox
from app.services.pagination import DEFAULT_PER_PAGE, Page, paginate
from app.text import normalize_line
from app.visibility import hidden_boards, notifications_on_seen_boards, visible_notifications

DIGEST_INTERVAL = timedelta(days=1)
# A digest lists at most this many notifications; the rest wait on the notifications page.
DIGEST_MAX_ITEMS = 50
MESSAGE_MAX = 300  # the length of Notification.message
NO_NOTIFICATION = "No such notification."
# The pages a notification can be about, and the anchor that names a comment on the first two.
_TARGET_PAGES = {
    "ideas.detail": ("idea", "idea_id"),
    "prototypes.detail": ("prototype", "prototype_id"),
    "launches.detail": ("launch", "launch_id"),
    "rounds.detail": ("round", "round_id"),
    "boards.detail": ("board", "slug"),
}
_DISCUSSIONS = ("idea", "prototype")
_comment_anchor = re.compile(r"comment-([0-9]{1,18})")
# How long an unsubscribe link works (UNSUBSCRIBE_LINK_DAYS in the configuration).
UNSUBSCRIBE_LINK_DAYS = 60


@dataclass(frozen=True)
class Recipient:
    """One person to tell about an event, and what to tell them."""

    user_id: int
    kind: str
    message: str
    # The email's subject when the message is longer than a subject line should be.
    subject: str = ""


def notify(
    recipients: Iterable[Recipient], url: str, actor_id: int | None, email: bool = True
) -> list[Notification]:
    """Write one notification per person (the first entry for a person wins), skipping the actor.

    `url` is a path on this site (see `app.links.site_path`). People who want email at once
    also get an outbox email, written in the same transaction, unless `email` is False (the
    caller sends its own, asking `may_email` first). Nobody is emailed about something on a
    private board they may not see: their notification waits, withdrawn, for access again.
    """
    chosen: dict[int, Recipient] = {}
    for recipient in recipients:
        user_id = recipient.user_id
        if user_id is not None and user_id != actor_id and user_id not in chosen:
            chosen[user_id] = recipient
    if not chosen:
        return []
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(list(chosen))))}
    target_type, target_id = target_of(url)
    now = utcnow()
    created = []
    for user_id, recipient in chosen.items():
        user = users.get(user_id)
        if user is None or user.is_deleted:
            continue
        notification = Notification(
            user_id=user_id,
            actor_id=actor_id,
            kind=recipient.kind,
            message=normalize_line(recipient.message)[:MESSAGE_MAX],
            url=url,
            target_type=target_type,
            target_id=target_id,
            is_read=False,
            created_at=now,
        )
        db.session.add(notification)
        created.append(notification)
    db.session.flush()
    for notification in created:
        user = users[notification.user_id]
        if email and user.email_notifications == "immediately" and may_email(user, notification):
            _email_one(user, notification, chosen[user.id].subject)
            notification.emailed_at = now
    db.session.flush()
    return created


def may_email(user: User, notification: Notification) -> bool:
    """Whether `notification` (flushed) is about nothing on a private board `user` may not see."""
    if not hidden_boards(None):  # no private board at all: one query per transaction
        return True
    stmt = select(Notification.id).where(
        Notification.id == notification.id, notifications_on_seen_boards(user)
    )
    return db.session.scalar(stmt) is not None


def target_of(url: str) -> tuple[str | None, int | None]:
    """What a notification's link is about: a comment (its #comment-<id> anchor on an idea or a
    prototype), an idea, a prototype, a launch, a round or a board; (None, None) for anything
    else (roadmap items, lists).

    Read through the site's own routes, so it is exactly the page the link opens.
    """
    parts = urlsplit(url)
    prefix = urlsplit(current_app.config["SITE_URL"]).path.rstrip("/")
    path = parts.path[len(prefix) :] if prefix and parts.path.startswith(prefix + "/") else parts.path
    try:
        endpoint, values = current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return None, None
    if endpoint not in _TARGET_PAGES:
        return None, None
    kind, argument = _TARGET_PAGES[endpoint]
    comment = _comment_anchor.fullmatch(parts.fragment)
    if comment is not None and kind in _DISCUSSIONS:
        return "comment", int(comment.group(1))
    if kind == "board":
        board_id = db.session.scalar(select(Board.id).where(Board.slug == values[argument]))
        return ("board", board_id) if board_id is not None else (None, None)
    return kind, values[argument]


def _unsubscribe_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe-dated")


def _undated_serializer() -> URLSafeSerializer:
    # Links made before they expired: recognised only to say they have expired.
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_link_days() -> int:
    return int(current_app.config.get("UNSUBSCRIBE_LINK_DAYS", UNSUBSCRIBE_LINK_DAYS))


def unsubscribe_token(user: User) -> str:
    """A signed, dated token naming the user; it only ever turns notification email off."""
    return _unsubscribe_serializer().dumps(user.id)


def unsubscribe_url(user: User) -> str:
    return absolute_url("notifications.unsubscribe", token=unsubscribe_token(user))


@dataclass(frozen=True)
class UnsubscribeLink:
    """What an unsubscribe link says: whose it is, or (user None) that it expired or is not genuine."""

    user: User | None
    expired: bool = False


def read_unsubscribe_link(token: str) -> UnsubscribeLink:
    """The user an unsubscribe link was made for, if it is genuine and younger than the limit."""
    serializer = _unsubscribe_serializer()
    try:
        user_id = serializer.loads(token, max_age=unsubscribe_link_days() * 24 * 60 * 60)
    except SignatureExpired:
        return UnsubscribeLink(None, expired=True)
    except BadData:
        try:
            _undated_serializer().loads(token)
        except BadData:
            return UnsubscribeLink(None)
        return UnsubscribeLink(None, expired=True)
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return UnsubscribeLink(user)


def unsubscribe(token: str) -> UnsubscribeLink:
    """Stop all notification email for the user a genuine, current link was made for.

    An expired or forged link changes nothing; the returned link says which it was.
    """
    link = read_unsubscribe_link(token)
    if link.user is not None:
        link.user.email_notifications = "never"
        db.session.flush()
    return link


def _settings_url() -> str:
    return absolute_url("account.settings") + "#email"


def _subject(text: str) -> str:
    site = current_app.config["SITE_NAME"]
    return normalize_line(f"[{site}] {text}")[:200]


def _unsubscribe_headers(url: str) -> dict[str, str]:
    # RFC 8058 one-click unsubscribe: mail clients POST to the link without opening it.
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def email_message(user: User, notification: Notification, subject: str, body: str) -> None:
    """Email a message written by staff to one person, in full, with the notification's link."""
    stop_url = unsubscribe_url(user)
    outbox.enqueue_email(
        to=user.email,
        subject=_subject(subject),
        template="email/message.txt",
        user=user,
        body=body,
        link=absolute_path(notification.url),
        settings_url=_settings_url(),
        unsubscribe_url=stop_url,
        headers=_unsubscribe_headers(stop_url),
    )


def _email_one(user: User, notification: Notification, subject: str = "") -> None:
    stop_url = unsubscribe_url(user)
    outbox.enqueue_email(
        to=user.email,
        subject=_subject(subject or notification.message),
        template="email/notification.txt",
        user=user,
        notification=notification,
        link=absolute_path(notification.url),
        settings_url=_settings_url(),
        unsubscribe_url=stop_url,
        headers=_unsubscribe_headers(stop_url),
    )


def set_email_preference(actor: User, user: User, preference: str | None) -> None:
    """Choose how notifications reach `user` by email: immediately, daily or never."""
    require(actor, "account.edit", user)
    if preference not in EMAIL_PREFERENCES:
        raise Invalid({"email_notifications": ["Choose immediately, daily digest or never."]})
    user.email_notifications = preference
    db.session.flush()


def _pending_for_digest(user_id: int):
    return (
        Notification.user_id == user_id,
        Notification.emailed_at.is_(None),
        Notification.is_read.is_(False),
    )


def send_daily_digests(now: datetime | None = None, limit: int | None = None) -> int:
    """Email each daily-digest reader their unread, not yet emailed notifications; returns emails queued.

    A reader gets at most one digest per DIGEST_INTERVAL. Readers are locked (SKIP LOCKED on
    PostgreSQL) until the caller commits, so two workers never send the same digest. `limit`
    caps the readers handled in one call, to keep each transaction short.
    """
    now = now or utcnow()
    due_before = now - DIGEST_INTERVAL
    stmt = (
        select(User)
        .where(User.email_notifications == "daily")
        .where((User.digest_sent_at.is_(None)) | (User.digest_sent_at <= due_before))
        .where(select(Notification.id).where(*_pending_for_digest(User.id)).exists())
        .order_by(User.id)
        # NO KEY UPDATE: new notifications for these users (a foreign key share lock) still go in.
        .with_for_update(skip_locked=True, key_share=True)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    users = db.session.scalars(stmt).all()
    sent = 0
    for user in users:
        pending = list(
            db.session.scalars(
                select(Notification)
                .where(*_pending_for_digest(user.id), visible_notifications(user))
                .order_by(Notification.created_at, Notification.id)
            )
        )
        # Seen as handled for this interval even when everything waiting was withdrawn meanwhile,
        # so such a reader is not picked again on every run; withdrawn ones wait for a restore.
        user.digest_sent_at = now
        if not pending:
            continue
        shown = pending[-DIGEST_MAX_ITEMS:]  # the newest ones, oldest first
        stop_url = unsubscribe_url(user)
        count = len(pending)
        outbox.enqueue_email(
            to=user.email,
            subject=_subject(f"Your daily digest: {count} update{'s' if count != 1 else ''}"),
            template="email/digest.txt",
            user=user,
            items=[(n, absolute_path(n.url)) for n in shown],
            more=count - len(shown),
            notifications_url=absolute_url("notifications.index"),
            settings_url=_settings_url(),
            unsubscribe_url=stop_url,
            headers=_unsubscribe_headers(stop_url),
        )
        for notification in pending:
            notification.emailed_at = now
        sent += 1
    db.session.flush()
    return sent


def list_notifications(user: User, page: int = 1, per_page: int = DEFAULT_PER_PAGE) -> Page:
    """The user's notifications, newest first, without those withdrawn (see visible_notifications)."""
    stmt = (
        select(Notification)
        .where(Notification.user_id == user.id, visible_notifications(user))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return paginate(stmt, page, per_page)


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread and not withdrawn (one indexed count query)."""
    stmt = select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.is_read.is_(False), visible_notifications(user)
    )
    return db.session.scalar(stmt) or 0


def get_notification(actor: User, notification_id: int) -> Notification:
    """One of the actor's own notifications, not withdrawn; anyone else's is NotFound."""
    actor_id = getattr(actor, "id", None)
    notification = (
        db.session.scalar(
            select(Notification).where(
                Notification.id == notification_id,
                Notification.user_id == actor_id,
                visible_notifications(actor),
            )
        )
        if actor_id is not None and 0 < notification_id < 2**31
        else None
    )
    if notification is None:
        raise NotFound(NO_NOTIFICATION)
    require(actor, "notification.read", notification)
    return notification


def mark_read(actor: User, notification_id: int) -> Notification:
    """Mark one of the actor's own notifications read; anyone else's is NotFound."""
    notification = get_notification(actor, notification_id)
    notification.is_read = True
    db.session.flush()
    return notification


def mark_all_read(actor: User) -> int:
    """Mark every notification the actor sees read; returns how many were unread.

    Withdrawn ones stay as they are: if their item is restored, they come back unread.
    """
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == actor.id,
            Notification.is_read.is_(False),
            visible_notifications(actor),
        )
        .values(is_read=True)
    )
    db.session.flush()
    return result.rowcount or 0
