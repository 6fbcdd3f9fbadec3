"""The boards API: listing what the caller may see, admins adding and changing boards and who may
see a private one, ideas naming their board."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.board import Board
from app.models.idea import Idea
from app.services import boards, ideas
from tests.factories import ApiCaller, make_idea, make_user

BOARD_FIELDS = {"id", "slug", "name", "description", "visibility", "idea_count"}


@pytest.fixture
def admin(app) -> ApiCaller:
    return ApiCaller("admin", "Ada Admin")


@pytest.fixture
def member(app) -> ApiCaller:
    return ApiCaller("member", "Mia Member")


@pytest.fixture
def staff(app) -> ApiCaller:
    return ApiCaller("product_manager", "Pat Manager")


@pytest.fixture
def beta(app, admin):
    """A private board with one idea on it."""
    board = boards.create_board(admin.user, "Enterprise beta", "beta", visibility="private")
    ideas.create_idea(admin.user, "Audit trail export", "For the compliance team.", board="beta")
    db.session.commit()
    return board


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"]["code"] == code
    return response.json["error"]


def test_anyone_lists_the_boards_they_may_see(client, beta, member, admin):
    make_idea(title="Public one")
    anonymous = client.get("/api/v1/boards").json["items"]
    assert [(b["slug"], b["idea_count"]) for b in anonymous] == [("ideas", 1)]
    assert set(anonymous[0]) >= BOARD_FIELDS
    assert [b["slug"] for b in client.get("/api/v1/boards", headers=member.headers).json["items"]] == [
        "ideas"
    ]
    seen = client.get("/api/v1/boards", headers=admin.headers).json["items"]
    assert [(b["slug"], b["visibility"], b["idea_count"]) for b in seen] == [
        ("ideas", "public", 1),
        ("beta", "private", 1),
    ]


def test_admin_creates_a_board(client, admin):
    response = client.post(
        "/api/v1/boards",
        json={
            "slug": "mobile",
            "name": "Mobile app",
            "description": "iOS and Android",
            "visibility": "private",
        },
        headers=admin.headers,
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert {k: body[k] for k in ("slug", "name", "description", "visibility", "idea_count")} == {
        "slug": "mobile",
        "name": "Mobile app",
        "description": "iOS and Android",
        "visibility": "private",
        "idea_count": 0,
    }
    assert response.headers["Location"].endswith("/b/mobile/")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "Web", "slug": "Web App"}, "slug"),
        ({"name": "Web", "visibility": "hidden"}, "visibility"),
        ({"name": 5}, "name"),
        ({"name": "Web", "colour": "red"}, "colour"),
        ({"name": "Web", "slug": "ideas"}, "slug"),
    ],
)
def test_bad_boards_are_refused_with_the_field_named(client, admin, payload, field):
    before = db.session.scalar(select(func.count()).select_from(Board))
    error = assert_error(
        client.post("/api/v1/boards", json=payload, headers=admin.headers), 422, "validation_error"
    )
    assert field in error["fields"]
    assert db.session.scalar(select(func.count()).select_from(Board)) == before


def test_only_admins_create_or_change_boards(client, member, staff, beta):
    for caller in (member, staff):
        assert_error(
            client.post("/api/v1/boards", json={"name": "X"}, headers=caller.headers), 403, "forbidden"
        )
        assert_error(
            client.patch("/api/v1/boards/ideas", json={"name": "X"}, headers=caller.headers), 403, "forbidden"
        )
    assert_error(client.post("/api/v1/boards", json={"name": "X"}), 401, "unauthorized")


def test_admin_changes_a_board(client, admin, beta):
    response = client.patch(
        "/api/v1/boards/beta", json={"name": "Beta programme", "visibility": "public"}, headers=admin.headers
    )
    assert response.status_code == 200, response.json
    assert (response.json["name"], response.json["visibility"]) == ("Beta programme", "public")
    assert [b["slug"] for b in client.get("/api/v1/boards").json["items"]] == ["ideas", "beta"]
    archived = client.patch("/api/v1/boards/beta", json={"archived": True}, headers=admin.headers)
    assert archived.json["archived"] is True
    assert [b["slug"] for b in client.get("/api/v1/boards").json["items"]] == ["ideas"]
    assert_error(client.patch("/api/v1/boards/beta", json={}, headers=admin.headers), 400, "bad_request")
    assert_error(
        client.patch("/api/v1/boards/nope", json={"name": "X"}, headers=admin.headers), 404, "not_found"
    )


def test_the_default_board_cannot_become_private(client, admin):
    assert_error(
        client.patch("/api/v1/boards/ideas", json={"visibility": "private"}, headers=admin.headers),
        409,
        "conflict",
    )
    assert boards.default_board().visibility == "public"


def test_granting_and_revoking_access(client, admin, member, beta):
    idea_id = db.session.scalar(select(Idea.id).where(Idea.board_id == beta.id))
    assert_error(client.get(f"/api/v1/ideas/{idea_id}", headers=member.headers), 404, "not_found")
    assert_error(client.get("/api/v1/boards/beta", headers=member.headers), 404, "not_found")

    granted = client.post("/api/v1/boards/beta/access", json={"user_id": member.id}, headers=admin.headers)
    assert granted.status_code == 200, granted.json
    assert (granted.json["access"], granted.json["granted"], granted.json["user"]["id"]) == (
        True,
        True,
        member.id,
    )
    assert client.get(f"/api/v1/ideas/{idea_id}", headers=member.headers).status_code == 200
    listed = client.get("/api/v1/ideas?board=beta", headers=member.headers).json
    assert [item["id"] for item in listed["items"]] == [idea_id]
    assert listed["items"][0]["board"] == {"slug": "beta", "name": "Enterprise beta"}
    again = client.post("/api/v1/boards/beta/access", json={"user_id": member.id}, headers=admin.headers)
    assert again.json["granted"] is False

    revoked = client.delete(f"/api/v1/boards/beta/access/{member.id}", headers=admin.headers)
    assert revoked.status_code == 200
    assert revoked.json["revoked"] is True
    assert_error(client.get(f"/api/v1/ideas/{idea_id}", headers=member.headers), 404, "not_found")


def test_access_needs_a_real_member(client, admin, beta, member):
    for payload in ({}, {"user_id": "7"}, {"user_id": True}, {"user_id": 0}):
        assert_error(
            client.post("/api/v1/boards/beta/access", json=payload, headers=admin.headers),
            422,
            "validation_error",
        )
    assert_error(
        client.post("/api/v1/boards/beta/access", json={"user_id": 99999}, headers=admin.headers),
        404,
        "not_found",
    )
    assert_error(
        client.post("/api/v1/boards/beta/access", json={"user_id": member.id}, headers=member.headers),
        403,
        "forbidden",
    )


def test_ideas_name_their_board_and_are_filtered_by_it(client, admin, member, beta):
    make_idea(title="Public idea on the default board")
    items = client.get("/api/v1/ideas").json["items"]
    assert [i["board"] for i in items] == [{"slug": "ideas", "name": "Ideas"}]
    assert client.get("/api/v1/ideas?board=ideas").json["total"] == 1
    assert_error(client.get("/api/v1/ideas?board=beta"), 404, "not_found")
    assert_error(client.get("/api/v1/ideas?board=beta", headers=member.headers), 404, "not_found")
    assert client.get("/api/v1/ideas?board=beta", headers=admin.headers).json["total"] == 1


def test_posting_an_idea_to_a_board(client, admin, member, beta):
    default = client.post(
        "/api/v1/ideas", json={"title": "Goes to the default board"}, headers=member.headers
    )
    assert default.status_code == 201
    assert default.json["board"]["slug"] == "ideas"
    before = db.session.scalar(select(func.count()).select_from(Idea))
    hidden = client.post(
        "/api/v1/ideas", json={"title": "Sneak onto the beta", "board": "beta"}, headers=member.headers
    )
    assert_error(hidden, 404, "not_found")
    assert db.session.scalar(select(func.count()).select_from(Idea)) == before
    boards.grant_member(admin.user, beta, member.user)
    db.session.commit()
    posted = client.post(
        "/api/v1/ideas", json={"title": "Now on the beta", "board": "beta"}, headers=member.headers
    )
    assert posted.status_code == 201
    assert posted.json["board"] == {"slug": "beta", "name": "Enterprise beta"}


def test_staff_move_an_idea_by_patching_its_board(client, staff, member, beta):
    idea = make_idea(author=member.user, title="Move me to the beta")
    moved = client.patch(f"/api/v1/ideas/{idea.id}", json={"board": "beta"}, headers=staff.headers)
    assert moved.status_code == 200, moved.json
    assert moved.json["board"]["slug"] == "beta"
    # The author lacks access to the private board: for them, it is gone.
    assert_error(client.get(f"/api/v1/ideas/{idea.id}", headers=member.headers), 404, "not_found")
    assert_error(
        client.patch(f"/api/v1/ideas/{idea.id}", json={"board": "nope"}, headers=staff.headers),
        404,
        "not_found",
    )


def test_members_cannot_move_their_ideas(client, member):
    idea = make_idea(author=member.user, title="Stay where you are")
    assert_error(
        client.patch(f"/api/v1/ideas/{idea.id}", json={"board": "ideas"}, headers=member.headers),
        403,
        "forbidden",
    )
    admin = make_user("admin")
    boards.create_board(admin, "Other", "other")
    db.session.commit()
    assert_error(
        client.patch(f"/api/v1/ideas/{idea.id}", json={"board": "other"}, headers=member.headers),
        403,
        "forbidden",
    )
    assert db.session.get(Idea, idea.id).board_id == boards.default_board().id
