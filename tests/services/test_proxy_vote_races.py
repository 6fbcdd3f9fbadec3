"""Votes recorded on a customer's behalf under concurrency: a person's vote counts once, whoever
comes first, and an address gets one account and one invitation however many staff record it."""

from functools import partial

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.idea import Idea, IdeaVote, IdeaVoteDay
from app.models.outbox import OutboxMessage
from app.models.user import User
from app.services import proxy_votes, votes
from tests.concurrency import in_threads
from tests.factories import make_idea_row, make_user

ROUNDS = 5  # each race runs on a fresh idea: more chances for the requests to interleave


def counted(idea_id: int) -> tuple[int, int, float, int]:
    """(vote rows, vote_count, weighted_votes, votes on the idea's days) as stored."""
    db.session.expire_all()
    rows = db.session.scalar(select(func.count()).select_from(IdeaVote).where(IdeaVote.idea_id == idea_id))
    idea = db.session.get(Idea, idea_id)
    days = db.session.scalar(select(func.sum(IdeaVoteDay.votes)).where(IdeaVoteDay.idea_id == idea_id))
    return rows, idea.vote_count, idea.weighted_votes, days or 0


def record(staff_id: int, idea_id: int, address: str, added: list[bool] | None = None) -> None:
    """A staff member records the vote of `address` (in a thread of its own: everything read again)."""
    _, was_added = proxy_votes.record_vote(
        db.session.get(User, staff_id), db.session.get(Idea, idea_id), address, source="sales"
    )
    if added is not None:
        added.append(was_added)


def own_vote(user_id: int, idea_id: int) -> None:
    votes.cast_vote(db.session.get(User, user_id), db.session.get(Idea, idea_id))


@pytest.mark.postgres
def test_a_staff_record_and_the_customers_own_vote_racing_end_with_one_vote(app):
    staff_id = make_user("product_manager").id
    customer_id = make_user(email="ada@example.com").id
    idea_ids = [make_idea_row().id for _ in range(ROUNDS)]

    for idea_id in idea_ids:
        jobs = [
            partial(record, staff_id, idea_id, "ada@example.com"),
            partial(own_vote, customer_id, idea_id),
        ]

        assert in_threads(app, jobs) == [None, None]
        assert counted(idea_id) == (1, 1, 1.0, 1)
        assert db.session.scalar(select(IdeaVote.user_id).where(IdeaVote.idea_id == idea_id)) == customer_id


@pytest.mark.postgres
def test_two_staff_recording_a_new_address_at_once_open_one_account_and_send_one_invitation(app):
    staff_ids = [make_user("product_manager").id, make_user("admin").id]
    idea_ids = [make_idea_row().id for _ in range(ROUNDS)]

    for number, idea_id in enumerate(idea_ids):
        address = f"new{number}@example.com"
        added: list[bool] = []

        results = in_threads(
            app, [partial(record, staff_id, idea_id, address, added) for staff_id in staff_ids]
        )

        assert results == [None, None]
        assert sorted(added) == [False, True]
        assert db.session.scalar(select(func.count(User.id)).where(User.email == address)) == 1
        assert counted(idea_id) == (1, 1, 1.0, 1)
        invitations = [
            row
            for row in db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "email"))
            if row.payload["to"] == address
        ]
        assert len(invitations) == 1
