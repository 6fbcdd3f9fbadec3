"""The prototypes API: the list, one prototype, creating and editing (staff), votes."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.notification import Notification
from app.models.prototype import Prototype
from app.services import prototypes
from app.services.prototypes import LinkInput
from tests.factories import ApiCaller, make_idea, make_prototype, make_user
from tests.services.test_uploads import jpeg_bytes, png_bytes

PROTOTYPE_FIELDS = {
    "id",
    "title",
    "description",
    "description_html",
    "status",
    "vote_count",
    "voted",
    "comment_count",
    "idea_ids",
    "links",
    "images",
    "created_at",
}


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    folder = tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = str(folder)
    return folder


def headers_for(role: str) -> dict:
    return {} if role == "anonymous" else ApiCaller(role).headers


def prototype_count() -> int:
    return db.session.scalar(select(func.count(Prototype.id)))


# ---- Reading ----


def test_a_prototype_has_every_contract_field(client):
    idea = make_idea()
    prototype = make_prototype(
        title="Clickable CSV export",
        status="published",
        idea_ids=[idea.id],
        links=[LinkInput("https://example.com/demo", "Demo")],
        images=[png_bytes((800, 600)), jpeg_bytes()],
    )
    body = client.get(f"/api/v1/prototypes/{prototype.id}").get_json()
    assert set(body) >= PROTOTYPE_FIELDS
    assert body["title"] == "Clickable CSV export"
    assert body["description"] == "Try **exporting** a report."
    assert body["description_html"] == "<p>Try <strong>exporting</strong> a report.</p>\n"
    assert body["status"] == "published"
    assert (body["vote_count"], body["voted"], body["comment_count"]) == (0, False, 0)
    assert body["idea_ids"] == [idea.id]
    assert body["links"] == [{"url": "https://example.com/demo", "label": "Demo"}]
    assert body["created_at"].endswith("Z")
    first = body["images"][0]
    assert {"url", "thumbnail_url", "width", "height"} <= set(first)
    assert (first["width"], first["height"]) == (800, 600)
    assert "/uploads/" in first["url"]
    assert first["url"] != first["thumbnail_url"]
    path = first["thumbnail_url"].split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{path}").headers["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("role", "sees_drafts"),
    [
        ("anonymous", False),
        ("member", False),
        ("moderator", False),
        ("product_manager", True),
        ("admin", True),
    ],
)
def test_drafts_only_for_staff(client, role, sees_drafts):
    pm = make_user("product_manager")
    draft = make_prototype(pm, title="Secret draft here", status="draft")
    make_prototype(pm, title="Published one here", status="published")
    archived = make_prototype(pm, title="Archived one here", status="published")
    prototypes.change_status(pm, archived, "archived")
    db.session.commit()
    headers = headers_for(role)
    body = client.get("/api/v1/prototypes", headers=headers).get_json()
    titles = {item["title"] for item in body["items"]}
    assert {"Published one here", "Archived one here"} <= titles
    assert ("Secret draft here" in titles) == sees_drafts
    assert body["total"] == (3 if sees_drafts else 2)
    assert (body["page"], body["per_page"]) == (1, 25)
    response = client.get(f"/api/v1/prototypes/{draft.id}", headers=headers)
    if sees_drafts:
        assert response.status_code == 200
    else:
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_the_list_is_paginated_and_checks_its_parameters(client):
    pm = make_user("product_manager")
    for n in range(3):
        make_prototype(pm, title=f"Prototype number {n}", status="published")
    body = client.get("/api/v1/prototypes?per_page=2&page=2").get_json()
    assert (len(body["items"]), body["total"], body["page"]) == (1, 3, 2)
    for query in ("per_page=0", "per_page=101", "page=x", "status=bogus"):
        response = client.get(f"/api/v1/prototypes?{query}")
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "bad_request"


# ---- Creating and editing: staff ----


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("member", 403), ("moderator", 403)])
def test_only_staff_create(client, role, status):
    response = client.post(
        "/api/v1/prototypes", json={"title": "A fine prototype", "description": ""}, headers=headers_for(role)
    )
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == ("unauthorized" if status == 401 else "forbidden")
    assert prototype_count() == 0


@pytest.mark.parametrize("role", ["product_manager", "admin"])
def test_staff_create_a_prototype(client, role):
    follower = make_user()
    idea = make_idea(follower)
    response = client.post(
        "/api/v1/prototypes",
        json={
            "title": "A fine prototype",
            "description": "Try *this*.",
            "idea_ids": [idea.id],
            "links": [{"url": "https://example.com/demo", "label": "Demo"}, {"url": "https://example.org"}],
            "status": "published",
        },
        headers=headers_for(role),
    )
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == body["url"]
    assert body["status"] == "published"
    assert body["idea_ids"] == [idea.id]
    assert body["links"][1] == {"url": "https://example.org", "label": ""}
    assert body["images"] == []
    assert (
        db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == follower.id)) == 1
    )


def test_a_new_prototype_is_a_draft_by_default(client):
    body = client.post(
        "/api/v1/prototypes", json={"title": "A fine prototype"}, headers=headers_for("admin")
    ).get_json()
    assert body["status"] == "draft"
    assert client.get(f"/api/v1/prototypes/{body['id']}").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "Tiny"}, "title"),
        ({"title": 12}, "title"),
        ({"title": "A fine title", "links": [{"url": "javascript:alert(1)"}]}, "links"),
        ({"title": "A fine title", "links": "https://example.com"}, "links"),
        ({"title": "A fine title", "idea_ids": [999]}, "idea_ids"),
        ({"title": "A fine title", "idea_ids": ["1"]}, "idea_ids"),
        ({"title": "A fine title", "status": "archived"}, "status"),
        ({"title": "A fine title", "description": ["no"]}, "description"),
    ],
)
def test_invalid_fields_are_named(client, payload, field):
    response = client.post("/api/v1/prototypes", json=payload, headers=headers_for("product_manager"))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert prototype_count() == 0


def test_a_body_that_is_not_a_json_object_is_a_bad_request(client):
    response = client.post("/api/v1/prototypes", data="title=x", headers=headers_for("admin"))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_staff_patch_fields_and_status(client):
    pm = ApiCaller("product_manager")
    prototype = make_prototype(pm.user, status="draft")
    url = f"/api/v1/prototypes/{prototype.id}"
    response = client.patch(
        url, json={"title": "Better title", "links": [], "status": "published"}, headers=pm.headers
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["title"], body["status"], body["links"]) == ("Better title", "published", [])
    # Repeating the current status changes nothing.
    assert client.patch(url, json={"status": "published"}, headers=pm.headers).status_code == 200
    back = client.patch(url, json={"status": "draft"}, headers=pm.headers)
    assert back.status_code == 409
    assert back.get_json()["error"]["code"] == "conflict"
    assert client.patch(url, json={}, headers=pm.headers).status_code == 400


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_others_may_not_patch(client, role):
    prototype = make_prototype(status="published")
    response = client.patch(
        f"/api/v1/prototypes/{prototype.id}", json={"status": "published"}, headers=headers_for(role)
    )
    assert response.status_code == 403
    assert db.session.get(Prototype, prototype.id).title == "Clickable CSV export"


# ---- Votes ----


def test_votes_are_idempotent_and_toggle(client):
    prototype = make_prototype(status="published")
    member = ApiCaller("member")
    url = f"/api/v1/prototypes/{prototype.id}/vote"
    assert client.post(url, headers=member.headers).get_json() == {"voted": True, "vote_count": 1}
    assert client.post(url, headers=member.headers).get_json() == {"voted": True, "vote_count": 1}
    assert (
        client.get(f"/api/v1/prototypes/{prototype.id}", headers=member.headers).get_json()["voted"] is True
    )
    assert client.delete(url, headers=member.headers).get_json() == {"voted": False, "vote_count": 0}
    assert client.delete(url, headers=member.headers).get_json() == {"voted": False, "vote_count": 0}
    assert client.post(url).status_code == 401


def test_archived_prototypes_take_no_votes_and_drafts_are_not_found(client):
    pm = make_user("product_manager")
    archived = make_prototype(pm, status="published")
    prototypes.change_status(pm, archived, "archived")
    draft = make_prototype(pm, status="draft")
    db.session.commit()
    member = ApiCaller("member")
    response = client.post(f"/api/v1/prototypes/{archived.id}/vote", headers=member.headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert client.post(f"/api/v1/prototypes/{draft.id}/vote", headers=member.headers).status_code == 404
