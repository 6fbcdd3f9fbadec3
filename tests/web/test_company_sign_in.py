"""Signing in with a token signed by the company's own app: GET /auth/sso?token=...&next=..."""

import time
import uuid

import jwt
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.identity import COMPANY_PROVIDER, Identity
from app.models.segment import UserSegment
from app.models.user import User, UserSession
from app.services import segments
from tests.factories import make_user

SECRET = "s" * 64
REFUSED = "This sign-in link is not valid"


@pytest.fixture(autouse=True)
def _secret(app):
    app.config["SSO_SECRET"] = SECRET


def token(secret: str = SECRET, algorithm: str = "HS256", headers: dict | None = None, **overrides) -> str:
    claims = {
        "sub": "company-42",
        "email": "ana@customer.example",
        "name": "Ana Lima",
        "iat": int(time.time()),
        "exp": int(time.time()) + 300,
        "jti": str(uuid.uuid4()),
    }
    claims.update(overrides)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, secret, algorithm=algorithm, headers=headers)


def sign_in(client, value: str, next_path: str | None = "/ideas"):
    query = {"token": value}
    if next_path is not None:
        query["next"] = next_path
    return client.get("/auth/sso", query_string=query)


def signed_in_name(client) -> str | None:
    page = client.get("/").get_data(as_text=True)
    if "Sign out" not in page:
        return None
    return page


def users() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_a_valid_token_makes_a_verified_member_signs_in_and_lands_on_next(client):
    response = sign_in(client, token())
    assert response.status_code == 302
    assert response.headers["Location"] == "/ideas"
    user = db.session.scalar(select(User).where(User.email == "ana@customer.example"))
    assert user.display_name == "Ana Lima"
    assert user.is_email_verified
    assert not user.has_password
    identity = db.session.scalar(select(Identity))
    assert (identity.provider, identity.subject, identity.user_id) == (
        COMPANY_PROVIDER,
        "company-42",
        user.id,
    )
    page = signed_in_name(client)
    assert page is not None
    assert "Ana Lima" in page
    assert db.session.scalar(select(UserSession.signed_in_with)) == COMPANY_PROVIDER


def test_without_next_the_member_lands_on_the_home_page(client):
    response = sign_in(client, token(), next_path=None)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_identity_is_matched_by_sub_before_email(client):
    sign_in(client, token())
    first = db.session.scalar(select(User))
    # The company changed the customer's address: the same person, found by `sub`.
    client2 = client.application.test_client()
    assert sign_in(client2, token(email="ana.new@customer.example")).status_code == 302
    assert users() == 1
    assert db.session.scalar(select(Identity.email)) == "ana.new@customer.example"
    assert db.session.scalar(select(User.id)) == first.id


def test_an_existing_account_is_joined_by_email(client):
    member = make_user(email="ana@customer.example", name="Ana From Before")
    assert sign_in(client, token()).status_code == 302
    assert users() == 1
    identity = db.session.scalar(select(Identity))
    assert identity.user_id == member.id
    assert "Ana From Before" in signed_in_name(client)


def test_segments_named_by_the_token_become_the_members_segments(client):
    admin = make_user(role="admin")
    enterprise = segments.create_segment(admin, "Enterprise plan", 3)
    beta = segments.create_segment(admin, "Beta group", 1)
    db.session.commit()
    sign_in(client, token(segments=["enterprise-plan", "beta-group", "no-such-segment"]))
    user = db.session.scalar(select(User).where(User.email == "ana@customer.example"))
    assert set(db.session.scalars(select(UserSegment.segment_id).where(UserSegment.user_id == user.id))) == {
        enterprise.id,
        beta.id,
    }
    # A later token with fewer segments sets them to exactly those.
    sign_in(client.application.test_client(), token(segments=["beta-group"]))
    assert list(db.session.scalars(select(UserSegment.segment_id).where(UserSegment.user_id == user.id))) == [
        beta.id
    ]
    # A token without the claim leaves them as they are.
    sign_in(client.application.test_client(), token())
    assert db.session.scalar(select(func.count()).select_from(UserSegment)) == 1


def assert_refused(client, response):
    assert response.status_code == 400
    assert REFUSED in response.get_data(as_text=True)
    assert signed_in_name(client) is None


@pytest.mark.parametrize(
    ("case", "make"),
    [
        ("bad signature", lambda: token(secret="x" * 64 + "y")),
        ("alg HS512", lambda: token(algorithm="HS512")),
        (
            "alg none",
            lambda: jwt.encode(
                {"sub": "x", "email": "a@b.example", "exp": int(time.time()) + 60}, None, algorithm="none"
            ),
        ),
        ("expired", lambda: token(exp=int(time.time()) - 120, iat=int(time.time()) - 600)),
        ("exp too far ahead", lambda: token(exp=int(time.time()) + 16 * 60)),
        ("no exp", lambda: token(exp=None)),
        ("no sub", lambda: token(sub=None)),
        ("no email", lambda: token(email=None)),
        ("malformed email", lambda: token(email="not an address")),
        ("sub not a string", lambda: token(sub=42)),
        ("segments not a list", lambda: token(segments="enterprise")),
        ("not a token", lambda: "this.is.nonsense"),
        ("empty", lambda: ""),
    ],
)
def test_every_fault_answers_400_and_signs_no_one_in(client, case, make):
    response = sign_in(client, make())
    assert_refused(client, response)
    assert users() == 0


def test_another_hmac_or_a_stripped_signature_is_refused(client):
    # Only HS256 is accepted, even with the right secret; a token without its signature is nothing.
    header, payload, _ = token().split(".")
    forged = jwt.encode(jwt.decode(token(), SECRET, algorithms=["HS256"]), SECRET, algorithm="HS384")
    assert_refused(client, sign_in(client, forged))
    assert_refused(client, sign_in(client, f"{header}.{payload}."))


def test_a_used_jti_is_refused(client):
    value = token()
    assert sign_in(client, value).status_code == 302
    other = client.application.test_client()
    assert_refused(other, sign_in(other, value))


@pytest.mark.parametrize("next_path", ["https://evil.example/", "//evil.example", "/\\evil.example", "ideas"])
def test_an_unsafe_next_is_refused_before_the_token_is_used(client, next_path):
    value = token()
    assert_refused(client, sign_in(client, value, next_path=next_path))
    assert users() == 0
    # The token was not spent: the company can send the customer again with a good `next`.
    assert sign_in(client, value).status_code == 302


def test_a_short_or_missing_secret_turns_company_sign_in_off(app, client):
    app.config["SSO_SECRET"] = "short"
    assert_refused(client, sign_in(client, token(secret="short" * 8)))
    app.config["SSO_SECRET"] = ""
    assert_refused(client, sign_in(client, token()))
    assert users() == 0


def test_signing_in_as_someone_else_ends_the_previous_session(client, login):
    other = make_user(name="Previous Person")
    login(other)
    assert "Previous Person" in signed_in_name(client)
    sign_in(client, token())
    page = signed_in_name(client)
    assert "Ana Lima" in page
    assert "Previous Person" not in page
    assert db.session.scalar(select(func.count(UserSession.id)).where(UserSession.user_id == other.id)) == 0
