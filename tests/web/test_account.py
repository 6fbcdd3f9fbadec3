"""The settings page: profile, password change, API tokens and signing out everywhere."""

from sqlalchemy import func, select

from app.extensions import db
from app.models.user import ApiToken
from app.passwords import verify_password
from tests.factories import PASSWORD, make_user


def test_settings_need_sign_in(client):
    response = client.get("/account/settings")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_change_display_name(client, login):
    user = make_user(name="Old Name")
    login(user)
    response = client.post_form(
        "/account/profile", {"display_name": "  New   Name "}, page="/account/settings"
    )
    assert response.status_code == 302
    assert user.display_name == "New Name"


def test_profile_refuses_a_too_short_name(client, login):
    user = make_user(name="Old Name")
    login(user)
    response = client.post_form("/account/profile", {"display_name": "x"}, page="/account/settings")
    assert response.status_code == 422
    assert "Your display name needs at least 2 characters." in response.get_data(as_text=True)
    assert user.display_name == "Old Name"


def test_change_password_asks_for_the_current_one(client, login):
    user = make_user()
    login(user)
    old_hash = user.password_hash
    response = client.post_form(
        "/account/password",
        {"current_password": "wrong password", "new_password": "a fresh long secret"},
        page="/account/settings",
    )
    assert response.status_code == 422
    assert "Your current password is not correct." in response.get_data(as_text=True)
    assert user.password_hash == old_hash


def test_change_password_refuses_a_weak_new_one(client, login):
    user = make_user()
    login(user)
    old_hash = user.password_hash
    response = client.post_form(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "1q2w3e4r5t"},
        page="/account/settings",
    )
    assert "This password is too common" in response.get_data(as_text=True)
    assert user.password_hash == old_hash


def test_change_password_keeps_this_session_and_ends_the_others(app, client, login):
    user = make_user()
    login(user)
    other = login(user, app.test_client())
    response = client.post_form(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a fresh long secret"},
        page="/account/settings",
    )
    assert response.status_code == 302
    assert verify_password(user.password_hash, "a fresh long secret")
    assert client.get("/account/settings").status_code == 200
    assert other.get("/account/settings").status_code == 302


def test_old_session_cookie_is_refused_after_a_password_change(app, client, login):
    user = make_user()
    login(user)
    stolen = client.get_cookie("cocreate_session").value
    client.post_form(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a fresh long secret"},
        page="/account/settings",
    )
    thief = app.test_client()
    thief.set_cookie("cocreate_session", stolen)
    response = thief.get("/account/settings")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_sign_out_everywhere_ends_every_session_and_remember_cookie(app, client, login):
    user = make_user(email="ann@example.com")
    remembered = app.test_client()
    remembered.post_form("/sign-in", {"email": "ann@example.com", "password": PASSWORD, "remember": "y"})
    remember_cookie = remembered.get_cookie("cocreate_remember").value
    login(user)
    response = client.post_form("/account/sign-out-everywhere", page="/account/settings")
    assert response.headers["Location"] == "/sign-in"
    assert client.get("/account/settings").status_code == 302
    assert remembered.get("/account/settings").status_code == 302
    fresh = app.test_client()
    fresh.set_cookie("cocreate_remember", remember_cookie)
    assert fresh.get("/account/settings").status_code == 302


def test_create_token_shows_it_once_and_it_works(client, login):
    user = make_user()
    login(user)
    response = client.post_form("/account/tokens", {"name": "CRM sync"}, page="/account/settings")
    page = response.get_data(as_text=True)
    assert "Copy it now" in page
    assert '<td data-label="Last used">Never</td>' in page  # listed with its last use, not used yet
    token = page.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert token.startswith("cc_")
    assert token not in client.get("/account/settings").get_data(as_text=True)
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash != token
    assert token not in row.token_hash
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json["email"] == user.email
    listing = client.get("/account/settings").get_data(as_text=True)
    assert "CRM sync" in listing
    assert '<td data-label="Last used">Never</td>' not in listing  # it has been used now


def test_token_needs_a_name(client, login):
    login(make_user())
    response = client.post_form("/account/tokens", {"name": "  "}, page="/account/settings")
    assert response.status_code == 422
    assert "Give the token a name" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_revoke_token(client, login):
    user = make_user()
    login(user)
    page = client.post_form("/account/tokens", {"name": "Bot"}, page="/account/settings").get_data(
        as_text=True
    )
    token = page.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    row = db.session.scalar(select(ApiToken))
    client.post_form(f"/account/tokens/{row.id}/revoke", page="/account/settings")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "Bot" not in client.get("/account/settings").get_data(as_text=True)


def test_cannot_revoke_someone_elses_token(client, login):
    from app.services.api_tokens import create_token

    owner = make_user()
    token, plain = create_token(owner, owner, "Owner's")
    db.session.commit()
    login(make_user())
    response = client.post_form(f"/account/tokens/{token.id}/revoke", page="/account/settings")
    assert response.status_code == 404
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 200


def test_profile_page_shows_name_role_and_join_date(client):
    user = make_user(role="moderator", name="Mo")
    page = client.get(f"/users/{user.id}").get_data(as_text=True)
    assert "Mo" in page
    assert "Moderator" in page
    assert "Member since" in page
    assert client.get("/users/999").status_code == 404
