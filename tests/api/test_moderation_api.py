"""Moderation in the API: flags, the queue, hide and restore, locks, merges, suspensions, the audit log."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.moderation import AuditEntry, Flag
from app.models.user import User
from app.services import api_tokens, audit, settings, votes
from tests.factories import ApiCaller, make_comment, make_idea, make_user

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
USER_FIELDS = {"id", "display_name", "role"}
FLAG_FIELDS = {"id", "target_type", "target_id", "reason", "note", "duplicate_of_id", "status", "created_at"}
AUDIT_FIELDS = {"id", "actor", "action", "target_type", "target_id", "reason", "created_at"}


@pytest.fixture
def member(app) -> ApiCaller:
    return ApiCaller("member", "Mia Member")


@pytest.fixture
def other(app) -> ApiCaller:
    return ApiCaller("member", "Otto Other")


@pytest.fixture
def moderator(app) -> ApiCaller:
    return ApiCaller("moderator", "Max Moderator")


@pytest.fixture
def admin(app) -> ApiCaller:
    return ApiCaller("admin", "Alex Admin")


@pytest.fixture
def pm(app) -> ApiCaller:
    return ApiCaller("product_manager", "Pat Manager")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def flag_total() -> int:
    return db.session.scalar(select(func.count(Flag.id)))


def audit_total() -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)))


def hidden(model, item_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(model, item_id).is_hidden


# --- flags -----------------------------------------------------------------------------------


def test_a_member_flags_an_idea(client, member, other):
    idea_id = make_idea(other.user, "Export reports as CSV").id
    response = client.post(
        "/api/v1/flags",
        json={"target_type": "idea", "target_id": idea_id, "reason": "spam", "note": "Shop link"},
        headers=member.headers,
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) >= FLAG_FIELDS
    assert (body["target_type"], body["target_id"], body["reason"], body["note"], body["status"]) == (
        "idea",
        idea_id,
        "spam",
        "Shop link",
        "open",
    )
    assert TIMESTAMP.match(body["created_at"])
    assert body["user"] == {"id": member.id, "display_name": "Mia Member", "role": "member"}
    assert flag_total() == 1


def test_a_member_flags_a_comment_and_a_duplicate(client, member, other):
    idea = make_idea(other.user, "Export reports as CSV")
    idea_id = idea.id
    original = make_idea(other.user, "The original idea").id
    comment_id = make_comment(idea, other.user).id
    response = client.post(
        "/api/v1/flags",
        json={"target_type": "comment", "target_id": comment_id, "reason": "abuse"},
        headers=member.headers,
    )
    assert response.status_code == 201
    response = client.post(
        "/api/v1/flags",
        json={
            "target_type": "idea",
            "target_id": idea_id,
            "reason": "duplicate",
            "duplicate_of_id": original,
        },
        headers=member.headers,
    )
    assert response.status_code == 201
    assert response.json["duplicate_of_id"] == original


def test_a_duplicate_flag_need_not_name_the_original(client, member, other):
    idea_id = make_idea(other.user, "Export reports as CSV").id
    payload = {"target_type": "idea", "target_id": idea_id, "reason": "duplicate", "note": "Same as #1"}
    response = client.post("/api/v1/flags", json=payload, headers=member.headers)
    assert response.status_code == 201
    assert (response.json["reason"], response.json["duplicate_of_id"]) == ("duplicate", None)


def test_flagging_twice_is_409(client, member, other):
    idea_id = make_idea(other.user, "Export reports as CSV").id
    payload = {"target_type": "idea", "target_id": idea_id, "reason": "spam"}
    assert client.post("/api/v1/flags", json=payload, headers=member.headers).status_code == 201
    error = assert_error(
        client.post("/api/v1/flags", json={**payload, "reason": "abuse"}, headers=member.headers),
        409,
        "conflict",
    )
    assert "already flagged" in error["message"]
    assert flag_total() == 1


def test_the_third_flag_hides_and_a_moderators_flag_hides_at_once(client, member, other, moderator):
    idea_id = make_idea(other.user, "Export reports as CSV").id
    for _ in range(2):
        flagger = ApiCaller()
        payload = {"target_type": "idea", "target_id": idea_id, "reason": "spam"}
        assert client.post("/api/v1/flags", json=payload, headers=flagger.headers).status_code == 201
    assert client.get(f"/api/v1/ideas/{idea_id}").status_code == 200
    payload = {"target_type": "idea", "target_id": idea_id, "reason": "spam"}
    assert client.post("/api/v1/flags", json=payload, headers=member.headers).status_code == 201
    assert_error(client.get(f"/api/v1/ideas/{idea_id}"), 404, "not_found")

    second = make_idea(other.user, "Another idea entirely").id
    payload = {"target_type": "idea", "target_id": second, "reason": "abuse"}
    assert client.post("/api/v1/flags", json=payload, headers=moderator.headers).status_code == 201
    assert_error(client.get(f"/api/v1/ideas/{second}"), 404, "not_found")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"target_type": "idea", "reason": "rude"}, "reason"),
        ({"target_type": "idea"}, "reason"),
        ({"target_type": "idea", "reason": 3}, "reason"),
        ({"target_type": "idea", "reason": "other"}, "note"),
        ({"target_type": "idea", "reason": "other", "note": "  "}, "note"),
        ({"target_type": "idea", "reason": "spam", "note": 5}, "note"),
        ({"target_type": "idea", "reason": "duplicate", "duplicate_of_id": "7"}, "duplicate_of_id"),
        ({"target_type": "banana", "reason": "spam"}, "target_type"),
        ({"reason": "spam"}, "target_type"),
        ({"target_type": "idea", "target_id": "1", "reason": "spam"}, "target_id"),
        ({"target_type": "idea", "target_id": True, "reason": "spam"}, "target_id"),
    ],
)
def test_bad_flags_are_422(client, member, other, payload, field):
    idea_id = make_idea(other.user, "Export reports as CSV").id
    payload = {"target_id": idea_id, **payload}
    error = assert_error(
        client.post("/api/v1/flags", json=payload, headers=member.headers), 422, "validation_error"
    )
    assert error["fields"][field]
    assert flag_total() == 0


def test_flags_on_what_does_not_exist_or_cannot_be_seen_are_404(client, member, other, moderator):
    idea_id = make_idea(other.user, "Export reports as CSV").id
    client.post(f"/api/v1/moderation/idea/{idea_id}/hide", json={"reason": "Spam"}, headers=moderator.headers)
    for payload in (
        {"target_type": "prototype", "target_id": 1, "reason": "spam"},
        {"target_type": "idea", "target_id": 999, "reason": "spam"},
        {"target_type": "comment", "target_id": 999, "reason": "spam"},
        {"target_type": "idea", "target_id": idea_id, "reason": "spam"},
    ):
        assert_error(client.post("/api/v1/flags", json=payload, headers=member.headers), 404, "not_found")
    assert flag_total() == 0


def test_flagging_needs_a_token_a_json_object_and_an_active_account(client, member, other, moderator):
    idea_id = make_idea(other.user, "Export reports as CSV").id
    payload = {"target_type": "idea", "target_id": idea_id, "reason": "spam"}
    assert_error(client.post("/api/v1/flags", json=payload), 401, "unauthorized")
    assert_error(
        client.post("/api/v1/flags", data="nope", content_type="application/json", headers=member.headers),
        400,
        "bad_request",
    )
    response = client.post(
        f"/api/v1/users/{member.id}/suspend", json={"days": 3, "reason": "Spam"}, headers=moderator.headers
    )
    assert response.status_code == 200
    # The suspension revoked the member's token: it can flag nothing.
    error = assert_error(
        client.post("/api/v1/flags", json=payload, headers=member.headers), 401, "unauthorized"
    )
    assert "revoked" in error["message"]
    assert flag_total() == 0


# --- the queue -------------------------------------------------------------------------------


def test_the_queue_groups_flags_by_item(client, member, other, moderator, admin):
    idea = make_idea(other.user, "Export reports as CSV")
    idea_id = idea.id
    comment_id = make_comment(idea, other.user, "Spammy comment").id
    second = ApiCaller()
    for caller, kind, target in (
        (member, "idea", idea_id),
        (second, "idea", idea_id),
        (member, "comment", comment_id),
    ):
        payload = {"target_type": kind, "target_id": target, "reason": "spam"}
        assert client.post("/api/v1/flags", json=payload, headers=caller.headers).status_code == 201

    response = client.get("/api/v1/moderation/queue", headers=moderator.headers)
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["page"], body["per_page"], body["total"]) == (1, 25, 2)
    first, last = body["items"]
    assert (first["target_type"], first["target_id"], first["flag_count"]) == ("idea", idea_id, 2)
    assert [f["user"]["id"] for f in first["flags"]] == [member.id, second.id]
    assert first["idea"]["id"] == idea_id
    assert first["comment"] is None
    assert first["author"]["id"] == other.id
    assert first["author_history"]["ideas"] == 1
    assert first["author_history"]["comments"] == 1
    assert first["author_history"]["suspended"] is False
    assert (first["pending"], first["hidden"]) == (False, False)
    assert (last["target_type"], last["target_id"]) == ("comment", comment_id)
    assert last["comment"]["body"] == "Spammy comment"
    assert last["idea"]["id"] == idea_id

    assert client.get("/api/v1/moderation/queue", headers=admin.headers).json["total"] == 2
    paged = client.get("/api/v1/moderation/queue?per_page=1&page=2", headers=moderator.headers).json
    assert [item["target_id"] for item in paged["items"]] == [comment_id]
    assert_error(
        client.get("/api/v1/moderation/queue?per_page=0", headers=moderator.headers), 400, "bad_request"
    )


def test_the_queue_shows_pending_posts(client, other, moderator, admin):
    settings.update_settings(admin.user, premoderation_enabled=True)
    db.session.commit()
    newcomer = make_user()
    idea_id = make_idea(newcomer, "A newcomer's first idea").id
    items = client.get("/api/v1/moderation/queue", headers=moderator.headers).json["items"]
    assert [(i["target_type"], i["target_id"], i["pending"], i["flags"]) for i in items] == [
        ("idea", idea_id, True, [])
    ]
    assert_error(client.get(f"/api/v1/ideas/{idea_id}", headers=other.headers), 404, "not_found")
    response = client.post(f"/api/v1/moderation/idea/{idea_id}/restore", headers=moderator.headers)
    assert response.status_code == 200
    assert response.json["pending"] is False
    assert client.get(f"/api/v1/ideas/{idea_id}", headers=other.headers).status_code == 200
    assert client.get("/api/v1/moderation/queue", headers=moderator.headers).json["items"] == []


@pytest.mark.parametrize("role", ["member", "product_manager"])
def test_the_queue_is_for_moderators(client, role):
    caller = ApiCaller(role)
    assert_error(client.get("/api/v1/moderation/queue", headers=caller.headers), 403, "forbidden")
    assert_error(client.get("/api/v1/moderation/queue"), 401, "unauthorized")


# --- hide and restore ------------------------------------------------------------------------


def test_hide_and_restore_an_idea(client, member, other, moderator):
    idea_id = make_idea(other.user, "Export reports as CSV").id
    response = client.post(
        f"/api/v1/moderation/idea/{idea_id}/hide", json={"reason": "Advertising"}, headers=moderator.headers
    )
    assert response.status_code == 200, response.json
    assert response.json["id"] == idea_id
    assert (response.json["hidden"], response.json["hidden_reason"]) == (True, "Advertising")
    assert response.json["title"] == "Export reports as CSV"
    assert hidden(Idea, idea_id)
    # Nobody else sees it; its author and moderators do.
    assert_error(client.get(f"/api/v1/ideas/{idea_id}"), 404, "not_found")
    assert_error(client.get(f"/api/v1/ideas/{idea_id}", headers=member.headers), 404, "not_found")
    assert_error(client.get(f"/api/v1/ideas/{idea_id}/comments", headers=member.headers), 404, "not_found")
    assert idea_id not in [i["id"] for i in client.get("/api/v1/ideas", headers=member.headers).json["items"]]
    assert client.get(f"/api/v1/ideas/{idea_id}", headers=other.headers).status_code == 200
    assert client.get(f"/api/v1/ideas/{idea_id}", headers=moderator.headers).status_code == 200
    assert_error(client.post(f"/api/v1/ideas/{idea_id}/vote", headers=member.headers), 404, "not_found")

    response = client.post(f"/api/v1/moderation/idea/{idea_id}/restore", headers=moderator.headers)
    assert response.status_code == 200
    assert response.json["hidden"] is False
    assert client.get(f"/api/v1/ideas/{idea_id}").status_code == 200
    assert_error(
        client.post(f"/api/v1/moderation/idea/{idea_id}/restore", headers=moderator.headers), 409, "conflict"
    )


def test_hide_and_restore_a_comment(client, member, other, moderator):
    idea = make_idea(other.user, "Export reports as CSV")
    idea_id = idea.id
    comment_id = make_comment(idea, other.user, "Rude words").id
    response = client.post(
        f"/api/v1/moderation/comment/{comment_id}/hide", json={"reason": "Rude"}, headers=moderator.headers
    )
    assert response.status_code == 200, response.json
    assert (response.json["id"], response.json["body"], response.json["hidden"]) == (
        comment_id,
        "Rude words",
        True,
    )
    assert response.json["author"]["id"] == other.id
    listed = client.get(f"/api/v1/ideas/{idea_id}/comments", headers=member.headers).json
    assert listed["items"] == []
    assert client.get(f"/api/v1/ideas/{idea_id}").json["comment_count"] == 0
    own = client.get(f"/api/v1/ideas/{idea_id}/comments", headers=other.headers).json
    assert [c["id"] for c in own["items"]] == [comment_id]
    response = client.post(f"/api/v1/moderation/comment/{comment_id}/restore", headers=moderator.headers)
    assert response.status_code == 200
    assert response.json["hidden"] is False
    assert client.get(f"/api/v1/ideas/{idea_id}").json["comment_count"] == 1


def test_hide_refusals(client, member, other, moderator, pm):
    idea_id = make_idea(other.user, "Export reports as CSV").id
    url = f"/api/v1/moderation/idea/{idea_id}/hide"
    assert_error(client.post(url, json={"reason": "x"}), 401, "unauthorized")
    assert_error(client.post(url, json={"reason": "Mine"}, headers=member.headers), 403, "forbidden")
    assert_error(client.post(url, json={"reason": "Staff"}, headers=pm.headers), 403, "forbidden")
    assert (
        "reason"
        in assert_error(client.post(url, json={}, headers=moderator.headers), 422, "validation_error")[
            "fields"
        ]
    )
    assert_error(client.post(url, json={"reason": 4}, headers=moderator.headers), 422, "validation_error")
    assert_error(client.post(url, json={"reason": " "}, headers=moderator.headers), 422, "validation_error")
    assert_error(
        client.post(url, data="[]", content_type="application/json", headers=moderator.headers),
        400,
        "bad_request",
    )
    for path in ("idea/999", "comment/999", "prototype/1", "banana/1"):
        assert_error(
            client.post(
                f"/api/v1/moderation/{path}/hide", json={"reason": "Spam"}, headers=moderator.headers
            ),
            404,
            "not_found",
        )
        assert_error(
            client.post(f"/api/v1/moderation/{path}/restore", headers=moderator.headers), 404, "not_found"
        )
    assert_error(
        client.post(f"/api/v1/moderation/idea/{idea_id}/restore", headers=member.headers), 403, "forbidden"
    )
    assert not hidden(Idea, idea_id)
    assert audit_total() == 0


# --- locks -----------------------------------------------------------------------------------


def test_lock_and_unlock(client, member, other, moderator):
    idea_id = make_idea(other.user, "Export reports as CSV").id
    response = client.post(f"/api/v1/ideas/{idea_id}/lock", headers=moderator.headers)
    assert response.status_code == 200, response.json
    assert (response.json["id"], response.json["locked"]) == (idea_id, True)
    assert_error(client.post(f"/api/v1/ideas/{idea_id}/vote", headers=member.headers), 403, "forbidden")
    assert_error(
        client.post(f"/api/v1/ideas/{idea_id}/comments", json={"body": "Hi"}, headers=member.headers),
        403,
        "forbidden",
    )
    assert_error(client.post(f"/api/v1/ideas/{idea_id}/lock", headers=moderator.headers), 409, "conflict")
    response = client.post(f"/api/v1/ideas/{idea_id}/unlock", headers=moderator.headers)
    assert (response.status_code, response.json["locked"]) == (200, False)
    assert client.post(f"/api/v1/ideas/{idea_id}/vote", headers=member.headers).status_code == 200
    assert_error(client.post(f"/api/v1/ideas/{idea_id}/unlock", headers=moderator.headers), 409, "conflict")


def test_locking_is_for_moderators(client, member, other):
    idea_id = make_idea(other.user, "Export reports as CSV").id
    assert_error(client.post(f"/api/v1/ideas/{idea_id}/lock"), 401, "unauthorized")
    assert_error(client.post(f"/api/v1/ideas/{idea_id}/lock", headers=member.headers), 403, "forbidden")
    assert_error(client.post(f"/api/v1/ideas/{idea_id}/lock", headers=other.headers), 403, "forbidden")
    assert_error(client.post("/api/v1/ideas/999/lock", headers=member.headers), 404, "not_found")
    assert db.session.get(Idea, idea_id).is_locked is False


# --- merges ----------------------------------------------------------------------------------


def test_merge_counts_voters_once(client, member, other, moderator):
    source = make_idea(member.user, "Dark mode").id
    target = make_idea(other.user, "Night theme").id
    votes.cast_vote(other.user, db.session.get(Idea, source))
    db.session.commit()
    response = client.post(
        f"/api/v1/ideas/{source}/merge", json={"into_id": target}, headers=moderator.headers
    )
    assert response.status_code == 200, response.json
    assert (response.json["id"], response.json["vote_count"]) == (target, 2)
    merged = client.get(f"/api/v1/ideas/{source}").json
    assert (merged["status"], merged["merged_into"], merged["vote_count"]) == ("merged", target, 0)
    assert client.get(f"/api/v1/ideas/{target}", headers=member.headers).json["voted"] is True


def test_merge_refusals(client, member, other, moderator):
    source = make_idea(member.user, "Dark mode").id
    target = make_idea(other.user, "Night theme").id
    url = f"/api/v1/ideas/{source}/merge"
    assert_error(client.post(url, json={"into_id": target}), 401, "unauthorized")
    assert_error(client.post(url, json={"into_id": target}, headers=member.headers), 403, "forbidden")
    assert_error(client.post(url, json={"into_id": source}, headers=moderator.headers), 409, "conflict")
    for payload in ({}, {"into_id": "2"}, {"into_id": None}, {"into_id": True}):
        error = assert_error(
            client.post(url, json=payload, headers=moderator.headers), 422, "validation_error"
        )
        assert "into_id" in error["fields"]
    assert_error(client.post(url, json={"into_id": 999}, headers=moderator.headers), 404, "not_found")
    assert_error(
        client.post("/api/v1/ideas/999/merge", json={"into_id": target}, headers=moderator.headers),
        404,
        "not_found",
    )
    assert client.post(url, json={"into_id": target}, headers=moderator.headers).status_code == 200
    assert_error(client.post(url, json={"into_id": target}, headers=moderator.headers), 409, "conflict")
    assert_error(
        client.post(f"/api/v1/ideas/{target}/merge", json={"into_id": source}, headers=moderator.headers),
        409,
        "conflict",
    )
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "idea.merge")) == 1


# --- suspensions -----------------------------------------------------------------------------


def test_suspend_and_unsuspend(client, member, moderator):
    response = client.post(
        f"/api/v1/users/{member.id}/suspend",
        json={"days": 3, "reason": "Spam links"},
        headers=moderator.headers,
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert set(body) >= USER_FIELDS | {"suspended", "suspended_at", "suspended_until", "suspension_reason"}
    assert (body["id"], body["suspended"], body["suspension_reason"]) == (member.id, True, "Spam links")
    assert TIMESTAMP.match(body["suspended_until"])
    # Suspending revokes the member's tokens, for reads and writes alike.
    error = assert_error(
        client.post("/api/v1/ideas", json={"title": "A new idea now"}, headers=member.headers),
        401,
        "unauthorized",
    )
    assert "revoked" in error["message"]
    assert client.get("/api/v1/ideas", headers=member.headers).status_code == 401

    response = client.post(f"/api/v1/users/{member.id}/unsuspend", headers=moderator.headers)
    assert response.status_code == 200
    assert (response.json["suspended"], response.json["suspended_until"]) == (False, None)
    # Lifting the suspension brings no revoked token back; a new one works.
    assert client.get("/api/v1/me", headers=member.headers).status_code == 401
    _, plain = api_tokens.create_token(member.user, member.user, "After the suspension")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.post("/api/v1/ideas", json={"title": "A new idea now"}, headers=headers).status_code == 201
    assert_error(
        client.post(f"/api/v1/users/{member.id}/unsuspend", headers=moderator.headers), 409, "conflict"
    )


def test_a_permanent_suspension(client, member, moderator):
    response = client.post(
        f"/api/v1/users/{member.id}/suspend",
        json={"days": None, "reason": "Abuse"},
        headers=moderator.headers,
    )
    assert response.status_code == 200
    assert (response.json["suspended"], response.json["suspended_until"]) == (True, None)
    assert response.json["suspended_at"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"reason": "No days given"}, "days"),
        ({"days": 0, "reason": "Spam"}, "days"),
        ({"days": "3", "reason": "Spam"}, "days"),
        ({"days": 1.5, "reason": "Spam"}, "days"),
        ({"days": 3}, "reason"),
        ({"days": 3, "reason": ""}, "reason"),
        ({"days": 3, "reason": ["Spam"]}, "reason"),
    ],
)
def test_bad_suspensions_are_422(client, member, moderator, payload, field):
    error = assert_error(
        client.post(f"/api/v1/users/{member.id}/suspend", json=payload, headers=moderator.headers),
        422,
        "validation_error",
    )
    assert field in error["fields"]
    db.session.expire_all()
    assert not db.session.get(User, member.id).is_suspended


def test_who_may_suspend(client, member, other, moderator, admin, pm):
    url = f"/api/v1/users/{other.id}/suspend"
    payload = {"days": 3, "reason": "Spam"}
    assert_error(client.post(url, json=payload), 401, "unauthorized")
    assert_error(client.post(url, json=payload, headers=member.headers), 403, "forbidden")
    assert_error(client.post(url, json=payload, headers=pm.headers), 403, "forbidden")
    assert_error(
        client.post(f"/api/v1/users/{admin.id}/suspend", json=payload, headers=moderator.headers),
        403,
        "forbidden",
    )
    assert_error(
        client.post(f"/api/v1/users/{moderator.id}/suspend", json=payload, headers=moderator.headers),
        403,
        "forbidden",
    )
    assert_error(
        client.post("/api/v1/users/999/suspend", json=payload, headers=moderator.headers), 404, "not_found"
    )
    assert (
        client.post(f"/api/v1/users/{moderator.id}/suspend", json=payload, headers=admin.headers).status_code
        == 200
    )
    # A suspended moderator moderates no more: the suspension revoked their token.
    assert_error(client.post(url, json=payload, headers=moderator.headers), 401, "unauthorized")
    assert_error(client.get("/api/v1/moderation/queue", headers=moderator.headers), 401, "unauthorized")


# --- the audit log ---------------------------------------------------------------------------


def test_the_audit_log_for_admins(client, member, other, moderator, admin):
    idea_id = make_idea(other.user, "Export reports as CSV").id
    client.post(f"/api/v1/ideas/{idea_id}/lock", headers=moderator.headers)
    client.post(f"/api/v1/moderation/idea/{idea_id}/hide", json={"reason": "Spam"}, headers=moderator.headers)
    client.post(
        f"/api/v1/users/{member.id}/suspend", json={"days": 2, "reason": "Rude"}, headers=admin.headers
    )
    response = client.get("/api/v1/audit", headers=admin.headers)
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["page"], body["per_page"], body["total"]) == (1, 25, 3)
    newest, middle, oldest = body["items"]
    assert set(newest) >= AUDIT_FIELDS
    assert (newest["action"], newest["target_type"], newest["target_id"], newest["reason"]) == (
        "user.suspend",
        "user",
        member.id,
        "Rude",
    )
    assert newest["actor"] == {"id": admin.id, "display_name": "Alex Admin", "role": "admin"}
    assert newest["after"] == "2 days"
    assert (middle["action"], middle["reason"], middle["actor"]["id"]) == ("idea.hide", "Spam", moderator.id)
    assert oldest["action"] == "idea.lock"
    assert TIMESTAMP.match(oldest["created_at"])


def test_the_site_itself_appears_as_a_null_actor(client, other, admin):
    idea_id = make_idea(other.user, "Export reports as CSV").id
    for _ in range(3):
        flagger = ApiCaller()
        client.post(
            "/api/v1/flags",
            json={"target_type": "idea", "target_id": idea_id, "reason": "spam"},
            headers=flagger.headers,
        )
    (entry,) = client.get("/api/v1/audit", headers=admin.headers).json["items"]
    assert (entry["action"], entry["actor"]) == ("idea.hide", None)


def test_the_audit_log_filters(client, moderator, admin):
    now = utcnow()
    for days, actor, action in [
        (10, moderator.user, "idea.hide"),
        (5, moderator.user, "idea.lock"),
        (5, admin.user, "user.change_role"),
        (1, admin.user, "idea.hide"),
    ]:
        audit.record(actor, action, "idea", 1, reason=f"{action} {days}").created_at = now - timedelta(
            days=days
        )
    db.session.commit()

    def reasons(query: str) -> list[str]:
        response = client.get(f"/api/v1/audit?{query}", headers=admin.headers)
        assert response.status_code == 200, response.json
        return [item["reason"] for item in response.json["items"]]

    assert reasons(f"actor_id={moderator.id}") == ["idea.lock 5", "idea.hide 10"]
    assert reasons("action=idea.hide") == ["idea.hide 1", "idea.hide 10"]
    day = lambda days: (now - timedelta(days=days)).date().isoformat()  # noqa: E731
    assert reasons(f"since={day(5)}") == ["idea.hide 1", "user.change_role 5", "idea.lock 5"]
    # A bare date for `until` includes that whole day.
    assert reasons(f"until={day(5)}") == ["user.change_role 5", "idea.lock 5", "idea.hide 10"]
    assert reasons(f"since={day(6)}&until={day(2)}&action=idea.lock") == ["idea.lock 5"]
    since = (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert reasons(f"since={since}") == ["idea.hide 1"]
    assert reasons("per_page=1&page=2") == ["user.change_role 5"]


@pytest.mark.parametrize(
    "query",
    [
        "since=yesterday",
        "until=2026-13-01",
        "since=2026-05-01T25:00",
        "actor_id=me",
        "actor_id=-1",
        "per_page=500",
    ],
)
def test_bad_audit_filters_are_400(client, admin, query):
    error = assert_error(client.get(f"/api/v1/audit?{query}", headers=admin.headers), 400, "bad_request")
    assert query.split("=")[0] in error["message"]


@pytest.mark.parametrize("role", ["member", "product_manager", "moderator"])
def test_the_audit_log_is_for_admins(client, role):
    # Moderators read the moderation part of the log on the site (tests/web/test_audit_reach.py).
    caller = ApiCaller(role)
    assert_error(client.get("/api/v1/audit", headers=caller.headers), 403, "forbidden")
    assert_error(client.get("/api/v1/audit"), 401, "unauthorized")


def test_moderator_edits_and_deletes_of_comments_appear_once(client, other, moderator, admin):
    comment_id = make_comment(make_idea(other.user, "Export reports as CSV"), other.user, "Original words").id
    response = client.patch(
        f"/api/v1/comments/{comment_id}", json={"body": "Tidied words"}, headers=moderator.headers
    )
    assert response.status_code == 200
    assert client.delete(f"/api/v1/comments/{comment_id}", headers=moderator.headers).status_code == 204
    items = client.get("/api/v1/audit", headers=admin.headers).json["items"]
    assert [(i["action"], i["target_id"], i["before"]) for i in items] == [
        ("comment.delete", comment_id, "Tidied words"),
        ("comment.edit", comment_id, "Original words"),
    ]
    assert db.session.get(Comment, comment_id).is_deleted
