"""Every rule of the permission table, for every role."""

import pytest
from flask_login import AnonymousUserMixin

from app import permissions
from app.errors import Forbidden, Unauthorized
from app.models.user import ApiToken
from app.templating import MODERATION_NAV, STAFF_NAV
from tests.factories import make_user

ROLES = ["member", "moderator", "product_manager", "admin"]

# action -> the roles allowed (with no object, or with another member's object)
ROLE_RULES = {
    "user.view": {"anonymous", *ROLES},
    "token.create": set(ROLES),
    "admin.access": {"admin"},
    "staff.access": {"product_manager", "admin"},
    "moderation.access": {"moderator", "admin"},
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
    for action in ("account.edit", "account.sign_out_everywhere"):
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


def test_every_rule_is_covered_here():
    covered = set(ROLE_RULES) | {
        "account.edit",
        "account.sign_out_everywhere",
        "token.revoke",
        "user.change_role",
    }
    assert covered == set(permissions.RULES)


def test_navigation_shows_role_links_only_to_allowed_roles(app, client, login):
    # The staff and moderation pages arrive with later features; until then no role sees a dead link.
    login(make_user(role="admin"))
    html = client.get("/").get_data(as_text=True)
    for label, endpoint, _ in STAFF_NAV + MODERATION_NAV:
        assert (f">{label}<" in html) == (endpoint in app.view_functions)
