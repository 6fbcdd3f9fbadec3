"""The API skeleton: bearer tokens, /me, the error shape and pagination."""

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from app.errors import BadRequest
from app.extensions import db
from app.models.user import ApiToken, User
from app.services import api_tokens
from app.services.pagination import page_args, paginate
from tests.factories import make_idea, make_user


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def token(app):
    user = make_user(email="ann@example.com", name="Ann", role="product_manager")
    _, plain = api_tokens.create_token(user, user, "Tests")
    db.session.commit()
    return plain


def test_me_with_a_token(client, token):
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.json == {
        "id": response.json["id"],
        "email": "ann@example.com",
        "display_name": "Ann",
        "role": "product_manager",
        "email_verified": True,
    }
    assert db.session.scalar(select(ApiToken.last_used_at)) is not None


@pytest.mark.parametrize(
    "headers",
    [
        {},
        bearer("cc_unknown"),
        bearer("nonsense"),
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer"},
    ],
)
def test_me_without_a_valid_token_is_401_with_the_error_shape(client, token, headers):
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert response.json["error"]["message"]
    assert response.mimetype == "application/json"


def test_the_api_ignores_the_session_cookie(client, login):
    login(make_user())
    assert client.get("/api/v1/me").status_code == 401


def test_revoked_token_is_refused(client, token):
    row = db.session.scalar(select(ApiToken))
    user = db.session.get(User, row.user_id)
    api_tokens.revoke_token(user, row.id)
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_only_a_hash_of_the_token_is_stored(token):
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == api_tokens.hash_token(token)
    assert token not in (row.token_hash, row.prefix)


def test_unknown_api_path_is_404_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, (1, 25)),
        ({"page": "3"}, (3, 25)),
        ({"per_page": "100"}, (1, 100)),
        ({"page": "2", "per_page": "1"}, (2, 1)),
    ],
)
def test_page_args(args, expected):
    assert page_args(args) == expected


@pytest.mark.parametrize(
    "args",
    [
        {"page": "0"},
        {"page": "-1"},
        {"page": "x"},
        {"per_page": "0"},
        {"per_page": "101"},
        {"per_page": "2.5"},
    ],
)
def test_bad_page_args_are_refused(args):
    with pytest.raises(BadRequest, match="must be a whole number"):
        page_args(args)


def test_paginate_counts_all_rows_and_slices_one_page(app):
    for number in range(7):
        make_user(email=f"p{number}@example.com")
    page = paginate(select(User).order_by(User.id), page=2, per_page=3)
    assert page.total == 7
    assert page.pages == 3
    assert [user.email for user in page.items] == ["p3@example.com", "p4@example.com", "p5@example.com"]
    assert page.has_prev
    assert page.has_next
    last = paginate(select(User).order_by(User.id), page=3, per_page=3)
    assert not last.has_next
    assert len(last.items) == 1


def test_anonymous_actor_cannot_create_tokens(app):
    from app.errors import Unauthorized

    user = make_user()
    with pytest.raises(Unauthorized):
        api_tokens.create_token(AnonymousUserMixin(), user, "x")


@pytest.mark.parametrize(
    "path",
    ["/api/v1/ideas/99999999999999999999", "/api/v1/launches/2147483648", "/api/v1/roadmap/" + "9" * 12],
)
def test_ids_past_a_database_integer_are_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_id_past_a_database_integer_on_a_page_is_not_found(client):
    assert client.get("/ideas/99999999999999999999").status_code == 404


# --- suspended accounts and logs ------------------------------------------------------------


def _suspend(user: User) -> None:
    from app.services import accounts

    moderator = make_user(role="admin", email="admin@example.com", name="Ada")
    accounts.suspend_user(moderator, user, 3, "Spam links")
    db.session.commit()


def test_a_suspension_revokes_the_token_for_reads_and_writes(client, token):
    from app.models.comment import Comment
    from app.models.idea import Idea, IdeaVote

    user = db.session.scalar(select(User).where(User.email == "ann@example.com"))
    idea_id = make_idea(make_user()).id
    _suspend(user)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert client.get(f"/api/v1/ideas/{idea_id}", headers=bearer(token)).status_code == 401
    assert client.get(f"/api/v1/ideas/{idea_id}").status_code == 200  # reading stays open to all
    writes = [
        ("post", "/api/v1/ideas", {"title": "A new idea from a bot", "body": "Text"}),
        ("post", f"/api/v1/ideas/{idea_id}/vote", None),
        ("post", f"/api/v1/ideas/{idea_id}/comments", {"body": "Me too"}),
        ("patch", f"/api/v1/ideas/{idea_id}", {"status": "planned"}),
        ("post", "/api/v1/roadmap", {"title": "Dark mode"}),
    ]
    for method, path, payload in writes:
        response = getattr(client, method)(path, json=payload, headers=bearer(token))
        assert response.status_code == 401, path
        assert response.json["error"]["code"] == "unauthorized", path
    assert db.session.scalar(select(func.count(Idea.id))) == 1
    assert db.session.scalar(select(func.count()).select_from(IdeaVote)) == 1  # the author's own
    assert db.session.scalar(select(func.count(Comment.id))) == 0
    assert db.session.get(Idea, idea_id).status == "open"


def test_tokens_never_reach_the_log(app, client, login, caplog, monkeypatch):
    import logging

    caplog.set_level(logging.DEBUG)
    user = make_user()
    login(user)
    page = client.post_form("/account/tokens", {"name": "Bot"}, page="/account/settings")
    plain = page.get_data(as_text=True).split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    client.get("/api/v1/me", headers=bearer(plain))
    client.get("/api/v1/me", headers=bearer(plain + "x"))

    def broken(user):
        raise RuntimeError("boom")

    monkeypatch.setattr("app.api.me.user_json", broken)
    assert client.get("/api/v1/me", headers=bearer(plain)).status_code == 500
    assert "Unhandled error on GET /api/v1/me" in caplog.text
    assert plain not in caplog.text
    assert plain[len(api_tokens.TOKEN_PREFIX) :] not in caplog.text


def test_patch_me_changes_the_display_name_and_refuses_bad_input(client, token):
    response = client.patch("/api/v1/me", headers=bearer(token), json={"display_name": "  Ann Lee "})
    assert response.status_code == 200
    assert response.json["display_name"] == "Ann Lee"
    assert response.json["email_verified"] is True
    refused = client.patch("/api/v1/me", headers=bearer(token), json={"display_name": "A"})
    assert refused.status_code == 422
    assert refused.json["error"]["fields"]["display_name"]
    assert client.patch("/api/v1/me", headers=bearer(token), json={"display_name": 7}).status_code == 422
    assert client.patch("/api/v1/me", headers=bearer(token), json={}).status_code == 400
    assert client.get("/api/v1/me", headers=bearer(token)).json["display_name"] == "Ann Lee"
