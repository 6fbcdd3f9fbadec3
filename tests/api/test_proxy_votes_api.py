"""POST /api/v1/ideas/{id}/votes: staff record a customer's vote (shared API.md: Boards)."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.idea import Idea, IdeaVote
from app.models.outbox import OutboxMessage
from app.models.user import User
from app.services import ideas, moderation, votes
from tests.factories import ApiCaller, make_idea, make_user


@pytest.fixture
def staff(app) -> ApiCaller:
    return ApiCaller("product_manager", "Pat Manager")


@pytest.fixture
def idea(app) -> Idea:
    return make_idea(title="Export reports to CSV")


def url(idea: Idea | int) -> str:
    return f"/api/v1/ideas/{getattr(idea, 'id', idea)}/votes"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def written() -> tuple[int, int, int]:
    """(accounts, votes, outbox messages): what a refused request must leave as it was."""
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (User, IdeaVote, OutboxMessage)
    )


def test_a_new_customer_is_201_with_the_vote_count_and_the_user(client, staff, idea):
    response = client.post(
        url(idea),
        json={"email": "ada@example.com", "name": "Ada Lovelace", "source": "sales", "note": "Renewal call"},
        headers=staff.headers,
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    customer = db.session.scalar(select(User).where(User.email == "ada@example.com"))
    assert response.json == {
        "voted": True,
        "vote_count": 2,  # the author's own and the customer's
        "user": {"id": customer.id, "display_name": "Ada Lovelace", "role": "member"},
    }
    vote = db.session.get(IdeaVote, (idea.id, customer.id))
    assert (vote.recorded_by_id, vote.source, vote.note) == (staff.id, "sales", "Renewal call")


def test_a_vote_that_counts_already_is_200_and_changes_nothing(client, staff, idea):
    member = make_user(email="bo@example.com", name="Bo Member")
    votes.cast_vote(member, idea)
    db.session.commit()
    before = written()

    response = client.post(url(idea), json={"email": "BO@example.com"}, headers=staff.headers)

    assert response.status_code == 200
    assert response.json == {
        "voted": True,
        "vote_count": 2,
        "user": {"id": member.id, "display_name": "Bo Member", "role": "member"},
    }
    assert written() == before

    first = client.post(url(idea), json={"email": "ada@example.com"}, headers=staff.headers)
    again = client.post(
        url(idea), json={"email": "ada@example.com", "source": "other"}, headers=staff.headers
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json == again.json
    assert again.json["vote_count"] == 3


def test_without_a_token_401_for_a_member_403(client, idea):
    assert_error(client.post(url(idea), json={"email": "ada@example.com"}), 401, "unauthorized")
    member = ApiCaller("member")
    moderator = ApiCaller("moderator")
    before = written()
    for caller in (member, moderator):
        response = client.post(url(idea), json={"email": "nope"}, headers=caller.headers)
        assert_error(response, 403, "forbidden")
    assert written() == before


def test_an_idea_the_caller_may_not_see_is_404(client, staff, idea):
    moderation.hide_item(make_user("admin"), "idea", idea.id, "Spam")
    db.session.commit()
    before = written()

    for target in (idea, 999_999):
        response = client.post(url(target), json={"email": "ada@example.com"}, headers=staff.headers)
        assert_error(response, 404, "not_found")
    assert written() == before


def test_bad_fields_are_422_naming_each_and_nothing_is_written(client, staff, idea):
    before = written()

    response = client.post(
        url(idea),
        json={"email": "not an address", "source": "fax", "note": "n" * 501, "name": 7},
        headers=staff.headers,
    )

    error = assert_error(response, 422, "validation_error")
    assert set(error["fields"]) == {"email", "source", "note", "name"}
    assert error["fields"]["source"] == ["Choose where you heard it: sales, support, interview, other."]
    assert written() == before
    missing = client.post(url(idea), json={}, headers=staff.headers)
    assert assert_error(missing, 422, "validation_error")["fields"] == {
        "email": ["Enter the customer's email address."]
    }
    assert_error(client.post(url(idea), json=["ada@example.com"], headers=staff.headers), 400, "bad_request")
    assert written() == before


def test_a_declined_idea_is_409(client, staff, idea):
    ideas.change_status(staff.user, idea, "declined", "Not for us")
    db.session.commit()
    before = written()

    response = client.post(url(idea), json={"email": "ada@example.com"}, headers=staff.headers)

    assert "declined" in assert_error(response, 409, "conflict")["message"]
    assert written() == before


def test_the_same_idempotency_key_answers_the_first_response_again(client, staff, idea):
    headers = {**staff.headers, "Idempotency-Key": "record-ada-1"}

    first = client.post(url(idea), json={"email": "ada@example.com"}, headers=headers)
    replay = client.post(url(idea), json={"email": "ada@example.com"}, headers=headers)

    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json == first.json
    other = client.post(url(idea), json={"email": "bo@example.com"}, headers=headers)
    assert_error(other, 422, "idempotency_key_reused")
