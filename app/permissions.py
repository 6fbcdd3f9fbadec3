"""Who may do what: one table of actions, each with a predicate over (actor, obj).

Services call `require()`; templates call `can()` (a Jinja global) so pages hide exactly
what services refuse. `actor` is a User or an anonymous user (Flask-Login's
AnonymousUserMixin, or None).
"""

from collections.abc import Callable
from typing import Any

from app.errors import Forbidden, Unauthorized

STAFF_ROLES = frozenset({"product_manager", "admin"})
MODERATOR_ROLES = frozenset({"moderator", "admin"})


def is_signed_in(actor: Any) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False))


def is_admin(actor: Any) -> bool:
    return is_signed_in(actor) and actor.role == "admin"


def is_staff(actor: Any) -> bool:
    """Product managers and admins."""
    return is_signed_in(actor) and actor.role in STAFF_ROLES


def is_moderator(actor: Any) -> bool:
    """Moderators and admins."""
    return is_signed_in(actor) and actor.role in MODERATOR_ROLES


def _anyone(actor: Any, obj: Any) -> bool:
    return True


def _signed_in(actor: Any, obj: Any) -> bool:
    return is_signed_in(actor)


def _self(actor: Any, obj: Any) -> bool:
    return is_signed_in(actor) and obj is not None and obj.id == actor.id


def _own_token(actor: Any, obj: Any) -> bool:
    return is_signed_in(actor) and obj is not None and obj.user_id == actor.id


def _admin(actor: Any, obj: Any) -> bool:
    return is_admin(actor)


def _staff(actor: Any, obj: Any) -> bool:
    return is_staff(actor)


def _moderator(actor: Any, obj: Any) -> bool:
    return is_moderator(actor)


def _change_role(actor: Any, obj: Any) -> bool:
    # Admins change roles, but never their own: a site must not lose its last admin by accident.
    return is_admin(actor) and (obj is None or obj.id != actor.id)


Predicate = Callable[[Any, Any], bool]

RULES: dict[str, Predicate] = {
    "user.view": _anyone,
    "account.edit": _self,
    "account.sign_out_everywhere": _self,
    "token.create": _signed_in,
    "token.revoke": _own_token,
    "user.change_role": _change_role,
    "admin.access": _admin,
    "staff.access": _staff,
    "moderation.access": _moderator,
}


def can(actor: Any, action: str, obj: Any = None) -> bool:
    """Whether `actor` may do `action` (to `obj`). Unknown actions are refused."""
    rule = RULES.get(action)
    if rule is None:
        raise KeyError(f"no permission rule named {action!r}")
    return rule(actor, obj)


def require(actor: Any, action: str, obj: Any = None) -> None:
    """Raise Unauthorized (anonymous) or Forbidden (signed in) unless `can()` allows it."""
    if can(actor, action, obj):
        return
    if not is_signed_in(actor):
        raise Unauthorized()
    raise Forbidden()
