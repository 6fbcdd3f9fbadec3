"""The learning-launch endpoints of shared/API.md: plan, read, move on, complete, join, leave, staff lists."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.base import utcnow
from app.models.launch import Launch, LaunchAssumption, LaunchParticipant
from app.models.notification import Notification
from app.services import accounts, launches, participation
from tests.factories import LAUNCH_SUMMARY as SUMMARY
from tests.factories import ApiCaller, make_idea, make_launch, make_prototype, make_user

LAUNCH_FIELDS = {
    "id",
    "title",
    "hypothesis",
    "description",
    "success_metric",
    "capacity",
    "enrolled_count",
    "waitlist_count",
    "status",
    "starts_at",
    "ends_at",
    "my_state",
    "my_position",
    "outcome",
    "idea_ids",
    "prototype_ids",
}


@pytest.fixture
def staff(app) -> ApiCaller:
    return ApiCaller("product_manager", name="Pat Product")


@pytest.fixture
def member(app) -> ApiCaller:
    return ApiCaller("member", name="Mia Member")


def headers_for(role: str) -> dict:
    return {} if role == "anonymous" else ApiCaller(role).headers


def stamp(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.json["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def launch_count() -> int:
    return db.session.scalar(select(func.count(Launch.id)))


def participant_count(launch_id: int) -> int:
    return db.session.scalar(
        select(func.count(LaunchParticipant.id)).where(LaunchParticipant.launch_id == launch_id)
    )


def stored(launch_id: int) -> Launch:
    db.session.expire_all()
    return db.session.get(Launch, launch_id)


def notifications_of(user_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.message).where(Notification.user_id == user_id).order_by(Notification.id)
        )
    )


def new_launch_body(**changes) -> dict:
    now = utcnow().replace(microsecond=0)
    return {
        "title": "Weekly summary pilot",
        "hypothesis": "We believe weekly summaries will bring back lapsed users.",
        "description": "Read the summary each **Monday**.",
        "success_metric": "Share of pilot users active in week 4",
        "capacity": 12,
        "starts_at": stamp(now + timedelta(days=7)),
        "ends_at": stamp(now + timedelta(days=21)),
        **changes,
    }


def outcome_body(launch_id: int, **changes) -> dict:
    ids = db.session.scalars(select(LaunchAssumption.id).where(LaunchAssumption.launch_id == launch_id))
    return {
        "decision": "scale",
        "summary": SUMMARY,
        "metric_actual": "42%",
        "results": {str(assumption_id): "confirmed" for assumption_id in ids},
        **changes,
    }


def join(client, launch_id: int, caller, **body):
    return client.post(f"/api/v1/launches/{launch_id}/join", json=body or None, headers=caller.headers)


# ---- Reading ----


def test_a_launch_has_every_contract_field(client, staff):
    idea = make_idea()
    prototype = make_prototype(status="published")
    launch = make_launch(
        staff.user,
        idea_ids=[idea.id],
        prototype_ids=[prototype.id],
        metric_baseline="12%",
        metric_target="30%",
        eligibility="Lapsed for 30 days",
        screening_question="Which reports do you use?",
    )
    body = client.get(f"/api/v1/launches/{launch.id}").json
    assert set(body) >= LAUNCH_FIELDS
    assert (body["title"], body["status"], body["capacity"]) == ("Weekly summary pilot", "recruiting", 2)
    assert (body["enrolled_count"], body["waitlist_count"], body["seats_left"]) == (0, 0, 2)
    assert (body["my_state"], body["my_position"], body["outcome"]) == (None, None, None)
    assert (body["idea_ids"], body["prototype_ids"]) == ([idea.id], [prototype.id])
    assert (body["metric_baseline"], body["metric_target"]) == ("12%", "30%")
    assert body["screening_question"] == "Which reports do you use?"
    assert body["starts_at"].endswith("Z")
    assert body["ends_at"].endswith("Z")
    assert body["url"].endswith(f"/launches/{launch.id}")
    [assumption] = body["assumptions"]
    assert set(assumption) == {"id", "kind", "statement", "result"}
    assert (assumption["kind"], assumption["result"]) == ("value", None)


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
    draft = make_launch(pm, status="draft", title="Secret draft launch")
    make_launch(pm, title="Open launch here")
    headers = headers_for(role)
    body = client.get("/api/v1/launches", headers=headers).json
    titles = {item["title"] for item in body["items"]}
    assert "Open launch here" in titles
    assert ("Secret draft launch" in titles) == sees_drafts
    assert (body["total"], body["page"], body["per_page"]) == (2 if sees_drafts else 1, 1, 25)
    response = client.get(f"/api/v1/launches/{draft.id}", headers=headers)
    if sees_drafts:
        assert response.status_code == 200
        assert response.json["status"] == "draft"
    else:
        assert_error(response, 404, "not_found")


def test_the_list_puts_recruiting_first_and_filters(client, staff, member):
    pm = staff.user
    completed = make_launch(pm, status="completed", title="Completed launch")
    running = make_launch(pm, status="running", title="Running launch")
    recruiting = make_launch(pm, title="Recruiting launch")
    draft = make_launch(pm, status="draft", title="Draft launch")
    cancelled = make_launch(pm, status="cancelled", title="Cancelled launch")
    body = client.get("/api/v1/launches", headers=staff.headers).json
    assert [item["id"] for item in body["items"]] == [
        recruiting.id,
        running.id,
        draft.id,
        completed.id,
        cancelled.id,
    ]
    first = body["items"][0]
    assert set(first) >= LAUNCH_FIELDS
    assert "assumptions" not in first  # the detail carries them
    done = body["items"][3]["outcome"]
    assert (done["decision"], done["summary"], done["metric_actual"]) == ("scale", SUMMARY, "42%")
    assert [item["id"] for item in client.get("/api/v1/launches?status=running").json["items"]] == [
        running.id
    ]
    assert client.get("/api/v1/launches?status=draft").json["total"] == 0
    assert client.get("/api/v1/launches?per_page=2&page=2").json["total"] == 4
    for query in ("status=bogus", "per_page=0", "page=x"):
        assert_error(client.get(f"/api/v1/launches?{query}"), 400, "bad_request")
    join(client, recruiting.id, member)
    mine = client.get("/api/v1/launches?status=recruiting", headers=member.headers).json["items"][0]
    assert (mine["my_state"], mine["my_position"], mine["enrolled_count"]) == ("enrolled", None, 1)


def test_no_such_launch_is_not_found(client, staff):
    assert_error(client.get("/api/v1/launches/999"), 404, "not_found")
    assert_error(
        client.patch("/api/v1/launches/999", json={"title": "x"}, headers=staff.headers), 404, "not_found"
    )


# ---- Creating ----


def test_staff_create_a_launch_with_everything(client, staff):
    idea = make_idea()
    prototype = make_prototype(status="published")
    payload = new_launch_body(
        idea_ids=[idea.id],
        prototype_ids=[prototype.id],
        metric_baseline="12%",
        metric_target="30%",
        eligibility="Lapsed for 30 days",
        screening_question="Which reports do you use?",
        assumptions=[
            {"kind": "value", "statement": "Lapsed users read a weekly summary"},
            {"kind": "execution", "statement": "We can send it on time"},
        ],
    )
    response = client.post("/api/v1/launches", json=payload, headers=staff.headers)
    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["Location"] == body["url"]
    assert (body["status"], body["capacity"], body["title"]) == ("draft", 12, "Weekly summary pilot")
    assert body["description_html"] == "<p>Read the summary each <strong>Monday</strong>.</p>\n"
    assert (body["idea_ids"], body["prototype_ids"]) == ([idea.id], [prototype.id])
    assert [a["kind"] for a in body["assumptions"]] == ["value", "execution"]
    assert body["starts_at"] == payload["starts_at"]
    assert launch_count() == 1
    # A draft is the default, and staff see it.
    assert client.get(f"/api/v1/launches/{body['id']}", headers=staff.headers).json["status"] == "draft"
    assert client.get(f"/api/v1/launches/{body['id']}").status_code == 404


def test_a_launch_can_open_for_recruiting_at_once(client, staff):
    follower = make_user()
    idea = make_idea(follower)
    payload = new_launch_body(status="recruiting", idea_ids=[idea.id])
    body = client.post("/api/v1/launches", json=payload, headers=staff.headers).json
    assert body["status"] == "recruiting"
    assert client.get(f"/api/v1/launches/{body['id']}").json["status"] == "recruiting"
    assert any("looking for participants" in message for message in notifications_of(follower.id))


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("member", 403), ("moderator", 403)])
def test_only_staff_create(client, role, status):
    response = client.post("/api/v1/launches", json=new_launch_body(), headers=headers_for(role))
    assert_error(response, status, "unauthorized" if status == 401 else "forbidden")
    assert launch_count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"title": 12}, "title"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "3"}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"capacity": None}, "capacity"),
        ({"ends_at": "2020-01-01T00:00:00Z"}, "ends_at"),
        ({"starts_at": "next monday"}, "starts_at"),
        ({"starts_at": 1_700_000_000}, "starts_at"),
        ({"starts_at": "2030-01-01T09:00:00"}, "starts_at"),
        ({"idea_ids": [999]}, "idea_ids"),
        ({"idea_ids": [True]}, "idea_ids"),
        ({"idea_ids": ["1"]}, "idea_ids"),
        ({"idea_ids": 1}, "idea_ids"),
        ({"idea_ids": "12"}, "idea_ids"),
        ({"prototype_ids": [999]}, "prototype_ids"),
        ({"prototype_ids": {"id": 1}}, "prototype_ids"),
        ({"status": "running"}, "status"),
        ({"status": "completed"}, "status"),
        ({"status": 1}, "status"),
        ({"hypothesis": "Short"}, "hypothesis"),
        ({"success_metric": ["x"]}, "success_metric"),
        ({"description": 5}, "description"),
        ({"assumptions": "value"}, "assumptions"),
        ({"assumptions": [{"kind": "value"}]}, "assumptions"),
        ({"assumptions": [{"kind": "luck", "statement": "It will just work"}]}, "assumptions"),
        ({"assumptions": ["value"]}, "assumptions"),
    ],
)
def test_create_names_each_invalid_field(client, staff, changes, field):
    body = new_launch_body(**changes)
    if changes.get("title", "") is None:
        del body["title"]
    response = client.post("/api/v1/launches", json=body, headers=staff.headers)
    error = assert_error(response, 422, "validation_error")
    assert field in error["fields"], error
    assert launch_count() == 0


def test_create_names_every_problem_at_once(client, staff):
    payload = new_launch_body(capacity=0, idea_ids=[999])
    del payload["title"]
    error = assert_error(
        client.post("/api/v1/launches", json=payload, headers=staff.headers), 422, "validation_error"
    )
    assert {"title", "capacity", "idea_ids"} <= set(error["fields"])
    assert launch_count() == 0


def test_a_body_that_is_not_a_json_object_is_a_bad_request(client, staff):
    response = client.post("/api/v1/launches", data="title=x", headers=staff.headers)
    assert_error(response, 400, "bad_request")
    response = client.post("/api/v1/launches", json=["a list"], headers=staff.headers)
    assert_error(response, 400, "bad_request")
    assert launch_count() == 0


# ---- Editing and status ----


def test_staff_patch_fields(client, staff):
    launch = make_launch(staff.user, status="draft")
    idea = make_idea()
    url = f"/api/v1/launches/{launch.id}"
    response = client.patch(
        url,
        json={
            "title": "Weekly digest pilot",
            "capacity": 5,
            "idea_ids": [idea.id],
            "assumptions": [{"kind": "scale", "statement": "It works for thousands"}],
            "ends_at": stamp(utcnow() + timedelta(days=40)),
        },
        headers=staff.headers,
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["title"], body["capacity"], body["idea_ids"]) == ("Weekly digest pilot", 5, [idea.id])
    assert [(a["kind"], a["statement"]) for a in body["assumptions"]] == [("scale", "It works for thousands")]
    assert stored(launch.id).title == "Weekly digest pilot"
    assert_error(client.patch(url, json={}, headers=staff.headers), 400, "bad_request")
    assert_error(client.patch(url, json={"unknown": 1}, headers=staff.headers), 400, "bad_request")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"capacity": "3"}, "capacity"),
        ({"capacity": 0}, "capacity"),
        ({"idea_ids": "1,2"}, "idea_ids"),
        ({"idea_ids": [False]}, "idea_ids"),
        ({"title": ["A list"]}, "title"),
        ({"starts_at": 12}, "starts_at"),
        ({"assumptions": {"kind": "value"}}, "assumptions"),
    ],
)
def test_patch_wrong_types_are_named_and_change_nothing(client, staff, changes, field):
    launch = make_launch(staff.user)
    response = client.patch(f"/api/v1/launches/{launch.id}", json=changes, headers=staff.headers)
    error = assert_error(response, 422, "validation_error")
    assert field in error["fields"]
    assert stored(launch.id).capacity == 2


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_others_may_not_patch(client, role):
    launch = make_launch()
    response = client.patch(
        f"/api/v1/launches/{launch.id}", json={"title": "Taken over"}, headers=headers_for(role)
    )
    assert_error(response, 403, "forbidden")
    assert_error(
        client.patch(f"/api/v1/launches/{launch.id}", json={"title": "Taken over"}), 401, "unauthorized"
    )
    assert stored(launch.id).title == "Weekly summary pilot"


def test_the_whole_life_of_a_launch(client, staff):
    launch = make_launch(staff.user, status="draft")
    url = f"/api/v1/launches/{launch.id}"
    assert (
        client.patch(url, json={"status": "recruiting"}, headers=staff.headers).json["status"] == "recruiting"
    )
    # Repeating the current status changes nothing (a PATCH may repeat the whole object).
    assert client.patch(url, json={"status": "recruiting"}, headers=staff.headers).status_code == 200
    # Planned for later: starting now means moving the start date to now in the same request.
    early = client.patch(url, json={"status": "running"}, headers=staff.headers)
    assert_error(early, 409, "conflict")
    assert "planned to start on" in early.json["error"]["message"]
    now = utcnow().isoformat().replace("+00:00", "Z")
    started = client.patch(url, json={"status": "running", "starts_at": now}, headers=staff.headers)
    assert started.json["status"] == "running"
    response = client.patch(
        url, json={"status": "completed", "outcome": outcome_body(launch.id)}, headers=staff.headers
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "completed"
    outcome = body["outcome"]
    assert (outcome["decision"], outcome["summary"], outcome["metric_actual"]) == ("scale", SUMMARY, "42%")
    assert outcome["completed_at"].endswith("Z")
    [assumption] = body["assumptions"]
    assert assumption["result"] == "confirmed"
    assert outcome["results"] == {str(assumption["id"]): "confirmed"}


@pytest.mark.parametrize(
    ("start", "target"), [("draft", "cancelled"), ("recruiting", "cancelled"), ("running", "cancelled")]
)
def test_launches_can_be_cancelled_until_they_complete(client, staff, start, target):
    launch = make_launch(staff.user, status=start)
    response = client.patch(f"/api/v1/launches/{launch.id}", json={"status": target}, headers=staff.headers)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "cancelled"
    assert stored(launch.id).status == "cancelled"


@pytest.mark.parametrize(
    ("start", "target", "message"),
    [
        ("draft", "running", "Open the launch for recruiting before it runs."),
        ("draft", "completed", "Only a running launch can be completed; start it first."),
        ("recruiting", "completed", "Only a running launch can be completed; start it first."),
        ("recruiting", "draft", "A launch that people could see can't go back to draft; cancel it instead."),
        ("running", "draft", "A launch that people could see can't go back to draft; cancel it instead."),
        ("running", "recruiting", "A running launch can't become recruiting."),
        ("completed", "running", "This launch is completed; its status can't change any more."),
        ("completed", "cancelled", "This launch is completed; its status can't change any more."),
        ("completed", "draft", "This launch is completed; its status can't change any more."),
        ("cancelled", "recruiting", "This launch is cancelled; its status can't change any more."),
        ("cancelled", "draft", "This launch is cancelled; its status can't change any more."),
        ("cancelled", "completed", "This launch is cancelled; its status can't change any more."),
    ],
)
def test_refused_transitions_are_conflicts(client, staff, start, target, message):
    launch = make_launch(staff.user, status=start)
    payload = {"status": target}
    if target == "completed":
        payload["outcome"] = outcome_body(launch.id)
    response = client.patch(f"/api/v1/launches/{launch.id}", json=payload, headers=staff.headers)
    error = assert_error(response, 409, "conflict")
    assert error["message"] == message
    assert stored(launch.id).status == start


def test_an_unknown_status_is_invalid(client, staff):
    launch = make_launch(staff.user)
    response = client.patch(f"/api/v1/launches/{launch.id}", json={"status": "paused"}, headers=staff.headers)
    assert "status" in assert_error(response, 422, "validation_error")["fields"]


def test_completing_needs_the_outcome(client, staff):
    launch = make_launch(staff.user, status="running")
    url = f"/api/v1/launches/{launch.id}"
    error = assert_error(
        client.patch(url, json={"status": "completed"}, headers=staff.headers), 422, "validation_error"
    )
    assert "outcome" in error["fields"]
    error = assert_error(
        client.patch(url, json={"status": "completed", "outcome": "scale"}, headers=staff.headers),
        422,
        "validation_error",
    )
    assert "outcome" in error["fields"]
    assert stored(launch.id).status == "running"


def test_a_bad_outcome_names_each_field_and_changes_nothing(client, staff):
    launch = make_launch(
        staff.user,
        status="running",
        assumptions=(
            ("value", "Lapsed users read a weekly summary"),
            ("execution", "We can send it on time"),
        ),
    )
    first_id = db.session.scalar(
        select(func.min(LaunchAssumption.id)).where(LaunchAssumption.launch_id == launch.id)
    )
    outcome = {
        "decision": "maybe",
        "summary": "Short",
        "metric_actual": "",
        "results": {str(first_id): "confirmed"},
    }
    response = client.patch(
        f"/api/v1/launches/{launch.id}",
        json={"title": "Renamed while completing", "status": "completed", "outcome": outcome},
        headers=staff.headers,
    )
    error = assert_error(response, 422, "validation_error")
    assert {"decision", "summary", "metric_actual", "results"} <= set(error["fields"])
    assert "Assumption 2" in error["fields"]["results"][0]
    after = stored(launch.id)
    assert (after.status, after.decision, after.title) == ("running", None, "Weekly summary pilot")
    results = db.session.scalars(
        select(LaunchAssumption.result).where(LaunchAssumption.launch_id == launch.id)
    )
    assert set(results) == {None}


@pytest.mark.parametrize(
    ("results", "problem"),
    [
        ({"abc": "confirmed"}, "results"),
        ({"²": "confirmed"}, "results"),
        ("confirmed", "results"),
        ([{"id": "1", "result": "confirmed"}], "results"),
        ({"999999": "confirmed"}, "results"),
    ],
)
def test_malformed_results_are_invalid(client, staff, results, problem):
    launch = make_launch(staff.user, status="running")
    payload = {"status": "completed", "outcome": outcome_body(launch.id, results=results)}
    response = client.patch(f"/api/v1/launches/{launch.id}", json=payload, headers=staff.headers)
    assert problem in assert_error(response, 422, "validation_error")["fields"]
    assert stored(launch.id).status == "running"


def test_results_may_be_a_list_and_the_outcome_corrected_later(client, staff):
    launch = make_launch(staff.user, status="running")
    url = f"/api/v1/launches/{launch.id}"
    assumption_id = db.session.scalar(
        select(LaunchAssumption.id).where(LaunchAssumption.launch_id == launch.id)
    )
    outcome = outcome_body(launch.id, results=[{"id": assumption_id, "result": "refuted"}], decision="stop")
    body = client.patch(url, json={"status": "completed", "outcome": outcome}, headers=staff.headers).json
    assert (body["outcome"]["decision"], body["assumptions"][0]["result"]) == ("stop", "refuted")
    corrected = outcome_body(
        launch.id, decision="iterate", summary="On second look the summary helped some users."
    )
    body = client.patch(url, json={"outcome": corrected}, headers=staff.headers).json
    assert (body["status"], body["outcome"]["decision"]) == ("completed", "iterate")
    assert body["assumptions"][0]["result"] == "confirmed"
    # The record of a completed launch stays: no field edits.
    assert_error(
        client.patch(url, json={"title": "Renamed afterwards"}, headers=staff.headers), 409, "conflict"
    )


def test_an_outcome_before_completion_is_a_conflict(client, staff):
    launch = make_launch(staff.user, status="running")
    url = f"/api/v1/launches/{launch.id}"
    error = assert_error(
        client.patch(url, json={"outcome": outcome_body(launch.id)}, headers=staff.headers), 409, "conflict"
    )
    assert error["message"] == "The outcome is recorded when the launch is completed."
    assert stored(launch.id).decision is None


def test_fields_and_status_in_one_patch_are_all_or_nothing(client, staff):
    launch = make_launch(staff.user, status="draft")
    url = f"/api/v1/launches/{launch.id}"
    response = client.patch(
        url, json={"title": "Renamed and started", "status": "running"}, headers=staff.headers
    )
    assert_error(response, 409, "conflict")
    assert stored(launch.id).title == "Weekly summary pilot"
    response = client.patch(
        url, json={"title": "Renamed and opened", "status": "recruiting"}, headers=staff.headers
    )
    assert (response.json["title"], response.json["status"]) == ("Renamed and opened", "recruiting")


def test_capacity_never_drops_below_the_enrolled(client, staff):
    launch = make_launch(staff.user, capacity=2)
    for _ in range(2):
        assert join(client, launch.id, ApiCaller()).json["my_state"] == "enrolled"
    response = client.patch(f"/api/v1/launches/{launch.id}", json={"capacity": 1}, headers=staff.headers)
    error = assert_error(response, 422, "validation_error")
    assert "2 people are enrolled already" in error["fields"]["capacity"][0]
    assert stored(launch.id).capacity == 2


def test_raising_capacity_enrols_the_first_waiting_member(client, staff):
    launch = make_launch(staff.user, capacity=1)
    join(client, launch.id, ApiCaller())
    first, second = ApiCaller(), ApiCaller()
    assert join(client, launch.id, first).json["my_position"] == 1
    assert join(client, launch.id, second).json["my_position"] == 2
    body = client.patch(f"/api/v1/launches/{launch.id}", json={"capacity": 2}, headers=staff.headers).json
    assert (body["capacity"], body["enrolled_count"], body["waitlist_count"]) == (2, 2, 1)
    mine = client.get(f"/api/v1/launches/{launch.id}", headers=first.headers).json
    assert (mine["my_state"], mine["my_position"]) == ("enrolled", None)
    theirs = client.get(f"/api/v1/launches/{launch.id}", headers=second.headers).json
    assert (theirs["my_state"], theirs["my_position"]) == ("waitlisted", 1)
    assert any("you are enrolled now" in message for message in notifications_of(first.id))


# ---- Joining and leaving ----


def test_joining_enrols_then_waitlists(client, member):
    launch = make_launch(capacity=1)
    body = join(client, launch.id, member).json
    assert (body["my_state"], body["my_position"]) == ("enrolled", None)
    late = ApiCaller()
    body = join(client, launch.id, late).json
    assert (body["my_state"], body["my_position"]) == ("waitlisted", 1)
    later = join(client, launch.id, ApiCaller()).json
    assert (later["my_state"], later["my_position"]) == ("waitlisted", 2)
    shown = client.get(f"/api/v1/launches/{launch.id}", headers=late.headers).json
    assert (shown["my_state"], shown["my_position"]) == ("waitlisted", 1)
    assert (shown["enrolled_count"], shown["waitlist_count"], shown["seats_left"]) == (1, 2, 0)


def test_joining_twice_changes_nothing(client, member):
    launch = make_launch(capacity=1)
    first = join(client, launch.id, member)
    again = join(client, launch.id, member)
    assert first.status_code == again.status_code == 200
    assert first.json == again.json
    waiting = ApiCaller()
    assert join(client, launch.id, waiting).json == join(client, launch.id, waiting).json
    after = stored(launch.id)
    assert (after.enrolled_count, after.waitlist_count) == (1, 1)
    assert participant_count(launch.id) == 2


def test_only_recruiting_launches_take_participants(client, staff, member):
    draft = make_launch(staff.user, status="draft")
    assert_error(join(client, draft.id, member), 404, "not_found")
    running = make_launch(staff.user, status="running")
    error = assert_error(join(client, running.id, member), 409, "conflict")
    assert error["message"] == "This launch is running already and takes no new participants."
    for status in ("completed", "cancelled"):
        closed = make_launch(staff.user, status=status)
        assert_error(join(client, closed.id, member), 409, "conflict")
    assert_error(join(client, 999, member), 404, "not_found")
    assert db.session.scalar(select(func.count(LaunchParticipant.id))) == 0


def test_joining_needs_a_token(client):
    launch = make_launch()
    assert_error(client.post(f"/api/v1/launches/{launch.id}/join"), 401, "unauthorized")
    assert_error(client.delete(f"/api/v1/launches/{launch.id}/join"), 401, "unauthorized")


def test_the_screening_question_needs_an_answer(client, member):
    launch = make_launch(screening_question="Which reports do you use?")
    error = assert_error(join(client, launch.id, member), 422, "validation_error")
    assert "Which reports do you use?" in error["fields"]["screening_answer"][0]
    error = assert_error(join(client, launch.id, member, screening_answer="   "), 422, "validation_error")
    assert "screening_answer" in error["fields"]
    error = assert_error(join(client, launch.id, member, screening_answer=["x"]), 422, "validation_error")
    assert "screening_answer" in error["fields"]
    assert participant_count(launch.id) == 0
    assert stored(launch.id).enrolled_count == 0
    body = join(client, launch.id, member, screening_answer="The monthly sales report").json
    assert (body["my_state"], body["screening_answer"]) == ("enrolled", "The monthly sales report")


def test_a_join_body_must_be_an_object(client, member):
    launch = make_launch()
    response = client.post(
        f"/api/v1/launches/{launch.id}/join",
        data="yes",
        content_type="application/json",
        headers=member.headers,
    )
    assert_error(response, 400, "bad_request")
    assert participant_count(launch.id) == 0


def test_a_suspended_member_cannot_join(client, member):
    launch = make_launch()
    moderator = make_user("moderator")
    accounts.suspend_user(moderator, member.user, 3, "Spam links")
    db.session.commit()
    # The suspension revoked the member's token, so the API refuses them before anything else.
    error = assert_error(join(client, launch.id, member), 401, "unauthorized")
    assert "revoked" in error["message"]
    assert participant_count(launch.id) == 0


def test_leaving_promotes_the_first_waiting_member(client, member):
    launch = make_launch(capacity=1)
    join(client, launch.id, member)
    first, second = ApiCaller(), ApiCaller()
    join(client, launch.id, first)
    join(client, launch.id, second)
    response = client.delete(f"/api/v1/launches/{launch.id}/join", headers=member.headers)
    assert response.status_code == 200
    assert (response.json["my_state"], response.json["my_position"]) == ("withdrawn", None)
    shown = client.get(f"/api/v1/launches/{launch.id}", headers=first.headers).json
    assert (shown["my_state"], shown["my_position"]) == ("enrolled", None)
    assert (shown["enrolled_count"], shown["waitlist_count"]) == (1, 1)
    assert client.get(f"/api/v1/launches/{launch.id}", headers=second.headers).json["my_position"] == 1
    assert client.get(f"/api/v1/launches/{launch.id}", headers=member.headers).json["my_state"] == "withdrawn"
    assert notifications_of(first.id) == [
        "A seat opened in the learning launch “Weekly summary pilot”: you are enrolled now."
    ]
    assert notifications_of(second.id) == []
    # Leaving again answers the same; joining again goes to the back of the queue.
    assert (
        client.delete(f"/api/v1/launches/{launch.id}/join", headers=member.headers).json["my_state"]
        == "withdrawn"
    )
    body = join(client, launch.id, member).json
    assert (body["my_state"], body["my_position"]) == ("waitlisted", 2)


def test_leaving_the_waitlist_moves_the_others_up(client, member):
    launch = make_launch(capacity=1)
    join(client, launch.id, ApiCaller())
    join(client, launch.id, member)
    last = ApiCaller()
    join(client, launch.id, last)
    assert (
        client.delete(f"/api/v1/launches/{launch.id}/join", headers=member.headers).json["my_state"]
        == "withdrawn"
    )
    shown = client.get(f"/api/v1/launches/{launch.id}", headers=last.headers).json
    assert (shown["my_position"], shown["enrolled_count"], shown["waitlist_count"]) == (1, 1, 1)


def test_leaving_a_launch_one_never_joined_is_a_conflict(client, member):
    launch = make_launch()
    assert_error(client.delete(f"/api/v1/launches/{launch.id}/join", headers=member.headers), 409, "conflict")


# ---- Participants ----


def test_staff_see_the_participants_in_order(client, staff, member):
    launch = make_launch(staff.user, capacity=1, screening_question="Which reports do you use?")
    join(client, launch.id, member, screening_answer="Sales")
    first, second = ApiCaller(name="Wendy Waiting"), ApiCaller(name="Will Waiting")
    join(client, launch.id, first, screening_answer="Stock")
    join(client, launch.id, second, screening_answer="Costs")
    client.delete(f"/api/v1/launches/{launch.id}/join", headers=first.headers)
    url = f"/api/v1/launches/{launch.id}/participants"
    body = client.get(url, headers=staff.headers).json
    assert (body["total"], body["page"], body["per_page"]) == (3, 1, 25)
    rows = [
        (item["user"]["id"], item["state"], item["position"], item["screening_answer"])
        for item in body["items"]
    ]
    assert rows == [
        (member.id, "enrolled", None, "Sales"),
        (second.id, "waitlisted", 1, "Costs"),
        (first.id, "withdrawn", None, "Stock"),
    ]
    item = body["items"][0]
    assert item["user"] == {"id": member.id, "display_name": "Mia Member", "role": "member"}
    assert item["joined_at"].endswith("Z")
    page = client.get(f"{url}?per_page=2&page=2", headers=staff.headers).json
    assert ([i["user"]["id"] for i in page["items"]], page["total"]) == ([first.id], 3)
    assert_error(client.get(f"{url}?per_page=500", headers=staff.headers), 400, "bad_request")


def test_only_staff_see_participants(client, member):
    launch = make_launch()
    participation.join_launch(member.user, launch.id)
    db.session.commit()
    url = f"/api/v1/launches/{launch.id}/participants"
    assert_error(client.get(url, headers=member.headers), 403, "forbidden")
    assert_error(client.get(url, headers=headers_for("moderator")), 403, "forbidden")
    assert_error(client.get(url), 401, "unauthorized")
    draft = make_launch(status="draft")
    assert_error(
        client.get(f"/api/v1/launches/{draft.id}/participants", headers=member.headers), 404, "not_found"
    )


def test_raising_capacity_and_completing_in_one_patch(client, staff):
    launch = make_launch(staff.user, capacity=1)
    join(client, launch.id, ApiCaller())
    waiting = ApiCaller()
    join(client, launch.id, waiting)
    launches.change_status(
        staff.user, launches.get_launch(staff.user, launch.id), "running", start_early=True
    )
    db.session.commit()
    payload = {"capacity": 3, "status": "completed", "outcome": outcome_body(launch.id)}
    response = client.patch(f"/api/v1/launches/{launch.id}", json=payload, headers=staff.headers)
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["status"], body["capacity"], body["enrolled_count"]) == ("completed", 3, 2)
    assert body["assumptions"][0]["result"] == "confirmed"
