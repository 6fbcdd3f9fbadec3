"""Suspensions: every write path refuses a suspended account with the reason; reads go on; expiry ends it."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.errors import Conflict, Forbidden, Invalid
from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.moderation import AuditEntry
from app.models.user import User
from app.permissions import suspension_message
from app.services import (
    accounts,
    api_tokens,
    audit,
    comments,
    follows,
    ideas,
    merges,
    moderation,
    profiles,
    sessions,
    settings,
    votes,
)
from tests.factories import make_user

REASON = "Repeated spam links"


@pytest.fixture
def moderator(app) -> User:
    return make_user("moderator", name="Max Moderator")


@pytest.fixture
def admin(app) -> User:
    return make_user("admin", name="Alex Admin")


def suspend(actor: User, user: User, days: int | None = 7, reason: str = REASON) -> User:
    accounts.suspend_user(actor, user, days, reason)
    db.session.commit()
    return user


def expire(user: User) -> None:
    user.suspended_until = utcnow() - timedelta(minutes=1)
    db.session.commit()


@pytest.fixture
def scene(app, moderator):
    """A member with an idea, a comment and a vote, and another member's idea to act on."""
    member = make_user(name="Sam Suspended")
    own = ideas.create_idea(member, "My own idea here", "Body")
    other = ideas.create_idea(make_user(), "Somebody else's idea", "Body")
    db.session.commit()
    votes.cast_vote(member, other)
    comment = comments.add_comment(member, other, "My comment")
    db.session.commit()
    return {"member": member, "own": own, "other": other, "comment": comment}


def write_paths(scene: dict):
    """Each thing a member may write, as (name, call) pairs."""
    member, own, other, comment = scene["member"], scene["own"], scene["other"], scene["comment"]
    fresh = ideas.create_idea(make_user(), "A fresh idea to vote", "Body")
    db.session.commit()
    return [
        ("create idea", lambda: ideas.create_idea(member, "A brand new idea", "")),
        ("edit idea", lambda: ideas.update_idea(member, own, title="Edited title")),
        ("vote", lambda: votes.cast_vote(member, fresh)),
        ("unvote", lambda: votes.retract_vote(member, other)),
        ("comment", lambda: comments.add_comment(member, other, "Another comment")),
        ("edit comment", lambda: comments.edit_comment(member, comment, "Edited comment")),
        ("delete comment", lambda: comments.delete_comment(member, comment)),
        ("flag", lambda: moderation.flag_item(member, "idea", fresh.id, "spam")),
        ("follow", lambda: follows.follow_idea(member, fresh)),
    ]


def test_every_write_path_refuses_a_suspended_member_with_the_reason(app, moderator, scene):
    member = scene["member"]
    paths = write_paths(scene)
    suspend(moderator, member)
    for name, call in paths:
        with pytest.raises(Forbidden) as refused:
            call()
        message = refused.value.message
        assert "suspended" in message, name
        assert REASON in message, name
        assert message == suspension_message(member), name
        db.session.rollback()
    stored = db.session.get(Idea, scene["own"].id)
    assert stored.title == "My own idea here"
    assert db.session.get(Comment, scene["comment"].id).body == "My comment"
    assert db.session.get(Comment, scene["comment"].id).deleted_at is None
    assert db.session.get(Idea, scene["other"].id).vote_count == 2


def test_after_expiry_every_write_path_works_again(app, moderator, scene):
    member = scene["member"]
    paths = write_paths(scene)
    suspend(moderator, member, days=1)
    expire(member)
    assert not member.is_suspended
    for _name, call in paths:
        call()
        db.session.commit()
    assert db.session.get(Comment, scene["comment"].id).is_deleted


def test_lifting_a_suspension_early_lets_the_member_write(app, moderator, scene):
    member = scene["member"]
    suspend(moderator, member, days=None)
    accounts.unsuspend_user(moderator, member)
    db.session.commit()
    votes.cast_vote(member, ideas.create_idea(make_user(), "Vote for me please", ""))
    db.session.commit()


def test_reads_still_work_while_suspended(app, client, moderator, scene):
    member = scene["member"]
    moderation.hide_item(moderator, "idea", scene["own"].id, "Off topic")
    db.session.commit()
    suspend(moderator, member)
    assert ideas.get_idea(member, scene["other"].id).id == scene["other"].id
    # Their own hidden idea stays readable to them, with its reason.
    assert ideas.get_idea(member, scene["own"].id).hidden_reason == "Off topic"
    assert ideas.list_ideas(member).page.total >= 1
    assert [c.id for c in ideas.idea_page(member, scene["other"].id).comments] == [scene["comment"].id]
    assert profiles.profile_page(member, member.id).user.id == member.id
    assert client.get(f"/api/v1/ideas/{scene['other'].id}").status_code == 200
    assert client.get(f"/api/v1/ideas/{scene['other'].id}/comments").status_code == 200


def test_a_suspension_revokes_every_token_and_no_new_one_can_be_made(app, client, moderator):
    member = make_user()
    _, plain = api_tokens.create_token(member, member, "Before")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    suspend(moderator, member)
    response = client.post("/api/v1/ideas", json={"title": "Sneaky new idea"}, headers=headers)
    assert response.status_code == 401
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    with pytest.raises(Forbidden, match=REASON):
        api_tokens.create_token(member, member, "After")
    with pytest.raises(Invalid, match="suspended"):
        api_tokens.create_token(None, member, "From the operator")
    with pytest.raises(Forbidden, match=REASON):
        accounts.update_profile(member, member, "A new name")


def test_a_suspended_product_manager_cannot_change_status_or_write_notes(app, admin, scene):
    pm = make_user("product_manager")
    suspend(admin, pm)
    other = scene["other"]
    with pytest.raises(Forbidden, match="suspended"):
        ideas.change_status(pm, other, "planned")
    with pytest.raises(Forbidden, match="suspended"):
        comments.add_internal_note(pm, other, "A note")
    with pytest.raises(Forbidden, match="suspended"):
        ideas.update_idea(pm, other, title="Renamed by staff")
    db.session.rollback()
    assert db.session.get(Idea, other.id).status == "open"
    expire(pm)
    ideas.change_status(pm, db.session.get(Idea, other.id), "planned")
    db.session.commit()


def test_a_suspended_moderator_cannot_moderate(app, admin, scene):
    mod = make_user("moderator")
    other, comment, member = scene["other"], scene["comment"], scene["member"]
    second = ideas.create_idea(make_user(), "A second idea to merge", "")
    db.session.commit()
    moderation.flag_item(member, "idea", other.id, "spam")
    db.session.commit()
    suspend(admin, mod)
    actions = [
        lambda: moderation.hide_item(mod, "idea", other.id, "Spam"),
        lambda: moderation.restore_item(mod, "idea", other.id),
        lambda: moderation.delete_item(mod, "comment", comment.id, "Rude"),
        lambda: moderation.dismiss_flags(mod, "idea", other.id),
        lambda: moderation.set_locked(mod, other, True),
        lambda: moderation.set_pinned(mod, other, True),
        lambda: moderation.review_queue(mod),
        lambda: merges.merge_ideas(mod, second.id, other.id),
        lambda: merges.unmerge_idea(mod, second.id),
        lambda: accounts.suspend_user(mod, member, 3, "Spam"),
        lambda: comments.edit_comment(mod, comment, "Moderated text"),
        lambda: comments.delete_comment(mod, comment),
    ]
    for action in actions:
        with pytest.raises(Forbidden, match="suspended"):
            action()
        db.session.rollback()
    assert moderation.waiting_count(mod) == 0
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.actor_id == mod.id)) is None
    # Reading the site still works: the flagged idea is visible to all, so to them too.
    assert ideas.get_idea(mod, other.id).id == other.id
    # A suspended moderator sees hidden things no more than a member does.
    moderation.hide_item(admin, "comment", comment.id, "Rude")
    db.session.commit()
    assert comment.id not in [c.id for c in ideas.idea_page(mod, other.id).comments]


def test_a_suspended_admin_cannot_administer(app, admin):
    other_admin = make_user("admin")
    suspend(other_admin, admin)
    member = make_user()
    with pytest.raises(Forbidden, match="suspended"):
        accounts.change_role(admin, member, "moderator")
    with pytest.raises(Forbidden, match="suspended"):
        settings.update_settings(admin, premoderation_enabled=True)
    with pytest.raises(Forbidden, match="suspended"):
        audit.list_audit(admin, audit.AuditFilters())
    db.session.rollback()
    assert db.session.get(User, member.id).role == "member"


# Who suspends whom, and how


def test_suspension_is_stored_audited_and_signs_out(app, moderator):
    member = make_user()
    sessions.start_session(member, "Firefox")
    db.session.commit()
    suspend(moderator, member, days=3)
    stored = db.session.get(User, member.id)
    assert stored.is_suspended
    assert stored.suspended_until - stored.suspended_at == timedelta(days=3)
    assert stored.suspension_reason == REASON
    assert sessions.list_sessions(stored) == []
    assert "until" in suspension_message(stored)
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.suspend"))
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.reason, entry.after) == (
        moderator.id,
        "user",
        member.id,
        REASON,
        "3 days",
    )


def test_a_permanent_suspension(app, moderator):
    member = suspend(moderator, make_user(), days=None)
    assert member.suspended_until is None
    assert member.is_suspended
    assert "permanently" in suspension_message(member)
    assert db.session.scalar(select(AuditEntry.after)) == "permanent"


@pytest.mark.parametrize(
    ("days", "reason", "field"),
    [
        (0, REASON, "days"),
        (3651, REASON, "days"),
        (True, REASON, "days"),
        ("3", REASON, "days"),
        (3, "", "reason"),
        (3, "  ", "reason"),
        (3, "x" * 501, "reason"),
    ],
)
def test_bad_suspensions_are_refused_and_nothing_changes(app, moderator, days, reason, field):
    member = make_user()
    with pytest.raises(Invalid) as refused:
        accounts.suspend_user(moderator, member, days, reason)
    assert field in refused.value.fields
    db.session.rollback()
    assert not db.session.get(User, member.id).is_suspended
    assert db.session.scalar(select(AuditEntry.id)) is None


def test_who_may_suspend_whom(app, moderator, admin):
    member, other_mod, pm = make_user(), make_user("moderator"), make_user("product_manager")
    for actor, target in [
        (member, make_user()),
        (pm, member),
        (moderator, other_mod),
        (moderator, pm),
        (moderator, admin),
        (moderator, moderator),
        (admin, admin),
    ]:
        with pytest.raises(Forbidden):
            accounts.suspend_user(actor, target, 3, REASON)
        db.session.rollback()
    suspend(moderator, member)
    suspend(admin, other_mod)
    suspend(admin, pm)
    assert all(u.is_suspended for u in (member, other_mod, pm))


def test_unsuspending_is_audited_and_refused_when_not_suspended(app, moderator):
    member = make_user()
    with pytest.raises(Conflict):
        accounts.unsuspend_user(moderator, member)
    db.session.rollback()
    suspend(moderator, member)
    accounts.unsuspend_user(moderator, member)
    db.session.commit()
    assert not member.is_suspended
    assert (member.suspended_at, member.suspended_until, member.suspension_reason) == (None, None, "")
    assert list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))) == [
        "user.suspend",
        "user.unsuspend",
    ]
    # An expired suspension needs no lifting.
    suspend(moderator, member, days=1)
    expire(member)
    with pytest.raises(Conflict):
        accounts.unsuspend_user(moderator, member)
