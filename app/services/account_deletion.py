"""Deleting an account: the person's data goes, what they contributed stays without their name.

The users row stays, so ideas, comments, votes and round answers keep counting and keep their
place; every personal field of it is emptied and it is shown as "Deleted member" (its profile
page is gone). Everything that is only about the person goes with it: sign-in ways (password,
identities, sessions, API tokens, reset links), notifications, follows, segment memberships,
stored API answers and the emails still addressed to them. Seats in launches under way are
given up, so the waitlist moves up. The audit log says that the account was deleted, and no more.
"""

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select

from app import passwords
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.models.base import utcnow
from app.models.idea import IdeaFollow
from app.models.idempotency import IdempotencyKey
from app.models.identity import Identity
from app.models.notification import Notification
from app.models.outbox import OutboxMessage
from app.models.segment import UserSegment
from app.models.user import ApiToken, PasswordResetToken, User, UserSession
from app.permissions import require
from app.services import aggregates, audit, participation
from app.services.members import suspended_now

CONFIRM_PHRASE = "delete my account"
DELETED_NAME = "Deleted member"
# An account without a password confirms by a sign-in at its provider this recent.
FRESH_SIGN_IN = timedelta(minutes=10)
# How a session that proves nothing fresh began: a password typed, or an emailed link.
_NOT_SINGLE_SIGN_ON = ("password", "link")


def confirmation_phrase(actor: User, user: User) -> str:
    """What must be typed to delete `user`: the phrase for one's own account, else its address."""
    return CONFIRM_PHRASE if actor.id == user.id else user.email


def _confirmed(confirm: Any, phrase: str) -> bool:
    return isinstance(confirm, str) and " ".join(confirm.split()).lower() == phrase.lower()


def signed_in_freshly(actor: User) -> bool:
    """Whether the actor's session began with single sign-on within the last few minutes."""
    record = getattr(actor, "current_session", None)
    return (
        record is not None
        and record.signed_in_with not in _NOT_SINGLE_SIGN_ON
        and utcnow() - record.created_at <= FRESH_SIGN_IN
    )


def how_to_confirm(actor: User) -> str:
    """How the settings page asks the actor to prove it is them: "password", "sign_in" (their
    recent single sign-on counts) or "sign_in_again" (it is too old, or was no single sign-on)."""
    if actor.has_password:
        return "password"
    return "sign_in" if signed_in_freshly(actor) else "sign_in_again"


def delete_own_account(actor: User, confirm: Any, password: str | None = None) -> None:
    """Delete the actor's own account from the settings page: with the password when it has
    one, else within minutes of signing in with single sign-on."""
    require(actor, "account.delete", actor)
    errors: dict[str, list[str]] = {}
    if not _confirmed(confirm, CONFIRM_PHRASE):
        errors["confirm"] = [f"Type “{CONFIRM_PHRASE}” to confirm."]
    if actor.has_password:
        if not passwords.verify_password(actor.password_hash, password or ""):
            errors["password"] = ["Your password is not correct."]
    elif not signed_in_freshly(actor):
        raise Conflict(
            "To confirm that it is you, sign out, sign in again with your provider, and delete "
            f"your account within {FRESH_SIGN_IN.seconds // 60} minutes."
        )
    if errors:
        raise Invalid(errors)
    delete_account(actor, actor, confirm)


def _other_admins(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(User.id)).where(
                User.role == "admin",
                User.id != user.id,
                User.deleted_at.is_(None),
                ~suspended_now(),
            )
        )
        or 0
    )


def delete_account(actor: User, user: User, confirm: Any) -> None:
    """Delete `user`'s account (themself, or an admin); `confirm` must be the confirmation phrase.

    Refused for the site's last admin. Nothing changes when it is refused.
    """
    require(actor, "account.delete", user)
    # Locked, and read afresh: of two deletions at once, the second finds the account gone.
    user = db.session.scalar(
        select(User).where(User.id == user.id).with_for_update().execution_options(populate_existing=True)
    )
    if user.is_deleted:
        raise NotFound("No such member.")
    phrase = confirmation_phrase(actor, user)
    if not _confirmed(confirm, phrase):
        raise Invalid({"confirm": [f"Type “{phrase}” to confirm."]})
    if user.role == "admin" and _other_admins(user) == 0:
        raise Conflict("This is the site's only admin account: make someone else an admin first.")
    participation.release_places(actor, user)
    _forget(user)
    audit.record(actor, "user.delete", "user", user.id)
    db.session.flush()


def _forget(user: User) -> None:
    """Delete what is only about the person, and empty the personal fields of their row."""
    address = user.email
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
        db.session.execute(delete(model).where(model.user_id == user.id))
    # Their votes stay, now at the weight of a member in no segment.
    aggregates.recount_weighted_of_voters([user.id])
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.kind == "email", OutboxMessage.payload["to"].as_string() == address
        )
    )
    user.email = f"deleted-{user.id}@invalid"  # not an address anyone can register
    user.display_name = DELETED_NAME
    user.username = _free_deleted_username(user)
    user.password_hash = ""
    user.role = "member"
    user.email_verified_at = None
    user.last_sign_in_at = None
    user.email_notifications = "never"
    user.digest_sent_at = None
    user.suspended_at = None
    user.suspended_until = None
    user.suspension_reason = ""
    user.deleted_at = utcnow()


def _free_deleted_username(user: User) -> str:
    base = f"deleted_{user.id}"
    candidate, number = base, 1
    while db.session.scalar(select(User.id).where(User.username == candidate, User.id != user.id)):
        number += 1
        candidate = f"{base}_{number}"
    return candidate
