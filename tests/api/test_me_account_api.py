"""DELETE /api/v1/me and GET /api/v1/me/export."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.launch import LaunchParticipant
from app.models.user import User
from tests.factories import (
    ApiCaller,
    make_api_token,
    make_comment,
    make_idea,
    make_launch,
    make_participant,
    make_user,
)

CONFIRM = {"confirm": "delete my account"}
DELETED = {"id": None, "display_name": "Deleted member", "role": "member"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    return response.json["error"]


def reload(user: User) -> User:
    return db.session.scalar(select(User).where(User.id == user.id).execution_options(populate_existing=True))


def test_delete_me_answers_204_and_every_token_of_the_account_then_answers_401(client):
    caller = ApiCaller("member")
    second = {"Authorization": f"Bearer {make_api_token(caller.user, 'Second')}"}

    response = client.delete("/api/v1/me", json=CONFIRM, headers=caller.headers)

    assert response.status_code == 204
    assert response.get_data() == b""
    for headers in (caller.headers, second):
        assert_error(client.get("/api/v1/me", headers=headers), 401, "unauthorized")
    assert reload(caller.user).is_deleted


def test_ideas_and_comments_stay_with_their_counts_and_show_a_deleted_member(client):
    caller = ApiCaller("member", name="Ann Archer")
    voter = make_user()
    idea = make_idea(caller.user, "Dark mode for reports", voters=[voter])
    comment = make_comment(idea, caller.user, "Night shifts need it")
    before = client.get(f"/api/v1/ideas/{idea.id}").json

    assert client.delete("/api/v1/me", json=CONFIRM, headers=caller.headers).status_code == 204

    after = client.get(f"/api/v1/ideas/{idea.id}").json
    assert after["author"] == DELETED
    assert (
        (after["vote_count"], after["comment_count"])
        == (before["vote_count"], before["comment_count"])
        == (2, 1)
    )
    assert (after["title"], after["body"]) == (before["title"], before["body"])
    [listed] = client.get(f"/api/v1/ideas/{idea.id}/comments").json["items"]
    assert (listed["id"], listed["body"], listed["author"]) == (comment.id, "Night shifts need it", DELETED)
    assert "Ann Archer" not in client.get("/api/v1/ideas").get_data(as_text=True)


def test_a_launch_seat_goes_to_the_first_person_waiting(client):
    caller = ApiCaller("member")
    staff, waiting = ApiCaller("product_manager"), make_user()
    launch = make_launch(capacity=1)
    make_participant(launch, caller.user)
    make_participant(launch, waiting)

    assert client.delete("/api/v1/me", json=CONFIRM, headers=caller.headers).status_code == 204

    body = client.get(f"/api/v1/launches/{launch.id}", headers=staff.headers).json
    assert (body["enrolled_count"], body["waitlist_count"]) == (1, 0)
    people = client.get(f"/api/v1/launches/{launch.id}/participants", headers=staff.headers).json["items"]
    assert [(p["user"], p["state"]) for p in people] == [
        ({"id": waiting.id, "display_name": waiting.display_name, "role": "member"}, "enrolled"),
        (DELETED, "withdrawn"),
    ]
    assert db.session.scalar(
        select(LaunchParticipant.state).where(LaunchParticipant.user_id == waiting.id)
    ) == ("enrolled")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"confirm": ""},
        {"confirm": "delete"},
        {"confirm": None},
        {"confirm": 1},
        {"confirm": ["delete my account"]},
    ],
)
def test_a_wrong_or_missing_confirmation_is_422_and_changes_nothing(client, body):
    caller = ApiCaller("member")

    error = assert_error(
        client.delete("/api/v1/me", json=body, headers=caller.headers), 422, "validation_error"
    )

    assert error["fields"] == {"confirm": ["Type “delete my account” to confirm."]}
    assert not reload(caller.user).is_deleted
    assert client.get("/api/v1/me", headers=caller.headers).status_code == 200


def test_no_body_is_a_missing_confirmation_and_a_body_that_is_no_object_a_bad_request(client):
    caller = ApiCaller("member")

    assert_error(client.delete("/api/v1/me", headers=caller.headers), 422, "validation_error")
    assert_error(client.delete("/api/v1/me", json=["x"], headers=caller.headers), 400, "bad_request")
    assert not reload(caller.user).is_deleted


def test_delete_me_needs_a_token(client):
    assert_error(client.delete("/api/v1/me", json=CONFIRM), 401, "unauthorized")


def test_the_last_admin_is_refused_with_409(client):
    admin = ApiCaller("admin")

    error = assert_error(client.delete("/api/v1/me", json=CONFIRM, headers=admin.headers), 409, "conflict")

    assert "only admin" in error["message"]
    assert not reload(admin.user).is_deleted


def test_export_is_one_object_with_every_key_as_a_download(client):
    caller = ApiCaller("member", name="Ann Archer")
    idea = make_idea(caller.user, "Dark mode for reports")

    response = client.get("/api/v1/me/export", headers=caller.headers)

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response.headers["Cache-Control"]
    body = response.json
    assert set(body) == {
        "profile",
        "ideas",
        "comments",
        "votes",
        "flags",
        "round_responses",
        "launches",
        "notifications",
        "follows",
        "sessions",
        "identities",
    }
    assert body["profile"]["display_name"] == "Ann Archer"
    assert [i["id"] for i in body["ideas"]] == [idea.id]
    assert [v["id"] for v in body["votes"]] == [idea.id]


def test_export_needs_a_token(client):
    assert_error(client.get("/api/v1/me/export"), 401, "unauthorized")
