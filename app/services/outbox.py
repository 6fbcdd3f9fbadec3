"""The transactional outbox: enqueue in the caller's transaction, deliver from the worker."""

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app, render_template
from sqlalchemy import select

from app import mail
from app.extensions import db
from app.models.base import utcnow
from app.models.outbox import OutboxMessage
from app.services import webhook_delivery

log = logging.getLogger(__name__)

# Work done later by the worker, by kind of outbox message: filled by the services that own it
# (register_job), so this module needs to import none of them.
JOB_HANDLERS: dict[str, Callable[[dict[str, Any]], None]] = {}


def register_job(kind: str, handler: Callable[[dict[str, Any]], None]) -> None:
    """Have the worker call `handler(payload)` for outbox messages of `kind`."""
    if kind in ("email", "webhook"):
        raise ValueError(f"{kind!r} is a built-in kind of outbox message")
    JOB_HANDLERS[kind] = handler


def enqueue_job(kind: str, payload: dict[str, Any]) -> OutboxMessage:
    """Queue work for the worker; it runs only if the surrounding transaction commits."""
    if kind not in JOB_HANDLERS:
        raise ValueError(f"no job handler registered for {kind!r}")
    message = OutboxMessage(kind=kind, payload=payload)
    db.session.add(message)
    return message


def enqueue_email(
    to: str, subject: str, template: str, headers: dict[str, str] | None = None, **context: Any
) -> OutboxMessage:
    """Write an email to the outbox; it is sent only if the surrounding transaction commits."""
    text = render_template(template, site_name=current_app.config["SITE_NAME"], **context)
    payload: dict[str, Any] = {"to": to, "subject": subject, "text": text}
    if headers:
        payload["headers"] = headers
    message = OutboxMessage(kind="email", payload=payload)
    db.session.add(message)
    return message


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 30 s, 1 min, 2 min, ... capped at 6 hours."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def _deliver(message: OutboxMessage) -> None:
    if message.kind == "email":
        mail.send_email(message.id, message.payload)
    elif message.kind == "webhook":
        last_attempt = message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]
        webhook_delivery.deliver(message.payload["delivery_id"], last_attempt=last_attempt)
    elif message.kind in JOB_HANDLERS:
        JOB_HANDLERS[message.kind](message.payload)
        # What a job needed to keep secret (a password hash) is not kept once it ran.
        message.payload = {
            key: value for key, value in message.payload.items() if not key.startswith("secret_")
        }
    else:
        raise RuntimeError(f"unknown outbox kind {message.kind!r}")


def deliver_due(limit: int = 20) -> int:
    """Deliver up to `limit` due messages, one transaction each; returns how many were tried.

    Each message is locked (FOR UPDATE SKIP LOCKED on PostgreSQL) while it is sent and
    marked sent in the same transaction, so parallel workers never take the same row and
    a restart never resends what was marked sent.
    """
    tried = 0
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    while tried < limit:
        message = db.session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.available_at <= utcnow())
            .order_by(OutboxMessage.available_at, OutboxMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if message is None:
            db.session.rollback()
            break
        tried += 1
        message.attempts += 1
        try:
            _deliver(message)
        except Exception as error:  # noqa: BLE001 - any transport failure is retried
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= max_attempts:
                message.status = "failed"
                log.error("Outbox message %s failed for good: %s", message.id, message.last_error)
            else:
                message.available_at = utcnow() + backoff(message.attempts)
                log.warning("Outbox message %s failed, will retry: %s", message.id, message.last_error)
        else:
            message.status = "sent"
            message.sent_at = utcnow()
            message.last_error = None
        db.session.commit()
    return tried
