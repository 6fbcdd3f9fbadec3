"""The feedback round endpoints of shared/API.md: create, read, answer, results (and editing)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.base import utcnow
from app.models.round import FeedbackRound, RoundAnswer, RoundResponse
from app.services import api_tokens
from tests.factories import QUESTIONS, make_launch_row, make_prototype_row, make_round, make_user
from tests.services.test_rounds import answer, qids

ROUND_FIELDS = {
    "id",
    "prototype_id",
    "title",
    "opens_at",
    "closes_at",
    "state",
    "audience",
    "launch_id",
    "questions",
}


class Caller:
    """A user with an API token, and the headers that carry it."""

    def __init__(self, role: str = "member"):
        self.user = make_user(role)
        _, plain = api_tokens.create_token(self.user, self.user, "Tests")
        db.session.commit()
        self.id = self.user.id
        self.headers = {"Authorization": f"Bearer {plain}"}


@pytest.fixture
def staff(app) -> Caller:
    return Caller("product_manager")


@pytest.fixture
def member(app) -> Caller:
    return Caller("member")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.json["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stamp(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def new_round_body(**changes) -> dict:
    now = utcnow().replace(microsecond=0)
    return {
        "title": "Round 1",
        "opens_at": stamp(now - timedelta(hours=1)),
        "closes_at": stamp(now + timedelta(days=7)),
        "questions": QUESTIONS,
        **changes,
    }


# ---- POST /api/v1/prototypes/{id}/rounds ----


def test_staff_create_a_round(client, staff):
    prototype = make_prototype_row(staff.user)
    body = new_round_body(opens_at="2031-05-01T09:00:00+02:00", closes_at="2031-05-08T09:00:00Z")
    response = client.post(f"/api/v1/prototypes/{prototype.id}/rounds", json=body, headers=staff.headers)
    assert response.status_code == 201, response.json
    data = response.json
    assert set(data) >= ROUND_FIELDS
    assert data["prototype_id"] == prototype.id
    assert data["title"] == "Round 1"
    assert data["opens_at"] == "2031-05-01T07:00:00Z"
    assert data["closes_at"] == "2031-05-08T09:00:00Z"
    assert (data["state"], data["audience"], data["launch_id"]) == ("scheduled", "everyone", None)
    assert data["my_response"] is None
    assert [q["kind"] for q in data["questions"]] == ["rating", "nps", "choice", "multi", "text"]
    assert data["questions"][0] == {
        "id": qids(data["id"])[0],
        "kind": "rating",
        "prompt": "How easy was the checkout?",
        "required": True,
        "options": None,
    }
    assert data["questions"][2]["options"] == ["Basic", "Pro", "Team"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "ab"}, "title", "at least 3"),
        ({"opens_at": "next Monday"}, "opens_at", "ISO 8601"),
        ({"opens_at": "2031-05-01T09:00:00"}, "opens_at", "time zone"),
        ({"closes_at": 20310501}, "closes_at", "ISO 8601"),
        ({"closes_at": None}, "closes_at", "date and time"),
        ({"questions": []}, "questions", "1 to 20"),
        ({"questions": [{"kind": "choice", "prompt": "Pick", "options": ["A"]}]}, "questions.0.options", "2"),
        ({"audience": "launch", "launch_id": 3}, "launch_id", "There is no learning launch #3."),
        ({"audience": "launch"}, "launch_id", "Choose the learning launch whose participants are asked."),
    ],
)
def test_invalid_rounds_are_refused_with_fields(client, staff, changes, field, message):
    prototype = make_prototype_row(staff.user)
    response = client.post(
        f"/api/v1/prototypes/{prototype.id}/rounds", json=new_round_body(**changes), headers=staff.headers
    )
    error = assert_error(response, 422, "validation_error")
    assert message in " ".join(error["fields"][field])
    assert count(FeedbackRound) == 0


def test_creating_needs_staff_a_token_json_and_a_visible_prototype(client, staff, member):
    prototype = make_prototype_row(staff.user)
    url = f"/api/v1/prototypes/{prototype.id}/rounds"
    assert_error(client.post(url, json=new_round_body(), headers=member.headers), 403, "forbidden")
    assert_error(client.post(url, json=new_round_body()), 401, "unauthorized")
    assert_error(client.post(url, data="title=x", headers=staff.headers), 400, "bad_request")
    assert_error(
        client.post("/api/v1/prototypes/9999/rounds", json={}, headers=staff.headers), 404, "not_found"
    )
    draft = make_prototype_row(staff.user, status="draft")
    assert_error(
        client.post(f"/api/v1/prototypes/{draft.id}/rounds", json=new_round_body(), headers=member.headers),
        404,
        "not_found",
    )
    assert count(FeedbackRound) == 0


# ---- GET /api/v1/rounds/{id} ----


def test_reading_a_round_with_my_response(client, member):
    round_ = make_round()
    q = qids(round_.id)
    anonymous = client.get(f"/api/v1/rounds/{round_.id}")
    assert anonymous.status_code == 200
    assert anonymous.json["state"] == "open"
    assert anonymous.json["my_response"] is None
    answer(member.user, round_.id, {str(q[0]): 4, str(q[3]): ["Search"]})
    data = client.get(f"/api/v1/rounds/{round_.id}", headers=member.headers).json
    assert data["my_response"]["answers"] == {str(q[0]): 4, str(q[3]): ["Search"]}
    assert data["my_response"]["created_at"].endswith("Z")


def test_rounds_the_caller_may_not_see_are_not_found(client, member):
    staff = make_user("product_manager")
    draft_round = make_round(staff, make_prototype_row(staff, status="draft"))
    launch_round = make_round(staff)
    launch_round.audience, launch_round.launch_id = "launch", make_launch_row().id
    db.session.commit()
    for round_id in (draft_round.id, launch_round.id, 9999):
        assert_error(client.get(f"/api/v1/rounds/{round_id}", headers=member.headers), 404, "not_found")


# ---- POST /api/v1/rounds/{id}/responses ----


def test_answering_is_201_first_and_200_when_replacing(client, member):
    round_ = make_round()
    q = qids(round_.id)
    url = f"/api/v1/rounds/{round_.id}/responses"
    first = client.post(url, json={"answers": {str(q[0]): 5, str(q[4]): "Great"}}, headers=member.headers)
    assert first.status_code == 201, first.json
    assert first.json["answers"] == {str(q[0]): 5, str(q[4]): "Great"}
    again = client.post(url, json={"answers": {str(q[0]): 3}}, headers=member.headers)
    assert again.status_code == 200
    assert again.json["answers"] == {str(q[0]): 3}
    assert again.json["id"] == first.json["id"]
    assert count(RoundResponse) == 1
    assert count(RoundAnswer) == 1


@pytest.mark.parametrize(
    ("answers", "index", "message"),
    [
        ({"0": True}, 0, "whole number"),
        ({"0": 3.5}, 0, "whole number"),
        ({"0": 4, "1": 11}, 1, "from 0 to 10"),
        ({"0": 4, "2": "Enterprise"}, 2, "listed options"),
        ({"0": 4, "3": []}, 3, "at least one"),
        ({"0": 4, "4": "x" * 2001}, 4, "2,000"),
        ({"1": 9}, 0, "needs an answer"),
    ],
)
def test_invalid_answers_are_422_keyed_by_question_id(client, member, answers, index, message):
    round_ = make_round()
    q = qids(round_.id)
    body = {"answers": {str(q[int(key)]): value for key, value in answers.items()}}
    response = client.post(f"/api/v1/rounds/{round_.id}/responses", json=body, headers=member.headers)
    error = assert_error(response, 422, "validation_error")
    assert message in error["fields"][str(q[index])][0]
    assert count(RoundResponse) == 0
    assert count(RoundAnswer) == 0


def test_unknown_questions_and_missing_answers_are_422(client, member):
    round_ = make_round()
    url = f"/api/v1/rounds/{round_.id}/responses"
    error = assert_error(
        client.post(url, json={"answers": {"424242": 3}}, headers=member.headers), 422, "validation_error"
    )
    assert "no such question" in error["fields"]["424242"][0]
    error = assert_error(client.post(url, json={}, headers=member.headers), 422, "validation_error")
    assert "answers" in error["fields"]
    assert count(RoundResponse) == 0


@pytest.mark.parametrize(("state", "message"), [("scheduled", "opens on"), ("closed", "closed on")])
def test_answers_outside_the_window_are_409(client, member, state, message):
    round_ = make_round(state=state)
    body = {"answers": {str(qids(round_.id)[0]): 3}}
    error = assert_error(
        client.post(f"/api/v1/rounds/{round_.id}/responses", json=body, headers=member.headers),
        409,
        "conflict",
    )
    assert message in error["message"]
    assert count(RoundResponse) == 0


def test_answering_needs_an_active_account(client, member):
    round_ = make_round()
    url = f"/api/v1/rounds/{round_.id}/responses"
    body = {"answers": {str(qids(round_.id)[0]): 3}}
    assert_error(client.post(url, json=body), 401, "unauthorized")
    member.user.suspended_at = utcnow()
    db.session.commit()
    error = assert_error(client.post(url, json=body, headers=member.headers), 403, "forbidden")
    assert "suspended" in error["message"]
    assert_error(client.post(url, data="x", headers=member.headers), 400, "bad_request")
    assert count(RoundResponse) == 0


# ---- GET /api/v1/rounds/{id}/results ----


def test_results_for_staff(client, staff, member):
    round_ = make_round(staff.user)
    q = qids(round_.id)
    for rating, nps, text in [(1, 10, "A"), (2, 9, "B"), (2, 8, None), (5, 0, None)]:
        answers = {str(q[0]): rating, str(q[1]): nps, str(q[3]): ["Search", "Export"]}
        if text:
            answers[str(q[4])] = text
        answer(make_user(), round_.id, answers)
    response = client.get(f"/api/v1/rounds/{round_.id}/results", headers=staff.headers)
    assert response.status_code == 200
    data = response.json
    assert data["response_count"] == 4
    assert data["audience_size"] == 6  # the staff caller, the test member and the four who answered
    assert data["response_rate"] == pytest.approx(0.6667)
    rating, nps, choice, multi, text = data["questions"]
    assert rating == {
        "id": q[0],
        "kind": "rating",
        "prompt": "How easy was the checkout?",
        "answered": 4,
        "average": 2.5,
        "distribution": {"1": 1, "2": 2, "3": 0, "4": 0, "5": 1},
    }
    assert nps["nps"] == {"score": 25, "promoters": 2, "passives": 1, "detractors": 1}
    assert nps["distribution"]["10"] == 1
    assert nps["distribution"]["0"] == 1
    assert (choice["answered"], choice["distribution"]) == (0, {"Basic": 0, "Pro": 0, "Team": 0})
    assert multi["distribution"] == {"Search": 4, "Filters": 0, "Export": 4}
    assert text["answers"] == ["B", "A"]  # newest first
    assert "distribution" not in text
    assert "average" not in multi

    assert_error(client.get(f"/api/v1/rounds/{round_.id}/results", headers=member.headers), 403, "forbidden")
    assert_error(client.get(f"/api/v1/rounds/{round_.id}/results"), 401, "unauthorized")


# ---- PATCH /api/v1/rounds/{id} ----


def test_editing_questions_is_409_once_anyone_answered(client, staff, member):
    round_ = make_round(staff.user)
    url = f"/api/v1/rounds/{round_.id}"
    renamed = client.patch(url, json={"title": "Round one"}, headers=staff.headers)
    assert renamed.status_code == 200
    assert renamed.json["title"] == "Round one"
    answer(member.user, round_.id, {str(qids(round_.id)[0]): 3})
    error = assert_error(
        client.patch(url, json={"questions": [{"kind": "text", "prompt": "New"}]}, headers=staff.headers),
        409,
        "conflict",
    )
    assert "can't change any more" in error["message"]
    assert_error(client.patch(url, json={"title": "Mine"}, headers=member.headers), 403, "forbidden")
    assert_error(client.patch(url, json={"color": "red"}, headers=staff.headers), 400, "bad_request")
    assert len(qids(round_.id)) == len(QUESTIONS)
