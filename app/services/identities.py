"""Identities at other providers: signing in with one, linking and unlinking them.

One rule for every provider (OpenID Connect, GitHub, Google, the company's signed tokens):
an identity already known signs in its account; an unknown one joins the account with the
same email address only when the provider vouches for that address; otherwise it becomes a
new member. An account keeps at least one way in: a password or an identity.
"""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.models.base import utcnow
from app.models.identity import Identity
from app.models.user import User
from app.permissions import require
from app.services import accounts, transactions, usernames
from app.text import normalize_line

# The longest provider id an identity keeps (Identity.subject).
SUBJECT_MAX = 255
EMAIL_NOT_VERIFIED = (
    "An account with this email address exists already, and {provider} does not say the "
    "address is confirmed. Sign in with your password, then link {provider} in your settings."
)


def find_identity(provider: str, subject: str) -> Identity | None:
    return db.session.scalar(
        select(Identity).where(Identity.provider == provider, Identity.subject == str(subject))
    )


def identities_of(user: User) -> list[Identity]:
    return list(db.session.scalars(select(Identity).where(Identity.user_id == user.id).order_by(Identity.id)))


def _display_name(name: str | None, email: str) -> str:
    """The provider's name for the person, or the email's local part, made to fit."""
    for candidate in (normalize_line(name or ""), normalize_line(email.split("@")[0])):
        candidate = candidate[: accounts.NAME_MAX].strip()
        if not accounts.name_problems(candidate):
            return candidate
    return "Member"


def _checked_email(email: str | None) -> str:
    email = accounts.normalize_email(email)
    problems = accounts.email_problems(email)
    if problems:
        raise Invalid({"email": problems})
    return email


def _add_identity(user: User, provider: str, subject: str, email: str) -> Identity:
    identity = Identity(
        user_id=user.id, provider=provider, subject=str(subject), email=email, last_used_at=utcnow()
    )
    try:
        with transactions.savepoint():
            db.session.add(identity)
    except IntegrityError as error:
        raise Conflict("This sign-in was just linked to an account; try signing in again.") from error
    return identity


def _new_member(email: str, name: str | None, verified: bool) -> User:
    display_name = _display_name(name, email)
    for _ in range(3):
        user = User(
            email=email,
            display_name=display_name,
            username=usernames.free_username(display_name),
            # No password: the identity is the way in (a password can be set by a reset link).
            password_hash="",
            role="member",
            email_verified_at=utcnow() if verified else None,
            last_sign_in_at=utcnow(),
        )
        try:
            with transactions.savepoint():
                db.session.add(user)
        except IntegrityError as error:
            if accounts.find_user_by_email(email) is not None:
                raise Conflict(
                    "An account for this address was just created; try signing in again."
                ) from error
            continue  # someone took the same username at the same moment: choose again
        return user
    raise Conflict("Could not choose a free username; try again.")


def sign_in_identity(
    key: str, label: str, subject: str, email: str | None, name: str | None, email_verified: bool
) -> User:
    """The account the identity (`key`, `subject`) signs in; `label` names the provider in
    messages. Raises Invalid for a missing or malformed email, Conflict when the address
    belongs to an account the provider may not join."""
    if not subject or len(str(subject)) > SUBJECT_MAX:
        raise Invalid({"sub": [f"{label} did not say who you are in a way this site can keep."]})
    identity = find_identity(key, subject)
    if identity is not None:
        user = identity.user
        identity.last_used_at = utcnow()
        if email:
            identity.email = accounts.normalize_email(email)[:254]
        if email_verified and not user.is_email_verified and identity.email == user.email:
            user.email_verified_at = utcnow()
        user.last_sign_in_at = utcnow()
        db.session.flush()
        return user
    email = _checked_email(email)
    user = accounts.find_user_by_email(email)
    if user is None:
        user = _new_member(email, name, email_verified)
        if not email_verified:
            # Signed in to read; writing waits for the address, as after a password sign-up.
            accounts.send_verification(user)
    elif not email_verified:
        raise Conflict(EMAIL_NOT_VERIFIED.format(provider=label))
    elif user.email_verified_at is None:
        # The provider confirmed the address: the account's owner is who the provider says.
        user.email_verified_at = utcnow()
    _add_identity(user, key, subject, email)
    user.last_sign_in_at = utcnow()
    db.session.flush()
    return user


def link_identity(actor: User, key: str, label: str, subject: str, email: str | None) -> Identity:
    """Link an identity to the signed-in actor's account (from the settings page)."""
    require(actor, "account.edit", actor)
    existing = find_identity(key, subject)
    if existing is not None:
        if existing.user_id == actor.id:
            return existing
        raise Conflict(f"This {label} account is already linked to another member.")
    identity = _add_identity(actor, key, subject, accounts.normalize_email(email)[:254])
    db.session.flush()
    return identity


def ways_in(user: User) -> int:
    """How many ways the account can sign in: its password and each identity."""
    count = db.session.scalar(select(func.count(Identity.id)).where(Identity.user_id == user.id)) or 0
    return count + (1 if user.has_password else 0)


def unlink_identity(actor: User, identity_id: int) -> None:
    """Remove one of the actor's identities, unless it is the last way into the account."""
    require(actor, "account.edit", actor)
    identity = db.session.get(Identity, identity_id)
    if identity is None or identity.user_id != actor.id:
        raise NotFound("That sign-in method is not linked to your account.")
    if ways_in(actor) <= 1:
        raise Conflict(
            "This is the only way into your account. Set a password or link another sign-in method first."
        )
    db.session.delete(identity)
    db.session.flush()
