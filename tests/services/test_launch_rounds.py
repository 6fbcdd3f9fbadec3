"""Check-in rounds: feedback rounds whose audience is the enrolled participants of one launch."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import visibility
from app.errors import Forbidden, Invalid, NotFound
from app.extensions import db
from app.models.base import utcnow
from app.models.launch import Launch
from app.models.notification import Notification
from app.models.round import FeedbackRound, RoundResponse
from app.models.user import User
from app.services import participation, round_results, rounds
from tests.factories import QUESTIONS, make_launch_row, make_prototype_row, make_user
from tests.services.test_rounds import qids

HOUR = timedelta(hours=1)


def launch_round(launch: Launch, staff: User | None = None, opens_in: timedelta = -HOUR) -> FeedbackRound:
    staff = staff or make_user("product_manager")
    now = utcnow()
    round_ = rounds.create_round(
        staff,
        make_prototype_row(staff),
        "Week 1 check-in",
        now + opens_in,
        now + 72 * HOUR,
        QUESTIONS[:1],
        audience="launch",
        launch_id=launch.id,
        now=now,
    )
    db.session.commit()
    return round_


def enrol(launch: Launch, *people: User) -> None:
    for person in people:
        participation.join_launch(person, launch.id)
    db.session.commit()


def test_only_enrolled_participants_see_and_answer_a_check_in_round(app):
    launch = make_launch_row(capacity=1)
    enrolled, waiting, outsider = make_user(), make_user(), make_user()
    enrol(launch, enrolled, waiting)
    round_ = launch_round(launch)
    question = qids(round_.id)[0]
    assert round_.launch_id == launch.id
    rounds.submit_response(enrolled, rounds.get_round(enrolled, round_.id), {str(question): 4})
    db.session.commit()
    for person in (waiting, outsider):
        assert not visibility.in_audience(person, round_)
        with pytest.raises(NotFound):
            rounds.get_round(person, round_.id)
        with pytest.raises(Forbidden, match="participants of a learning launch"):
            rounds.submit_response(person, round_, {str(question): 4})
        db.session.rollback()
    assert db.session.scalar(select(func.count(RoundResponse.id))) == 1


def test_a_participant_who_withdraws_leaves_the_audience_and_the_promoted_one_joins_it(app):
    launch = make_launch_row(capacity=1)
    first, second = make_user(), make_user()
    enrol(launch, first, second)
    round_ = launch_round(launch)
    participation.withdraw(first, launch.id)
    db.session.commit()
    assert not visibility.in_audience(first, round_)
    assert visibility.in_audience(second, round_)


def test_a_check_in_round_tells_every_enrolled_participant_when_it_opens(app):
    launch = make_launch_row(capacity=2)
    a, b, waiting = make_user(), make_user(), make_user()
    enrol(launch, a, b, waiting)
    round_ = launch_round(launch)
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.url.contains(f"/rounds/{round_.id}"))
    )
    assert sorted(told) == sorted([a.id, b.id])


def test_the_response_rate_counts_the_enrolled_participants(app):
    staff = make_user("product_manager")
    launch = make_launch_row(capacity=4)
    people = [make_user() for _ in range(4)]
    enrol(launch, *people)
    round_ = launch_round(launch, staff)
    question = qids(round_.id)[0]
    for person in people[:3]:
        rounds.submit_response(person, rounds.get_round(person, round_.id), {str(question): 5})
    db.session.commit()
    results = round_results.round_results(staff, round_.id)
    assert (results.response_count, results.audience_size, results.response_rate) == (3, 4, 75)


@pytest.mark.parametrize("status", ["draft", "completed", "cancelled"])
def test_a_check_in_round_needs_a_launch_that_is_recruiting_or_running(app, status):
    launch = make_launch_row(status=status)
    with pytest.raises(Invalid) as refused:
        launch_round(launch)
    assert refused.value.fields["launch_id"] == [rounds.LAUNCH_NOT_ACTIVE.format(status=status)]
    db.session.rollback()
    assert db.session.scalar(select(func.count(FeedbackRound.id))) == 0
