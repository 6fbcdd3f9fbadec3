"""Notifications about a private board and what is on it: withdrawn from whoever loses access
(the invitation too, launches and rounds as well as ideas), back when access comes back, and
never emailed to anyone who may not see what they are about."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.notification import Notification
from app.models.outbox import OutboxMessage
from app.models.user import User
from app.services import boards, comments, ideas, notifications, participation, votes
from tests.factories import make_board, make_launch, make_participant, make_prototype, make_round, make_user


@pytest.fixture
def beta(app):
    admin = make_user("admin")
    board = make_board("Enterprise beta", "private", slug="enterprise-beta", admin=admin)
    member = make_user(name="Mia Member", username="mia")
    boards.grant_member(admin, board, member)
    author = make_user(name="Ann Author")
    boards.grant_member(admin, board, author)
    idea = ideas.create_idea(author, "Audit trail for the beta", board="enterprise-beta")
    votes.cast_vote(member, idea)  # and so follows it
    db.session.commit()
    return {"admin": admin, "board": board, "member": member, "author": author, "idea": idea}


def messages(user: User) -> list[str]:
    db.session.expire_all()
    return [n.message for n in notifications.list_notifications(db.session.get(User, user.id)).items]


def emailed_to(user: User) -> int:
    payloads = db.session.scalars(select(OutboxMessage.payload).where(OutboxMessage.kind == "email"))
    return sum(1 for payload in payloads if payload.get("to") == user.email)


def shut_out(beta) -> None:
    boards.revoke_member(beta["admin"], beta["board"], beta["member"].id)
    db.session.commit()


def let_in(beta) -> None:
    boards.grant_member(beta["admin"], beta["board"], beta["member"])
    db.session.commit()


def test_the_invitation_is_withdrawn_with_access_and_back_with_it(beta):
    invitation = "You were invited to the private board “Enterprise beta”."
    assert invitation in messages(beta["member"])
    [row] = db.session.scalars(
        select(Notification).where(Notification.user_id == beta["member"].id, Notification.kind == "board")
    )
    assert (row.target_type, row.target_id) == ("board", beta["board"].id)

    shut_out(beta)
    assert invitation not in messages(beta["member"])
    assert notifications.unread_count(beta["member"]) == 0

    let_in(beta)
    assert invitation in messages(beta["member"])


def test_launch_and_round_notifications_go_with_the_board(beta):
    pm = make_user("product_manager")
    launch = make_launch(pm, title="Audit pilot", idea_ids=[beta["idea"].id])
    make_round(pm, make_prototype(pm, "Audit log screens", idea_ids=[beta["idea"].id]), title="First look")
    told = messages(beta["member"])
    assert any("Audit pilot" in message for message in told)
    assert any("Audit log screens" in message for message in told)

    targets = db.session.execute(
        select(Notification.target_type, Notification.target_id).where(
            Notification.user_id == beta["member"].id
        )
    )
    assert ("launch", launch.id) in {tuple(row) for row in targets}

    shut_out(beta)

    assert not any("Audit" in message for message in messages(beta["member"])), "the launch and prototype"


def test_nobody_is_emailed_about_a_board_they_may_not_see(beta):
    shut_out(beta)
    before = emailed_to(beta["member"])

    comments.add_comment(beta["author"], beta["idea"], "@mia the export runs nightly now.")
    db.session.commit()

    # Told in the app (withdrawn while shut out), never by email.
    assert emailed_to(beta["member"]) == before
    assert messages(beta["member"]) == []
    let_in(beta)
    assert "Ann Author mentioned you on “Audit trail for the beta”" in messages(beta["member"])


def test_those_with_access_are_still_emailed(beta):
    before = emailed_to(beta["member"])
    comments.add_comment(beta["author"], beta["idea"], "@mia the export runs nightly now.")
    db.session.commit()
    assert emailed_to(beta["member"]) == before + 1


def test_the_launch_team_message_reaches_only_participants_who_may_see_the_launch(beta):
    pm = make_user("product_manager")
    launch = make_launch(pm, title="Audit pilot", idea_ids=[beta["idea"].id])
    make_participant(launch, beta["member"])
    shut_out(beta)
    before = emailed_to(beta["member"])

    participation.message_participants(pm, launch, "We start on Monday.")
    db.session.commit()

    assert emailed_to(beta["member"]) == before
    assert not any("We start on Monday" in message for message in messages(beta["member"]))
