"""Outgoing webhooks, as admins manage them: subscribe URLs to site events, ping them, read the log.

What each event carries and how it is queued is in webhook_events.py; how a delivery is sent,
and to which addresses, in webhook_delivery.py.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select

from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.models.base import utcnow
from app.models.user import User
from app.models.webhook import Webhook, WebhookDelivery
from app.permissions import require
from app.services import audit
from app.services.fields import FieldTable, Text
from app.services.webhook_delivery import RefusedTarget, resolve_public
from app.services.webhook_events import EVENTS, PING, queue

URL_MAX = 2000
# A webhook's texts: the rules, the messages, the form's labels and hints.
TEXTS = FieldTable(
    Text(
        "description",
        "Description",
        high=200,
        called="the description",
        hint="Optional: what receives these events, for the admins who come after you.",
    )
)
LOG_LIMIT = 50
NO_WEBHOOK = "No such webhook."


def check_url(url: Any) -> str:
    """The URL, trimmed, if webhooks may post to it; else Invalid with a message for the `url` field."""
    url = url.strip() if isinstance(url, str) else ""

    def refuse(message: str) -> Invalid:
        return Invalid({"url": [message]})

    if not url:
        raise refuse("Enter the address to send events to, like https://example.com/hooks/cocreate.")
    if len(url) > URL_MAX:
        raise refuse(f"Keep the address to {URL_MAX:,} characters or fewer.")
    if any(char.isspace() or ord(char) < 32 for char in url):
        raise refuse("The address can't contain spaces or control characters.")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise refuse("Use an http:// or https:// address.")
    if parts.username is not None or parts.password is not None:
        raise refuse(
            "Leave the user name and password out of the address: the signature tells receivers "
            "the request is from this site."
        )
    if not parts.hostname:
        raise refuse("The address needs a host name, like https://example.com/hooks.")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise refuse("The port in the address is not a number from 1 to 65535.") from None
    try:
        resolve_public(parts.hostname, port)
    except RefusedTarget as error:
        raise refuse(str(error)) from None
    except (OSError, UnicodeError):
        raise refuse(f"The host {parts.hostname} could not be found.") from None
    return url


@dataclass(frozen=True)
class WebhookRow:
    webhook: Webhook
    delivered: int
    pending: int
    failed: int
    last_delivery_at: datetime | None


def _check(
    fields: dict[str, list[str]], description: Any = None, events: Iterable[Any] | None = None
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if description is not None:
        values.update(TEXTS.check({"description": description}, fields))
    if events is not None:
        chosen = [event for event in events if isinstance(event, str)]
        unknown = [event for event in chosen if event not in EVENTS]
        if unknown or len(chosen) != len(list(events)):
            fields["events"] = [f"Events must be among: {', '.join(EVENTS)}."]
        elif not chosen:
            fields["events"] = ["Choose at least one event to send."]
        # Stored in the order of EVENTS, each once.
        values["events"] = [event for event in EVENTS if event in chosen]
    return values


def _validated(url: Any = None, description: Any = None, events: Iterable[Any] | None = None) -> dict:
    fields: dict[str, list[str]] = {}
    events = list(events) if events is not None else None
    values = _check(fields, description=description, events=events)
    if url is not None:
        try:
            values["url"] = check_url(url)
        except Invalid as error:
            fields.update(error.fields)
    if fields:
        raise Invalid(fields)
    return values


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(32)


def create_webhook(
    actor: User, url: Any, events: Iterable[Any], description: Any = "", is_active: bool = True
) -> Webhook:
    """Subscribe a URL to events; its signing secret is made here (admins only)."""
    require(actor, "webhook.manage")
    values = _validated(url=url, description=description or "", events=events)
    webhook = Webhook(
        url=values["url"],
        description=values["description"],
        events=values["events"],
        secret=new_secret(),
        is_active=bool(is_active),
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(webhook)
    db.session.flush()
    audit.record(actor, "webhook.create", "webhook", webhook.id, after=webhook.url)
    db.session.flush()
    return webhook


def _summary(webhook: Webhook) -> str:
    state = "on" if webhook.is_active else "off"
    return f"{webhook.url} ({state}): {', '.join(webhook.events)}. {webhook.description}".strip()


def update_webhook(
    actor: User,
    webhook: Webhook,
    url: Any = None,
    description: Any = None,
    events: Iterable[Any] | None = None,
    is_active: bool | None = None,
) -> Webhook:
    """Change a webhook's address, description, events or whether it is on (admins only)."""
    require(actor, "webhook.manage", webhook)
    before = _summary(webhook)
    values = _validated(url=url, description=description, events=events)
    for name, value in values.items():
        setattr(webhook, name, value)
    if is_active is not None:
        webhook.is_active = bool(is_active)
    after = _summary(webhook)
    if after != before:
        audit.record(actor, "webhook.update", "webhook", webhook.id, before=before, after=after)
    db.session.flush()
    return webhook


def delete_webhook(actor: User, webhook: Webhook) -> None:
    """Remove a webhook and its delivery log; what is still queued for it is dropped."""
    require(actor, "webhook.manage", webhook)
    audit.record(actor, "webhook.delete", "webhook", webhook.id, before=webhook.url)
    db.session.delete(webhook)
    db.session.flush()


def get_webhook(actor: Any, webhook_id: int) -> Webhook:
    require(actor, "webhook.manage")
    webhook = db.session.get(Webhook, webhook_id) if 0 < webhook_id < 2**31 else None
    if webhook is None:
        raise NotFound(NO_WEBHOOK)
    return webhook


def list_webhooks(actor: Any) -> list[WebhookRow]:
    """Every webhook with its delivery counts, oldest first; two queries."""
    require(actor, "webhook.manage")
    webhooks = list(db.session.scalars(select(Webhook).order_by(Webhook.id)))
    counts: dict[int, dict[str, int]] = {}
    latest: dict[int, datetime] = {}
    rows = db.session.execute(
        select(
            WebhookDelivery.webhook_id,
            WebhookDelivery.status,
            func.count(),
            func.max(WebhookDelivery.created_at),
        ).group_by(WebhookDelivery.webhook_id, WebhookDelivery.status)
    )
    for webhook_id, status, count, last in rows:
        counts.setdefault(webhook_id, {})[status] = count
        if last is not None and (webhook_id not in latest or last > latest[webhook_id]):
            latest[webhook_id] = last
    return [
        WebhookRow(
            webhook,
            counts.get(webhook.id, {}).get("delivered", 0),
            counts.get(webhook.id, {}).get("pending", 0),
            counts.get(webhook.id, {}).get("failed", 0),
            latest.get(webhook.id),
        )
        for webhook in webhooks
    ]


def delivery_log(actor: Any, webhook: Webhook, limit: int = LOG_LIMIT) -> list[WebhookDelivery]:
    """The webhook's latest deliveries, newest first; one query."""
    require(actor, "webhook.manage", webhook)
    return list(
        db.session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook.id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


def send_ping(actor: User, webhook: Webhook) -> WebhookDelivery:
    """Queue a "ping" event to the webhook, to check that the receiver answers."""
    require(actor, "webhook.manage", webhook)
    if not webhook.is_active:
        raise Conflict("The webhook is turned off; turn it on to send it a ping.")
    data = {"webhook": {"id": webhook.id, "events": list(webhook.events)}, "sent_by": actor.display_name}
    [delivery] = queue([webhook], PING, data)
    return delivery
