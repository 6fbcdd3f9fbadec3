"""Moderation of prototypes: flags, the automatic hide, hide/restore/delete, who sees what, the queue."""

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.moderation import AuditEntry, Flag
from app.models.prototype import Prototype
from app.models.round import FeedbackRound
from app.models.user import User
from app.services import comments, moderation, profiles, prototypes, rounds
from tests.factories import make_flag, make_idea, make_prototype, make_user

QUESTIONS = [{"kind": "rating", "prompt": "How easy was it?", "required": True}]


@pytest.fixture
def people(app) -> dict[str, User]:
    return {
        "pm": make_user("product_manager", name="Pat Manager"),
        "other_pm": make_user("product_manager", name="Priya Manager"),
        "moderator": make_user("moderator", name="Max Moderator"),
        "admin": make_user("admin", name="Alex Admin"),
        "member": make_user(name="Mia Member"),
    }


def stored(prototype_id: int) -> Prototype:
    return db.session.scalar(
        select(Prototype).where(Prototype.id == prototype_id).execution_options(populate_existing=True)
    )


def flag_total() -> int:
    return db.session.scalar(select(func.count(Flag.id)))


def audit_rows(action: str | None = None) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(db.session.scalars(stmt))


def listed(actor) -> list[int]:
    return [p.id for p in prototypes.list_prototypes(actor).page.items]


def sees(actor, prototype_id: int) -> bool:
    try:
        prototypes.get_prototype(actor, prototype_id)
    except NotFound:
        return False
    return True


# ---- Flags ----


def test_a_member_flags_a_prototype(people):
    prototype = make_prototype(people["pm"])
    row = make_flag(prototype, people["member"], "other", "Links to a phishing page")
    assert (row.target_type, row.target_id, row.user_id, row.status) == (
        "prototype",
        prototype.id,
        people["member"].id,
        "open",
    )
    assert row.note == "Links to a phishing page"
    assert not stored(prototype.id).is_hidden  # one flag from a member does not hide it


def test_nobody_flags_their_own_prototype(people):
    prototype = make_prototype(people["pm"])
    with pytest.raises(Conflict, match="You cannot flag your own prototype"):
        moderation.flag_item(people["pm"], "prototype", prototype.id, "spam")
    db.session.rollback()
    assert flag_total() == 0


def test_a_draft_cannot_be_flagged(people):
    draft = make_prototype(people["pm"], status="draft")
    for actor in (people["member"], people["moderator"], people["other_pm"]):
        with pytest.raises(NotFound):
            moderation.flag_item(actor, "prototype", draft.id, "spam")
        db.session.rollback()
    assert flag_total() == 0
    assert not stored(draft.id).is_hidden


def test_one_flag_per_person_on_a_prototype(people):
    prototype = make_prototype(people["pm"])
    make_flag(prototype, people["member"])
    with pytest.raises(Conflict, match="already flagged"):
        moderation.flag_item(people["member"], "prototype", prototype.id, "abuse")
    db.session.rollback()
    assert flag_total() == 1


def test_bad_flags_on_a_prototype_are_refused(people):
    prototype = make_prototype(people["pm"])
    with pytest.raises(Invalid) as refused:
        moderation.flag_item(people["member"], "prototype", prototype.id, "other", "")
    assert refused.value.fields["note"] == ["Say what is wrong, so a moderator can judge it."]
    with pytest.raises(Invalid) as refused:
        moderation.flag_item(
            people["member"], "prototype", prototype.id, "duplicate", duplicate_of_id=123_456
        )
    assert refused.value.fields["duplicate_of_id"] == ["Name the idea this one duplicates."]
    db.session.rollback()
    assert flag_total() == 0


def test_a_duplicate_flag_on_a_prototype_names_an_idea(people):
    prototype = make_prototype(people["pm"])
    idea = make_idea(title="Export every report")
    row = moderation.flag_item(people["member"], "prototype", prototype.id, "duplicate", "", idea.id)
    db.session.commit()
    assert row.duplicate_of_id == idea.id


def test_enough_flags_hide_a_prototype_until_a_moderator_looks(people):
    prototype = make_prototype(people["pm"])
    make_flag(prototype)
    make_flag(prototype, reason="abuse")
    assert not stored(prototype.id).is_hidden
    assert audit_rows("prototype.hide") == []
    make_flag(prototype)
    hidden = stored(prototype.id)
    assert hidden.is_hidden
    assert hidden.hidden_reason == moderation.AUTO_HIDE_REASON
    (entry,) = audit_rows("prototype.hide")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (None, "prototype", prototype.id)
    assert "3 members" in entry.reason
    assert not sees(people["member"], prototype.id)
    assert prototype.id not in listed(people["member"])
    # Nobody else can flag what they no longer see.
    with pytest.raises(NotFound):
        moderation.flag_item(make_user(), "prototype", prototype.id, "spam")


def test_dismissing_the_flags_shows_an_auto_hidden_prototype_again(people):
    prototype = make_prototype(people["pm"])
    for _ in range(3):
        make_flag(prototype)
    assert moderation.dismiss_flags(people["moderator"], "prototype", prototype.id) == 3
    db.session.commit()
    assert not stored(prototype.id).is_hidden
    assert sees(people["member"], prototype.id)
    assert db.session.scalar(select(func.count(Flag.id)).where(Flag.status == "dismissed")) == 3
    (entry,) = audit_rows("flags.dismiss")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        people["moderator"].id,
        "prototype",
        prototype.id,
    )


def test_a_moderators_flag_hides_a_prototype_at_once(people):
    prototype = make_prototype(people["pm"])
    make_flag(prototype, people["moderator"], "abuse")
    hidden = stored(prototype.id)
    assert hidden.is_hidden
    assert hidden.hidden_reason == f"Abusive or rude{moderation.MODERATOR_FLAG_SUFFIX}"
    assert [e.actor_id for e in audit_rows("prototype.hide")] == [people["moderator"].id]


# ---- Hide, restore, delete ----


def test_a_hidden_prototype_is_seen_only_by_its_author_and_moderators(people):
    prototype = make_prototype(people["pm"])
    visible = make_prototype(people["other_pm"], title="Another prototype here")
    moderation.hide_item(people["moderator"], "prototype", prototype.id, "Shows customer data")
    db.session.commit()
    hidden = stored(prototype.id)
    assert (hidden.is_hidden, hidden.hidden_reason, hidden.is_pending) == (True, "Shows customer data", False)
    (entry,) = audit_rows("prototype.hide")
    assert (entry.actor_id, entry.target_id, entry.reason) == (
        people["moderator"].id,
        prototype.id,
        "Shows customer data",
    )

    expected = {
        "anonymous": False,
        "member": False,
        "other_pm": False,  # staff, but not its author
        "pm": True,
        "moderator": True,
        "admin": True,
    }
    for who, seen in expected.items():
        actor = AnonymousUserMixin() if who == "anonymous" else people[who]
        assert sees(actor, prototype.id) is seen, who
        assert (prototype.id in listed(actor)) is seen, who
        assert visible.id in listed(actor)


def test_hiding_needs_a_reason_and_a_moderator(people):
    prototype = make_prototype(people["pm"])
    with pytest.raises(Invalid) as refused:
        moderation.hide_item(people["moderator"], "prototype", prototype.id, "  ")
    assert refused.value.fields["reason"] == ["Give a reason; the author will read it."]
    with pytest.raises(Invalid) as refused:
        moderation.hide_item(people["moderator"], "prototype", prototype.id, "x" * 501)
    assert refused.value.fields["reason"] == ["Keep the reason to 500 characters or fewer."]
    for who in ("member", "pm"):
        with pytest.raises(Forbidden):
            moderation.hide_item(people[who], "prototype", prototype.id, "Spam")
        with pytest.raises(Forbidden):
            moderation.delete_item(people[who], "prototype", prototype.id)
    db.session.rollback()
    assert not stored(prototype.id).is_hidden
    assert not stored(prototype.id).is_deleted
    assert [e.action for e in audit_rows()] == ["prototype.create", "prototype.publish"]


def test_restoring_a_hidden_prototype_shows_it_again(people):
    prototype = make_prototype(people["pm"])
    make_flag(prototype)
    moderation.hide_item(people["moderator"], "prototype", prototype.id, "Spam")
    db.session.commit()
    moderation.restore_item(people["moderator"], "prototype", prototype.id)
    db.session.commit()
    restored = stored(prototype.id)
    assert (restored.is_hidden, restored.hidden_reason) == (False, "")
    assert sees(people["member"], prototype.id)
    assert prototype.id in listed(people["member"])
    assert [e.actor_id for e in audit_rows("prototype.restore")] == [people["moderator"].id]
    # Hiding upheld the flag; there is nothing left in the queue.
    assert db.session.scalar(select(Flag.status)) == "upheld"
    with pytest.raises(Conflict, match="already visible"):
        moderation.restore_item(people["moderator"], "prototype", prototype.id)


def test_a_deleted_prototype_is_for_moderators_only_and_left_out_of_lists(people):
    prototype = make_prototype(people["pm"])
    moderation.delete_item(people["moderator"], "prototype", prototype.id, "Posted by mistake")
    db.session.commit()
    assert stored(prototype.id).is_deleted
    (entry,) = audit_rows("prototype.delete")
    assert (entry.actor_id, entry.before, entry.reason) == (
        people["moderator"].id,
        "Clickable CSV export",
        "Posted by mistake",
    )
    for who in ("member", "pm", "other_pm"):
        assert not sees(people[who], prototype.id), who
    assert sees(people["moderator"], prototype.id)
    for who in ("member", "pm", "moderator", "admin"):
        assert prototype.id not in listed(people[who]), who
    with pytest.raises(Conflict, match="already deleted"):
        moderation.delete_item(people["moderator"], "prototype", prototype.id)
    db.session.rollback()
    moderation.restore_item(people["moderator"], "prototype", prototype.id)
    db.session.commit()
    assert sees(people["member"], prototype.id)


def test_moderators_cannot_act_on_drafts_they_cannot_see(people):
    draft = make_prototype(people["pm"], status="draft")
    assert not sees(people["moderator"], draft.id)
    with pytest.raises(NotFound):
        moderation.hide_item(people["moderator"], "prototype", draft.id, "Spam")
    with pytest.raises(NotFound):
        moderation.delete_item(people["moderator"], "prototype", draft.id)
    db.session.rollback()
    assert not stored(draft.id).is_hidden
    assert not stored(draft.id).is_deleted


# ---- What hangs off a hidden prototype: rounds, comments, images, the idea page ----


def test_rounds_comments_and_idea_links_of_a_hidden_prototype_are_hidden_too(people):
    idea = make_idea(title="Export every report")
    prototype = prototypes.create_prototype(
        people["pm"], "Clickable CSV export", "Try it.", idea_ids=[idea.id], status="published"
    )
    now = utcnow()
    round_ = rounds.create_round(
        people["pm"], prototype, "First look", now - timedelta(hours=1), now + timedelta(days=2), QUESTIONS
    )
    comment = comments.add_prototype_comment(people["member"], prototype, "Looks great")
    db.session.commit()
    moderation.hide_item(people["moderator"], "prototype", prototype.id, "Off topic")
    db.session.commit()

    member = people["member"]
    with pytest.raises(NotFound):
        rounds.get_round(member, round_.id)
    with pytest.raises(NotFound):
        comments.get_comment(member, comment.id)
    assert prototypes.prototypes_for_idea(member, idea.id) == []
    assert [p.id for p in prototypes.prototypes_for_idea(people["pm"], idea.id)] == [prototype.id]
    assert rounds.get_round(people["pm"], round_.id).id == round_.id
    assert rounds.get_round(people["moderator"], round_.id).id == round_.id


def test_rounds_of_a_hidden_prototype_are_not_announced_until_it_is_restored(people):
    prototype = make_prototype(people["pm"])
    now = utcnow()
    round_ = rounds.create_round(
        people["pm"],
        prototype,
        "Later look",
        now + timedelta(hours=1),
        now + timedelta(days=2),
        QUESTIONS,
        now=now,
    )
    moderation.hide_item(people["moderator"], "prototype", prototype.id, "Off topic")
    db.session.commit()
    assert rounds.announce_open_rounds(now + timedelta(hours=2)) == 0
    assert db.session.get(FeedbackRound, round_.id).announced_at is None
    moderation.restore_item(people["moderator"], "prototype", prototype.id)
    db.session.commit()
    assert rounds.announce_open_rounds(now + timedelta(hours=2)) == 1


# ---- The review queue ----


def test_the_queue_holds_flagged_prototypes_and_counts_them(people):
    prototype = make_prototype(people["pm"])
    idea = make_idea()
    assert moderation.waiting_count(people["moderator"]) == 0
    make_flag(prototype, people["member"], "other", "Broken link to a shop")
    make_flag(prototype)
    moderation.flag_item(make_user(), "idea", idea.id, "spam")
    db.session.commit()
    items = moderation.review_queue(people["moderator"])
    (item,) = [i for i in items if i.target_type == "prototype"]
    assert item.target.id == prototype.id
    assert item.prototype is item.target
    assert item.idea is None
    assert item.author.id == people["pm"].id
    assert [f.user_id for f in item.flags][0] == people["member"].id
    assert len(item.flags) == 2
    assert moderation.waiting_count(people["moderator"]) == 2  # items, not flags
    assert moderation.waiting_count(people["pm"]) == 0
    moderation.dismiss_flags(people["moderator"], "prototype", prototype.id)
    db.session.commit()
    assert [i.target_type for i in moderation.review_queue(people["moderator"])] == ["idea"]
    assert moderation.waiting_count(people["moderator"]) == 1


def test_the_queue_takes_a_fixed_number_of_queries_with_prototypes(people, count_queries):
    first = make_prototype(people["pm"])
    make_flag(first, people["member"])

    def queue_queries() -> int:
        with count_queries() as statements:
            moderation.review_queue(people["moderator"])
        return len(statements)

    few = queue_queries()
    for number in range(4):
        prototype = make_prototype(make_user("product_manager"), title=f"Prototype number {number}")
        make_flag(prototype, people["member"])
        comment = comments.add_prototype_comment(people["pm"], prototype, "A comment to flag")
        db.session.commit()
        moderation.flag_item(people["member"], "comment", comment.id, "spam")
        db.session.commit()
    assert queue_queries() == few


# ---- Profiles list comments on prototypes ----


def test_the_profile_lists_comments_on_ideas_and_visible_prototypes_newest_first(people):
    author = people["member"]
    idea = make_idea(title="Export every report")
    on_idea = comments.add_comment(author, idea, "On the idea")
    db.session.commit()
    prototype = make_prototype(people["pm"])
    on_prototype = comments.add_prototype_comment(author, prototype, "On the prototype")
    db.session.commit()
    hidden = make_prototype(people["other_pm"], title="A prototype to hide")
    on_hidden = comments.add_prototype_comment(author, hidden, "On the hidden one")
    db.session.commit()
    for row, offset in ((on_idea, 3), (on_prototype, 2), (on_hidden, 1)):
        row.created_at = utcnow() - timedelta(minutes=offset)
    moderation.hide_item(people["moderator"], "prototype", hidden.id, "Spam")
    db.session.commit()

    viewer = make_user()
    page = profiles.profile_page(viewer, author.id)
    assert [(c.id, type(t).__name__, t.id) for c, t in page.comments] == [
        (on_prototype.id, "Prototype", prototype.id),
        (on_idea.id, "Idea", idea.id),
    ]
    assert page.comment_count == 2
    moderator_page = profiles.profile_page(people["moderator"], author.id)
    assert [c.id for c, _ in moderator_page.comments] == [on_hidden.id, on_prototype.id, on_idea.id]
    assert moderator_page.comment_count == 3
    # A hidden comment on a visible prototype is left out too, for everyone but moderators and its author.
    moderation.hide_item(people["moderator"], "comment", on_prototype.id, "Rude")
    db.session.commit()
    assert [c.id for c, _ in profiles.profile_page(viewer, author.id).comments] == [on_idea.id]
    assert db.session.get(Comment, on_prototype.id).is_hidden
