"""In-app notifications and their email copies (at once, as a daily digest, or never).

Notifications are written in the same transaction as the event that causes them. Each
event reaches each person at most once, and never the person who caused it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update

from app.errors import Invalid, NotFound
from app.extensions import db
from app.links import absolute_url
from app.models.base import utcnow
from app.models.notification import Notification
from app.models.user import EMAIL_PREFERENCES, User
from app.permissions import require
from app.services import outbox
from app.services.pagination import Page, paginate

DIGEST_INTERVAL = timedelta(days=1)


@dataclass(frozen=True)
class Recipient:
    """One person to tell about an event, and what to tell them."""

    user_id: int
    kind: str
    message: str


def notify(recipients: Iterable[Recipient], url: str, actor_id: int | None) -> list[Notification]:
    """Write one notification per person (the first entry for a person wins), skipping the actor.

    People who want email at once also get an outbox email in the same transaction.
    """
    chosen: dict[int, Recipient] = {}
    for recipient in recipients:
        if recipient.user_id != actor_id and recipient.user_id not in chosen:
            chosen[recipient.user_id] = recipient
    if not chosen:
        return []
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(list(chosen))))}
    now = utcnow()
    created = []
    for user_id, recipient in chosen.items():
        user = users.get(user_id)
        if user is None:
            continue
        notification = Notification(
            user_id=user_id,
            actor_id=actor_id,
            kind=recipient.kind,
            message=recipient.message,
            url=url,
            created_at=now,
        )
        if user.email_notifications == "immediately":
            _email_one(user, notification)
            notification.emailed_at = now
        db.session.add(notification)
        created.append(notification)
    db.session.flush()
    return created


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_token(user: User) -> str:
    return _unsubscribe_serializer().dumps(user.id)


def unsubscribe_url(user: User) -> str:
    return absolute_url("notifications.unsubscribe", token=unsubscribe_token(user))


def user_for_unsubscribe(token: str) -> User:
    try:
        user_id = _unsubscribe_serializer().loads(token)
    except BadSignature:
        raise NotFound("This unsubscribe link is not valid.") from None
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("This unsubscribe link is not valid.")
    return user


def unsubscribe(token: str) -> User:
    """Stop all notification email for the user the link was made for."""
    user = user_for_unsubscribe(token)
    user.email_notifications = "never"
    db.session.flush()
    return user


def _email_one(user: User, notification: Notification) -> None:
    site = current_app.config["SITE_NAME"]
    outbox.enqueue_email(
        to=user.email,
        subject=f"[{site}] {notification.message}"[:200],
        template="email/notification.txt",
        user=user,
        notification=notification,
        link=_absolute(notification.url),
        unsubscribe_url=unsubscribe_url(user),
        headers=_unsubscribe_headers(user),
    )


def _unsubscribe_headers(user: User) -> dict[str, str]:
    # RFC 8058 one-click unsubscribe: mail clients POST to the link without opening it.
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _absolute(path: str) -> str:
    return current_app.config["SITE_URL"].rstrip("/") + path


def set_email_preference(actor: User, user: User, preference: str) -> None:
    require(actor, "account.edit", user)
    if preference not in EMAIL_PREFERENCES:
        raise Invalid({"email_notifications": ["Choose immediately, daily digest or never."]})
    user.email_notifications = preference
    db.session.flush()


def send_daily_digests(now: datetime | None = None) -> int:
    """Email each daily-digest reader their unread, not yet emailed notifications; returns emails sent."""
    now = now or utcnow()
    due_before = now - DIGEST_INTERVAL
    users = db.session.scalars(
        select(User)
        .where(User.email_notifications == "daily")
        .where((User.digest_sent_at.is_(None)) | (User.digest_sent_at <= due_before))
        .where(
            select(Notification.id)
            .where(
                Notification.user_id == User.id,
                Notification.emailed_at.is_(None),
                Notification.is_read.is_(False),
            )
            .exists()
        )
    ).all()
    for user in users:
        pending = list(
            db.session.scalars(
                select(Notification)
                .where(
                    Notification.user_id == user.id,
                    Notification.emailed_at.is_(None),
                    Notification.is_read.is_(False),
                )
                .order_by(Notification.created_at, Notification.id)
            )
        )
        site = current_app.config["SITE_NAME"]
        outbox.enqueue_email(
            to=user.email,
            subject=f"[{site}] Your daily digest: {len(pending)} update{'s' if len(pending) != 1 else ''}",
            template="email/digest.txt",
            user=user,
            items=[(n, _absolute(n.url)) for n in pending],
            unsubscribe_url=unsubscribe_url(user),
            headers=_unsubscribe_headers(user),
        )
        for notification in pending:
            notification.emailed_at = now
        user.digest_sent_at = now
    db.session.flush()
    return len(users)


def list_notifications(user: User, page: int = 1, per_page: int = 25) -> Page:
    stmt = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return paginate(stmt, page, per_page)


def unread_count(user: User) -> int:
    stmt = select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.is_read.is_(False)
    )
    return db.session.scalar(stmt) or 0


def mark_read(actor: User, notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != actor.id:
        raise NotFound("No such notification.")
    require(actor, "notification.read", notification)
    notification.is_read = True
    db.session.flush()
    return notification


def mark_all_read(actor: User) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == actor.id, Notification.is_read.is_(False))
        .values(is_read=True)
    )
    db.session.flush()
