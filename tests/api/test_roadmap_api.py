"""The roadmap endpoints of shared/API.md, and the roadmap items of the Idea object."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.idea import Idea
from app.models.notification import Notification
from app.models.roadmap import RoadmapIdea, RoadmapItem
from app.services import roadmap, votes
from tests.factories import ApiCaller, make_idea, make_user

ITEM_FIELDS = {
    "id",
    "title",
    "description",
    "description_html",
    "status",
    "public",
    "target",
    "impact",
    "effort",
    "release_note",
    "release_note_html",
    "shipped_at",
    "idea_ids",
    "demand",
    "created_at",
    "updated_at",
    "url",
}


@pytest.fixture
def staff(app) -> ApiCaller:
    return ApiCaller("product_manager", name="Pat Manager")


@pytest.fixture
def member(app) -> ApiCaller:
    return ApiCaller("member", name="Mia Member")


def new_item(staff: ApiCaller, title: str = "CSV export for every report", **values) -> int:
    item = roadmap.create_item(staff.user, title, **values)
    db.session.commit()
    return item.id


def link(staff: ApiCaller, item_id: int, idea_id: int) -> None:
    roadmap.link_idea(staff.user, roadmap.get_item(staff.user, item_id), idea_id)
    db.session.commit()


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.json["error"]
    assert error["code"] == code
    return error


def item_count() -> int:
    return db.session.scalar(select(func.count()).select_from(RoadmapItem))


def status_of(idea_id: int) -> str:
    return db.session.scalar(select(Idea.status).where(Idea.id == idea_id))


# --- the list and one item -------------------------------------------------------------------


def test_anyone_lists_public_items_and_staff_see_all(client, staff, member):
    public = new_item(staff, "A public item", impact=4)
    private = new_item(staff, "A private item", is_public=False)
    idea = make_idea()
    link(staff, public, idea.id)

    for headers in ({}, member.headers):
        body = client.get("/api/v1/roadmap", headers=headers).json
        assert [item["id"] for item in body["items"]] == [public]
        assert (body["page"], body["per_page"], body["total"]) == (1, 25, 1)
        item = body["items"][0]
        assert set(item) >= ITEM_FIELDS
        assert (item["idea_ids"], item["demand"], item["public"]) == ([idea.id], 1, True)
        assert item["impact"] is None  # impact and effort are for staff
    body = client.get("/api/v1/roadmap", headers=staff.headers).json
    assert {item["id"] for item in body["items"]} == {public, private}
    assert {item["id"]: item["impact"] for item in body["items"]}[public] == 4


def test_the_list_filters_by_status_and_refuses_unknown_ones(client, staff):
    planned = new_item(staff, "A planned item")
    shipped = new_item(staff, "A shipped item", status="shipped")
    assert [i["id"] for i in client.get("/api/v1/roadmap?status=shipped").json["items"]] == [shipped]
    assert [i["id"] for i in client.get("/api/v1/roadmap?status=planned").json["items"]] == [planned]
    assert_error(client.get("/api/v1/roadmap?status=someday"), 400, "bad_request")
    assert_error(client.get("/api/v1/roadmap?per_page=500"), 400, "bad_request")


def test_the_list_runs_a_fixed_number_of_queries(client, staff, count_queries):
    def queries() -> int:
        with count_queries() as statements:
            assert client.get("/api/v1/roadmap").status_code == 200
        return len(statements)

    new_item(staff, "The first item")
    few = queries()
    for n in range(6):
        item_id = new_item(staff, f"Item number {n}")
        link(staff, item_id, make_idea(title=f"Idea for item {n}").id)
    assert queries() == few


def test_one_item_and_private_ones_are_404_for_non_staff(client, staff, member):
    private = new_item(staff, "A private item", is_public=False)
    assert client.get(f"/api/v1/roadmap/{private}", headers=staff.headers).json["title"] == "A private item"
    assert_error(client.get(f"/api/v1/roadmap/{private}"), 404, "not_found")
    assert_error(client.get(f"/api/v1/roadmap/{private}", headers=member.headers), 404, "not_found")
    assert_error(client.get("/api/v1/roadmap/999"), 404, "not_found")
    assert_error(client.get(f"/api/v1/roadmap/{10**20}"), 404, "not_found")


# --- creating --------------------------------------------------------------------------------


def test_staff_create_an_item_with_defaults(client, staff):
    response = client.post("/api/v1/roadmap", json={"title": "Scheduled reports"}, headers=staff.headers)
    assert response.status_code == 201
    body = response.json
    assert set(body) >= ITEM_FIELDS
    assert (body["status"], body["public"], body["target"], body["idea_ids"], body["demand"]) == (
        "planned",
        True,
        "",
        [],
        0,
    )
    assert response.headers["Location"] == body["url"]
    assert body["url"].endswith(f"/roadmap/{body['id']}")


def test_staff_create_an_item_with_every_field(client, staff):
    response = client.post(
        "/api/v1/roadmap",
        json={
            "title": "Partner sync",
            "description": "Sync with **partners**.",
            "status": "shipped",
            "public": False,
            "target": "2027 Q1",
            "impact": 5,
            "effort": 3,
            "release_note": "It is *out*.",
        },
        headers=staff.headers,
    )
    assert response.status_code == 201
    body = response.json
    assert (body["status"], body["public"], body["target"], body["impact"], body["effort"]) == (
        "shipped",
        False,
        "2027 Q1",
        5,
        3,
    )
    assert "<strong>partners</strong>" in body["description_html"]
    assert "<em>out</em>" in body["release_note_html"]
    assert body["shipped_at"].endswith("Z")


def test_creating_needs_a_token_and_staff(client, member):
    assert_error(client.post("/api/v1/roadmap", json={"title": "Scheduled reports"}), 401, "unauthorized")
    response = client.post("/api/v1/roadmap", json={"title": "Scheduled reports"}, headers=member.headers)
    assert_error(response, 403, "forbidden")
    assert item_count() == 0


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"title"}),
        ({"title": "ab"}, {"title"}),
        ({"title": 12}, {"title"}),
        ({"title": "Fine title", "public": "yes"}, {"public"}),
        ({"title": "Fine title", "impact": "high", "effort": 9}, {"impact", "effort"}),
        ({"title": "Fine title", "impact": True}, {"impact"}),
        ({"title": "Fine title", "description": ["x"], "target": 2027}, {"description", "target"}),
        ({"title": "Fine title", "status": "someday"}, {"status"}),
        ({"title": "Fine title", "status": ["planned"]}, {"status"}),
        ({"title": "Fine title", "release_note": {"a": 1}}, {"release_note"}),
    ],
)
def test_invalid_bodies_are_422_naming_the_fields(client, staff, body, fields):
    error = assert_error(
        client.post("/api/v1/roadmap", json=body, headers=staff.headers), 422, "validation_error"
    )
    assert set(error["fields"]) == fields
    assert item_count() == 0


def test_a_body_that_is_not_an_object_is_400(client, staff):
    assert_error(client.post("/api/v1/roadmap", json=["x"], headers=staff.headers), 400, "bad_request")
    response = client.post("/api/v1/roadmap", data="title", headers=staff.headers)
    assert_error(response, 400, "bad_request")


# --- editing and moving ----------------------------------------------------------------------


def test_staff_edit_fields(client, staff):
    item_id = new_item(staff, target="2027 Q1", impact=2)
    response = client.patch(
        f"/api/v1/roadmap/{item_id}",
        json={"title": "Renamed item", "target": None, "impact": None, "public": False},
        headers=staff.headers,
    )
    assert response.status_code == 200
    body = response.json
    assert (body["title"], body["target"], body["impact"], body["public"], body["status"]) == (
        "Renamed item",
        "",
        None,
        False,
        "planned",
    )


def test_shipping_moves_ideas_and_tells_each_supporter_once(client, staff):
    item_id = new_item(staff)
    first, second = make_idea(title="Export reports to CSV"), make_idea(title="Export reports to Excel")
    fan = make_user()
    votes.cast_vote(fan, first)
    votes.cast_vote(fan, second)
    db.session.commit()
    link(staff, item_id, first.id)
    link(staff, item_id, second.id)

    response = client.patch(
        f"/api/v1/roadmap/{item_id}",
        json={"status": "shipped", "release_note": "Every report has a CSV button."},
        headers=staff.headers,
    )
    assert response.status_code == 200
    body = response.json
    assert (body["status"], body["release_note"], body["demand"]) == (
        "shipped",
        "Every report has a CSV button.",
        3,
    )
    assert body["shipped_at"] is not None
    assert status_of(first.id) == status_of(second.id) == "shipped"
    messages = list(db.session.scalars(select(Notification.message).where(Notification.user_id == fan.id)))
    assert sum("Every report has a CSV button." in message for message in messages) == 1
    assert db.session.scalar(select(func.count()).where(Notification.user_id == staff.id)) == 0


def test_sending_the_status_it_has_changes_nothing_but_the_note(client, staff):
    item_id = new_item(staff, status="shipped")
    response = client.patch(
        f"/api/v1/roadmap/{item_id}",
        json={"status": "shipped", "release_note": "A corrected note."},
        headers=staff.headers,
    )
    assert response.status_code == 200
    assert (response.json["status"], response.json["release_note"]) == ("shipped", "A corrected note.")


def test_a_failing_patch_saves_nothing(client, staff):
    item_id = new_item(staff)
    idea = make_idea()
    link(staff, item_id, idea.id)
    response = client.patch(
        f"/api/v1/roadmap/{item_id}",
        json={"title": "Renamed item", "status": "someday"},
        headers=staff.headers,
    )
    error = assert_error(response, 422, "validation_error")
    assert set(error["fields"]) == {"status"}
    response = client.patch(
        f"/api/v1/roadmap/{item_id}", json={"title": "x", "status": "shipped"}, headers=staff.headers
    )
    assert_error(response, 422, "validation_error")
    item = db.session.get(RoadmapItem, item_id)
    assert (item.title, item.status) == ("CSV export for every report", "planned")
    assert status_of(idea.id) == "planned"


def test_patch_refusals(client, staff, member):
    public = new_item(staff, "A public item")
    private = new_item(staff, "A private item", is_public=False)
    url = f"/api/v1/roadmap/{public}"
    assert_error(client.patch(url, json={"title": "Renamed"}), 401, "unauthorized")
    assert_error(client.patch(url, json={"title": "Renamed"}, headers=member.headers), 403, "forbidden")
    response = client.patch(f"/api/v1/roadmap/{private}", json={"title": "Renamed"}, headers=member.headers)
    assert_error(response, 404, "not_found")
    assert_error(client.patch(url, json={}, headers=staff.headers), 400, "bad_request")
    assert_error(client.patch(url, json={"status": 3}, headers=staff.headers), 422, "validation_error")
    assert db.session.get(RoadmapItem, public).title == "A public item"


# --- linking ideas ---------------------------------------------------------------------------


def test_linking_twice_is_a_no_op(client, staff):
    item_id = new_item(staff)
    idea = make_idea()
    url = f"/api/v1/roadmap/{item_id}/ideas"
    first = client.post(url, json={"idea_id": idea.id}, headers=staff.headers)
    assert first.status_code == 200
    assert first.json["idea_ids"] == [idea.id]
    second = client.post(url, json={"idea_id": idea.id}, headers=staff.headers)
    assert second.status_code == 200
    assert second.json["idea_ids"] == [idea.id]
    assert db.session.scalar(select(func.count()).select_from(RoadmapIdea)) == 1
    assert status_of(idea.id) == "planned"


def test_linking_with_plan_false_keeps_the_status(client, staff):
    item_id = new_item(staff)
    idea = make_idea()
    url = f"/api/v1/roadmap/{item_id}/ideas"
    assert (
        client.post(url, json={"idea_id": idea.id, "plan": False}, headers=staff.headers).status_code == 200
    )
    assert status_of(idea.id) == "open"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "idea_id"),
        ({"idea_id": "12"}, "idea_id"),
        ({"idea_id": 999}, "idea_id"),
        ({"idea_id": 10**20}, "idea_id"),
        ({"idea_id": 1, "plan": "no"}, "plan"),
    ],
)
def test_linking_bad_ideas_is_422(client, staff, body, field):
    item_id = new_item(staff)
    make_idea()
    response = client.post(f"/api/v1/roadmap/{item_id}/ideas", json=body, headers=staff.headers)
    assert field in assert_error(response, 422, "validation_error")["fields"]
    assert db.session.scalar(select(func.count()).select_from(RoadmapIdea)) == 0


def test_linking_a_merged_idea_is_a_conflict(client, staff):
    item_id = new_item(staff)
    target, merged = make_idea(title="The idea that stays"), make_idea(title="The idea merged away")
    merged.status, merged.merged_into_id = "merged", target.id
    db.session.commit()
    response = client.post(
        f"/api/v1/roadmap/{item_id}/ideas", json={"idea_id": merged.id}, headers=staff.headers
    )
    assert_error(response, 409, "conflict")


def test_linking_and_unlinking_need_staff(client, staff, member):
    item_id = new_item(staff)
    idea = make_idea()
    url = f"/api/v1/roadmap/{item_id}/ideas"
    assert_error(client.post(url, json={"idea_id": idea.id}), 401, "unauthorized")
    assert_error(client.post(url, json={"idea_id": idea.id}, headers=member.headers), 403, "forbidden")
    link(staff, item_id, idea.id)
    assert_error(client.delete(f"{url}/{idea.id}", headers=member.headers), 403, "forbidden")
    assert_error(
        client.delete(f"/api/v1/roadmap/999/ideas/{idea.id}", headers=staff.headers), 404, "not_found"
    )
    assert db.session.scalar(select(func.count()).select_from(RoadmapIdea)) == 1


def test_unlinking_twice_is_fine(client, staff):
    item_id = new_item(staff)
    idea = make_idea()
    link(staff, item_id, idea.id)
    # An id past any database integer matches no route at all.
    assert (
        client.delete(f"/api/v1/roadmap/{item_id}/ideas/{10**20}", headers=staff.headers).status_code == 404
    )
    url = f"/api/v1/roadmap/{item_id}/ideas/{idea.id}"
    for _ in range(2):
        response = client.delete(url, headers=staff.headers)
        assert response.status_code == 200
        assert response.json["idea_ids"] == []
    assert status_of(idea.id) == "planned"


# --- the Idea object's roadmap items ---------------------------------------------------------


def test_ideas_name_the_items_the_caller_may_see(client, staff, member):
    public = new_item(staff, "A public item")
    private = new_item(staff, "A private item", is_public=False)
    idea = make_idea()
    link(staff, public, idea.id)
    link(staff, private, idea.id)
    expected = [{"id": public, "title": "A public item", "status": "planned"}]

    for headers in ({}, member.headers):
        assert client.get(f"/api/v1/ideas/{idea.id}", headers=headers).json["roadmap_items"] == expected
        listed = client.get("/api/v1/ideas", headers=headers).json["items"]
        assert [entry["roadmap_items"] for entry in listed] == [expected]
        searched = client.get("/api/v1/ideas?q=export", headers=headers).json["items"]
        assert [entry["roadmap_items"] for entry in searched] == [expected]
    staff_view = client.get(f"/api/v1/ideas/{idea.id}", headers=staff.headers).json["roadmap_items"]
    assert {entry["id"] for entry in staff_view} == {public, private}


def test_the_idea_list_loads_roadmap_items_in_a_fixed_number_of_queries(client, staff, count_queries):
    def queries() -> int:
        with count_queries() as statements:
            assert client.get("/api/v1/ideas").status_code == 200
        return len(statements)

    make_idea(title="The first idea here")
    few = queries()
    for n in range(5):
        item_id = new_item(staff, f"Item number {n}")
        link(staff, item_id, make_idea(title=f"Another idea {n}").id)
    assert queries() == few
