"""The webhook address guard: IPv4 addresses carried inside IPv6 ones, and connecting to what was checked.

No request leaves this machine: host names resolve through a patched resolver to the addresses
under test, and the sockets webhooks open record where they would connect and refuse, so a
refused address is proven refused before any connect and an allowed one is never contacted.
"""

import ipaddress
import socket
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.errors import Invalid
from app.extensions import db
from app.models.base import utcnow
from app.models.user import User
from app.models.webhook import Webhook, WebhookDelivery
from app.services import outbox, webhook_delivery, webhooks
from tests.factories import make_idea, make_user

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"
# What the guard must keep out when an IPv6 address carries it.
NOT_PUBLIC_V4 = {
    "private 10/8": "10.0.0.1",
    "private 172.16/12": "172.16.5.4",
    "private 192.168/16": "192.168.1.20",
    "loopback": "127.0.0.1",
    "link-local (cloud metadata)": "169.254.169.254",
    "shared address space": "100.64.0.1",
    "unspecified": "0.0.0.0",  # noqa: S104 - an address under test, nothing listens on it
}


def six_to_four(v4: str) -> str:
    """2002:WWXX:YYZZ::/48, the 6to4 prefix of an IPv4 address (RFC 3056)."""
    return str(ipaddress.IPv6Address((0x2002 << 112) | (int(ipaddress.IPv4Address(v4)) << 80)))


def teredo(server: str, client: str) -> str:
    """2001:0:<server>:<flags>:<port>:<client>, the client's address and port inverted (RFC 4380)."""
    value = (0x2001_0000 << 96) | (int(ipaddress.IPv4Address(server)) << 64) | (0x8000 << 48)
    value |= (~0x3039 & 0xFFFF) << 32
    value |= ~int(ipaddress.IPv4Address(client)) & 0xFFFF_FFFF
    return str(ipaddress.IPv6Address(value))


def nat64(v4: str, prefix: str = "64:ff9b::") -> str:
    """The IPv4 address in the last 32 bits of a NAT64 prefix (RFC 6052's /96 form)."""
    return str(ipaddress.IPv6Address(int(ipaddress.IPv6Address(prefix)) | int(ipaddress.IPv4Address(v4))))


def mapped(v4: str) -> str:
    return f"::ffff:{v4}"


FORMS = {
    "6to4": six_to_four,
    "Teredo server": lambda v4: teredo(v4, PUBLIC_V4),
    "Teredo client": lambda v4: teredo(PUBLIC_V4, v4),
    "NAT64 well-known": nat64,
    "NAT64 local-use": lambda v4: nat64(v4, "64:ff9b:1::"),
    "IPv4-mapped": mapped,
}

EMBEDDING_NOT_PUBLIC = [
    pytest.param(make(v4), id=f"{form}-{kind}")
    for form, make in FORMS.items()
    for kind, v4 in NOT_PUBLIC_V4.items()
]


def test_the_addresses_under_test_carry_what_they_say():
    assert ipaddress.IPv6Address(six_to_four("10.0.0.1")).sixtofour == ipaddress.IPv4Address("10.0.0.1")
    assert ipaddress.IPv6Address(teredo("10.0.0.1", "127.0.0.1")).teredo == (
        ipaddress.IPv4Address("10.0.0.1"),
        ipaddress.IPv4Address("127.0.0.1"),
    )
    assert nat64("127.0.0.1") == "64:ff9b::7f00:1"
    assert nat64("10.0.0.1", "64:ff9b:1::") == "64:ff9b:1::a00:1"


@pytest.mark.parametrize("address", EMBEDDING_NOT_PUBLIC)
def test_an_ipv6_address_carrying_a_non_public_ipv4_address_is_refused(address):
    assert webhook_delivery._forbidden(address)


@pytest.mark.parametrize(
    "address",
    [
        pytest.param(PUBLIC_V4, id="public IPv4"),
        pytest.param(PUBLIC_V6, id="public IPv6"),
        pytest.param(mapped(PUBLIC_V4), id="IPv4-mapped public"),
        # What a DNS64 resolver answers for an IPv4-only receiver on an IPv6-only network.
        pytest.param(nat64(PUBLIC_V4), id="NAT64 well-known public"),
    ],
)
def test_public_addresses_are_allowed(address):
    assert not webhook_delivery._forbidden(address)


@pytest.mark.parametrize(
    "address",
    [
        # Transition prefixes that are not globally reachable, whatever they carry.
        pytest.param(six_to_four(PUBLIC_V4), id="6to4 public"),
        pytest.param(teredo(PUBLIC_V4, PUBLIC_V4), id="Teredo public"),
        pytest.param(nat64(PUBLIC_V4, "64:ff9b:1::"), id="NAT64 local-use public"),
        pytest.param("::1", id="loopback"),
        pytest.param("fe80::1%eth0", id="link-local with zone"),
        pytest.param("fd12:3456::1", id="unique local"),
        pytest.param("ff02::1", id="multicast"),
        pytest.param("::", id="unspecified"),
        pytest.param("::127.0.0.1", id="IPv4-compatible"),
        pytest.param("2001:db8::1", id="documentation"),
    ],
)
def test_other_non_public_ipv6_addresses_are_refused(address):
    assert webhook_delivery._forbidden(address)


# ---- Through the service, with a resolver and sockets that never reach the network ----


class Network:
    """The socket module as the webhooks service sees it.

    Names resolve to the answers the test queues (the last one repeats); sockets record the
    address they are asked to connect to and refuse, so nothing is ever contacted.
    """

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.lookups: list[str] = []
        self.connects: list[str] = []

    def __getattr__(self, name):
        return getattr(socket, name)

    def getaddrinfo(self, host, port, *args, **kwargs):
        self.lookups.append(host)
        address = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if ":" in address:
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    def socket(self, family, kind, proto):
        return RecordingSocket(self)


class RecordingSocket:
    def __init__(self, network: Network) -> None:
        self.network = network

    def settimeout(self, timeout) -> None:
        pass

    def bind(self, address) -> None:
        raise AssertionError("webhooks do not bind a source address")

    def connect(self, sockaddr) -> None:
        self.network.connects.append(sockaddr[0])
        raise ConnectionRefusedError(f"the test refuses every connection ({sockaddr[0]})")

    def close(self) -> None:
        pass


@pytest.fixture
def admin(app) -> User:
    return make_user("admin")


@pytest.fixture
def private_allowed_off(app):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False


def network(monkeypatch, *answers: str) -> Network:
    fake = Network(*answers)
    monkeypatch.setattr(webhook_delivery, "socket", fake)
    return fake


def delivery() -> WebhookDelivery:
    db.session.expire_all()
    return db.session.scalars(select(WebhookDelivery)).one()


@pytest.mark.parametrize(
    "address", [six_to_four("10.0.0.1"), teredo(PUBLIC_V4, "127.0.0.1"), nat64("169.254.169.254")]
)
def test_a_host_resolving_to_a_carried_private_address_is_not_saved(
    app, admin, monkeypatch, private_allowed_off, address
):
    net = network(monkeypatch, address)

    with pytest.raises(Invalid) as refused:
        webhooks.create_webhook(admin, "https://hooks.example.com/cocreate", ["idea.created"])

    assert refused.value.fields["url"] == [
        f"hooks.example.com resolves to {address}, a private, loopback or link-local address; "
        "webhooks only go to public addresses."
    ]
    assert net.connects == []
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Webhook)) == 0


def test_a_delivery_to_a_host_now_resolving_to_a_carried_private_address_never_connects(
    app, admin, monkeypatch, private_allowed_off
):
    net = network(monkeypatch, PUBLIC_V4, six_to_four("192.168.1.20"))
    webhooks.create_webhook(admin, "http://hooks.example.com/cocreate", ["idea.created"])
    db.session.commit()
    make_idea()

    assert outbox.deliver_due() == 1

    assert net.connects == []
    assert delivery().status == "pending"
    assert delivery().last_error.startswith("Not sent: hooks.example.com resolves to 2002:c0a8:114::")


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_delivery_connects_to_the_address_it_checked_and_never_looks_the_name_up_again(
    app, admin, monkeypatch, private_allowed_off, scheme
):
    """DNS rebinding: the name answers a public address, then this machine to every later lookup."""
    net = network(monkeypatch, PUBLIC_V4, PUBLIC_V4, "127.0.0.1")
    webhooks.create_webhook(admin, f"{scheme}://hooks.example.com:8443/cocreate", ["idea.created"])
    db.session.commit()
    make_idea()
    assert net.lookups == ["hooks.example.com"]  # checked when saved

    assert outbox.deliver_due() == 1

    # One lookup for the delivery, checked, and the connection went to exactly that answer.
    assert net.lookups == ["hooks.example.com"] * 2
    assert net.connects == [PUBLIC_V4]
    assert delivery().last_error.startswith("ConnectionRefusedError")

    # The retry looks the name up afresh, gets 127.0.0.1 and is refused before connecting.
    monkeypatch.setattr(outbox, "utcnow", lambda: utcnow() + outbox.backoff(1) + timedelta(seconds=1))
    assert outbox.deliver_due() == 1
    assert net.lookups == ["hooks.example.com"] * 3
    assert net.connects == [PUBLIC_V4]
    assert delivery().last_error == (
        "Not sent: hooks.example.com resolves to 127.0.0.1, a private, loopback or link-local address; "
        "webhooks only go to public addresses."
    )


def test_allowing_private_targets_still_allows_them(app, admin, monkeypatch):
    """WEBHOOK_ALLOW_PRIVATE (receivers on the same network) lets carried private addresses through too."""
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    net = network(monkeypatch, six_to_four("10.0.0.1"))
    webhooks.create_webhook(admin, "http://hooks.example.com/cocreate", ["idea.created"])
    db.session.commit()
    make_idea()

    assert outbox.deliver_due() == 1

    assert net.connects == [six_to_four("10.0.0.1")]
