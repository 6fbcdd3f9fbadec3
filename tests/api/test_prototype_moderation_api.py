"""Moderating prototypes through the API: flags, hide and restore, the queue."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.moderation import AuditEntry, Flag
from app.models.prototype import Prototype
from app.services import moderation
from tests.factories import ApiCaller, make_prototype

PROTOTYPE_FIELDS = {"id", "title", "description", "description_html", "status", "vote_count", "voted"}
STATE_FIELDS = {"hidden", "hidden_reason", "pending", "deleted"}


@pytest.fixture
def member(app) -> ApiCaller:
    return ApiCaller("member", "Mia Member")


@pytest.fixture
def pm(app) -> ApiCaller:
    return ApiCaller("product_manager", "Pat Manager")


@pytest.fixture
def moderator(app) -> ApiCaller:
    return ApiCaller("moderator", "Max Moderator")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.json["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def flag_total() -> int:
    return db.session.scalar(select(func.count(Flag.id)))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def stored(prototype_id: int) -> Prototype:
    db.session.expire_all()
    return db.session.get(Prototype, prototype_id)


def test_a_member_flags_a_prototype(client, member, pm):
    prototype_id = make_prototype(pm.user).id
    response = client.post(
        "/api/v1/flags",
        json={"target_type": "prototype", "target_id": prototype_id, "reason": "spam", "note": "Shop link"},
        headers=member.headers,
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["target_type"], body["target_id"], body["reason"], body["note"], body["status"]) == (
        "prototype",
        prototype_id,
        "spam",
        "Shop link",
        "open",
    )
    assert body["user"]["id"] == member.id
    assert flag_total() == 1
    again = client.post(
        "/api/v1/flags",
        json={"target_type": "prototype", "target_id": prototype_id, "reason": "abuse"},
        headers=member.headers,
    )
    assert assert_error(again, 409, "conflict")["message"] == moderation.ALREADY_FLAGGED
    assert flag_total() == 1


def test_the_author_cannot_flag_their_own_prototype(client, pm):
    prototype_id = make_prototype(pm.user).id
    response = client.post(
        "/api/v1/flags",
        json={"target_type": "prototype", "target_id": prototype_id, "reason": "spam"},
        headers=pm.headers,
    )
    error = assert_error(response, 409, "conflict")
    assert error["message"] == "You cannot flag your own prototype; edit or archive it instead."
    assert flag_total() == 0


def test_a_draft_is_not_found_for_a_member_flagging_it(client, member, pm):
    draft_id = make_prototype(pm.user, status="draft").id
    for payload in (
        {"target_type": "prototype", "target_id": draft_id, "reason": "spam"},
        {"target_type": "prototype", "target_id": 999, "reason": "spam"},
    ):
        assert_error(client.post("/api/v1/flags", json=payload, headers=member.headers), 404, "not_found")
    assert flag_total() == 0


def test_a_moderator_hides_and_restores_a_prototype(client, member, pm, moderator):
    prototype_id = make_prototype(pm.user).id
    other_id = make_prototype(ApiCaller("product_manager").user, title="Another prototype").id
    url = f"/api/v1/moderation/prototype/{prototype_id}"
    response = client.post(f"{url}/hide", json={"reason": "Shows customer data"}, headers=moderator.headers)
    assert response.status_code == 200, response.json
    body = response.json
    assert set(body) >= PROTOTYPE_FIELDS | STATE_FIELDS
    assert (body["id"], body["hidden"], body["hidden_reason"], body["deleted"], body["pending"]) == (
        prototype_id,
        True,
        "Shows customer data",
        False,
        False,
    )
    assert stored(prototype_id).is_hidden

    # Members do not see it, in the list or on its own; its author does.
    assert_error(client.get(f"/api/v1/prototypes/{prototype_id}", headers=member.headers), 404, "not_found")
    listed = client.get("/api/v1/prototypes", headers=member.headers).json
    assert [item["id"] for item in listed["items"]] == [other_id]
    assert client.get(f"/api/v1/prototypes/{prototype_id}", headers=pm.headers).status_code == 200
    assert prototype_id in [
        item["id"] for item in client.get("/api/v1/prototypes", headers=pm.headers).json["items"]
    ]

    response = client.post(f"{url}/restore", headers=moderator.headers)
    assert response.status_code == 200
    assert (response.json["hidden"], response.json["hidden_reason"]) == (False, "")
    assert client.get(f"/api/v1/prototypes/{prototype_id}", headers=member.headers).status_code == 200
    assert audit_actions()[-2:] == ["prototype.hide", "prototype.restore"]
    assert_error(client.post(f"{url}/restore", headers=moderator.headers), 409, "conflict")


def test_hiding_a_prototype_is_refused_without_a_reason_or_a_moderator(client, member, pm, moderator):
    prototype_id = make_prototype(pm.user).id
    url = f"/api/v1/moderation/prototype/{prototype_id}"
    before = audit_actions()
    error = assert_error(
        client.post(f"{url}/hide", json={}, headers=moderator.headers), 422, "validation_error"
    )
    assert error["fields"]["reason"] == ["`reason` is required."]
    error = assert_error(
        client.post(f"{url}/hide", json={"reason": " "}, headers=moderator.headers), 422, "validation_error"
    )
    assert error["fields"]["reason"] == ["Give a reason; the author will read it."]
    for caller in (member, pm):
        assert_error(
            client.post(f"{url}/hide", json={"reason": "Spam"}, headers=caller.headers), 403, "forbidden"
        )
    assert_error(client.post(f"{url}/hide", json={"reason": "Spam"}), 401, "unauthorized")
    draft_id = make_prototype(pm.user, status="draft").id
    assert_error(
        client.post(
            f"/api/v1/moderation/prototype/{draft_id}/hide",
            json={"reason": "Spam"},
            headers=moderator.headers,
        ),
        404,
        "not_found",
    )
    assert not stored(prototype_id).is_hidden
    assert not stored(draft_id).is_hidden
    assert audit_actions() == [*before, "prototype.create"]  # only the draft's creation


def test_the_queue_lists_flagged_prototypes(client, member, pm, moderator):
    prototype_id = make_prototype(pm.user).id
    client.post(
        "/api/v1/flags",
        json={"target_type": "prototype", "target_id": prototype_id, "reason": "abuse"},
        headers=member.headers,
    )
    body = client.get("/api/v1/moderation/queue", headers=moderator.headers).json
    assert body["total"] == 1
    (item,) = body["items"]
    assert (item["target_type"], item["target_id"], item["idea"], item["comment"]) == (
        "prototype",
        prototype_id,
        None,
        None,
    )
    assert item["prototype"] == {"id": prototype_id, "title": "Clickable CSV export"}
    assert item["author"]["id"] == pm.id
    assert [flag["user"]["id"] for flag in item["flags"]] == [member.id]
