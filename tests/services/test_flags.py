"""Flags: thresholds, the instant hide by a moderator, one flag per person, dismissal and the queue."""

from functools import partial

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from app.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from app.extensions import db
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.moderation import AuditEntry, Flag
from app.models.user import User
from app.services import comments, ideas, moderation
from tests.concurrency import in_threads
from tests.factories import make_flag, make_idea, make_user


def flag_rows(target_type: str | None = None) -> int:
    stmt = select(func.count(Flag.id))
    if target_type:
        stmt = stmt.where(Flag.target_type == target_type)
    return db.session.scalar(stmt)


def audit_rows(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def hidden(model, item_id: int) -> bool:
    return db.session.scalar(select(model.hidden_at).where(model.id == item_id)) is not None


def comment_count(idea_id: int) -> int:
    return db.session.scalar(select(Idea.comment_count).where(Idea.id == idea_id))


# Thresholds


def test_two_flags_do_not_hide_the_third_does(app):
    idea = make_idea()
    make_flag(idea)
    make_flag(idea, reason="abuse")
    assert not hidden(Idea, idea.id)
    assert audit_rows("idea.hide") == []
    make_flag(idea, reason="other", note="Advertising a shop")
    assert hidden(Idea, idea.id)
    assert db.session.get(Idea, idea.id).hidden_reason == moderation.AUTO_HIDE_REASON
    (entry,) = audit_rows("idea.hide")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (None, "idea", idea.id)
    assert "3 members" in entry.reason
    # Nobody but moderators and the author sees it now.
    with pytest.raises(NotFound):
        ideas.get_idea(make_user(), idea.id)


def test_the_threshold_comes_from_the_configuration(app):
    app.config["FLAG_HIDE_THRESHOLD"] = 2
    idea = make_idea()
    make_flag(idea)
    assert not hidden(Idea, idea.id)
    make_flag(idea)
    assert hidden(Idea, idea.id)


def test_once_hidden_nobody_else_can_flag_it_and_it_is_not_hidden_again(app):
    author = make_user()
    idea = make_idea(author)
    for _ in range(3):
        make_flag(idea)
    with pytest.raises(NotFound):
        make_flag(idea)
    db.session.rollback()
    make_flag(idea, make_user("moderator"))  # moderators still see it; the hide is not repeated
    assert flag_rows() == 4
    assert len(audit_rows("idea.hide")) == 1


def test_nobody_flags_their_own_post(app):
    author = make_user()
    idea = make_idea(author)
    with pytest.raises(Conflict, match="cannot flag your own post"):
        make_flag(idea, author)
    assert flag_rows() == 0


def test_a_moderators_flag_hides_at_once(app):
    idea = make_idea()
    moderator = make_user("moderator")
    make_flag(idea, moderator, "abuse")
    stored = db.session.get(Idea, idea.id)
    assert stored.is_hidden
    assert "moderator" in stored.hidden_reason
    (entry,) = audit_rows("idea.hide")
    assert (entry.actor_id, entry.target_id) == (moderator.id, idea.id)


def test_an_admins_flag_hides_at_once_but_a_product_managers_does_not(app):
    first, second = make_idea(), make_idea(title="Another idea here")
    make_flag(first, make_user("product_manager"))
    assert not hidden(Idea, first.id)
    make_flag(second, make_user("admin"))
    assert hidden(Idea, second.id)


def test_flags_on_a_comment_hide_it_and_uncount_it(app):
    idea = make_idea()
    comment = comments.add_comment(make_user(), idea, "Buy cheap watches")
    db.session.commit()
    assert comment_count(idea.id) == 1
    for _ in range(3):
        make_flag(comment)
    assert hidden(Comment, comment.id)
    assert comment_count(idea.id) == 0
    assert not hidden(Idea, idea.id)
    assert len(audit_rows("comment.hide")) == 1


# One flag per person


def test_one_flag_per_person(app):
    idea = make_idea()
    ann = make_user()
    make_flag(idea, ann)
    with pytest.raises(Conflict, match="already flagged"):
        make_flag(idea, ann, "abuse")
    db.session.rollback()
    assert flag_rows() == 1
    # The same person's repeated flags never reach the threshold on their own.
    assert not hidden(Idea, idea.id)


def test_a_refused_second_flag_leaves_the_transaction_usable(app):
    idea = make_idea()
    ann = make_user()
    make_flag(idea, ann)
    with pytest.raises(Conflict):
        moderation.flag_item(ann, "idea", idea.id, "spam")
    # The same transaction goes on: only the refused insert was undone.
    moderation.flag_item(make_user(), "idea", idea.id, "spam")
    db.session.commit()
    assert flag_rows() == 2


def test_a_person_may_flag_an_idea_and_its_comment(app):
    idea = make_idea()
    comment = comments.add_comment(make_user(), idea, "A comment")
    db.session.commit()
    ann = make_user()
    make_flag(idea, ann)
    make_flag(comment, ann)
    assert (flag_rows("idea"), flag_rows("comment")) == (1, 1)


# Bad flags


@pytest.mark.parametrize(
    ("reason", "note", "field"),
    [
        ("rude", "", "reason"),
        ("", "", "reason"),
        ("other", "", "note"),
        ("other", "   ", "note"),
        ("spam", "x" * 1001, "note"),
    ],
)
def test_bad_flags_are_refused_with_a_message(app, reason, note, field):
    idea = make_idea()
    with pytest.raises(Invalid) as refused:
        moderation.flag_item(make_user(), "idea", idea.id, reason, note)
    assert refused.value.fields[field]
    db.session.rollback()
    assert flag_rows() == 0


def test_a_duplicate_flag_may_name_another_idea(app):
    idea, original = make_idea(), make_idea(title="The original idea")
    with pytest.raises(Invalid) as refused:
        moderation.flag_item(make_user(), "idea", idea.id, "duplicate", duplicate_of_id=idea.id)
    assert refused.value.fields == {"duplicate_of_id": ["An idea cannot duplicate itself."]}
    with pytest.raises(Invalid) as refused:
        moderation.flag_item(make_user(), "idea", idea.id, "duplicate", duplicate_of_id=999_999)
    assert refused.value.fields == {"duplicate_of_id": ["Name the idea this one duplicates."]}
    db.session.rollback()
    unnamed = moderation.flag_item(make_user(), "idea", idea.id, "duplicate", "Same as the CSV one")
    assert (unnamed.reason, unnamed.duplicate_of_id) == ("duplicate", None)
    row = moderation.flag_item(make_user(), "idea", idea.id, "duplicate", duplicate_of_id=original.id)
    db.session.commit()
    assert row.duplicate_of_id == original.id


def test_what_cannot_be_seen_cannot_be_flagged(app):
    author = make_user()
    idea = make_idea(author)
    moderation.hide_item(make_user("moderator"), "idea", idea.id, "Spam")
    note = comments.add_internal_note(make_user("product_manager"), make_idea(), "Staff only")
    db.session.commit()
    with pytest.raises(NotFound):
        moderation.flag_item(make_user(), "idea", idea.id, "spam")
    with pytest.raises(NotFound):
        moderation.flag_item(make_user(), "comment", note.id, "spam")
    with pytest.raises(NotFound):
        moderation.flag_item(make_user(), "idea", 999, "spam")
    with pytest.raises(NotFound):
        moderation.flag_item(make_user(), "prototype", 1, "spam")
    db.session.rollback()
    assert flag_rows() == 0


def test_a_hidden_comment_cannot_be_flagged_by_others(app):
    idea = make_idea()
    comment = comments.add_comment(make_user(), idea, "Rude words")
    db.session.commit()
    moderation.hide_item(make_user("moderator"), "comment", comment.id, "Rude")
    db.session.commit()
    with pytest.raises(NotFound):
        moderation.flag_item(make_user(), "comment", comment.id, "abuse")


def test_a_deleted_comment_cannot_be_flagged(app):
    idea = make_idea()
    author = make_user()
    comment = comments.add_comment(author, idea, "Gone soon")
    db.session.commit()
    comments.delete_comment(author, comment)
    db.session.commit()
    with pytest.raises(Conflict):
        moderation.flag_item(make_user(), "comment", comment.id, "spam")


def test_flagging_needs_an_active_account(app):
    idea = make_idea()
    with pytest.raises(Unauthorized):
        moderation.flag_item(AnonymousUserMixin(), "idea", idea.id, "spam")
    with pytest.raises(Unauthorized):
        moderation.flag_item(None, "idea", idea.id, "spam")
    suspended = make_user()
    moderation_actor = make_user("moderator")
    from app.services import accounts

    accounts.suspend_user(moderation_actor, suspended, 3, "Spamming")
    db.session.commit()
    with pytest.raises(Forbidden, match="suspended"):
        moderation.flag_item(suspended, "idea", idea.id, "spam")
    db.session.rollback()
    assert flag_rows() == 0


# Dismissing and upholding


def test_dismissing_flags_brings_back_what_they_hid(app):
    idea = make_idea()
    for _ in range(3):
        make_flag(idea)
    moderator = make_user("moderator")
    assert moderation.dismiss_flags(moderator, "idea", idea.id) == 3
    db.session.commit()
    assert not hidden(Idea, idea.id)
    assert set(db.session.scalars(select(Flag.status))) == {"dismissed"}
    assert {f.resolved_by_id for f in db.session.scalars(select(Flag))} == {moderator.id}
    (entry,) = audit_rows("flags.dismiss")
    assert (entry.actor_id, entry.target_id) == (moderator.id, idea.id)
    with pytest.raises(Conflict):
        moderation.dismiss_flags(moderator, "idea", idea.id)


def test_dismissing_leaves_a_moderators_hide_in_place(app):
    idea = make_idea()
    moderator = make_user("moderator")
    moderation.hide_item(moderator, "idea", idea.id, "Off topic")
    db.session.commit()
    # Another moderator flags it too (moderators still see hidden items).
    make_flag(idea, make_user("moderator"))
    moderation.dismiss_flags(moderator, "idea", idea.id)
    db.session.commit()
    assert hidden(Idea, idea.id)


def test_hiding_upholds_the_open_flags(app):
    idea = make_idea()
    make_flag(idea)
    make_flag(idea)
    moderation.hide_item(make_user("moderator"), "idea", idea.id, "Spam, as flagged")
    db.session.commit()
    assert set(db.session.scalars(select(Flag.status))) == {"upheld"}
    assert moderation.review_queue(make_user("moderator")) == []


def test_members_cannot_dismiss_or_hide(app):
    idea = make_idea()
    make_flag(idea)
    member = make_user()
    with pytest.raises(Forbidden):
        moderation.dismiss_flags(member, "idea", idea.id)
    with pytest.raises(Forbidden):
        moderation.hide_item(member, "idea", idea.id, "Mine now")
    with pytest.raises(Forbidden):
        moderation.hide_item(make_user("product_manager"), "idea", idea.id, "Staff are not moderators")
    db.session.rollback()
    assert not hidden(Idea, idea.id)


def test_hiding_needs_a_reason(app):
    idea = make_idea()
    moderator = make_user("moderator")
    for reason in ("", "   ", "x" * 501):
        with pytest.raises(Invalid) as refused:
            moderation.hide_item(moderator, "idea", idea.id, reason)
        assert "reason" in refused.value.fields
    db.session.rollback()
    assert not hidden(Idea, idea.id)
    assert audit_rows("idea.hide") == []


# The queue


def test_the_queue_groups_flags_by_item_with_the_authors_history(app):
    author = make_user()
    idea = make_idea(author)
    comment = comments.add_comment(author, idea, "Spammy comment")
    db.session.commit()
    ann, bob = make_user(), make_user()
    make_flag(idea, ann)
    make_flag(idea, bob, "abuse")
    make_flag(comment, ann)
    moderator = make_user("moderator")
    queue = moderation.review_queue(moderator)
    assert [(item.target_type, item.target.id) for item in queue] == [
        ("idea", idea.id),
        ("comment", comment.id),
    ]
    first = queue[0]
    assert [f.user_id for f in first.flags] == [ann.id, bob.id]
    assert first.author.id == author.id
    assert (first.history.ideas, first.history.comments, first.history.hidden) == (1, 1, 0)
    assert not first.is_pending
    assert queue[1].idea.id == idea.id
    assert moderation.waiting_count(moderator) == 2
    assert moderation.waiting_count(ann) == 0
    with pytest.raises(Forbidden):
        moderation.review_queue(ann)


def test_the_queue_takes_a_fixed_number_of_queries(app, count_queries):
    moderator = make_user("moderator")

    def queue_queries() -> int:
        db.session.expire_all()
        with count_queries() as queries:
            moderation.review_queue(moderator)
        return len(queries)

    make_flag(make_idea())
    few = queue_queries()
    for n in range(5):
        idea = make_idea(title=f"Another idea {n}")
        comment = comments.add_comment(make_user(), idea, f"Comment {n}")
        db.session.commit()
        make_flag(idea)
        make_flag(comment)
    db.session.expire_all()
    assert len(moderation.review_queue(moderator)) == 11
    assert queue_queries() == few


# Races (PostgreSQL)


@pytest.mark.postgres
def test_two_parallel_flags_by_one_person_store_one(app):
    idea = make_idea()
    ann = make_user()
    idea_id, ann_id = idea.id, ann.id

    def work(_: int) -> None:
        moderation.flag_item(db.session.get(User, ann_id), "idea", idea_id, "spam")

    results = in_threads(app, [partial(work, n) for n in range(2)])
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "NoneType"]
    assert flag_rows() == 1


@pytest.mark.postgres
def test_parallel_flags_by_different_people_reach_the_threshold(app):
    idea = make_idea()
    idea_id = idea.id
    flagger_ids = [make_user().id for _ in range(3)]

    def work(index: int) -> None:
        moderation.flag_item(db.session.get(User, flagger_ids[index]), "idea", idea_id, "spam")

    assert in_threads(app, [partial(work, n) for n in range(3)]) == [None, None, None]
    assert flag_rows() == 3
    assert hidden(Idea, idea_id)
    assert len(audit_rows("idea.hide")) == 1
