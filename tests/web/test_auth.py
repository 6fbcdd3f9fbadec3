"""Registering, signing in and out, and resetting a forgotten password in the browser."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.base import utcnow
from app.models.outbox import OutboxMessage
from app.models.user import PasswordResetToken, User
from tests.factories import PASSWORD, make_user


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def register(client, **fields):
    data = {"email": "new@example.com", "display_name": "New Person", "password": "a long enough secret"}
    data.update(fields)
    return client.post_form("/register", data)


def verify_link(mail) -> str:
    return re.search(r"http://127\.0\.0\.1:5000(/verify-email/\S+)", mail.get_content()).group(1)


def test_register_emails_a_link_that_confirms_the_address_and_signs_in(client, outbox_mail):
    response = register(client, email="  New@Example.COM ")
    assert response.status_code == 200
    assert "Check your inbox" in response.get_data(as_text=True)
    assert "Sign out" not in client.get("/").get_data(as_text=True)
    [mail] = outbox_mail()
    assert mail["To"] == "new@example.com"
    user = db.session.scalar(select(User))
    assert user.email == "new@example.com"
    assert user.role == "member"
    assert user.password_hash.startswith("$argon2id$")
    assert not user.is_email_verified

    link = verify_link(mail)
    page = client.get(link)  # opening the link (or a mail scanner opening it) changes nothing
    assert "Confirm and sign in" in page.get_data(as_text=True)
    assert not db.session.get(User, user.id).is_email_verified
    response = client.post_form(link)
    assert response.status_code == 302
    assert db.session.get(User, user.id).is_email_verified
    page = client.get("/").get_data(as_text=True)
    assert "New Person" in page
    assert "Sign out" in page


def test_an_unconfirmed_account_signs_in_to_read_and_gets_a_new_link(client, outbox_mail):
    register(client)
    outbox_mail()
    response = client.post_form("/sign-in", {"email": "new@example.com", "password": "a long enough secret"})
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Sign out" in page
    assert "Please confirm your email address: we have sent you a new link." in page
    assert "Send the link again" in page
    assert len(outbox_mail()) == 2


def test_a_tampered_confirmation_link_is_refused_with_a_clear_page(client, outbox_mail):
    register(client)
    link = verify_link(outbox_mail()[0])
    response = client.get(link[:-3] + "xyz")
    assert response.status_code == 409
    assert "not valid" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"email": ""}, "Enter your email address."),
        ({"display_name": "A"}, "Your display name needs at least 2 characters."),
        ({"display_name": "x" * 51}, "Your display name can have at most 50 characters."),
        ({"password": "short"}, "Use at least 10 characters."),
        ({"password": "x" * 129}, "Use at most 128 characters."),
        ({"password": "1234567890"}, "This password is too common"),
        ({"password": "qwertyuiop"}, "This password is too common"),
        ({"password": "new@example.com", "email": "new@example.com"}, "must not be your email address"),
    ],
)
def test_register_refuses_bad_input_with_a_clear_message(client, fields, message):
    response = register(client, **fields)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert user_count() == 0


def test_register_with_a_taken_address_answers_the_same_and_tells_its_owner(client, outbox_mail):
    owner = make_user(email="taken@example.com")
    taken = register(client, email="TAKEN@example.com")
    fresh = register(client, email="fresh@example.com")
    assert taken.status_code == fresh.status_code == 200
    assert taken.get_data(as_text=True).replace("taken@", "X@") == fresh.get_data(as_text=True).replace(
        "fresh@", "X@"
    )
    mails = {mail["To"]: mail for mail in outbox_mail()}
    assert "Someone, maybe you, just tried to create" in mails["taken@example.com"].get_content()
    assert "verify-email" not in mails["taken@example.com"].get_content()
    assert db.session.get(User, owner.id).password_hash == owner.password_hash
    assert user_count() == 2


def test_sign_in_with_the_right_password(client):
    user = make_user(email="ann@example.com", name="Ann")
    response = client.post_form("/sign-in", {"email": "ANN@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert "Ann" in client.get("/").get_data(as_text=True)
    db.session.refresh(user)
    assert user.last_sign_in_at is not None


def test_sign_in_follows_only_local_next_links(client):
    make_user(email="ann@example.com")
    response = client.post_form(
        "/sign-in", {"email": "ann@example.com", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/"
    client.post_form("/sign-out", page="/")
    response = client.post_form(
        "/sign-in", {"email": "ann@example.com", "password": PASSWORD, "next": "/account/settings"}
    )
    assert response.headers["Location"] == "/account/settings"


def test_wrong_password_and_unknown_account_get_the_same_answer(client):
    make_user(email="ann@example.com")
    wrong = client.post_form("/sign-in", {"email": "ann@example.com", "password": "not the password"})
    unknown = client.post_form("/sign-in", {"email": "nobody@example.com", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 200

    def message(response):
        return re.search(r'<div class="form-errors".*?</div>', response.get_data(as_text=True), re.S).group(0)

    assert message(wrong) == message(unknown)
    assert "do not match an account" in message(wrong)
    assert "Sign out" not in client.get("/").get_data(as_text=True)


def test_remember_me_sets_a_thirty_day_cookie(client):
    make_user(email="ann@example.com")
    response = client.post_form(
        "/sign-in", {"email": "ann@example.com", "password": PASSWORD, "remember": "y"}
    )
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("cocreate_remember="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    expires = re.search(r"Expires=([^;]+)", cookie).group(1)
    assert str((utcnow() + timedelta(days=30)).year) in expires


def test_sign_out_needs_a_post_with_csrf(client, login):
    user = make_user()
    login(user)
    assert client.get("/sign-out").status_code == 405
    assert client.post("/sign-out").status_code == 400  # no CSRF token
    assert "Sign out" in client.get("/").get_data(as_text=True)
    client.post_form("/sign-out", page="/")
    assert "Sign out" not in client.get("/").get_data(as_text=True)


def reset_link(mail) -> str:
    body = mail.get_content()
    return re.search(r"http://127\.0\.0\.1:5000(/reset-password/\S+)", body).group(1)


def test_password_reset_by_email_link(client, outbox_mail):
    user = make_user(email="ann@example.com")
    response = client.post_form("/forgot-password", {"email": "Ann@Example.com"}, follow_redirects=True)
    assert "If an account uses that address" in response.get_data(as_text=True)
    [mail] = outbox_mail()
    assert mail["To"] == "ann@example.com"
    link = reset_link(mail)

    response = client.post_form(link, {"password": "a brand new secret"})
    assert response.status_code == 302
    assert "Sign out" in client.get("/").get_data(as_text=True)
    client.post_form("/sign-out", page="/")
    ok = client.post_form("/sign-in", {"email": "ann@example.com", "password": "a brand new secret"})
    assert ok.status_code == 302
    db.session.refresh(user)
    assert db.session.scalar(select(PasswordResetToken.used_at)) is not None


def test_reset_answer_is_the_same_for_unknown_accounts_and_sends_nothing(client, outbox_mail):
    make_user(email="ann@example.com")
    known = client.post_form("/forgot-password", {"email": "ann@example.com"}, follow_redirects=True)
    unknown = client.post_form("/forgot-password", {"email": "ghost@example.com"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert "If an account uses that address" in unknown.get_data(as_text=True)
    assert len(outbox_mail()) == 1
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "email")) == 1


def test_reset_link_works_only_once(client, outbox_mail):
    make_user(email="ann@example.com")
    client.post_form("/forgot-password", {"email": "ann@example.com"})
    link = reset_link(outbox_mail()[0])
    assert client.post_form(link, {"password": "a brand new secret"}).status_code == 302
    second = client.get(link)
    assert second.status_code == 410
    assert "This link no longer works" in second.get_data(as_text=True)


def test_expired_reset_link_is_refused_and_changes_nothing(client, outbox_mail):
    user = make_user(email="ann@example.com")
    old_hash = user.password_hash
    client.post_form("/forgot-password", {"email": "ann@example.com"})
    link = reset_link(outbox_mail()[0])
    token = db.session.scalar(select(PasswordResetToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post_form(link, {"password": "a brand new secret"}, page="/sign-in")
    assert response.status_code == 410
    db.session.refresh(user)
    assert user.password_hash == old_hash


def test_reset_refuses_a_weak_password_and_keeps_the_link_usable(client, outbox_mail):
    make_user(email="ann@example.com")
    client.post_form("/forgot-password", {"email": "ann@example.com"})
    link = reset_link(outbox_mail()[0])
    response = client.post_form(link, {"password": "password123"})
    assert "This password is too common" in response.get_data(as_text=True)
    assert db.session.scalar(select(PasswordResetToken.used_at)) is None


def test_a_password_reset_signs_out_other_sessions(app, client, login, outbox_mail):
    user = make_user(email="ann@example.com")
    other = login(user, app.test_client())
    assert other.get("/account/settings").status_code == 200
    client.post_form("/forgot-password", {"email": "ann@example.com"})
    client.post_form(reset_link(outbox_mail()[0]), {"password": "a brand new secret"})
    assert other.get("/account/settings").status_code == 302
