"""Changing an account's email address: confirmed from the new address, undoable from the old one.

Nothing changes until the new address confirms: a signed link goes there. Once it is used, the
old address is told and gets a link that puts it back for seven days; using that link also ends
every session and API token of the account, for when the change was not the owner's doing.
Both links are signed and stateless (each with its own salt) and carry the account, the old and
the new address, so a link stops working once the account's address is no longer what it expects.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from app import passwords
from app.errors import Conflict, Invalid
from app.extensions import db
from app.links import absolute_url
from app.models.base import utcnow
from app.models.user import User
from app.permissions import require
from app.services import accounts, api_tokens, outbox, sessions, transactions

CONFIRM_MAX_AGE = timedelta(days=3)
UNDO_MAX_AGE = timedelta(days=7)
_CONFIRM_SALT = "change-email-confirm"
_UNDO_SALT = "change-email-undo"

TAKEN = "Another account uses this email address already."


@dataclass(frozen=True)
class EmailChange:
    """What a link asks for: the account, the address it had and the address it gets."""

    user: User
    old_email: str
    new_email: str


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _token(salt: str, user: User, old_email: str, new_email: str) -> str:
    return _serializer(salt).dumps({"user": user.id, "old": old_email, "new": new_email})


def _read(token: str, salt: str, max_age: timedelta, expired: str) -> EmailChange:
    """The change a link names; Conflict with a sentence for people when it is stale or altered."""
    try:
        data = _serializer(salt).loads(token or "", max_age=int(max_age.total_seconds()))
        user = db.session.get(User, int(data["user"]))
        old_email, new_email = str(data["old"]), str(data["new"])
    except SignatureExpired as error:
        raise Conflict(expired) from error
    except (BadSignature, KeyError, TypeError, ValueError) as error:
        raise Conflict("This link is not valid. Check that you copied all of it.") from error
    if user is None or user.is_deleted:
        raise Conflict("This link belongs to an account that no longer exists.")
    return EmailChange(user, old_email, new_email)


def _used_by_another(email: str, user: User) -> bool:
    owner = accounts.find_user_by_email(email)
    return owner is not None and owner.id != user.id


def request_email_change(actor: User, new_email: str, password: str | None = None) -> str:
    """Send a confirmation link to `new_email`; the address changes only when it is used.

    The account's password is needed when it has one. Returns the new address, normalized.
    """
    require(actor, "account.edit", actor)
    email = accounts.normalize_email(new_email)
    errors: dict[str, list[str]] = {}
    if actor.has_password and not passwords.verify_password(actor.password_hash, password or ""):
        errors["password"] = ["Your password is not correct."]
    problems = accounts.email_problems(email)
    if not problems and email == actor.email:
        problems = ["This is your address already."]
    if not problems and _used_by_another(email, actor):
        problems = [TAKEN]
    if problems:
        errors["new_email"] = problems
    if errors:
        raise Invalid(errors)
    site = current_app.config["SITE_NAME"]
    outbox.enqueue_email(
        to=email,
        subject=f"Confirm your new email address for {site}",
        template="email/change_email_confirm.txt",
        user=actor,
        new_email=email,
        confirm_url=absolute_url(
            "email_change.confirm", token=_token(_CONFIRM_SALT, actor, actor.email, email)
        ),
        valid_days=CONFIRM_MAX_AGE.days,
    )
    db.session.flush()
    return email


def read_confirmation(token: str) -> EmailChange:
    """The change a confirmation link asks for, if it can still be made; else Conflict saying why."""
    change = _read(
        token,
        _CONFIRM_SALT,
        CONFIRM_MAX_AGE,
        "This confirmation link has expired. Ask for the change again in your settings.",
    )
    if change.user.email == change.new_email:
        raise Conflict(f"This link was used already: your address is {change.new_email}.")
    if change.user.email != change.old_email:
        raise Conflict("This link is not valid any more: the account's address changed since it was sent.")
    if _used_by_another(change.new_email, change.user):
        raise Conflict(f"{TAKEN} Choose another one in your settings.")
    return change


def confirm_email_change(token: str) -> EmailChange:
    """Make the change a confirmation link asks for; the new address counts as confirmed, and
    the old one (when it was confirmed) gets a link that undoes the change for seven days."""
    change = read_confirmation(token)
    user = change.user
    was_confirmed = user.is_email_verified
    try:
        with transactions.savepoint():
            user.email = change.new_email
            user.email_verified_at = utcnow()
            db.session.flush()
    except IntegrityError as error:
        # Another account took the address between the check and now.
        raise Conflict(f"{TAKEN} Choose another one in your settings.") from error
    # An address never confirmed may not be the owner's: its holder gets no power to undo.
    if was_confirmed:
        _tell_old_address(change)
    db.session.flush()
    return change


def _tell_old_address(change: EmailChange) -> None:
    site = current_app.config["SITE_NAME"]
    outbox.enqueue_email(
        to=change.old_email,
        subject=f"The email address of your {site} account was changed",
        template="email/email_changed_notice.txt",
        user=change.user,
        old_email=change.old_email,
        new_email=change.new_email,
        undo_url=absolute_url(
            "email_change.undo",
            token=_token(_UNDO_SALT, change.user, change.old_email, change.new_email),
        ),
        valid_days=UNDO_MAX_AGE.days,
    )


def read_undo(token: str) -> EmailChange:
    """The change an undo link would reverse, if it still can; else Conflict saying why.

    It works whatever the address became since (a second change must not shut the owner out),
    unless the old address is back already or another account uses it now.
    """
    change = _read(
        token,
        _UNDO_SALT,
        UNDO_MAX_AGE,
        "This link has expired: it worked for 7 days. If you did not change your address, "
        "reset your password from the sign-in page.",
    )
    if change.user.email == change.old_email:
        raise Conflict(f"This change was undone already: the account's address is {change.old_email}.")
    if _used_by_another(change.old_email, change.user):
        raise Conflict("This change can't be undone: another account uses the old address now.")
    return change


def undo_email_change(token: str) -> EmailChange:
    """Put the old address back; every session and API token of the account ends."""
    change = read_undo(token)
    user = change.user
    try:
        with transactions.savepoint():
            user.email = change.old_email
            user.email_verified_at = utcnow()
            db.session.flush()
    except IntegrityError as error:
        raise Conflict("This change can't be undone: another account uses the old address now.") from error
    sessions.end_all_sessions(user)
    api_tokens.revoke_all_tokens(user)
    db.session.flush()
    return change
