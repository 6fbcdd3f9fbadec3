"""Who may do what: one table of actions, each with a predicate over (actor, obj), and one of
the states an object must be in for some of them.

Services call `require()`; templates call `can()` (a Jinja global) so pages hide exactly
what services refuse. `actor` is a User or an anonymous user (Flask-Login's
AnonymousUserMixin, or None). A refusal for the actor is Unauthorized or Forbidden; a refusal
for the object's state is a Conflict saying why.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app

from app.errors import Conflict, EmailUnverified, Forbidden, Unauthorized
from app.models.base import utcnow

STAFF_ROLES = frozenset({"product_manager", "admin"})
MODERATOR_ROLES = frozenset({"moderator", "admin"})


def is_signed_in(actor: Any) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False))


def is_suspended(actor: Any) -> bool:
    return is_signed_in(actor) and actor.is_suspended


def is_active_member(actor: Any) -> bool:
    """Signed in and allowed to write (post, vote, flag, follow, join): not suspended, and
    with a confirmed email address."""
    return is_signed_in(actor) and not actor.is_suspended and actor.is_email_verified


def is_unverified(actor: Any) -> bool:
    """Signed in, but the email address is not confirmed yet: reading only."""
    return is_signed_in(actor) and not actor.is_email_verified


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


def _self_or_admin(actor: Any, obj: Any) -> bool:
    return _self(actor, obj) or is_admin(actor)


def _team(actor: Any, obj: Any) -> bool:
    return is_staff(actor) or is_moderator(actor)


def _member(actor: Any, obj: Any) -> bool:
    return is_active_member(actor)


def _edit_idea(actor: Any, idea: Any) -> bool:
    if is_staff(actor) or is_moderator(actor):
        return True
    return is_active_member(actor) and idea.author_id == actor.id and _within_edit_window(idea)


def _vote_idea(actor: Any, idea: Any) -> bool:
    # Locked threads take no votes (Forbidden); merged and declined ideas are in STATE_RULES.
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
    # Members may delete their own account whatever its state (suspended, unconfirmed); admins any.
    "account.delete": _self_or_admin,
    "account.export": _self,
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
    "board.manage": _admin,
    # The team (product managers, moderators, admins) sees every board, private ones too.
    "board.view_private": _team,
    "idea.move_board": _staff,
    "idea.record_vote": _staff,
    # A vote staff recorded for someone is theirs to take back, whatever their account's state.
    "idea.withdraw_recorded_vote": _signed_in,
}


def _idea_takes_votes(idea: Any) -> str | None:
    if idea.is_merged:
        return "This idea was merged into another one; vote there instead."
    if idea.is_declined:
        return "This idea was declined, so it takes no more votes."
    return None


def _idea_takes_recorded_votes(idea: Any) -> str | None:
    # Staff may not record what no member could give: a locked idea takes no votes either.
    if idea.is_locked:
        return "This idea is locked: it takes no new votes."
    return _idea_takes_votes(idea)


def _idea_takes_comments(idea: Any) -> str | None:
    if idea.is_merged:
        return "This idea was merged into another one; continue the discussion there."
    return None


def _idea_status_changes(idea: Any) -> str | None:
    if idea.is_merged:
        return "This idea is merged into another one; unmerge it first."
    return None


def _prototype_takes_votes(prototype: Any) -> str | None:
    if prototype.is_archived:
        return "This prototype is archived, so it takes no more votes."
    if prototype.is_draft:
        return "Drafts take no votes; publish the prototype first."
    return None


def _prototype_takes_comments(prototype: Any) -> str | None:
    if prototype.is_archived:
        return "This prototype is archived; it takes no new comments."
    if not prototype.is_published:
        # Drafts are seen by staff only, and not discussed until they are published.
        return "This prototype is not published yet; it takes comments once it is."
    return None


def _launch_recruits(launch: Any) -> str | None:
    if launch.is_recruiting:
        return None
    if launch.is_draft:
        return "This launch is not open for recruiting yet."
    if launch.is_running:
        return "This launch is running already and takes no new participants."
    return f"This launch is {launch.status}; it takes no participants."


def _launch_is_active(launch: Any) -> str | None:
    if launch.is_active:
        return None
    return f"This launch is {launch.status}; its participants can't be messaged any more."


def _launch_is_open(launch: Any) -> str | None:
    if launch.is_final:
        return f"This launch is {launch.status}; its record stays as it is."
    return None


# The rules of what any member may write: an unconfirmed address is the reason they refuse.
_MEMBER_WRITES = frozenset({_member, _vote_idea, _follow_idea, _comment_idea, _edit_idea, _edit_comment})

StateCheck = Callable[[Any], str | None]

# action -> why the object's state refuses it (None: it allows it). Checked once the actor may act.
STATE_RULES: dict[str, StateCheck] = {
    "idea.vote": _idea_takes_votes,
    "idea.record_vote": _idea_takes_recorded_votes,
    "idea.comment": _idea_takes_comments,
    "idea.change_status": _idea_status_changes,
    "prototype.vote": _prototype_takes_votes,
    "prototype.comment": _prototype_takes_comments,
    "launch.join": _launch_recruits,
    "launch.message": _launch_is_active,
    "launch.edit": _launch_is_open,
}


def state_refusal(action: str, obj: Any) -> str | None:
    """Why `obj`'s state refuses `action`, or None when it allows it."""
    check = STATE_RULES.get(action)
    return None if check is None or obj is None else check(obj)


def _rule(action: str) -> Predicate:
    rule = RULES.get(action)
    if rule is None:
        raise KeyError(f"no permission rule named {action!r}")
    return rule


def can(actor: Any, action: str, obj: Any = None) -> bool:
    """Whether `actor` may do `action` (to `obj`, in its present state). Unknown actions are refused."""
    return _rule(action)(actor, obj) and state_refusal(action, obj) is None


def require(actor: Any, action: str, obj: Any = None, state: bool = True) -> None:
    """Raise Unauthorized (anonymous) or Forbidden (signed in) unless the actor may do `action`,
    then Conflict unless `obj`'s state allows it.

    `state=False` leaves the state to a later `require_state()`, for services that check their
    input first.
    """
    if _rule(action)(actor, obj):
        if state:
            require_state(action, obj)
        return
    if not is_signed_in(actor):
        raise Unauthorized()
    if actor.is_suspended:
        raise Forbidden(suspension_message(actor))
    if not actor.is_email_verified and _rule(action) in _MEMBER_WRITES:
        raise EmailUnverified()
    if action in ("idea.vote", "idea.comment") and getattr(obj, "is_locked", False):
        raise Forbidden("This idea is locked: it takes no new votes or comments.")
    if action == "idea.follow" and getattr(obj, "merged_into_id", None) is not None:
        raise Forbidden("This idea was merged into another one: follow that one instead.")
    raise Forbidden()


def require_state(action: str, obj: Any) -> None:
    """Raise Conflict unless `obj`'s state allows `action`."""
    refusal = state_refusal(action, obj)
    if refusal is not None:
        raise Conflict(refusal)


def suspension_message(user: Any) -> str:
    """What a suspended member reads when they try to write."""
    if user.suspended_until is None:
        until = "permanently"
    else:
        until = f"until {user.suspended_until:%-d %b %Y, %H:%M} UTC"
    reason = f" Reason: {user.suspension_reason}" if user.suspension_reason else ""
    return f"Your account is suspended {until}; you can read but not post, vote, flag or join.{reason}"
