"""`Idempotency-Key` on the API's posts: a repeat answers the first response and creates nothing."""

import threading
from datetime import timedelta

import pytest
from flask import json
from sqlalchemy import func, select, update

from app.extensions import db
from app.idempotency import fingerprint, forget_expired
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.idempotency import IdempotencyKey
from app.models.launch import Launch
from app.models.moderation import Flag
from app.models.prototype import Prototype
from app.models.roadmap import RoadmapItem
from app.models.round import FeedbackRound, RoundResponse
from tests.factories import QUESTIONS, ApiCaller, make_idea, make_prototype_row, make_round
from tests.services.test_rounds import qids

IDEA = {"title": "Export reports as CSV", "body": "For finance."}


@pytest.fixture
def member(app) -> ApiCaller:
    return ApiCaller("member", "Mia Member")


@pytest.fixture
def other(app) -> ApiCaller:
    return ApiCaller("member", "Otto Other")


@pytest.fixture
def admin(app) -> ApiCaller:
    return ApiCaller("admin", "Ada Admin")


def keyed(caller: ApiCaller, key: str) -> dict:
    return {**caller.headers, "Idempotency-Key": key}


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.json["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def test_the_same_key_twice_answers_the_first_response_and_creates_one_idea(client, member):
    first = client.post("/api/v1/ideas", json=IDEA, headers=keyed(member, "create-idea-1"))
    again = client.post("/api/v1/ideas", json=IDEA, headers=keyed(member, "create-idea-1"))

    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count(Idea) == 1


def test_the_same_key_with_another_body_is_422_and_creates_nothing(client, member):
    assert client.post("/api/v1/ideas", json=IDEA, headers=keyed(member, "k1")).status_code == 201
    other_body = {**IDEA, "title": "Export reports as PDF"}

    response = client.post("/api/v1/ideas", json=other_body, headers=keyed(member, "k1"))

    error = assert_error(response, 422, "idempotency_key_reused")
    assert "Idempotency-Key" in error["message"]
    assert count(Idea) == 1


def test_the_same_key_on_another_path_is_422(client, member):
    ideas = [make_idea(title=f"Idea number {n} here") for n in range(2)]
    body = {"body": "Yes, please."}
    first = client.post(f"/api/v1/ideas/{ideas[0].id}/comments", json=body, headers=keyed(member, "c"))
    assert first.status_code == 201

    response = client.post(f"/api/v1/ideas/{ideas[1].id}/comments", json=body, headers=keyed(member, "c"))

    assert_error(response, 422, "idempotency_key_reused")
    assert count(Comment) == 1


def test_another_accounts_same_key_is_its_own(client, member, other):
    first = client.post("/api/v1/ideas", json=IDEA, headers=keyed(member, "shared-key"))
    second = client.post("/api/v1/ideas", json=IDEA, headers=keyed(other, "shared-key"))

    assert first.status_code == second.status_code == 201
    assert first.json["id"] != second.json["id"]
    assert second.json["author"]["id"] == other.id
    assert "Idempotent-Replayed" not in second.headers
    assert count(Idea) == 2


@pytest.mark.parametrize(
    "key",
    ["", "x" * 256, "tab\tinside", "caf\u00e9"],
    ids=["empty", "too-long", "control-character", "not-ascii"],
)
def test_a_bad_key_is_400_and_creates_nothing(client, member, key):
    headers = {**member.headers, "Idempotency-Key": key.encode().decode("latin-1")}

    response = client.post("/api/v1/ideas", json=IDEA, headers=headers)

    error = assert_error(response, 400, "bad_request")
    assert "Idempotency-Key" in error["message"]
    assert count(Idea) == 0
    assert count(IdempotencyKey) == 0


def test_the_longest_key_and_one_with_spaces_are_fine(client, member):
    for number, key in enumerate(("k" * 255, "order 42 / attempt #1")):
        body = {**IDEA, "title": f"Export reports, take {number}"}
        first = client.post("/api/v1/ideas", json=body, headers=keyed(member, key))
        again = client.post("/api/v1/ideas", json=body, headers=keyed(member, key))
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json["id"] == first.json["id"]
    assert count(Idea) == 2


def test_a_refused_request_keeps_no_key_so_the_corrected_one_goes_through(client, member):
    short = client.post("/api/v1/ideas", json={"title": "CSV"}, headers=keyed(member, "retry-me"))
    assert_error(short, 422, "validation_error")
    assert count(IdempotencyKey) == 0

    fixed = client.post("/api/v1/ideas", json=IDEA, headers=keyed(member, "retry-me"))

    assert fixed.status_code == 201
    assert count(Idea) == 1


def test_without_a_key_each_post_creates(client, member):
    for _ in range(2):
        assert client.post("/api/v1/ideas", json=IDEA, headers=member.headers).status_code == 201
    assert count(Idea) == 2
    assert count(IdempotencyKey) == 0


def test_anonymous_posts_are_refused_before_any_key_is_kept(client):
    response = client.post("/api/v1/ideas", json=IDEA, headers={"Idempotency-Key": "anonymous"})
    assert_error(response, 401, "unauthorized")
    assert count(IdempotencyKey) == 0


def test_a_key_older_than_a_day_is_forgotten(client, member):
    first = client.post("/api/v1/ideas", json=IDEA, headers=keyed(member, "old"))
    db.session.execute(update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=25)))
    db.session.commit()

    again = client.post("/api/v1/ideas", json=IDEA, headers=keyed(member, "old"))

    assert again.status_code == 201
    assert again.json["id"] != first.json["id"]
    assert count(Idea) == 2
    assert count(IdempotencyKey) == 1


def test_forget_expired_deletes_only_keys_older_than_a_day(client, member):
    for key in ("a", "b"):
        client.post(
            "/api/v1/ideas", json={**IDEA, "title": f"Idea {key} for the list"}, headers=keyed(member, key)
        )
    db.session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.key == "a")
        .values(created_at=utcnow() - timedelta(hours=24, seconds=1))
    )
    db.session.commit()

    assert forget_expired() == 1
    db.session.commit()
    assert list(db.session.scalars(select(IdempotencyKey.key))) == ["b"]


def test_the_worker_forgets_expired_keys(app, client, member):
    client.post("/api/v1/ideas", json=IDEA, headers=keyed(member, "old"))
    db.session.execute(update(IdempotencyKey).values(created_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert "Forgot 1 expired idempotency key(s)." in result.output
    assert count(IdempotencyKey) == 0


def test_a_key_whose_first_request_is_still_running_is_409(client, member):
    """The first request has committed its change, but its answer is not stored yet."""
    body = json.dumps(IDEA).encode()
    asked = fingerprint("POST", "/api/v1/ideas", b"", body)
    db.session.add(IdempotencyKey(user_id=member.id, scope="api", key="busy", fingerprint=asked))
    db.session.commit()

    response = client.post(
        "/api/v1/ideas", data=body, content_type="application/json", headers=keyed(member, "busy")
    )

    assert_error(response, 409, "conflict")
    assert count(Idea) == 0


def test_a_replay_does_not_count_against_the_rate_limit(app, client, member):
    app.config["RATELIMIT_IDEAS_NEW_ACCOUNT"] = "1 per minute"
    assert client.post("/api/v1/ideas", json=IDEA, headers=keyed(member, "once")).status_code == 201
    for _ in range(3):
        assert client.post("/api/v1/ideas", json=IDEA, headers=keyed(member, "once")).status_code == 201
    other = {**IDEA, "title": "Another idea entirely"}
    assert_error(client.post("/api/v1/ideas", json=other, headers=member.headers), 429, "rate_limited")


def test_a_rate_limited_request_keeps_no_key(app, client, member):
    app.config["RATELIMIT_IDEAS_NEW_ACCOUNT"] = "1 per minute"
    assert client.post("/api/v1/ideas", json=IDEA, headers=member.headers).status_code == 201
    other = {**IDEA, "title": "Another idea entirely"}

    assert_error(client.post("/api/v1/ideas", json=other, headers=keyed(member, "l")), 429, "rate_limited")

    assert count(IdempotencyKey) == 0


def test_an_empty_answer_is_replayed_as_it_was(client, member):
    for _ in range(2):
        response = client.post("/api/v1/notifications/read-all", headers=keyed(member, "read"))
        assert response.status_code == 204
        assert response.get_data() == b""
    assert response.headers["Idempotent-Replayed"] == "true"


# Every post that creates something honours the key: (who posts, url, body, what is counted).


def _idea_comment():
    return "member", f"/api/v1/ideas/{make_idea().id}/comments", {"body": "Yes, please."}, Comment


def _prototype_comment():
    url = f"/api/v1/prototypes/{make_prototype_row().id}/comments"
    return "member", url, {"body": "Looks great."}, Comment


def _flag():
    body = {"target_type": "idea", "target_id": make_idea().id, "reason": "spam"}
    return "member", "/api/v1/flags", body, Flag


def _prototype():
    return "admin", "/api/v1/prototypes", {"title": "Clickable export", "description": "Try it."}, Prototype


def _round():
    now = utcnow()
    body = {
        "title": "Round 1",
        "opens_at": (now + timedelta(days=1)).isoformat(),
        "closes_at": (now + timedelta(days=3)).isoformat(),
        "questions": QUESTIONS,
    }
    return "admin", f"/api/v1/prototypes/{make_prototype_row().id}/rounds", body, FeedbackRound


def _round_response():
    round_ = make_round()
    body = {"answers": {str(qids(round_.id)[0]): 4}}
    return "member", f"/api/v1/rounds/{round_.id}/responses", body, RoundResponse


def _launch():
    now = utcnow().replace(microsecond=0)
    body = {
        "title": "Weekly summary pilot",
        "hypothesis": "We believe weekly summaries will bring back lapsed users.",
        "description": "Read it each Monday.",
        "success_metric": "Share of pilot users active in week 4",
        "capacity": 12,
        "starts_at": (now + timedelta(days=7)).isoformat(),
        "ends_at": (now + timedelta(days=21)).isoformat(),
    }
    return "admin", "/api/v1/launches", body, Launch


def _roadmap_item():
    return "admin", "/api/v1/roadmap", {"title": "Scheduled reports"}, RoadmapItem


def _idea():
    return "member", "/api/v1/ideas", IDEA, Idea


@pytest.mark.parametrize(
    "case",
    [
        _idea,
        _idea_comment,
        _prototype_comment,
        _flag,
        _prototype,
        _round,
        _round_response,
        _launch,
        _roadmap_item,
    ],
    ids=lambda case: case.__name__.strip("_"),
)
def test_every_post_that_creates_answers_a_repeat_once(client, member, admin, case):
    role, url, body, model = case()
    caller = {"member": member, "admin": admin}[role]
    before = count(model)

    first = client.post(url, json=body, headers=keyed(caller, "the-key"))
    again = client.post(url, json=body, headers=keyed(caller, "the-key"))

    assert first.status_code == 201, first.get_data(as_text=True)
    assert (again.status_code, again.get_data()) == (201, first.get_data())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(model) == before + 1


# Two requests at once (PostgreSQL): one creates, the other answers as it did or says it is busy.


def post_at_once(app, url: str, body: dict, headers_list: list[dict]) -> list:
    barrier = threading.Barrier(len(headers_list))
    responses: list = [None] * len(headers_list)
    failures: list[BaseException] = []

    def worker(index: int, headers: dict) -> None:
        try:
            with app.app_context():  # the test client expires this context's session afterwards
                client = app.test_client()
                barrier.wait()
                responses[index] = client.post(url, json=body, headers=headers)
        except BaseException as error:  # reported by the caller's assertion
            failures.append(error)

    threads = [
        threading.Thread(target=worker, args=(index, headers)) for index, headers in enumerate(headers_list)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    return responses


@pytest.mark.postgres
def test_parallel_posts_with_one_key_create_one_idea(app, member):
    responses = post_at_once(app, "/api/v1/ideas", IDEA, [keyed(member, "parallel")] * 6)

    statuses = sorted(response.status_code for response in responses)
    assert set(statuses) <= {201, 409}, [r.get_data(as_text=True) for r in responses]
    created = [r for r in responses if r.status_code == 201]
    assert len({r.json["id"] for r in created}) == 1
    assert sum("Idempotent-Replayed" not in r.headers for r in created) == 1
    for response in responses:
        if response.status_code == 409:
            assert response.json["error"]["code"] == "conflict"
    assert count(Idea) == 1
    assert count(IdempotencyKey) == 1


@pytest.mark.postgres
def test_parallel_comments_with_one_key_create_one_comment(app, member):
    idea = make_idea()
    url = f"/api/v1/ideas/{idea.id}/comments"

    responses = post_at_once(app, url, {"body": "Me too."}, [keyed(member, "comment")] * 5)

    assert {response.status_code for response in responses} <= {201, 409}
    assert count(Comment) == 1
