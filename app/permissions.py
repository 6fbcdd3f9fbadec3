"""Who may do what: one table of actions, each with a predicate over (actor, obj).

Services call `require()`; templates call `can()` (a Jinja global) so pages hide exactly
what services refuse. `actor` is a User or an anonymous user (Flask-Login's
AnonymousUserMixin, or None).
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app

from app.errors import Forbidden, Unauthorized
from app.models.base import utcnow

STAFF_ROLES = frozenset({"product_manager", "admin"})
MODERATOR_ROLES = frozenset({"moderator", "admin"})


def is_signed_in(actor: Any) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False))


def is_suspended(actor: Any) -> bool:
    return is_signed_in(actor) and actor.is_suspended


def is_active_member(actor: Any) -> bool:
    """Signed in and allowed to write (post, vote, flag, follow, join): not suspended."""
    return is_signed_in(actor) and not actor.is_suspended


def is_admin(actor: Any) -> bool:
    # A suspended account keeps its role but uses none of its powers until it is lifted.
    return is_active_member(actor) and actor.role == "admin"


def is_staff(actor: Any) -> bool:
    """Product managers and admins."""
    return is_active_member(actor) and actor.role in STAFF_ROLES


def is_moderator(actor: Any) -> bool:
    """Moderators and admins."""
    return is_active_member(actor) and actor.role in MODERATOR_ROLES


def edit_window() -> timedelta:
    return timedelta(minutes=current_app.config.get("EDIT_WINDOW_MINUTES", 30))


def _within_edit_window(obj: Any) -> bool:
    return utcnow() - obj.created_at <= edit_window()


def _anyone(actor: Any, obj: Any) -> bool:
    return True


def _signed_in(actor: Any, obj: Any) -> bool:
    return is_signed_in(actor)


def _self(actor: Any, obj: Any) -> bool:
    return is_signed_in(actor) and obj is not None and obj.id == actor.id


def _self_active(actor: Any, obj: Any) -> bool:
    # A suspended account may still change its password and sign out, but not what others see.
    return _self(actor, obj) and not actor.is_suspended


def _own_token(actor: Any, obj: Any) -> bool:
    return is_signed_in(actor) and obj is not None and obj.user_id == actor.id


def _admin(actor: Any, obj: Any) -> bool:
    return is_admin(actor)


def _staff(actor: Any, obj: Any) -> bool:
    return is_staff(actor)


def _moderator(actor: Any, obj: Any) -> bool:
    return is_moderator(actor)


def _suspend(actor: Any, user: Any) -> bool:
    # Moderators suspend members; admins suspend anyone but themselves.
    if not is_moderator(actor):
        return False
    if user is None:
        return True
    if user.id == actor.id:
        return False
    return is_admin(actor) or user.role == "member"


def _change_role(actor: Any, obj: Any) -> bool:
    # Admins change roles, but never their own: a site must not lose its last admin by accident.
    return is_admin(actor) and (obj is None or obj.id != actor.id)


def _member(actor: Any, obj: Any) -> bool:
    return is_active_member(actor)


def _edit_idea(actor: Any, idea: Any) -> bool:
    if is_staff(actor) or is_moderator(actor):
        return True
    return is_active_member(actor) and idea.author_id == actor.id and _within_edit_window(idea)


def _vote_idea(actor: Any, idea: Any) -> bool:
    # Locked threads take no votes; merged and declined ideas answer with a conflict instead.
    return is_active_member(actor) and not idea.is_locked


def _follow_idea(actor: Any, idea: Any) -> bool:
    # A merged idea has nothing more to tell: its followers hear from the idea it went into.
    return is_active_member(actor) and getattr(idea, "merged_into_id", None) is None


def _comment_idea(actor: Any, idea: Any) -> bool:
    return is_active_member(actor) and (not idea.is_locked or is_moderator(actor))


def _edit_comment(actor: Any, comment: Any) -> bool:
    if comment.is_deleted:
        return False
    if is_moderator(actor) or (comment.is_internal and is_staff(actor) and comment.author_id == actor.id):
        return True
    return is_active_member(actor) and comment.author_id == actor.id and _within_edit_window(comment)


def _delete_comment(actor: Any, comment: Any) -> bool:
    if comment.is_deleted:
        return False
    return is_moderator(actor) or (is_active_member(actor) and comment.author_id == actor.id)


def _own_notification(actor: Any, notification: Any) -> bool:
    return is_signed_in(actor) and notification.user_id == actor.id


Predicate = Callable[[Any, Any], bool]

RULES: dict[str, Predicate] = {
    "user.view": _anyone,
    "account.edit": _self,
    "account.sign_out_everywhere": _self,
    "profile.edit": _self_active,
    "token.create": _self_active,
    "token.revoke": _own_token,
    "user.change_role": _change_role,
    "admin.access": _admin,
    "staff.access": _staff,
    "moderation.access": _moderator,
    "category.manage": _admin,
    "idea.create": _member,
    "idea.edit": _edit_idea,
    "idea.change_status": _staff,
    "idea.vote": _vote_idea,
    "idea.follow": _follow_idea,
    # Unfollowing only quiets one's own notifications, so suspended accounts may do it too.
    "idea.unfollow": _signed_in,
    "idea.comment": _comment_idea,
    "idea.internal_note": _staff,
    "idea.view_internal": _staff,
    # Finding ideas by title to link them to prototypes, launches and roadmap items.
    "idea.link": _staff,
    "comment.edit": _edit_comment,
    "comment.delete": _delete_comment,
    "notification.read": _own_notification,
    "flag.create": _member,
    "moderation.act": _moderator,
    "user.suspend": _suspend,
    # Moderators read the moderation part of the log (app/services/audit.py says which actions).
    "audit.view": _moderator,
    "audit.view_all": _admin,
    "settings.manage": _admin,
    "prototype.create": _staff,
    "prototype.edit": _staff,
    "prototype.change_status": _staff,
    "prototype.view_drafts": _staff,
    "prototype.vote": _member,
    "prototype.comment": _member,
    "round.create": _staff,
    "round.results": _staff,
    "round.answer": _member,
    "launch.create": _staff,
    "launch.edit": _staff,
    "launch.change_status": _staff,
    "launch.view_drafts": _staff,
    "launch.participants": _staff,
    "launch.message": _staff,
    "launch.remove_participant": _staff,
    "launch.promote_participant": _staff,
    "launch.join": _member,
    "roadmap.manage": _staff,
    "roadmap.view_private": _staff,
    "dashboard.view": _staff,
    "segment.manage": _admin,
    "webhook.manage": _admin,
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
    if actor.is_suspended:
        raise Forbidden(suspension_message(actor))
    if action in ("idea.vote", "idea.comment") and getattr(obj, "is_locked", False):
        raise Forbidden("This idea is locked: it takes no new votes or comments.")
    if action == "idea.follow" and getattr(obj, "merged_into_id", None) is not None:
        raise Forbidden("This idea was merged into another one: follow that one instead.")
    raise Forbidden()


def suspension_message(user: Any) -> str:
    """What a suspended member reads when they try to write."""
    if user.suspended_until is None:
        until = "permanently"
    else:
        until = f"until {user.suspended_until:%-d %b %Y, %H:%M} UTC"
    reason = f" Reason: {user.suspension_reason}" if user.suspension_reason else ""
    return f"Your account is suspended {until}; you can read but not post, vote, flag or join.{reason}"
