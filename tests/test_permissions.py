"""Every rule of the permission table, for every role."""

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from app import permissions
from app.errors import Forbidden, Unauthorized
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.notification import Notification
from app.models.user import ApiToken
from app.templating import MODERATION_NAV, STAFF_NAV
from tests.factories import make_user

ROLES = ["member", "moderator", "product_manager", "admin"]

# action -> the roles allowed (with no object, or with another member's object)
ROLE_RULES = {
    "user.view": {"anonymous", *ROLES},
    "admin.access": {"admin"},
    "staff.access": {"product_manager", "admin"},
    "moderation.access": {"moderator", "admin"},
    "category.manage": {"admin"},
    "idea.create": set(ROLES),
    "idea.change_status": {"product_manager", "admin"},
    "idea.follow": set(ROLES),
    "idea.unfollow": set(ROLES),
    "idea.internal_note": {"product_manager", "admin"},
    "idea.view_internal": {"product_manager", "admin"},
    "idea.link": {"product_manager", "admin"},
    "flag.create": set(ROLES),
    "moderation.act": {"moderator", "admin"},
    "audit.view": {"moderator", "admin"},
    "audit.view_all": {"admin"},
    "settings.manage": {"admin"},
    "prototype.create": {"product_manager", "admin"},
    "prototype.edit": {"product_manager", "admin"},
    "prototype.change_status": {"product_manager", "admin"},
    "prototype.view_drafts": {"product_manager", "admin"},
    "prototype.vote": set(ROLES),
    "prototype.comment": set(ROLES),
    "round.create": {"product_manager", "admin"},
    "round.results": {"product_manager", "admin"},
    "round.answer": set(ROLES),
    "launch.create": {"product_manager", "admin"},
    "launch.edit": {"product_manager", "admin"},
    "launch.change_status": {"product_manager", "admin"},
    "launch.view_drafts": {"product_manager", "admin"},
    "launch.participants": {"product_manager", "admin"},
    "launch.message": {"product_manager", "admin"},
    "launch.remove_participant": {"product_manager", "admin"},
    "launch.promote_participant": {"product_manager", "admin"},
    "launch.join": set(ROLES),
    "roadmap.manage": {"product_manager", "admin"},
    "roadmap.view_private": {"product_manager", "admin"},
    "dashboard.view": {"product_manager", "admin"},
    "segment.manage": {"admin"},
    "webhook.manage": {"admin"},
    "board.manage": {"admin"},
    "board.view_private": {"product_manager", "moderator", "admin"},
    "idea.move_board": {"product_manager", "admin"},
    "idea.record_vote": {"product_manager", "admin"},
    "idea.withdraw_recorded_vote": set(ROLES),
}


@pytest.mark.parametrize("action", sorted(ROLE_RULES))
@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_role_rules(app, action, role):
    actor = AnonymousUserMixin() if role == "anonymous" else make_user(role=role)
    assert permissions.can(actor, action) == (role in ROLE_RULES[action])


@pytest.mark.parametrize("role", ROLES)
def test_everyone_edits_only_their_own_account(app, role):
    actor = make_user(role=role)
    other = make_user()
    for action in ("account.edit", "account.sign_out_everywhere", "profile.edit", "token.create"):
        assert permissions.can(actor, action, actor)
        assert not permissions.can(actor, action, other)
        assert not permissions.can(AnonymousUserMixin(), action, other)


@pytest.mark.parametrize("role", ROLES)
def test_tokens_are_revoked_only_by_their_owner(app, role):
    actor = make_user(role=role)
    other = make_user()
    assert permissions.can(actor, "token.revoke", ApiToken(user_id=actor.id))
    assert not permissions.can(actor, "token.revoke", ApiToken(user_id=other.id))


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("member", False), ("moderator", False), ("product_manager", False), ("admin", True)],
)
def test_only_admins_change_roles_and_never_their_own(app, role, allowed):
    actor = make_user(role=role)
    assert permissions.can(actor, "user.change_role", make_user()) == allowed
    assert not permissions.can(actor, "user.change_role", actor)


def test_require_says_sign_in_to_anonymous_and_forbidden_to_members(app):
    with pytest.raises(Unauthorized):
        permissions.require(AnonymousUserMixin(), "staff.access")
    with pytest.raises(Unauthorized):
        permissions.require(None, "staff.access")
    with pytest.raises(Forbidden):
        permissions.require(make_user(), "staff.access")
    permissions.require(make_user(role="admin"), "staff.access")


def test_unknown_actions_are_a_programming_error(app):
    with pytest.raises(KeyError):
        permissions.can(make_user(role="admin"), "no.such.action")


def _idea(author_id: int, minutes_old: int = 0, locked: bool = False) -> Idea:
    return Idea(author_id=author_id, created_at=utcnow() - timedelta(minutes=minutes_old), is_locked=locked)


def _comment(author_id: int, minutes_old: int = 0, deleted: bool = False, internal: bool = False) -> Comment:
    return Comment(
        author_id=author_id,
        created_at=utcnow() - timedelta(minutes=minutes_old),
        deleted_at=utcnow() if deleted else None,
        is_internal=internal,
    )


@pytest.mark.parametrize("role", ROLES)
def test_idea_edit_is_for_the_author_within_the_window_staff_or_moderators(app, role):
    actor = make_user(role=role)
    staff = role != "member"
    assert permissions.can(actor, "idea.edit", _idea(actor.id, minutes_old=5))
    assert permissions.can(actor, "idea.edit", _idea(actor.id, minutes_old=31)) == staff
    assert permissions.can(actor, "idea.edit", _idea(actor.id + 1000)) == staff
    assert not permissions.can(AnonymousUserMixin(), "idea.edit", _idea(actor.id))


@pytest.mark.parametrize("role", ROLES)
def test_votes_and_comments_on_locked_ideas(app, role):
    actor = make_user(role=role)
    assert permissions.can(actor, "idea.vote", _idea(1))
    assert not permissions.can(actor, "idea.vote", _idea(1, locked=True))
    assert permissions.can(actor, "idea.comment", _idea(1))
    assert permissions.can(actor, "idea.comment", _idea(1, locked=True)) == (role in {"moderator", "admin"})
    assert not permissions.can(AnonymousUserMixin(), "idea.vote", _idea(1))
    assert not permissions.can(AnonymousUserMixin(), "idea.comment", _idea(1))


@pytest.mark.parametrize("role", ROLES)
def test_comment_edit_and_delete(app, role):
    actor = make_user(role=role)
    moderator = role in {"moderator", "admin"}
    assert permissions.can(actor, "comment.edit", _comment(actor.id, minutes_old=29))
    assert permissions.can(actor, "comment.edit", _comment(actor.id, minutes_old=31)) == moderator
    assert permissions.can(actor, "comment.edit", _comment(actor.id + 1000)) == moderator
    assert not permissions.can(actor, "comment.edit", _comment(actor.id, deleted=True))
    assert permissions.can(actor, "comment.delete", _comment(actor.id, minutes_old=300))
    assert permissions.can(actor, "comment.delete", _comment(actor.id + 1000)) == moderator
    assert not permissions.can(actor, "comment.delete", _comment(actor.id, deleted=True))


@pytest.mark.parametrize(
    ("role", "may_suspend"),
    [
        ("member", set()),
        ("product_manager", set()),
        ("moderator", {"member"}),
        ("admin", {"member", "moderator", "product_manager", "admin"}),
    ],
)
def test_who_may_suspend_whom(app, role, may_suspend):
    actor = make_user(role=role)
    for target_role in ROLES:
        assert permissions.can(actor, "user.suspend", make_user(role=target_role)) == (
            target_role in may_suspend
        )
    assert not permissions.can(actor, "user.suspend", actor)


@pytest.mark.parametrize("role", ROLES)
def test_a_suspended_account_loses_every_write_and_every_power(app, role):
    from app.models.base import utcnow as now

    actor = make_user(role=role)
    actor.suspended_at = now()
    actor.suspension_reason = "Spam"
    # Reading, unfollowing, taking back a vote staff recorded and securing the account stay; every
    # write and every role power goes, and so do new API tokens and profile changes.
    for action in ROLE_RULES:
        assert permissions.can(actor, action) == (
            action in {"user.view", "idea.unfollow", "idea.withdraw_recorded_vote"}
        ), action
    for action in ("account.edit", "account.sign_out_everywhere"):
        assert permissions.can(actor, action, actor)
    for action in ("profile.edit", "token.create"):
        assert not permissions.can(actor, action, actor)
    assert not permissions.can(actor, "idea.vote", _idea(1))
    assert not permissions.can(actor, "idea.comment", _idea(1))
    with pytest.raises(Forbidden, match="suspended permanently.*Reason: Spam"):
        permissions.require(actor, "idea.create")


def test_an_expired_suspension_no_longer_counts(app):
    actor = make_user()
    actor.suspended_at = utcnow() - timedelta(days=3)
    actor.suspended_until = utcnow() - timedelta(days=1)
    assert permissions.can(actor, "idea.create")


def test_notifications_are_read_only_by_their_owner(app):
    owner, other = make_user(), make_user(role="admin")
    notification = Notification(user_id=owner.id)
    assert permissions.can(owner, "notification.read", notification)
    assert not permissions.can(other, "notification.read", notification)


@pytest.mark.parametrize("role", ROLES)
def test_members_delete_and_export_their_own_account_and_admins_delete_any(app, role):
    actor, other = make_user(role=role), make_user()
    assert permissions.can(actor, "account.delete", actor)
    assert permissions.can(actor, "account.export", actor)
    assert permissions.can(actor, "account.delete", other) == (role == "admin")
    # Nobody, an admin included, downloads another member's data.
    assert not permissions.can(actor, "account.export", other)
    assert not permissions.can(AnonymousUserMixin(), "account.delete", other)
    with pytest.raises(Unauthorized):
        permissions.require(AnonymousUserMixin(), "account.export", other)


def test_a_suspended_or_unconfirmed_member_may_still_delete_their_account(app):
    suspended, unconfirmed = make_user(), make_user()
    suspended.suspended_at = utcnow()
    unconfirmed.email_verified_at = None
    for actor in (suspended, unconfirmed):
        assert permissions.can(actor, "account.delete", actor)
        assert permissions.can(actor, "account.export", actor)
    # A suspended admin uses none of their powers, this one included.
    admin = make_user(role="admin")
    admin.suspended_at = utcnow()
    with pytest.raises(Forbidden):
        permissions.require(admin, "account.delete", make_user())


def test_every_rule_is_covered_here():
    object_rules = {
        "account.edit",
        "account.delete",
        "account.export",
        "account.sign_out_everywhere",
        "profile.edit",
        "token.create",
        "token.revoke",
        "user.change_role",
        "idea.edit",
        "idea.vote",
        "idea.comment",
        "comment.edit",
        "comment.delete",
        "notification.read",
        "user.suspend",
    }
    covered = set(ROLE_RULES) | object_rules
    assert covered == set(permissions.RULES)


def test_navigation_shows_role_links_only_to_allowed_roles(app, client, login):
    login(make_user(role="admin"))
    html = client.get("/").get_data(as_text=True)
    for label, _, _ in STAFF_NAV + MODERATION_NAV:
        assert f">{label}<" in html
    login(make_user())
    html = client.get("/").get_data(as_text=True)
    for label, _, _ in STAFF_NAV + MODERATION_NAV:
        assert f">{label}<" not in html
