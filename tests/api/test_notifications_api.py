"""GET /api/v1/notifications and POST /api/v1/notifications/read-all."""

import pytest

from app.services import notifications
from tests.factories import make_api_token, make_notification, make_user


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def ann(app):
    return make_user(name="Ann")


def test_list_is_the_callers_own_newest_first_and_paginated(client, ann):
    for number in range(5):
        make_notification(ann, f"Update {number}", url=f"/ideas/{number}")
    make_notification(make_user(), "Not for Ann")
    token = make_api_token(ann)

    response = client.get("/api/v1/notifications", headers=bearer(token))
    assert response.status_code == 200
    body = response.json
    assert (body["page"], body["per_page"], body["total"]) == (1, 25, 5)
    assert [item["message"] for item in body["items"]] == [f"Update {n}" for n in (4, 3, 2, 1, 0)]
    first = body["items"][0]
    assert set(first) >= {"id", "kind", "message", "url", "read", "created_at"}
    assert first["kind"] == "mention"
    assert first["url"] == "http://127.0.0.1:5000/ideas/4"
    assert first["read"] is False
    assert first["created_at"].endswith("Z")

    page = client.get("/api/v1/notifications?page=2&per_page=2", headers=bearer(token)).json
    assert [item["message"] for item in page["items"]] == ["Update 2", "Update 1"]
    assert (page["page"], page["per_page"], page["total"]) == (2, 2, 5)


def test_list_needs_a_token(client):
    response = client.get("/api/v1/notifications")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert client.post("/api/v1/notifications/read-all").status_code == 401


def test_bad_page_arguments_are_a_bad_request(client, ann):
    response = client.get("/api/v1/notifications?per_page=101", headers=bearer(make_api_token(ann)))
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"


def test_read_all_marks_only_the_callers_notifications(client, ann):
    bob = make_user()
    for number in range(3):
        make_notification(ann, f"Update {number}")
    make_notification(bob, "For Bob")
    token = make_api_token(ann)

    response = client.post("/api/v1/notifications/read-all", headers=bearer(token))
    assert response.status_code == 204
    assert response.get_data() == b""
    assert notifications.unread_count(ann) == 0
    assert notifications.unread_count(bob) == 1
    items = client.get("/api/v1/notifications", headers=bearer(token)).json["items"]
    assert [item["read"] for item in items] == [True, True, True]
