"""Joining a learning launch at once from many threads: capacity holds, waitlist places never repeat."""

from functools import partial

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.launch import Launch, LaunchParticipant
from app.models.user import User
from app.services import participation
from tests.concurrency import in_threads
from tests.factories import make_launch, make_user


def run_in_parallel(app, user_ids: list[int], launch_id: int) -> list[BaseException]:
    """Each user joins from their own thread (own app context and session, committing); the failures."""

    def join(user_id: int) -> None:
        participation.join_launch(db.session.get(User, user_id), launch_id)

    results = in_threads(app, [partial(join, user_id) for user_id in user_ids])
    return [error for error in results if error is not None]


def rows(launch_id: int) -> list[LaunchParticipant]:
    db.session.expire_all()
    return list(db.session.scalars(select(LaunchParticipant).where(LaunchParticipant.launch_id == launch_id)))


@pytest.mark.postgres
def test_parallel_joins_never_exceed_capacity(app):
    """Twenty members join a launch with three seats at once: three enrolled, seventeen waiting in line."""
    launch_id = make_launch(capacity=3).id
    members = [make_user(commit=False) for _ in range(20)]
    db.session.commit()
    assert run_in_parallel(app, [member.id for member in members], launch_id) == []

    joined = rows(launch_id)
    assert len(joined) == 20
    assert sum(row.state == "enrolled" for row in joined) == 3
    waiting = [row for row in joined if row.state == "waitlisted"]
    assert len(waiting) == 17
    assert len({row.waitlist_seq for row in waiting}) == 17
    # Each waiting member sees their own place in the queue: 1..17, none twice.
    seen = [
        participation.places(db.session.get(User, row.user_id), [launch_id])[launch_id] for row in waiting
    ]
    assert sorted(position for _, position in seen) == list(range(1, 18))
    launch = db.session.get(Launch, launch_id)
    assert (launch.enrolled_count, launch.waitlist_count) == (3, 17)


@pytest.mark.postgres
def test_one_member_joining_from_many_threads_gets_one_row(app):
    launch_id = make_launch(capacity=3).id
    member = make_user()
    assert run_in_parallel(app, [member.id] * 5, launch_id) == []

    [row] = rows(launch_id)
    assert (row.user_id, row.state) == (member.id, "enrolled")
    launch = db.session.get(Launch, launch_id)
    assert (launch.enrolled_count, launch.waitlist_count) == (1, 0)
    assert db.session.scalar(select(func.count(LaunchParticipant.id))) == 1
