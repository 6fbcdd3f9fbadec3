"""Sessions end on the server, and tokens end with a compromise (security audit, points 1, 2, 7).

Each test performs the attack: a copied cookie or token is replayed after the event that must
end it.
"""

import re
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.user import ApiToken, User, UserSession
from app.services import accounts, api_tokens
from tests.factories import PASSWORD, make_user

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def sign_in(client, email="ann@example.com", remember=False, user_agent=FIREFOX, password=PASSWORD):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post_form("/sign-in", data, headers={"User-Agent": user_agent})


def signed_in(client) -> bool:
    return client.get("/account/settings").status_code == 200


def copy_cookies(app, source, *names):
    thief = app.test_client()
    for name in names:
        thief.set_cookie(name, source.get_cookie(name).value)
    return thief


def make_token(user, expires_in_days=None) -> dict:
    _, plain = api_tokens.create_token(user, user, "Script", expires_in_days)
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


# 1. Sign-out ends the session on the server


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client):
    make_user(email="ann@example.com")
    sign_in(client)
    thief = copy_cookies(app, client, "cocreate_session")
    assert signed_in(thief)
    client.post_form("/sign-out", page="/")
    assert not signed_in(client)
    assert not signed_in(thief)


def test_a_copied_remember_cookie_stops_working_after_sign_out(app, client):
    make_user(email="ann@example.com")
    sign_in(client, remember=True)
    thief = copy_cookies(app, client, "cocreate_remember")
    assert signed_in(thief)  # the remember-me cookie alone signs in, as it should
    response = client.post_form("/sign-out", page="/")
    assert any(c.startswith("cocreate_remember=;") for c in response.headers.getlist("Set-Cookie"))
    assert not signed_in(thief)
    assert db.session.scalar(select(UserSession)) is None


def test_settings_list_each_session_with_its_device_and_end_one(app, client):
    make_user(email="ann@example.com")
    phone = app.test_client()
    sign_in(phone, user_agent=SAFARI_IPHONE)
    sign_in(client, user_agent=FIREFOX)
    page = client.get("/account/settings").get_data(as_text=True)
    assert "Firefox on Windows" in page
    assert "This browser" in page
    assert "Safari on iPhone" in page
    phone_session = db.session.scalar(select(UserSession).where(UserSession.user_agent == SAFARI_IPHONE))
    response = client.post_form(f"/account/sessions/{phone_session.id}/end", page="/account/settings")
    assert response.status_code == 302
    assert not signed_in(phone)
    assert signed_in(client)
    assert "Safari on iPhone" not in client.get("/account/settings").get_data(as_text=True)


def test_no_one_can_end_another_members_session(app, client, login):
    victim = make_user(email="victim@example.com")
    victims_browser = login(victim, app.test_client())
    record = db.session.scalar(select(UserSession))
    login(make_user())
    response = client.post_form(f"/account/sessions/{record.id}/end", page="/account/settings")
    assert response.status_code == 404
    assert signed_in(victims_browser)


def test_sign_out_everywhere_ends_this_and_every_other_session(app, client):
    make_user(email="ann@example.com")
    other = app.test_client()
    sign_in(other, remember=True)
    sign_in(client)
    thief = copy_cookies(app, other, "cocreate_remember")
    client.post_form("/account/sign-out-everywhere", page="/account/settings")
    assert not signed_in(client)
    assert not signed_in(other)
    assert not signed_in(thief)


def test_a_role_change_ends_every_session_of_that_member(app, client, login):
    member = make_user(email="ann@example.com")
    members_browser = app.test_client()
    sign_in(members_browser)
    admin = make_user(role="admin")
    accounts.change_role(admin, db.session.get(User, member.id), "moderator")
    db.session.commit()
    assert not signed_in(members_browser)


def test_a_password_change_ends_other_sessions_and_renews_this_one(app, client):
    make_user(email="ann@example.com")
    other = app.test_client()
    sign_in(other)
    sign_in(client)
    copy = copy_cookies(app, client, "cocreate_session")
    client.post_form(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a fresh long secret", "revoke_tokens": "y"},
        page="/account/settings",
    )
    assert signed_in(client)
    assert not signed_in(other)
    assert not signed_in(copy)


# 2. API tokens end with a compromise


def test_a_password_reset_revokes_every_token(client, outbox_mail):
    user = make_user(email="ann@example.com")
    headers = make_token(user)
    client.post_form("/forgot-password", {"email": "ann@example.com"})
    link = re.search(r"(/reset-password/\S+)", outbox_mail()[0].get_content()).group(1)
    client.post_form(link, {"password": "a brand new secret"})
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_a_password_change_revokes_tokens_unless_the_box_is_cleared(app, client, login):
    user = make_user()
    login(user)
    kept = make_token(user)
    client.post_form(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a fresh long secret"},  # box cleared
        page="/account/settings",
    )
    assert client.get("/api/v1/me", headers=kept).status_code == 200
    revoked = make_token(user)
    client.post_form(
        "/account/password",
        {
            "current_password": "a fresh long secret",
            "new_password": "another long secret",
            "revoke_tokens": "y",
        },
        page="/account/settings",
    )
    assert client.get("/api/v1/me", headers=revoked).status_code == 401
    assert client.get("/api/v1/me", headers=kept).status_code == 401


def test_the_password_form_offers_to_revoke_tokens_checked_by_default(client, login):
    login(make_user())
    page = client.get("/account/settings").get_data(as_text=True)
    assert re.search(r'<input checked id="revoke_tokens" name="revoke_tokens" type="checkbox"', page)


def test_sign_out_everywhere_revokes_tokens_too(client, login):
    user = make_user()
    login(user)
    headers = make_token(user)
    client.post_form("/account/sign-out-everywhere", {"revoke_tokens": "y"}, page="/account/settings")
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_token_can_carry_an_expiry_and_stops_working_after_it(client, login):
    user = make_user()
    login(user)
    page = client.post_form(
        "/account/tokens", {"name": "Nightly export", "expires_in_days": "30"}, page="/account/settings"
    ).get_data(as_text=True)
    token = page.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    headers = {"Authorization": f"Bearer {token}"}
    row = db.session.scalar(select(ApiToken))
    assert timedelta(days=29) < row.expires_at - utcnow() <= timedelta(days=30)
    assert f'<td data-label="Expires">{row.expires_at:%-d %b %Y}' in client.get("/account/settings").get_data(
        as_text=True
    )
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert "Nightly export" not in client.get("/account/settings").get_data(as_text=True)


def test_a_token_expiry_out_of_range_is_refused_and_nothing_is_made(client, login):
    login(make_user())
    response = client.post_form(
        "/account/tokens", {"name": "Forever and more", "expires_in_days": "99999"}, page="/account/settings"
    )
    assert response.status_code == 422
    assert "Choose how long the token works" in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None


def test_settings_show_when_a_token_was_last_used(client, login):
    user = make_user()
    login(user)
    headers = make_token(user)
    assert '<td data-label="Last used">Never</td>' in client.get("/account/settings").get_data(as_text=True)
    client.get("/api/v1/me", headers=headers)
    assert '<td data-label="Last used">just now</td>' in client.get("/account/settings").get_data(
        as_text=True
    )


def test_a_suspended_member_can_neither_make_tokens_nor_change_the_profile(client, login):
    moderator = make_user(role="moderator")
    member = make_user(name="Original Name")
    accounts.suspend_user(moderator, member, 3, "Spam")
    db.session.commit()
    login(member)
    page = client.get("/account/settings").get_data(as_text=True)
    assert "New tokens cannot be created while your account is suspended" in page
    assert "cannot be changed while your account is suspended" in page
    response = client.post_form("/account/tokens", {"name": "Sneaky"}, page="/account/settings")
    assert response.status_code == 403
    response = client.post_form("/account/profile", {"display_name": "New Name"}, page="/account/settings")
    assert response.status_code == 403
    assert db.session.scalar(select(ApiToken)) is None
    assert db.session.get(User, member.id).display_name == "Original Name"


# 7. Session fixation


def test_signing_in_rotates_the_csrf_token_and_the_session(app, client):
    make_user(email="ann@example.com")
    planted = client.csrf_token("/sign-in")
    sign_in(client)
    with client.session_transaction() as session:
        first_key = session["_user_id"]
    # A form token from before the sign-in (one an attacker could have planted) is refused now.
    response = client.post("/account/profile", data={"display_name": "Hijacked", "csrf_token": planted})
    assert response.status_code == 400
    assert db.session.scalar(select(User.display_name)) != "Hijacked"
    client.post_form("/sign-out", page="/")
    sign_in(client)
    with client.session_transaction() as session:
        assert session["_user_id"] != first_key


def test_a_session_id_planted_before_sign_in_is_not_signed_in_by_it(app, client):
    make_user(email="ann@example.com")
    client.get("/sign-in")
    planted = copy_cookies(app, client, "cocreate_session")
    sign_in(client)
    assert signed_in(client)
    assert not signed_in(planted)
