"""Signing in through a real OpenID Connect provider on loopback: the first sign-in, linking by a
verified address, and every refusal (unverified address, wrong state, nonce, audience, issuer,
expiry or signature, a domain not allowed, the person saying no)."""

import base64
import hashlib
import html as html_lib
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.identity import Identity
from app.models.user import User, UserSession
from tests.factories import PASSWORD, make_identity, make_user
from tests.oidc_provider import TestProvider

LABEL = "Acme Login"


@pytest.fixture(scope="module")
def provider():
    started = TestProvider().start()
    yield started
    started.stop()


@pytest.fixture(autouse=True)
def _configured(app, provider, monkeypatch):
    # Authlib refuses plain HTTP unless told; the provider is on loopback only.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    client_id, secret = provider.register_client()
    app.config.update(
        OIDC_ISSUER=provider.url,
        OIDC_CLIENT_ID=client_id,
        OIDC_CLIENT_SECRET=secret,
        OIDC_LABEL=LABEL,
        OIDC_ALLOWED_DOMAINS=[],
    )
    provider.tamper = None
    provider.foreign_key = False
    provider.token_requests.clear()
    provider.token_answers.clear()


def start(client, next_path: str | None = None) -> str:
    """Click the button: returns the provider's authorization URL we are sent to."""
    query = {"next": next_path} if next_path else {}
    response = client.get("/auth/oidc/oidc/login", query_string=query)
    assert response.status_code == 302
    return response.headers["Location"]


def come_back(client, location: str):
    """The provider sends the browser back to our callback."""
    url = urlsplit(location)
    assert url.path == "/auth/oidc/oidc/callback"
    return client.get(f"{url.path}?{url.query}")


def sign_in(client, provider, sub: str, next_path: str | None = None):
    return come_back(client, provider.approve(start(client, next_path), sub))


def page(client) -> str:
    return client.get("/").get_data(as_text=True)


def signed_in(client) -> bool:
    return "Sign out" in page(client)


def flashes(response_client) -> str:
    return page(response_client)


def users() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_the_sign_in_page_offers_the_provider(client):
    html = client.get("/sign-in").get_data(as_text=True)
    assert f"Continue with {LABEL}" in html
    assert "/auth/oidc/oidc/login" in html


def test_first_sign_in_makes_a_verified_member_and_lands_on_next(client, provider):
    provider.set_user("ana", email="ana@customer.example", email_verified=True, name="Ana Lima")
    response = sign_in(client, provider, "ana", next_path="/ideas/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/ideas/"
    user = db.session.scalar(select(User))
    assert (user.email, user.display_name, user.is_email_verified, user.has_password) == (
        "ana@customer.example",
        "Ana Lima",
        True,
        False,
    )
    identity = db.session.scalar(select(Identity))
    assert (identity.provider, identity.subject, identity.user_id) == ("oidc", "ana", user.id)
    html = page(client)
    assert "Welcome, Ana Lima." in html
    assert "Sign out" in html
    assert db.session.scalar(select(UserSession.signed_in_with)) == "oidc"


def test_a_second_sign_in_finds_the_same_account(app, client, provider):
    provider.set_user("ana", email="ana@customer.example", email_verified=True, name="Ana Lima")
    sign_in(client, provider, "ana")
    other = app.test_client()
    assert sign_in(other, provider, "ana").status_code == 302
    assert users() == 1
    assert signed_in(other)


def test_the_flow_uses_pkce_state_and_nonce(client, provider):
    provider.set_user("ana", email="ana@customer.example", email_verified=True)
    query = parse_qs(urlsplit(start(client)).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0]
    assert query["nonce"][0]
    assert query["scope"] == ["openid email profile"]
    authorize = f"{provider.url}/oauth2/authorize?" + urlsplit(start(client)).query
    come_back(client, provider.approve(authorize, "ana"))
    [token_request] = provider.token_requests
    challenge = parse_qs(urlsplit(authorize).query)["code_challenge"][0]
    digest = hashlib.sha256(token_request["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == challenge


def test_a_verified_address_joins_the_existing_account(client, provider):
    member = make_user(email="ana@customer.example", name="Ana Before")
    provider.set_user("ana", email="Ana@Customer.example", email_verified=True, name="Ana Lima")
    assert sign_in(client, provider, "ana").status_code == 302
    assert users() == 1
    assert db.session.scalar(select(Identity.user_id)) == member.id
    assert "Ana Before" in page(client)


def test_an_unverified_address_never_joins_an_existing_account(client, provider):
    make_user(email="ana@customer.example")
    provider.set_user("ana", email="ana@customer.example", email_verified=False)
    response = sign_in(client, provider, "ana")
    assert response.headers["Location"] == "/sign-in"
    html = client.get("/sign-in").get_data(as_text=True)
    assert f"{LABEL} does not say the address is confirmed" in html
    assert not signed_in(client)
    assert db.session.scalar(select(func.count(Identity.id))) == 0


def test_a_new_unverified_address_makes_an_unconfirmed_member_who_gets_the_link(
    client, provider, outbox_mail
):
    provider.set_user("bo", email="bo@customer.example", email_verified=False, name="Bo")
    sign_in(client, provider, "bo")
    user = db.session.scalar(select(User))
    assert not user.is_email_verified
    assert "Please confirm your email address" in page(client)
    [mail] = outbox_mail()
    assert mail["To"] == "bo@customer.example"


def refused(client, response) -> str:
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    html = client.get("/sign-in").get_data(as_text=True)
    assert not signed_in(client)
    assert users() == 0
    return html


def test_a_wrong_state_is_refused(client, provider):
    provider.set_user("ana", email="ana@customer.example", email_verified=True)
    location = provider.approve(start(client), "ana")
    url = urlsplit(location)
    query = parse_qs(url.query)
    forged = f"{url.path}?code={query['code'][0]}&state=forged-state"
    html = refused(client, client.get(forged))
    assert f"Signing in with {LABEL} did not work" in html
    assert provider.token_requests == []  # the code was never even exchanged


def test_a_callback_from_another_browser_is_refused(app, client, provider):
    provider.set_user("ana", email="ana@customer.example", email_verified=True)
    location = provider.approve(start(client), "ana")
    stranger = app.test_client()
    refused(stranger, come_back(stranger, location))


@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("wrong nonce", lambda claims: {**claims, "nonce": "another-nonce"}),
        ("wrong audience", lambda claims: {**claims, "aud": "someone-else"}),
        # Authlib alone would let this through (it checks the audience through azp only).
        (
            "another client's token naming us in azp",
            lambda claims: {**claims, "aud": "other", "azp": claims["aud"]},
        ),
        ("no subject", lambda claims: {key: value for key, value in claims.items() if key != "sub"}),
        ("wrong issuer", lambda claims: {**claims, "iss": "http://127.0.0.1:1/"}),
        ("expired", lambda claims: {**claims, "exp": int(time.time()) - 600, "iat": int(time.time()) - 4000}),
    ],
)
def test_an_id_token_that_fails_a_check_is_refused(client, provider, case, change):
    provider.set_user("ana", email="ana@customer.example", email_verified=True)
    provider.tamper = change
    html = refused(client, sign_in(client, provider, "ana"))
    assert f"Signing in with {LABEL} did not work" in html
    assert provider.token_answers == [200]  # the provider answered; our check refused


def test_a_token_re_signed_unchanged_by_the_provider_is_accepted(client, provider):
    # The harness that changes tokens does not break them by itself: only the change is refused.
    provider.set_user("ana", email="ana@customer.example", email_verified=True)
    provider.tamper = dict
    assert sign_in(client, provider, "ana").headers["Location"] == "/"
    assert signed_in(client)


def test_an_id_token_signed_with_another_key_is_refused(client, provider):
    provider.set_user("ana", email="ana@customer.example", email_verified=True)
    provider.foreign_key = True
    refused(client, sign_in(client, provider, "ana"))
    assert provider.token_answers == [200]


def test_an_address_outside_the_allowed_domains_is_refused(app, client, provider):
    app.config["OIDC_ALLOWED_DOMAINS"] = ["customer.example"]
    provider.set_user("eve", email="eve@elsewhere.example", email_verified=True)
    html = refused(client, sign_in(client, provider, "eve"))
    assert "is for addresses at customer.example only" in html
    provider.set_user("ana", email="ana@customer.example", email_verified=True)
    assert sign_in(client, provider, "ana").status_code == 302
    assert signed_in(client)


def test_saying_no_at_the_provider_signs_no_one_in(client, provider):
    html = refused(client, come_back(client, provider.deny(start(client))))
    assert f"{LABEL} did not sign you in" in html


def test_an_unknown_or_unconfigured_provider_is_not_found(app, client):
    assert client.get("/auth/oidc/nosuch/login").status_code == 404
    assert client.get("/auth/oidc/github/login").status_code == 404
    app.config["OIDC_CLIENT_SECRET"] = ""
    assert client.get("/auth/oidc/oidc/login").status_code == 404
    assert "Continue with" not in client.get("/sign-in").get_data(as_text=True)


def test_a_provider_that_cannot_be_reached_gives_a_message(app, client):
    app.config["OIDC_ISSUER"] = "http://127.0.0.1:9"  # nothing listens on the discard port
    response = client.get("/auth/oidc/oidc/login")
    assert response.status_code == 302
    assert "could not be reached just now" in client.get("/sign-in").get_data(as_text=True)


def test_linking_from_settings_and_unlinking(client, provider, login):
    member = make_user(email="ana@example.com")
    login(member)
    provider.set_user("ana-at-acme", email="ana@acme.example", email_verified=True)
    settings = client.get("/account/settings").get_data(as_text=True)
    assert f"Link {LABEL}" in settings
    link = re.search(r'href="(/auth/oidc/oidc/link\?csrf_token=[^"]+)"', settings).group(1)
    response = client.get(html_lib.unescape(link))
    location = provider.approve(response.headers["Location"], "ana-at-acme")
    done = come_back(client, location)
    assert done.headers["Location"].startswith("/account/settings")
    identity = db.session.scalar(select(Identity))
    assert (identity.user_id, identity.email) == (member.id, "ana@acme.example")
    settings = client.get("/account/settings").get_data(as_text=True)
    assert f"{LABEL} is linked" in settings
    assert "ana@acme.example" in settings
    client.post_form(f"/auth/oidc/identities/{identity.id}/unlink", page="/account/settings")
    assert db.session.scalar(select(func.count(Identity.id))) == 0


def test_a_link_without_the_sessions_token_is_refused(client, login):
    login(make_user())
    for query in ("", "?csrf_token=forged"):
        response = client.get(f"/auth/oidc/oidc/link{query}")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/account/settings")
    assert "That link has expired" in client.get("/account/settings").get_data(as_text=True)
    assert db.session.scalar(select(func.count(Identity.id))) == 0


def test_the_last_way_in_cannot_be_unlinked(client, provider):
    provider.set_user("ana", email="ana@customer.example", email_verified=True)
    sign_in(client, provider, "ana")
    identity = db.session.scalar(select(Identity))
    response = client.post_form(
        f"/auth/oidc/identities/{identity.id}/unlink", page="/account/settings", follow_redirects=True
    )
    assert "This is the only way into your account" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Identity.id))) == 1


def test_an_identity_linked_to_someone_else_cannot_be_linked_again(client, provider, login):
    owner, other = make_user(), make_user()
    make_identity(owner, subject="shared-sub")
    provider.set_user("shared-sub", email="shared@acme.example", email_verified=True)
    login(other)
    settings = client.get("/account/settings").get_data(as_text=True)
    link = re.search(r'href="(/auth/oidc/oidc/link\?csrf_token=[^"]+)"', settings).group(1)
    response = client.get(html_lib.unescape(link))
    come_back(client, provider.approve(response.headers["Location"], "shared-sub"))
    html = client.get("/account/settings").get_data(as_text=True)
    assert "already linked to another member" in html
    assert db.session.scalar(select(Identity.user_id)) == owner.id


def test_sso_only_domains_may_not_use_a_password(app, client):
    app.config["SSO_ONLY_DOMAINS"] = ["acme.example"]
    make_user(email="staff@acme.example")
    response = client.post_form("/sign-in", {"email": "staff@ACME.example", "password": PASSWORD})
    assert response.status_code == 422
    assert f"Addresses at acme.example sign in with “Continue with {LABEL}”" in response.get_data(
        as_text=True
    )
    assert not signed_in(client)
    data = {"email": "new@acme.example", "display_name": "New Staff", "password": "a long enough secret"}
    html = client.post_form("/register", data).get_data(as_text=True)
    assert "Addresses at acme.example sign in with" in html
    assert users() == 1
