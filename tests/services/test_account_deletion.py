"""Deleting an account: personal data goes, contributions stay unsigned, seats go to the waitlist."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea, IdeaFollow, IdeaVote
from app.models.idempotency import IdempotencyKey
from app.models.identity import Identity
from app.models.launch import Launch, LaunchParticipant
from app.models.moderation import AuditEntry
from app.models.notification import Notification
from app.models.outbox import OutboxMessage
from app.models.round import RoundResponse
from app.models.segment import UserSegment
from app.models.user import ApiToken, PasswordResetToken, User, UserSession
from app.services import (
    account_deletion,
    accounts,
    comments,
    members,
    mentions,
    moderation,
    outbox,
    participation,
    profiles,
    sessions,
    settings,
    usernames,
)
from tests.factories import (
    PASSWORD,
    make_api_token,
    make_comment,
    make_idea,
    make_identity,
    make_launch,
    make_notification,
    make_participant,
    make_round,
    make_round_response,
    make_segment,
    make_user,
    make_webhook,
)

PHRASE = "delete my account"


def count(model, **where) -> int:
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.session.scalar(stmt)


def reload(model, row_id):
    return db.session.scalar(
        select(model).where(model.id == row_id).execution_options(populate_existing=True)
    )


@pytest.fixture
def ann(app) -> User:
    """A member with a bit of everything: sign-in ways, posts, votes, follows, segments, mail."""
    user = make_user(email="ann@example.com", name="Ann Archer", username="ann")
    make_identity(user, "github", "gh-1")
    make_api_token(user)
    sessions.start_session(user, "Firefox")
    db.session.add(
        PasswordResetToken(user_id=user.id, token_hash="x" * 64, expires_at=utcnow() + timedelta(hours=1))
    )
    db.session.add(IdempotencyKey(user_id=user.id, scope="api", key="k1", fingerprint="f" * 64))
    outbox.enqueue_email(to=user.email, subject="Hi", template="email/message.txt", user=user, body="x")
    db.session.commit()
    make_notification(user)
    make_segment("Enterprise", [user])
    return user


def test_personal_data_goes_and_the_row_stays_as_deleted_member(ann):
    account_deletion.delete_account(ann, ann, PHRASE)
    db.session.commit()

    user = reload(User, ann.id)
    assert user.is_deleted
    assert user.email == f"deleted-{ann.id}@invalid"
    assert user.display_name == "Deleted member"
    assert user.username == f"deleted_{ann.id}"
    assert user.password_hash == ""
    assert user.role == "member"
    assert not user.is_email_verified
    assert user.email_notifications == "never"
    for model in (
        Identity,
        ApiToken,
        UserSession,
        PasswordResetToken,
        Notification,
        IdeaFollow,
        UserSegment,
        IdempotencyKey,
    ):
        assert count(model, user_id=ann.id) == 0, model
    assert not any(
        row.payload.get("to") == "ann@example.com" for row in db.session.scalars(select(OutboxMessage))
    )


def test_the_account_can_no_longer_be_signed_into(ann):
    account_deletion.delete_account(ann, ann, PHRASE)
    db.session.commit()

    assert accounts.authenticate("ann@example.com", PASSWORD) is None
    assert accounts.find_user_by_email("ann@example.com") is None


def test_contributions_stay_and_every_count_is_unchanged(ann):
    other = make_user()
    idea = make_idea(ann, "Dark mode for reports", voters=[other])
    others_idea = make_idea(other, "Export to PDF", voters=[ann])
    comment = make_comment(others_idea, ann, "I would use this daily")
    before = [(i.id, i.vote_count, i.comment_count) for i in (idea, others_idea)]

    account_deletion.delete_account(ann, ann, PHRASE)
    db.session.commit()

    after = [reload(Idea, i.id) for i in (idea, others_idea)]
    assert [(i.id, i.vote_count, i.comment_count) for i in after] == before
    assert reload(Idea, idea.id).author_id == ann.id
    assert reload(Comment, comment.id).body == "I would use this daily"
    assert count(IdeaVote, user_id=ann.id) == 2
    # Others who follow the idea still do; the deleted member follows nothing.
    assert count(IdeaFollow, idea_id=idea.id) == 1


def test_round_answers_keep_counting(ann):
    round_ = make_round()
    make_round_response(round_, ann)

    account_deletion.delete_account(ann, ann, PHRASE)
    db.session.commit()

    assert count(RoundResponse, round_id=round_.id) == 1


def test_a_seat_goes_to_the_first_person_waiting_who_is_told(ann):
    launch = make_launch(capacity=1)
    waiting = make_user()
    make_participant(launch, ann)
    make_participant(launch, waiting)

    account_deletion.delete_account(ann, ann, PHRASE)
    db.session.commit()

    states = dict(db.session.execute(select(LaunchParticipant.user_id, LaunchParticipant.state)).all())
    assert states == {ann.id: "withdrawn", waiting.id: "enrolled"}
    row = reload(Launch, launch.id)
    assert (row.enrolled_count, row.waitlist_count) == (1, 0)
    [told] = db.session.scalars(select(Notification).where(Notification.user_id == waiting.id))
    assert "A seat opened" in told.message


def test_a_waitlist_place_is_given_up_and_the_others_move_up(ann):
    launch = make_launch(capacity=1)
    first, last = make_user(), make_user()
    make_participant(launch, first)
    make_participant(launch, ann)
    make_participant(launch, last)

    account_deletion.delete_account(ann, ann, PHRASE)
    db.session.commit()

    assert participation.my_participation(last, launch.id) == participation.Place("waitlisted", 1)
    row = reload(Launch, launch.id)
    assert (row.enrolled_count, row.waitlist_count) == (1, 1)


def test_a_finished_launch_keeps_its_record(ann):
    launch = make_launch(capacity=2, status="recruiting")
    make_participant(launch, ann)
    db.session.execute(Launch.__table__.update().where(Launch.id == launch.id).values(status="completed"))
    db.session.commit()

    account_deletion.delete_account(ann, ann, PHRASE)
    db.session.commit()

    assert reload(Launch, launch.id).enrolled_count == 1
    assert db.session.scalar(select(LaunchParticipant.state)) == "enrolled"


def test_the_audit_log_records_the_deletion_without_personal_data(ann):
    account_deletion.delete_account(ann, ann, PHRASE)
    db.session.commit()

    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.delete"))
    assert (entry.actor_id, entry.target_type, entry.target_id) == (ann.id, "user", ann.id)
    assert (entry.reason, entry.before, entry.after) == ("", None, None)


@pytest.mark.parametrize("confirm", ["", "delete", "delete your account", None, 1, ["delete my account"]])
def test_a_wrong_confirmation_changes_nothing(ann, confirm):
    with pytest.raises(Invalid) as refused:
        account_deletion.delete_account(ann, ann, confirm)

    assert refused.value.fields["confirm"] == ["Type “delete my account” to confirm."]
    db.session.rollback()
    user = reload(User, ann.id)
    assert not user.is_deleted
    assert user.email == "ann@example.com"
    assert count(ApiToken, user_id=ann.id) == 1


def test_the_phrase_may_differ_in_case_and_spaces(ann):
    account_deletion.delete_account(ann, ann, "  Delete  my ACCOUNT ")
    assert reload(User, ann.id).is_deleted


def test_a_member_may_not_delete_someone_else(ann):
    with pytest.raises(Forbidden):
        account_deletion.delete_account(make_user(), ann, PHRASE)


def test_an_admin_deletes_a_member_by_typing_their_address(ann):
    admin = make_user("admin")
    with pytest.raises(Invalid, match="Type “ann@example.com” to confirm"):
        account_deletion.delete_account(admin, ann, PHRASE)

    account_deletion.delete_account(admin, ann, "Ann@Example.com")
    db.session.commit()

    assert reload(User, ann.id).is_deleted
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.delete"))
    assert (entry.actor_id, entry.target_id) == (admin.id, ann.id)


def test_the_last_admin_may_not_delete_their_account(app):
    admin = make_user("admin")
    gone = make_user("admin")
    gone.deleted_at = utcnow()
    suspended = make_user("admin")
    suspended.suspended_at = utcnow()
    db.session.commit()

    with pytest.raises(Conflict, match="only admin"):
        account_deletion.delete_account(admin, admin, PHRASE)
    assert not reload(User, admin.id).is_deleted

    make_user("admin")
    account_deletion.delete_account(admin, admin, PHRASE)
    assert reload(User, admin.id).is_deleted


def test_an_account_is_deleted_once(ann):
    admin = make_user("admin")
    account_deletion.delete_account(ann, ann, PHRASE)
    with pytest.raises(NotFound):
        account_deletion.delete_account(admin, ann, f"deleted-{ann.id}@invalid")


def test_the_deleted_username_is_free_of_clashes(ann):
    make_user(username=f"deleted_{ann.id}")
    account_deletion.delete_account(ann, ann, PHRASE)
    assert reload(User, ann.id).username == f"deleted_{ann.id}_2"


def test_a_deleted_member_has_no_profile_and_is_never_named_nor_told(ann):
    reader, admin = make_user(), make_user("admin")
    idea = make_idea(reader, "Shared calendars")
    make_comment(idea, ann, "Me too")
    account_deletion.delete_account(ann, ann, PHRASE)
    db.session.commit()

    with pytest.raises(NotFound):
        profiles.profile_page(reader, ann.id)
    assert mentions.find_mentions(f"@deleted_{ann.id} and @Deleted member")[1] == []
    assert usernames.suggest_members(reader, "del") == []
    assert ann.id not in [user.id for user in members.list_members(admin, q="deleted").items]
    # Replies to the deleted member's comment reach no one.
    [comment] = db.session.scalars(select(Comment).where(Comment.author_id == ann.id))
    comments.add_comment(reader, idea, "Agreed", comment.id)
    db.session.commit()
    assert count(Notification, user_id=ann.id) == 0


def test_own_deletion_needs_the_password(ann):
    with pytest.raises(Invalid) as refused:
        account_deletion.delete_own_account(ann, PHRASE, "wrong password")
    assert refused.value.fields == {"password": ["Your password is not correct."]}
    assert not reload(User, ann.id).is_deleted

    with pytest.raises(Invalid) as refused:
        account_deletion.delete_own_account(ann, "no", PASSWORD)
    assert set(refused.value.fields) == {"confirm"}

    account_deletion.delete_own_account(ann, PHRASE, PASSWORD)
    assert reload(User, ann.id).is_deleted


def passwordless(signed_in_with: str, minutes_ago: int) -> User:
    user = make_user()
    user.password_hash = ""
    record = sessions.start_session(user, "Firefox", signed_in_with=signed_in_with)
    record.created_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    return user


def test_without_a_password_a_fresh_single_sign_on_confirms(app):
    user = passwordless("github", 5)
    assert account_deletion.how_to_confirm(user) == "sign_in"

    account_deletion.delete_own_account(user, PHRASE)

    assert reload(User, user.id).is_deleted


@pytest.mark.parametrize(("signed_in_with", "minutes_ago"), [("github", 11), ("link", 1), ("password", 1)])
def test_without_a_password_an_old_or_other_sign_in_is_refused(app, signed_in_with, minutes_ago):
    user = passwordless(signed_in_with, minutes_ago)
    assert account_deletion.how_to_confirm(user) == "sign_in_again"

    with pytest.raises(Conflict, match="sign in again with your provider"):
        account_deletion.delete_own_account(user, PHRASE)
    assert not reload(User, user.id).is_deleted


def test_an_account_with_a_password_confirms_with_it(ann):
    assert account_deletion.how_to_confirm(ann) == "password"


def test_a_comment_approved_after_its_author_left_reaches_webhooks_unsigned(app):
    from tests.webhook_receiver import running_receiver

    admin, moderator, newcomer = make_user("admin"), make_user("moderator"), make_user()
    idea = make_idea(make_user(), "Invoices by API")
    settings.update_settings(admin, premoderation_enabled=True)
    db.session.commit()
    comment = comments.add_comment(newcomer, idea, "And webhooks for them too.")
    db.session.commit()
    assert comment.is_pending
    with running_receiver(app) as receiver:
        make_webhook(admin, receiver.url, ["comment.created"])
        account_deletion.delete_account(newcomer, newcomer, PHRASE)
        moderation.restore_item(moderator, "comment", comment.id)
        db.session.commit()
        outbox.deliver_due(limit=20)

        [request] = receiver.requests
    assert request.json["data"]["comment"]["author"] == {"id": None, "display_name": "Deleted member"}


@pytest.mark.postgres
def test_members_leaving_at_once_hand_their_seats_to_those_waiting_in_order(app):
    from tests.concurrency import in_threads

    launch = make_launch(capacity=3)
    seated = [make_user() for _ in range(3)]
    waiting = [make_user() for _ in range(4)]
    for person in seated + waiting:
        make_participant(launch, person)
    ids = [person.id for person in seated]

    def leave(user_id: int) -> None:
        user = db.session.get(User, user_id)
        account_deletion.delete_account(user, user, PHRASE)

    assert in_threads(app, [lambda user_id=user_id: leave(user_id) for user_id in ids]) == [None] * 3

    db.session.expire_all()
    states = dict(db.session.execute(select(LaunchParticipant.user_id, LaunchParticipant.state)).all())
    assert [states[person.id] for person in seated] == ["withdrawn"] * 3
    assert [states[person.id] for person in waiting] == ["enrolled"] * 3 + ["waitlisted"]
    row = reload(Launch, launch.id)
    assert (row.enrolled_count, row.waitlist_count) == (3, 1)


@pytest.mark.postgres
def test_one_account_deleted_twice_at_once_is_deleted_once(app):
    from tests.concurrency import in_threads

    # Ids only: the threads must not touch the test's own session.
    admin_id, ann_id = make_user("admin").id, make_user(email="ann@example.com").id

    def delete(actor_id: int, confirm: str) -> None:
        account_deletion.delete_account(db.session.get(User, actor_id), db.session.get(User, ann_id), confirm)

    errors = in_threads(app, [lambda: delete(ann_id, PHRASE), lambda: delete(admin_id, "ann@example.com")])

    assert sorted(type(error).__name__ for error in errors if error) == ["NotFound"]
    assert count(AuditEntry, action="user.delete") == 1
