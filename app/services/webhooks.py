"""Outgoing webhooks: admins subscribe URLs to site events; the outbox worker sends them, signed.

Services call the event functions at the bottom (`idea_created`, `vote_cast`, ...) inside their
own transaction: each subscribed webhook gets a WebhookDelivery row and an outbox message, so a
rolled-back change sends nothing and a committed one is never lost. The worker calls
`deliver()`; a failure raises, and the outbox retries with its backoff.

Targets must be public addresses: a URL whose host resolves to a private, loopback,
link-local, multicast, reserved or unspecified address, or to an IPv6 address that carries
such an IPv4 address (6to4, Teredo, NAT64, IPv4-mapped), is refused when it is saved and again
when each delivery connects (DNS can change in between), unless WEBHOOK_ALLOW_PRIVATE is set.
A delivery looks the name up once and connects to exactly the addresses that passed the check.
See docs/webhooks.md for what receivers get and how they check the signature.
"""

import contextlib
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.links import absolute_url
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea, IdeaStatusChange
from app.models.launch import Launch
from app.models.outbox import OutboxMessage
from app.models.roadmap import RoadmapItem
from app.models.user import User
from app.models.webhook import Webhook, WebhookDelivery
from app.permissions import require
from app.services import audit
from app.text import excerpt, normalize_line

log = logging.getLogger(__name__)

EVENTS = (
    "idea.created",
    "idea.status_changed",
    "comment.created",
    "vote.cast",
    "roadmap.shipped",
    "launch.outcome",
)
# Sent by the admin page's "Send a test ping", whatever the webhook subscribes to.
PING = "ping"
URL_MAX = 2000
DESCRIPTION_MAX = 200
ERROR_MAX = 500
LOG_LIMIT = 50
TIMEOUT_SECONDS = 10
USER_AGENT = "Cocreate-Webhooks"
NO_WEBHOOK = "No such webhook."


class RefusedTarget(OSError):
    """The webhook's host resolves to an address webhooks may not reach."""


# ---- Checking target addresses ----


# 64:ff9b::/96 (NAT64's well-known prefix) stands for the IPv4 address in its last 32 bits, as
# ::ffff:0:0/96 (IPv4-mapped) does: the translator, or the operating system, connects to that
# IPv4 address, so it is the one judged. ipaddress calls both prefixes reserved.
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
# 6to4 is not globally reachable (IANA special-purpose registry, RFC 7526); Python before 3.12.4
# calls it global. Teredo (2001::/32) and local-use NAT64 are private or reserved in every version.
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")


def _not_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: IPv4-mapped, 6to4, Teredo (server and client), NAT64."""
    found = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64_WELL_KNOWN or ip in _NAT64_LOCAL:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF))
    return found


def _forbidden(address: str) -> bool:
    """Whether webhooks must not connect to `address`: it, or an IPv4 address inside it, is not public.

    An IPv6 address can carry an IPv4 address that a relay or translator on the way connects
    to (6to4, Teredo, NAT64) or that the operating system connects to itself (IPv4-mapped):
    each of those must be public too, or the address reaches inside the network.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv4Address):
        return _not_public(ip)
    if any(_not_public(inner) for inner in _embedded_ipv4(ip)):
        return True
    if ip.ipv4_mapped is not None or ip in _NAT64_WELL_KNOWN:
        return False
    return ip in _SIX_TO_FOUR or _not_public(ip)


def _allow_private() -> bool:
    return bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE", False))


def _resolve(host: str, port: int) -> list[tuple[Any, ...]]:
    """The host's addresses (getaddrinfo rows), refused if any of them is not a public one."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not _allow_private():
        for info in infos:
            address = info[4][0]
            if _forbidden(address):
                raise RefusedTarget(
                    f"{host} resolves to {address}, a private, loopback or link-local address; "
                    "webhooks only go to public addresses."
                )
    return infos


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
        _resolve(parts.hostname, port)
    except RefusedTarget as error:
        raise refuse(str(error)) from None
    except (OSError, UnicodeError):
        raise refuse(f"The host {parts.hostname} could not be found.") from None
    return url


# ---- Managing webhooks (admins) ----


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
        description = normalize_line(description) if isinstance(description, str) else ""
        if len(description) > DESCRIPTION_MAX:
            fields["description"] = [f"Keep the description to {DESCRIPTION_MAX} characters or fewer."]
        values["description"] = description
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
    [delivery] = _queue([webhook], PING, data)
    return delivery


# ---- Queueing and sending ----


def _queue(webhooks: list[Webhook], event: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    now = utcnow()
    deliveries = [
        WebhookDelivery(webhook_id=webhook.id, event=event, payload=data, status="pending", created_at=now)
        for webhook in webhooks
    ]
    db.session.add_all(deliveries)
    db.session.flush()
    db.session.add_all(
        OutboxMessage(kind="webhook", payload={"delivery_id": delivery.id}, available_at=now, created_at=now)
        for delivery in deliveries
    )
    db.session.flush()
    return deliveries


def emit(event: str, data: dict[str, Any] | Callable[[], dict[str, Any]]) -> list[WebhookDelivery]:
    """Queue `event` for every active webhook subscribed to it, in the caller's transaction.

    `data` (or the function that makes it, called only when someone listens) must hold nothing
    private: ids, titles, statuses and links, never email addresses or hidden content.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    webhooks = [
        webhook
        for webhook in db.session.scalars(select(Webhook).where(Webhook.is_active.is_(True)))
        if event in (webhook.events or [])
    ]
    if not webhooks:
        return []
    return _queue(webhooks, event, data() if callable(data) else data)


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def body_of(delivery: WebhookDelivery) -> bytes:
    """The JSON a delivery sends; the same bytes on every retry."""
    envelope = {
        "id": delivery.id,
        "event": delivery.event,
        "created_at": _timestamp(delivery.created_at),
        "data": delivery.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Cocreate-Signature value: HMAC-SHA256 of "<timestamp>.<body>" with the secret."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _checked_connection(address: tuple[str, int], timeout: Any = None, source_address: Any = None):
    """socket.create_connection, but only to addresses that pass the check at this very moment."""
    host, port = address
    error: OSError | None = None
    for family, kind, proto, _, sockaddr in _resolve(host, port):
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not None and timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as failure:
            error = failure
            sock.close()
    raise error or OSError(f"{host} has no address")


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_HTTPSConnection, req, context=self._context)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect could point anywhere, inside the network too: a 3xx answer is a failed delivery.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _opener() -> urllib.request.OpenerDirector:
    # No proxies from the environment: the address check must apply to the receiver itself.
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _HTTPHandler(), _HTTPSHandler(), _NoRedirects()
    )


def _post(webhook: Webhook, delivery: WebhookDelivery) -> int:
    """POST the delivery; returns the status code of a 2xx answer, raises on anything else."""
    url = webhook.url
    parts = urlsplit(url)
    # Checked when saved; checked again because urllib would also open file:// and ftp:// URLs.
    if parts.scheme.lower() not in ("http", "https") or parts.username or parts.password:
        raise RefusedTarget("the address is not an http(s) address without credentials.")
    body = body_of(delivery)
    timestamp = int(utcnow().timestamp())
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Cocreate-Event": delivery.event,
            "X-Cocreate-Delivery": str(delivery.id),
            "X-Cocreate-Timestamp": str(timestamp),
            "X-Cocreate-Signature": signature(webhook.secret, timestamp, body),
        },
    )
    with _opener().open(request, timeout=TIMEOUT_SECONDS) as response:
        status = response.status
        response.read(1024)
    if not 200 <= status < 300:
        raise urllib.error.HTTPError(url, status, f"answered {status}", response.headers, None)
    return status


def _describe(error: BaseException) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"The receiver answered {error.code} {error.reason}".strip()
    if isinstance(error, urllib.error.URLError):
        error = error.reason if isinstance(error.reason, BaseException) else error
    if isinstance(error, RefusedTarget):
        return f"Not sent: {error}"
    if isinstance(error, TimeoutError):
        return f"No answer within {TIMEOUT_SECONDS} seconds."
    return f"{type(error).__name__}: {error}"


def deliver(delivery_id: int, last_attempt: bool = False) -> None:
    """Send one delivery (the outbox worker calls this); raises when it should be tried again.

    `last_attempt` says the outbox gives up if this try fails: the delivery is then marked failed.
    """
    delivery = db.session.scalar(
        select(WebhookDelivery)
        .options(joinedload(WebhookDelivery.webhook))
        .where(WebhookDelivery.id == delivery_id)
    )
    if delivery is None or delivery.status != "pending":
        # The webhook was deleted (its log with it), or this delivery is settled already.
        return
    if not delivery.webhook.is_active:
        delivery.status = "failed"
        delivery.last_error = "Not sent: the webhook was turned off."
        return
    delivery.attempts += 1
    try:
        status = _post(delivery.webhook, delivery)
    except Exception as error:
        delivery.last_status_code = None
        if isinstance(error, urllib.error.HTTPError):
            delivery.last_status_code = error.code
            with contextlib.suppress(Exception):
                error.close()
        delivery.last_error = _describe(error)[:ERROR_MAX]
        if last_attempt:
            delivery.status = "failed"
        raise
    delivery.status = "delivered"
    delivery.delivered_at = utcnow()
    delivery.last_status_code = status
    delivery.last_error = None


# ---- Events, called by the services that cause them ----


def _idea_is_public(idea: Idea) -> bool:
    return not (idea.is_pending or idea.hidden_at is not None or idea.deleted_at is not None)


def _idea(idea: Idea) -> dict[str, Any]:
    return {
        "id": idea.id,
        "title": idea.title,
        "status": idea.status,
        "url": absolute_url("ideas.detail", idea_id=idea.id),
    }


def _person(user: User) -> dict[str, Any]:
    return {"id": user.id, "display_name": user.display_name}


def idea_created(idea: Idea, author: User) -> None:
    """An idea everyone can see was posted (pending ones wait for a moderator)."""
    if _idea_is_public(idea):
        emit("idea.created", lambda: {"idea": {**_idea(idea), "author": _person(author)}})


def idea_status_changed(idea: Idea, change: IdeaStatusChange) -> None:
    if _idea_is_public(idea):
        emit(
            "idea.status_changed",
            lambda: {
                "idea": _idea(idea),
                "from_status": change.from_status,
                "to_status": change.to_status,
                "note": change.note,
            },
        )


def comment_created(comment: Comment, idea: Idea, author: User) -> None:
    """A public comment on a public idea (not internal notes, not comments waiting for review)."""
    if comment.is_internal or comment.is_pending or comment.idea_id is None or not _idea_is_public(idea):
        return
    emit(
        "comment.created",
        lambda: {
            "comment": {
                "id": comment.id,
                "parent_id": comment.parent_id,
                "excerpt": excerpt(comment.body, 280),
                "author": _person(author),
                "url": absolute_url("ideas.detail", idea_id=idea.id) + f"#comment-{comment.id}",
            },
            "idea": _idea(idea),
        },
    )


def vote_cast(idea: Idea) -> None:
    """A vote was added to an idea; who voted is not sent."""
    if _idea_is_public(idea):
        emit(
            "vote.cast",
            lambda: {
                "idea": {
                    **_idea(idea),
                    "vote_count": db.session.scalar(select(Idea.vote_count).where(Idea.id == idea.id)),
                }
            },
        )


def roadmap_shipped(item: RoadmapItem) -> None:
    """A public roadmap item shipped (private items stay private)."""
    if item.is_public and item.is_shipped:
        emit(
            "roadmap.shipped",
            lambda: {
                "roadmap_item": {
                    "id": item.id,
                    "title": item.title,
                    "status": item.status,
                    "target": item.target,
                    "release_note": item.release_note,
                    "shipped_at": _timestamp(item.shipped_at or utcnow()),
                    "url": absolute_url("roadmap.detail", item_id=item.id),
                }
            },
        )


def launch_outcome(launch: Launch) -> None:
    """A learning launch was completed with its outcome."""
    if launch.is_completed and launch.decision:
        emit(
            "launch.outcome",
            lambda: {
                "launch": {
                    "id": launch.id,
                    "title": launch.title,
                    "status": launch.status,
                    "decision": launch.decision,
                    "summary": launch.outcome_summary,
                    "url": absolute_url("launches.detail", launch_id=launch.id),
                }
            },
        )
