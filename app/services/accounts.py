"""Accounts: registration, sign-in, passwords, resets, roles and sign-out everywhere."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select, update

from app import passwords
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.links import absolute_url
from app.models.base import utcnow
from app.models.user import ROLES, PasswordResetToken, User, new_security_stamp
from app.permissions import require
from app.services import audit, outbox
from app.text import normalize_line

NAME_MIN, NAME_MAX = 2, 50


def normalize_email(email: str | None) -> str:
    return (email or "").strip().lower()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_email(email: str) -> list[str]:
    if not email:
        return ["Enter your email address."]
    if len(email) > 254:
        return ["That email address is too long."]
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return ["Enter a valid email address, like name@example.com."]
    return []


def _check_name(name: str) -> list[str]:
    if len(name) < NAME_MIN:
        return [f"Your display name needs at least {NAME_MIN} characters."]
    if len(name) > NAME_MAX:
        return [f"Your display name can have at most {NAME_MAX} characters."]
    return []


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such member.")
    return user


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def load_session_user(session_id: str) -> User | None:
    """The user a session cookie names, if its security stamp is still current."""
    user_id, _, stamp = session_id.partition(":")
    if not user_id.isdigit() or not stamp:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not hmac.compare_digest(user.security_stamp, stamp):
        return None
    return user


def register_user(email: str, display_name: str, password: str, role: str = "member") -> User:
    """Create an account; refuses a taken email (any letter case) and weak passwords."""
    email = normalize_email(email)
    display_name = normalize_line(display_name)
    fields = {
        "email": _check_email(email),
        "display_name": _check_name(display_name),
        "password": passwords.password_problems(password, email),
    }
    if role not in ROLES:
        fields["role"] = [f"Role must be one of: {', '.join(ROLES)}."]
    if not fields["email"] and find_user_by_email(email) is not None:
        fields["email"] = ["An account with this email address already exists. Try signing in."]
    fields = {name: msgs for name, msgs in fields.items() if msgs}
    if fields:
        raise Invalid(fields)
    user = User(
        email=email,
        display_name=display_name,
        password_hash=passwords.hash_password(password),
        role=role,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, or None; the answer takes as long either way."""
    user = find_user_by_email(email)
    if user is None:
        passwords.burn_verification_time(password)
        return None
    if not passwords.verify_password(user.password_hash, password):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_sign_in_at = utcnow()
    db.session.flush()
    return user


def _set_password(user: User, new_password: str) -> None:
    user.password_hash = passwords.hash_password(new_password)
    user.security_stamp = new_security_stamp()
    # Any reset link still in a mailbox stops working too.
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def change_password(actor: User, current_password: str, new_password: str) -> None:
    """Change the actor's own password; every other session of theirs is signed out."""
    require(actor, "account.edit", actor)
    if not passwords.verify_password(actor.password_hash, current_password):
        raise Invalid({"current_password": ["Your current password is not correct."]})
    problems = passwords.password_problems(new_password, actor.email)
    if not problems and new_password == current_password:
        problems = ["Choose a password different from your current one."]
    if problems:
        raise Invalid({"new_password": problems})
    _set_password(actor, new_password)
    db.session.flush()


def update_profile(actor: User, user: User, display_name: str) -> None:
    require(actor, "account.edit", user)
    display_name = normalize_line(display_name)
    problems = _check_name(display_name)
    if problems:
        raise Invalid({"display_name": problems})
    user.display_name = display_name
    db.session.flush()


def sign_out_everywhere(actor: User, user: User) -> None:
    """Rotate the security stamp: every session and remember-me cookie stops working."""
    require(actor, "account.sign_out_everywhere", user)
    user.security_stamp = new_security_stamp()
    db.session.flush()


def change_role(actor: User | None, user: User, role: str) -> None:
    """Give `user` another role. `actor` None means the operator CLI."""
    if actor is not None:
        require(actor, "user.change_role", user)
    if role not in ROLES:
        raise Invalid({"role": [f"Role must be one of: {', '.join(ROLES)}."]})
    if role == user.role:
        return
    audit.record(actor, "user.change_role", "user", user.id, before=user.role, after=role)
    user.role = role
    db.session.flush()


SUSPENSION_REASON_MAX = 500
SUSPENSION_DAYS_MAX = 3650


def suspend_user(actor: User, user: User, days: int | None, reason: str) -> User:
    """Suspend for `days` (None: permanently): the user can read but not write, and is signed out."""
    require(actor, "user.suspend", user)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if days is not None and (
        isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= SUSPENSION_DAYS_MAX
    ):
        errors["days"] = [f"Suspend for 1 to {SUSPENSION_DAYS_MAX} days, or permanently."]
    if not reason:
        errors["reason"] = ["Give a reason; the member will read it."]
    elif len(reason) > SUSPENSION_REASON_MAX:
        errors["reason"] = [f"Keep the reason to {SUSPENSION_REASON_MAX} characters or fewer."]
    if errors:
        raise Invalid(errors)
    now = utcnow()
    user.suspended_at = now
    user.suspended_until = None if days is None else now + timedelta(days=days)
    user.suspension_reason = reason
    # Every open session ends; signing in again gives a read-only account.
    user.security_stamp = new_security_stamp()
    audit.record(
        actor,
        "user.suspend",
        "user",
        user.id,
        reason=reason,
        after="permanent" if days is None else f"{days} days",
    )
    db.session.flush()
    return user


def unsuspend_user(actor: User, user: User) -> User:
    """Lift a suspension early."""
    require(actor, "user.suspend", user)
    if not user.is_suspended:
        raise Conflict("This member is not suspended.")
    user.suspended_at = None
    user.suspended_until = None
    user.suspension_reason = ""
    audit.record(actor, "user.unsuspend", "user", user.id)
    db.session.flush()
    return user


def request_password_reset(email: str) -> None:
    """Email a single-use reset link if the account exists; silent either way."""
    user = find_user_by_email(email)
    if user is None:
        return
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=_hash_token(token),
            created_at=now,
            expires_at=now + current_app.config["PASSWORD_RESET_TTL"],
        )
    )
    outbox.enqueue_email(
        to=user.email,
        subject=f"Reset your {current_app.config['SITE_NAME']} password",
        template="email/reset_password.txt",
        user=user,
        reset_url=absolute_url("auth.reset_password", token=token),
        valid_minutes=int(current_app.config["PASSWORD_RESET_TTL"].total_seconds() // 60),
    )
    db.session.flush()


def usable_reset_token(token: str) -> PasswordResetToken | None:
    """The reset token's row if it exists, is unused and has not expired."""
    row = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _hash_token(token or ""))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


def reset_password(token: str, new_password: str) -> User:
    """Set a new password with a reset token; the token is spent and old sessions end."""
    row = usable_reset_token(token)
    if row is None:
        raise Conflict("This reset link has expired or was already used. Ask for a new one.")
    user = row.user
    problems = passwords.password_problems(new_password, user.email)
    if problems:
        raise Invalid({"password": problems})
    _set_password(user, new_password)
    db.session.flush()
    return user


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0
