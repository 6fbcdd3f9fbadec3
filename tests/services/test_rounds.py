"""Feedback rounds: creating and editing them, the answer rules, announcements and answered rounds."""

from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import delete, func, select, update

from app import visibility
from app.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from app.extensions import db
from app.models.base import utcnow
from app.models.idea import IdeaFollow
from app.models.notification import Notification
from app.models.prototype import Prototype
from app.models.round import FeedbackRound, RoundAnswer, RoundQuestion, RoundResponse
from app.models.user import User
from app.services import rounds
from tests.concurrency import in_threads
from tests.factories import (
    QUESTIONS,
    make_idea_row,
    make_launch_row,
    make_prototype_row,
    make_round,
    make_user,
)

HOUR = timedelta(hours=1)


# ---- Helpers ----


def load(round_id: int, actor: User | None = None) -> FeedbackRound:
    return rounds.get_round(actor or make_user("admin"), round_id)


def qids(round_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(RoundQuestion.id)
            .where(RoundQuestion.round_id == round_id)
            .order_by(RoundQuestion.position)
        )
    )


def answer(user: User, round_id: int, answers: dict, now: datetime | None = None):
    result = rounds.submit_response(user, rounds.get_round(user, round_id), answers, now=now)
    db.session.commit()
    return result


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---- Creating ----


def test_staff_create_a_round_with_ordered_questions(app):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    now = utcnow()
    questions = [
        *QUESTIONS[:2],
        {"kind": "choice", "prompt": "  Which   plan? ", "options": [" Basic ", "Pro", ""], "required": True},
    ]
    created = rounds.create_round(staff, prototype, "  First  look ", now, now + 48 * HOUR, questions)
    db.session.commit()
    round_ = load(created.id)
    assert round_.title == "First look"
    assert round_.audience == "everyone"
    assert round_.created_by_id == staff.id
    assert [(q.position, q.kind, q.prompt, q.required, q.options) for q in round_.questions] == [
        (0, "rating", "How easy was the checkout?", True, None),
        (1, "nps", "How likely are you to recommend it?", False, None),
        (2, "choice", "Which plan?", True, ["Basic", "Pro"]),
    ]
    assert round_.state_at(now + HOUR) == "open"


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_staff_create_rounds(app, role):
    prototype = make_prototype_row()
    now = utcnow()
    with pytest.raises(Forbidden):
        rounds.create_round(make_user(role), prototype, "Round 1", now, now + HOUR, QUESTIONS)
    with pytest.raises(Unauthorized):
        rounds.create_round(AnonymousUserMixin(), prototype, "Round 1", now, now + HOUR, QUESTIONS)
    assert count(FeedbackRound) == 0


def _question(**changes) -> dict:
    return {"kind": "choice", "prompt": "Which plan?", "options": ["Basic", "Pro"], **changes}


NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)

BAD_ROUNDS = [
    ("title too short", {"title": "ab"}, "title", "at least 3"),
    ("title too long", {"title": "x" * 121}, "title", "120 characters or fewer"),
    ("title missing", {"title": None}, "title", "title"),
    ("closes before it opens", {"closes_at": NOW - HOUR}, "closes_at", "close after it opens"),
    ("closes as it opens", {"closes_at": NOW}, "closes_at", "close after it opens"),
    ("naive time", {"opens_at": datetime(2030, 1, 1, 12)}, "opens_at", "time zone"),
    ("no time", {"closes_at": None}, "closes_at", "date and time"),
    ("already over", {"opens_at": NOW - 48 * HOUR, "closes_at": NOW - HOUR}, "closes_at", "has passed"),
    ("no questions", {"questions": []}, "questions", "1 to 20"),
    ("21 questions", {"questions": [QUESTIONS[0]] * 21}, "questions", "1 to 20"),
    ("questions not a list", {"questions": {"kind": "rating"}}, "questions", "list"),
    ("question not an object", {"questions": ["How?"]}, "questions.0", "object"),
    ("empty prompt", {"questions": [_question(prompt="  ")]}, "questions.0.prompt", "Write the question"),
    ("long prompt", {"questions": [_question(prompt="x" * 301)]}, "questions.0.prompt", "300"),
    ("unknown kind", {"questions": [_question(kind="slider")]}, "questions.0.kind", "rating, nps"),
    ("one option", {"questions": [_question(options=["Only"])]}, "questions.0.options", "between 2 and 12"),
    (
        "13 options",
        {"questions": [_question(options=[f"Option {n}" for n in range(13)])]},
        "questions.0.options",
        "between 2 and 12",
    ),
    (
        "blank options",
        {"questions": [_question(options=["A", " ", ""])]},
        "questions.0.options",
        "(this has 1)",
    ),
    (
        "same option twice",
        {"questions": [_question(options=["Pro", "pro "])]},
        "questions.0.options",
        "different",
    ),
    ("options not text", {"questions": [_question(options=[1, 2])]}, "questions.0.options", "list of text"),
    ("no options", {"questions": [_question(options=None)]}, "questions.0.options", "2 to 12 options"),
    ("long option", {"questions": [_question(options=["A", "b" * 121])]}, "questions.0.options", "120"),
    (
        "options on a rating",
        {"questions": [{"kind": "rating", "prompt": "Rate it", "options": ["A", "B"]}]},
        "questions.0.options",
        "Options are only for “One choice” and “Several choices” questions",
    ),
    (
        "required not a flag",
        {"questions": [_question(required="yes")]},
        "questions.0.required",
        "true or false",
    ),
    (
        "second question bad",
        {"questions": [QUESTIONS[0], _question(prompt="")]},
        "questions.1.prompt",
        "Write",
    ),
    (
        "launch that does not exist",
        {"audience": "launch", "launch_id": 1},
        "launch_id",
        "no learning launch #1",
    ),
    ("launch audience without a launch", {"audience": "launch"}, "launch_id", "Choose the learning launch"),
    ("launch id not a number", {"audience": "launch", "launch_id": "2"}, "launch_id", "whole number"),
    ("unknown audience", {"audience": "friends"}, "audience", "everyone"),
    ("launch id without launch", {"launch_id": 3}, "launch_id", "launch"),
]


@pytest.mark.parametrize(("case", "changes", "field", "message"), BAD_ROUNDS, ids=[c[0] for c in BAD_ROUNDS])
def test_bad_rounds_are_refused_and_nothing_is_stored(app, case, changes, field, message):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    values = {
        "title": "Round 1",
        "opens_at": NOW,
        "closes_at": NOW + 48 * HOUR,
        "questions": [QUESTIONS[0]],
        "audience": "everyone",
        "launch_id": None,
        **changes,
    }
    with pytest.raises(Invalid) as refused:
        rounds.create_round(
            staff,
            prototype,
            values["title"],
            values["opens_at"],
            values["closes_at"],
            values["questions"],
            audience=values["audience"],
            launch_id=values["launch_id"],
            now=NOW,
        )
    assert field in refused.value.fields, refused.value.fields
    assert message in " ".join(refused.value.fields[field])
    db.session.rollback()
    assert count(FeedbackRound) == 0
    assert count(RoundQuestion) == 0


def test_members_do_not_see_rounds_of_draft_prototypes(app):
    staff = make_user("product_manager")
    round_ = make_round(staff, make_prototype_row(staff, status="draft"))
    with pytest.raises(NotFound):
        rounds.get_round(make_user(), round_.id)
    assert rounds.get_round(staff, round_.id).id == round_.id


@pytest.mark.parametrize(
    ("offset", "state"),
    [(-2 * HOUR, "scheduled"), (timedelta(0), "open"), (HOUR, "open"), (48 * HOUR, "closed")],
)
def test_state_follows_the_clock(app, offset, state):
    round_ = FeedbackRound(opens_at=NOW, closes_at=NOW + 48 * HOUR)
    assert round_.state_at(NOW + offset) == state


# ---- Answering: the window, the audience, the account ----


def test_a_member_answers_once_and_may_change_their_answers(app):
    round_ = make_round()
    q = qids(round_.id)
    member = make_user()
    response, created = answer(member, round_.id, {str(q[0]): 4, str(q[4]): "Nice"})
    assert created
    first_id, first_created = response.id, response.created_at
    later = utcnow() + HOUR
    response, created = answer(member, round_.id, {str(q[0]): 2, str(q[2]): "Pro"}, now=later)
    assert not created
    assert response.id == first_id
    assert response.created_at == first_created
    assert response.updated_at == later
    assert count(RoundResponse) == 1
    _, stored = rounds.my_response(member, round_.id)
    assert stored == {q[0]: 2, q[2]: "Pro"}  # the earlier text answer is gone


def test_a_response_row_that_already_exists_is_replaced_not_doubled(app):
    # What a second, simultaneous submit sees: the row is there, so the insert is skipped.
    round_ = make_round()
    q = qids(round_.id)
    member = make_user()
    db.session.add(RoundResponse(round_id=round_.id, user_id=member.id))
    db.session.commit()
    _, created = answer(member, round_.id, {str(q[0]): 5})
    assert not created
    assert count(RoundResponse) == 1
    assert rounds.my_response(member, round_.id)[1] == {q[0]: 5}


@pytest.mark.parametrize(
    ("state", "message"),
    [("scheduled", "This round opens on"), ("closed", "This round closed on")],
)
def test_answers_outside_the_window_are_refused(app, state, message):
    round_ = make_round(state=state)
    q = qids(round_.id)
    with pytest.raises(Conflict, match=message):
        answer(make_user(), round_.id, {str(q[0]): 3})
    db.session.rollback()
    assert count(RoundResponse) == 0
    assert count(RoundAnswer) == 0


def test_changing_answers_after_the_close_is_refused_and_keeps_the_old_ones(app):
    round_ = make_round()
    q = qids(round_.id)
    member = make_user()
    answer(member, round_.id, {str(q[0]): 3})
    with pytest.raises(Conflict, match="closed on"):
        answer(member, round_.id, {str(q[0]): 5}, now=round_.closes_at)
    db.session.rollback()
    assert rounds.my_response(member, round_.id)[1] == {q[0]: 3}


def test_the_window_edges(app):
    round_ = make_round()
    q = qids(round_.id)
    with pytest.raises(Conflict):
        answer(make_user(), round_.id, {str(q[0]): 3}, now=round_.opens_at - timedelta(seconds=1))
    db.session.rollback()
    _, created = answer(make_user(), round_.id, {str(q[0]): 3}, now=round_.opens_at)
    assert created


def test_suspended_and_anonymous_people_cannot_answer(app):
    round_ = make_round()
    q = qids(round_.id)
    suspended = make_user()
    suspended.suspended_at = utcnow()
    suspended.suspension_reason = "Spam"
    db.session.commit()
    with pytest.raises(Forbidden, match="suspended"):
        answer(suspended, round_.id, {str(q[0]): 3})
    db.session.rollback()
    with pytest.raises(Unauthorized):
        rounds.submit_response(AnonymousUserMixin(), load(round_.id), {str(q[0]): 3})
    db.session.rollback()
    assert count(RoundResponse) == 0


def _launch_round() -> FeedbackRound:
    round_ = make_round()
    round_.audience, round_.launch_id = "launch", make_launch_row().id
    db.session.commit()
    return round_


def test_members_outside_the_audience_can_neither_see_nor_answer(app):
    round_ = _launch_round()
    q = qids(round_.id)
    member = make_user()
    assert not visibility.in_audience(member, round_)
    with pytest.raises(NotFound):
        rounds.get_round(member, round_.id)
    with pytest.raises(Forbidden, match="participants of a learning launch"):
        rounds.submit_response(member, load(round_.id), {str(q[0]): 3})
    db.session.rollback()
    assert count(RoundResponse) == 0


def test_everyone_signed_in_is_in_the_audience_of_an_everyone_round(app):
    round_ = make_round()
    assert visibility.in_audience(make_user(), round_)
    assert visibility.in_audience(make_user("admin"), round_)
    assert not visibility.in_audience(AnonymousUserMixin(), round_)
    assert not visibility.in_audience(None, round_)


# ---- Answering: every validation ----

INVALID_ANSWERS = [
    ("rating 0", 0, 0, "from 1 to 5"),
    ("rating 6", 0, 6, "from 1 to 5"),
    ("rating as text", 0, "3", "whole number"),
    ("rating as float", 0, 3.0, "whole number"),
    ("rating as bool", 0, True, "whole number"),
    ("rating as list", 0, [3], "whole number"),
    ("nps -1", 1, -1, "from 0 to 10"),
    ("nps 11", 1, 11, "from 0 to 10"),
    ("nps as bool", 1, False, "whole number"),
    ("nps as float", 1, 7.5, "whole number"),
    ("nps as text", 1, "7", "whole number"),
    ("unknown choice", 2, "Enterprise", "listed options"),
    ("choice differs in case", 2, "pro", "listed options"),
    ("choice as number", 2, 1, "listed options"),
    ("choice as list", 2, ["Pro"], "listed options"),
    ("multi empty", 3, [], "at least one"),
    ("multi as text", 3, "Search", "at least one"),
    ("multi unknown option", 3, ["Search", "Maps"], "only among"),
    ("multi not text", 3, [1], "only among"),
    ("multi twice the same", 3, ["Search", "Search"], "at most once"),
    ("text empty", 4, "", "Write an answer"),
    ("text blank", 4, "   \n ", "Write an answer"),
    ("text too long", 4, "x" * 2001, "2,000 characters"),
    ("text as number", 4, 5, "Write an answer"),
]


@pytest.mark.parametrize(
    ("case", "index", "value", "message"), INVALID_ANSWERS, ids=[c[0] for c in INVALID_ANSWERS]
)
def test_invalid_answers_are_refused_by_question_and_nothing_is_stored(app, case, index, value, message):
    round_ = make_round()
    q = qids(round_.id)
    answers = {str(q[0]): 4, str(q[index]): value} if index else {str(q[0]): value}
    with pytest.raises(Invalid) as refused:
        answer(make_user(), round_.id, answers)
    assert set(refused.value.fields) == {str(q[index])}
    assert message in refused.value.fields[str(q[index])][0]
    assert refused.value.message == "Some answers need attention; nothing was saved."
    db.session.rollback()
    assert count(RoundResponse) == 0
    assert count(RoundAnswer) == 0


def test_an_invalid_change_keeps_the_earlier_answers(app):
    round_ = make_round()
    q = qids(round_.id)
    member = make_user()
    answer(member, round_.id, {str(q[0]): 4, str(q[2]): "Pro"})
    with pytest.raises(Invalid):
        answer(member, round_.id, {str(q[0]): 5, str(q[2]): "Enterprise"})
    db.session.rollback()
    assert rounds.my_response(member, round_.id)[1] == {q[0]: 4, q[2]: "Pro"}


def test_required_questions_must_be_answered(app):
    round_ = make_round()
    q = qids(round_.id)
    for answers in ({str(q[2]): "Pro"}, {str(q[0]): None, str(q[2]): "Pro"}):
        with pytest.raises(Invalid) as refused:
            answer(make_user(), round_.id, answers)
        assert refused.value.fields == {str(q[0]): ["This question needs an answer."]}
        db.session.rollback()
    assert count(RoundResponse) == 0


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"999999": 3}, "999999", "no such question"),
        ({"rating": 3}, "rating", "no such question"),
        ({}, "answers", "at least one"),
        ([3, 4], "answers", "object keyed by question id"),
        (None, "answers", "object keyed by question id"),
    ],
)
def test_unknown_questions_and_malformed_answers_are_refused(app, answers, field, message):
    round_ = make_round(questions=[{"kind": "text", "prompt": "Anything?"}])
    with pytest.raises(Invalid) as refused:
        answer(make_user(), round_.id, answers)
    assert message in refused.value.fields[field][0]
    db.session.rollback()
    assert count(RoundResponse) == 0


def test_questions_of_another_round_are_unknown_here(app):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    first = make_round(staff, prototype, questions=[{"kind": "rating", "prompt": "Rate it"}])
    second = make_round(staff, prototype, questions=[{"kind": "rating", "prompt": "Rate it"}])
    with pytest.raises(Invalid) as refused:
        answer(make_user(), second.id, {str(qids(first.id)[0]): 3})
    assert "no such question" in refused.value.fields[str(qids(first.id)[0])][0]


def test_the_edges_of_every_kind_are_accepted_and_stored_as_given(app):
    round_ = make_round()
    q = qids(round_.id)
    member = make_user()
    answer(
        member,
        round_.id,
        {
            str(q[0]): 1,
            str(q[1]): 0,
            str(q[2]): "Team",
            str(q[3]): ["Export", "Search"],
            str(q[4]): "  é" * 666,
        },
    )
    stored = rounds.my_response(member, round_.id)[1]
    # Chosen options are kept in the order the question lists them; text is trimmed.
    assert stored == {q[0]: 1, q[1]: 0, q[2]: "Team", q[3]: ["Search", "Export"], q[4]: ("  é" * 666).strip()}
    other = make_user()
    answer(other, round_.id, {int(q[0]): 5, str(q[1]): 10, str(q[4]): "x" * 2000})
    assert rounds.my_response(other, round_.id)[1] == {q[0]: 5, q[1]: 10, q[4]: "x" * 2000}


# ---- Editing: questions are fixed from the first answer ----


def test_questions_can_change_before_the_first_answer(app):
    staff = make_user("product_manager")
    round_ = make_round(staff)
    rounds.update_round(staff, load(round_.id), questions=[{"kind": "text", "prompt": "What did you think?"}])
    db.session.commit()
    assert [(q.kind, q.prompt) for q in load(round_.id).questions] == [("text", "What did you think?")]


def test_questions_cannot_change_once_anyone_answered(app):
    staff = make_user("product_manager")
    round_ = make_round(staff)
    q = qids(round_.id)
    answer(make_user(), round_.id, {str(q[0]): 4})
    with pytest.raises(Conflict, match="can't change any more: 1 person answered"):
        rounds.update_round(staff, load(round_.id), questions=[{"kind": "text", "prompt": "New question"}])
    db.session.rollback()
    assert qids(round_.id) == q
    assert [question.prompt for question in load(round_.id).questions] == [x["prompt"] for x in QUESTIONS]


def test_title_and_dates_stay_editable_and_unchanged_questions_are_no_change(app):
    staff = make_user("product_manager")
    round_ = make_round(staff)
    q = qids(round_.id)
    answer(make_user(), round_.id, {str(q[0]): 4})
    closes = utcnow() + 96 * HOUR
    rounds.update_round(staff, load(round_.id), title="Round one", closes_at=closes, questions=QUESTIONS)
    db.session.commit()
    edited = load(round_.id)
    assert (edited.title, edited.closes_at) == ("Round one", closes)
    assert qids(round_.id) == q


def test_staff_may_close_a_round_early(app):
    staff = make_user("product_manager")
    round_ = make_round(staff)
    now = utcnow()
    rounds.update_round(staff, load(round_.id), closes_at=now)
    db.session.commit()
    assert load(round_.id).state_at(now) == "closed"


def test_edits_are_checked_and_for_staff_only(app):
    staff = make_user("product_manager")
    round_ = make_round(staff)
    with pytest.raises(Invalid) as refused:
        rounds.update_round(staff, load(round_.id), title="x", closes_at=round_.opens_at - HOUR)
    assert set(refused.value.fields) == {"title", "closes_at"}
    db.session.rollback()
    with pytest.raises(Forbidden):
        rounds.update_round(make_user(), load(round_.id), title="Mine now")
    db.session.rollback()
    assert load(round_.id).title == "Round 1"


# ---- Announcements ----


def _followers_setup():
    staff = make_user("product_manager")
    ann, ben, carl = make_user(name="Ann"), make_user(name="Ben"), make_user(name="Carl")
    first, second = make_idea_row(ann), make_idea_row(ann)
    for user, idea in [(ann, first), (ann, second), (ben, second), (staff, first)]:
        db.session.add(IdeaFollow(idea_id=idea.id, user_id=user.id))
    db.session.commit()
    return staff, ann, ben, carl, [first.id, second.id]


def notified() -> dict[int, list[Notification]]:
    found: dict[int, list[Notification]] = {}
    for notification in db.session.scalars(select(Notification).order_by(Notification.id)):
        found.setdefault(notification.user_id, []).append(notification)
    return found


def test_an_open_round_is_announced_once_to_each_follower_but_not_to_its_creator(app):
    staff, ann, ben, carl, idea_ids = _followers_setup()
    prototype = make_prototype_row(staff, idea_ids=idea_ids)
    round_ = make_round(staff, prototype)
    sent = notified()
    assert set(sent) == {ann.id, ben.id}  # Ann follows both ideas, hears once; the creator never
    assert all(len(items) == 1 for items in sent.values())
    notification = sent[ann.id][0]
    assert notification.kind == "status"
    assert notification.url == f"/rounds/{round_.id}"
    assert "One-page checkout" in notification.message
    assert "Round 1" in notification.message
    assert db.session.get(FeedbackRound, round_.id).announced_at is not None
    assert rounds.announce_open_rounds() == 0
    db.session.commit()
    assert count(Notification) == 2


def test_editing_an_announced_round_does_not_announce_it_again(app):
    staff, ann, ben, carl, idea_ids = _followers_setup()
    round_ = make_round(staff, make_prototype_row(staff, idea_ids=idea_ids))
    assert count(Notification) == 2
    rounds.update_round(staff, load(round_.id), title="Round 1, renamed", closes_at=utcnow() + 99 * HOUR)
    db.session.commit()
    assert count(Notification) == 2


def test_moving_a_scheduled_round_to_now_announces_it(app):
    staff, ann, ben, carl, idea_ids = _followers_setup()
    round_ = make_round(staff, make_prototype_row(staff, idea_ids=idea_ids), state="scheduled")
    db.session.execute(update(FeedbackRound).where(FeedbackRound.id == round_.id).values(announced_at=None))
    db.session.execute(delete(Notification))
    db.session.commit()
    rounds.update_round(staff, load(round_.id), opens_at=utcnow() - HOUR)
    db.session.commit()
    assert set(notified()) == {ann.id, ben.id}


def test_a_scheduled_round_is_announced_by_the_worker_when_it_opens(app):
    staff, ann, ben, carl, idea_ids = _followers_setup()
    prototype = make_prototype_row(staff, idea_ids=idea_ids)
    now = utcnow()
    round_ = rounds.create_round(staff, prototype, "Round 2", now + HOUR, now + 48 * HOUR, QUESTIONS)
    db.session.commit()
    assert count(Notification) == 0
    assert rounds.announce_open_rounds(now) == 0
    assert rounds.announce_open_rounds(now + 2 * HOUR) == 1
    db.session.commit()
    assert rounds.announce_open_rounds(now + 3 * HOUR) == 0
    db.session.commit()
    assert {user_id: len(items) for user_id, items in notified().items()} == {ann.id: 1, ben.id: 1}
    assert db.session.get(FeedbackRound, round_.id).announced_at == now + 2 * HOUR


def test_rounds_of_drafts_wait_and_closed_rounds_are_never_announced(app):
    staff, ann, ben, carl, idea_ids = _followers_setup()
    draft = make_prototype_row(staff, status="draft", idea_ids=idea_ids)
    waiting = make_round(staff, draft)
    closed = make_round(staff, make_prototype_row(staff, idea_ids=idea_ids), state="closed")
    db.session.execute(update(FeedbackRound).where(FeedbackRound.id == closed.id).values(announced_at=None))
    db.session.commit()
    assert count(Notification) == 2  # the closed one was announced while it was open, at creation
    before = count(Notification)
    assert rounds.announce_open_rounds() == 0
    draft = db.session.get(Prototype, draft.id)
    draft.status = "published"
    db.session.commit()
    assert rounds.announce_open_rounds() == 1
    db.session.commit()
    assert count(Notification) == before + 2
    assert db.session.get(FeedbackRound, waiting.id).announced_at is not None


# ---- The prototype page's section and the profile ----


def test_the_rounds_section_lists_what_each_person_may_see(app):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    first = make_round(staff, prototype, state="closed", title="Round 1")
    second = make_round(staff, prototype, title="Round 2")
    hidden = _launch_round()
    hidden.prototype_id = prototype.id
    db.session.commit()
    member = make_user()
    answer(member, second.id, {str(qids(second.id)[0]): 5})
    cards = rounds.prototype_rounds(member, prototype)
    assert [(c.round.id, c.state, c.answered, c.response_count) for c in cards] == [
        (second.id, "open", True, None),
        (first.id, "closed", False, None),
    ]
    staff_cards = {c.round.id: c.response_count for c in rounds.prototype_rounds(staff, prototype)}
    assert staff_cards == {second.id: 1, first.id: 0, hidden.id: 0}
    assert [c.round.id for c in rounds.prototype_rounds(AnonymousUserMixin(), prototype)] == [
        second.id,
        first.id,
    ]


def test_answered_rounds_are_the_users_own_last_answered_first(app):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    first, second = (
        make_round(staff, prototype, title="Round 1"),
        make_round(staff, prototype, title="Round 2"),
    )
    member, other = make_user(), make_user()
    answer(member, second.id, {str(qids(second.id)[0]): 2})
    answer(member, first.id, {str(qids(first.id)[0]): 4}, now=utcnow() + HOUR)
    answer(other, second.id, {str(qids(second.id)[0]): 5})
    rows = rounds.answered_rounds(member)
    assert [(r.id, p.id, response.user_id) for r, p, response in rows] == [
        (first.id, prototype.id, member.id),
        (second.id, prototype.id, member.id),
    ]
    assert rounds.answered_rounds(make_user()) == []


# ---- Races (PostgreSQL) ----


@pytest.mark.postgres
def test_parallel_first_answers_by_one_person_store_one_response(app):
    round_ = make_round()
    q = qids(round_.id)
    member_id, round_id = make_user().id, round_.id

    def work(index: int) -> None:
        user = db.session.get(User, member_id)
        rounds.submit_response(user, rounds.get_round(user, round_id), {str(q[0]): index + 1})

    assert in_threads(app, [partial(work, n) for n in range(4)]) == [None] * 4
    assert count(RoundResponse) == 1
    assert count(RoundAnswer) == 1


@pytest.mark.postgres
def test_a_question_edit_and_a_first_answer_never_cross(app):
    staff = make_user("product_manager")
    round_ = make_round(staff)
    q = qids(round_.id)
    staff_id, member_id, round_id = staff.id, make_user().id, round_.id

    def work(index: int) -> None:
        if index == 0:
            user = db.session.get(User, staff_id)
            rounds.update_round(user, rounds.get_round(user, round_id), questions=[QUESTIONS[4]])
        else:
            user = db.session.get(User, member_id)
            rounds.submit_response(user, rounds.get_round(user, round_id), {str(q[0]): 3})

    results = in_threads(app, [partial(work, n) for n in range(2)])
    # Either the answer came first (the edit is refused) or the edit did (the answer names a gone question).
    assert sorted(type(result).__name__ for result in results) in (
        ["Conflict", "NoneType"],
        ["Invalid", "NoneType"],
    )
    if count(RoundResponse):
        assert qids(round_id) == q
