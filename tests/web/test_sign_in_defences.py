"""No account enumeration and no lockout as a weapon (security audit, points 6 and 10)."""

import re
import time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.user import User
from tests.factories import PASSWORD, make_user

ATTACKER = {"REMOTE_ADDR": "127.0.0.66"}
OWNER = {"REMOTE_ADDR": "127.0.0.7"}


@pytest.fixture
def clock(monkeypatch):
    """Move the clock that the throttle (and its storage) read, without sleeping."""
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])

    def advance(seconds: float) -> None:
        now[0] += seconds

    return advance


def attempt(client, password, environ, email="ann@example.com"):
    return client.post_form(
        "/sign-in", {"email": email, "password": password}, page="/sign-in", environ_base=environ
    )


# 6. Account enumeration


def test_reset_requests_do_the_same_work_for_any_address(client, count_queries):
    make_user(email="ann@example.com")
    client.get("/forgot-password")
    answers, statements = [], []
    for email in ("ann@example.com", "ghost@example.com"):
        token = client.csrf_token("/forgot-password")
        with count_queries() as queries:
            response = client.post("/forgot-password", data={"email": email, "csrf_token": token})
        answers.append((response.status_code, response.headers["Location"]))
        statements.append(queries)
    assert answers[0] == answers[1]
    # The same statements, so the same time: whether the account exists is decided by the worker.
    assert statements[0] == statements[1]
    assert not any("FROM users" in statement for statement in statements[0])


def test_registration_does_the_same_work_for_a_taken_and_a_free_address(client, count_queries):
    make_user(email="taken@example.com")
    statements, pages = [], []
    for email in ("taken@example.com", "free@example.com"):
        data = {"email": email, "display_name": "Someone", "password": "a long enough secret"}
        data["csrf_token"] = client.csrf_token("/register")
        with count_queries() as queries:
            response = client.post("/register", data=data)
        statements.append(queries)
        pages.append(response.get_data(as_text=True).replace(email, "EMAIL"))
    assert statements[0] == statements[1]
    assert pages[0] == pages[1]


def test_the_owner_of_a_taken_address_gets_an_email_and_the_account_is_untouched(client, outbox_mail):
    owner = make_user(email="taken@example.com", name="Owner")
    client.post_form(
        "/register",
        {"email": "taken@example.com", "display_name": "Intruder", "password": "another long one"},
    )
    [mail] = outbox_mail()
    assert mail["To"] == "taken@example.com"
    assert "Someone tried to register with your address" in mail["Subject"]
    stored = db.session.get(User, owner.id)
    assert (stored.display_name, stored.password_hash) == ("Owner", owner.password_hash)


def test_a_second_registration_of_an_unconfirmed_address_offers_only_a_password_reset(client, outbox_mail):
    """A squatter's registration can't be confirmed by the real owner's click: the owner resets."""
    for name in ("Squatter", "Real Owner"):
        client.post_form(
            "/register",
            {"email": "pat@example.com", "display_name": name, "password": "a long enough secret"},
        )
    first, second = outbox_mail()
    assert "/verify-email/" in first.get_content()
    assert "/verify-email/" not in second.get_content()
    assert "/forgot-password" in second.get_content()


# 10. Lockout as a weapon


def test_failing_on_purpose_elsewhere_never_locks_the_owner_out_for_long(app, client, clock):
    make_user(email="ann@example.com")
    botnet = app.test_client()
    failures = 0
    for address in range(12):  # 60 failures from 12 addresses, each within its own free tries
        while failures < 5 * (address + 1):
            response = attempt(botnet, "guess", {"REMOTE_ADDR": f"127.0.1.{address}"})
            if response.status_code == 429:  # the account's short delay: the botnet waits it out
                clock(int(response.headers["Retry-After"]))
            else:
                assert response.status_code == 200
                failures += 1
    refused = attempt(client, PASSWORD, OWNER)
    assert refused.status_code == 429  # the account as a whole is slowed down ...
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 30  # ... for half a minute at most, never an hour
    assert "reset your password to get in at once" in refused.get_data(as_text=True)
    clock(wait)
    assert attempt(client, PASSWORD, OWNER).status_code == 302


def test_delays_grow_for_the_address_that_keeps_failing(app, client, clock):
    make_user(email="ann@example.com")
    for _ in range(5):
        assert attempt(client, "guess", ATTACKER).status_code == 200
    waits = []
    for _ in range(4):
        response = attempt(client, "guess", ATTACKER)
        assert response.status_code == 429
        waits.append(int(response.headers["Retry-After"]))
        clock(waits[-1])
        attempt(client, "guess", ATTACKER)  # fails again once the wait is over
    assert waits == sorted(waits)
    assert waits[-1] > waits[0]
    # Even the right password waits its turn, so guessing gains nothing.
    assert attempt(client, PASSWORD, ATTACKER).status_code == 429


def test_a_reset_link_lets_the_owner_in_while_sign_in_is_throttled(app, client, clock, outbox_mail):
    make_user(email="ann@example.com")
    for _ in range(10):
        attempt(client, "guess", OWNER)
    assert attempt(client, PASSWORD, OWNER).status_code == 429
    client.post_form("/forgot-password", {"email": "ann@example.com"})
    link = re.search(r"(/reset-password/\S+)", outbox_mail()[0].get_content()).group(1)
    assert client.post_form(link, {"password": "a brand new secret"}).status_code == 302
    assert "Sign out" in client.get("/").get_data(as_text=True)
    client.post_form("/sign-out", page="/")
    assert attempt(client, "a brand new secret", OWNER).status_code == 302
    assert db.session.scalar(select(User.last_sign_in_at)) is not None
