"""Webhook delivery: the HTTP client that posts a queued delivery, signed, to public addresses only.

The outbox worker calls `deliver()`; a failure raises, and the outbox retries with its backoff.

Targets must be public addresses: a host that resolves to a private, loopback, link-local,
multicast, reserved or unspecified address, or to an IPv6 address that carries such an IPv4
address (6to4, Teredo, NAT64, IPv4-mapped), is refused when a webhook is saved
(`resolve_public`) and again when each delivery connects (DNS can change in between), unless
WEBHOOK_ALLOW_PRIVATE is set. A delivery looks the name up once and connects to exactly the
addresses that passed the check. See docs/webhooks.md for what receivers get and how they
check the signature.
"""

import contextlib
import hashlib
import hmac
import http.client
import ipaddress
import socket
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.base import utcnow
from app.models.webhook import Webhook, WebhookDelivery
from app.services.webhook_events import body_of

ERROR_MAX = 500
TIMEOUT_SECONDS = 10
USER_AGENT = "Cocreate-Webhooks"


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


def resolve_public(host: str, port: int) -> list[tuple[Any, ...]]:
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


# ---- Sending ----


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Cocreate-Signature value: HMAC-SHA256 of "<timestamp>.<body>" with the secret."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _checked_connection(address: tuple[str, int], timeout: Any = None, source_address: Any = None):
    """socket.create_connection, but only to addresses that pass the check at this very moment."""
    host, port = address
    error: OSError | None = None
    for family, kind, proto, _, sockaddr in resolve_public(host, port):
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
