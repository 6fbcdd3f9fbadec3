"""Accounts: registration, verified addresses, sign-in, passwords, resets, roles and sessions.

Registration and password-reset requests answer the same, in the same time, for any address:
the request only queues a job, and the worker decides whether the address has an account.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app import passwords
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.links import absolute_url
from app.models.base import utcnow
from app.models.user import ROLES, PasswordResetToken, User
from app.permissions import require
from app.services import api_tokens, audit, outbox, sessions, transactions, usernames
from app.services.fields import FieldTable, Text
from app.text import normalize_line

NAME_MIN, NAME_MAX = 2, 50


def normalize_email(email: str | None) -> str:
    return (email or "").strip().lower()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def email_problems(email: str) -> list[str]:
    """Why an email address is refused (none: it is acceptable); forms check with this too."""
    if not email:
        return ["Enter your email address."]
    if len(email) > 254:
        return ["That email address is too long."]
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return ["Enter a valid email address, like name@example.com."]
    return []


def name_problems(name: str) -> list[str]:
    """Why a display name is refused (none: it is acceptable); forms check with this too."""
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


def _check_registration(email: str, display_name: str, password: str) -> None:
    fields = {
        "email": email_problems(email),
        "display_name": name_problems(display_name),
        "password": passwords.password_problems(password, email),
    }
    fields = {name: msgs for name, msgs in fields.items() if msgs}
    if fields:
        raise Invalid(fields)


def register_user(email: str, display_name: str, password: str, role: str = "member") -> User:
    """Create a verified account at once (the operator CLI and the demo); refuses a taken email."""
    email = normalize_email(email)
    display_name = normalize_line(display_name)
    _check_registration(email, display_name, password)
    if role not in ROLES:
        raise Invalid({"role": [f"Role must be one of: {', '.join(ROLES)}."]})
    if find_user_by_email(email) is not None:
        raise Invalid({"email": ["An account with this email address already exists."]})
    user = User(
        email=email,
        display_name=display_name,
        username=usernames.free_username(display_name),
        password_hash=passwords.hash_password(password),
        role=role,
        email_verified_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    return user


ACCOUNT_JOB = "account"
VERIFY_MAX_AGE = timedelta(days=3)


def request_registration(
    email: str, display_name: str, password: str, after: dict[str, str] | None = None
) -> None:
    """Queue a sign-up: the worker creates the account and emails a link to confirm the address,
    or tells the owner of an existing account that someone tried to register with it.

    Only the fields' form is checked here, so the answer is the same for any address. `after`
    rides along in the confirmation link (what to do and where to go once signed in).
    """
    email = normalize_email(email)
    display_name = normalize_line(display_name)
    _check_registration(email, display_name, password)
    outbox.enqueue_job(
        ACCOUNT_JOB,
        {
            "action": "register",
            "email": email,
            "display_name": display_name,
            "secret_password_hash": passwords.hash_password(password),
            "after": after or {},
        },
    )
    db.session.flush()


def request_password_reset(email: str) -> None:
    """Queue a password reset: the worker emails a single-use link if the account exists.

    The same work is done for any address, so neither the answer nor its timing tells.
    """
    outbox.enqueue_job(ACCOUNT_JOB, {"action": "reset", "email": normalize_email(email)})
    db.session.flush()


def _run_account_job(payload: dict[str, Any]) -> None:
    """The worker's half of registration and reset requests."""
    user = find_user_by_email(payload["email"])
    if payload["action"] == "reset":
        if user is not None:
            _send_reset_link(user)
        return
    if user is None:
        user = _create_registered(payload)
        if user is not None:
            send_verification(user, payload.get("after"))
            return
        # Registered by another job at the same moment: treat it as an existing account.
        user = find_user_by_email(payload["email"])
    _send_already_registered(user)


def _create_registered(payload: dict[str, Any]) -> User | None:
    """The account a sign-up asked for; None when another job created one for the address first."""
    for _ in range(3):
        user = User(
            email=payload["email"],
            display_name=payload["display_name"],
            username=usernames.free_username(payload["display_name"]),
            password_hash=payload["secret_password_hash"],
            role="member",
        )
        try:
            with transactions.savepoint():
                db.session.add(user)
        except IntegrityError:
            if find_user_by_email(payload["email"]) is not None:
                return None
            # Someone took the same username at the same moment: choose again.
            continue
        return user
    raise Conflict("Could not choose a free username; try again.")


outbox.register_job(ACCOUNT_JOB, _run_account_job)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="verify-email")


def send_verification(user: User, after: dict[str, str] | None = None) -> None:
    """Email a link that confirms the address and signs the new member in.

    `after` (an intent like "vote:12" and a `next` path, both checked again when used) is
    signed into the link, so it works in whichever browser opens the email.
    """
    data: dict[str, Any] = {"user": user.id, "email": user.email}
    if after:
        data["after"] = {key: str(value) for key, value in after.items() if key in ("intent", "next")}
    token = _serializer().dumps(data)
    outbox.enqueue_email(
        to=user.email,
        subject=f"Confirm your email address for {current_app.config['SITE_NAME']}",
        template="email/verify_email.txt",
        user=user,
        verify_url=absolute_url("auth.verify_email", token=token),
        valid_days=VERIFY_MAX_AGE.days,
    )


def _send_already_registered(user: User) -> None:
    outbox.enqueue_email(
        to=user.email,
        subject=f"Someone tried to register with your address at {current_app.config['SITE_NAME']}",
        template="email/already_registered.txt",
        user=user,
        sign_in_url=absolute_url("auth.sign_in"),
        reset_url=absolute_url("auth.forgot_password"),
    )


def user_for_verification(token: str) -> User:
    """The account a confirmation link was made for; Conflict when it expired or was altered."""
    return _read_verification(token)[0]


def after_verification(token: str) -> dict[str, str]:
    """What the confirmation link asks to do once signed in ("intent", "next"); may be empty."""
    after = _read_verification(token)[1].get("after")
    return after if isinstance(after, dict) else {}


def _read_verification(token: str) -> tuple[User, dict[str, Any]]:
    try:
        data = _serializer().loads(token or "", max_age=int(VERIFY_MAX_AGE.total_seconds()))
        user = db.session.get(User, int(data["user"]))
    except SignatureExpired as error:
        raise Conflict(
            "This confirmation link has expired. Sign in with your email and password to get a new one."
        ) from error
    except (BadSignature, KeyError, TypeError, ValueError) as error:
        raise Conflict("This confirmation link is not valid. Check that you copied all of it.") from error
    if user is None or user.email != data.get("email"):
        raise Conflict("This confirmation link is not valid any more.")
    return user, data


def verify_email(token: str) -> User:
    """Mark the address of the link's account as confirmed (again is harmless)."""
    user = user_for_verification(token)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
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
    # Any reset link still in a mailbox stops working too.
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def change_password(
    actor: User, current_password: str, new_password: str, revoke_tokens: bool = True
) -> None:
    """Change the actor's own password; every other session of theirs ends, and with
    `revoke_tokens` every API token too."""
    require(actor, "account.edit", actor)
    if not passwords.verify_password(actor.password_hash, current_password):
        raise Invalid({"current_password": ["Your current password is not correct."]})
    problems = passwords.password_problems(new_password, actor.email)
    if not problems and new_password == current_password:
        problems = ["Choose a password different from your current one."]
    if problems:
        raise Invalid({"new_password": problems})
    _set_password(actor, new_password)
    sessions.end_all_sessions(actor, keep=actor.current_session)
    if revoke_tokens:
        api_tokens.revoke_all_tokens(actor)
    db.session.flush()


def update_profile(actor: User, user: User, display_name: str, username: str | None = None) -> None:
    """Change the display name and (unless None) the username; nothing changes if either is refused."""
    require(actor, "profile.edit", user)
    display_name = normalize_line(display_name)
    fields = {"display_name": name_problems(display_name)}
    if username is not None:
        username = usernames.normalize_username(username)
        fields["username"] = usernames.check_username(username, user)
    fields = {name: problems for name, problems in fields.items() if problems}
    if fields:
        raise Invalid(fields)
    user.display_name = display_name
    if username is not None:
        user.username = username
    db.session.flush()


def sign_out_everywhere(actor: User, user: User, revoke_tokens: bool = True) -> None:
    """End every session of `user`, this one included, and with `revoke_tokens` every API token."""
    require(actor, "account.sign_out_everywhere", user)
    sessions.end_all_sessions(user)
    if revoke_tokens:
        api_tokens.revoke_all_tokens(user)
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
    # New powers (or fewer) start with a new sign-in: no session keeps the old ones.
    sessions.end_all_sessions(user)
    db.session.flush()


SUSPENSION_DAYS_MAX = 3650
# Why a member is suspended: they read it on every page while it lasts.
SUSPENSION_TEXTS = FieldTable(
    Text(
        "reason",
        "Reason",
        low=1,
        high=500,
        lines=True,
        missing="Give a reason; the member will read it.",
        too_long="Keep the reason to {high} characters or fewer.",
        hint="The member reads this on every page while the suspension lasts.",
    ),
)


def suspend_user(actor: User, user: User, days: int | None, reason: str) -> User:
    """Suspend for `days` (None: permanently): the user can read but not write, and is signed out."""
    require(actor, "user.suspend", user)
    errors: dict[str, list[str]] = {}
    if days is not None and (
        isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= SUSPENSION_DAYS_MAX
    ):
        errors["days"] = [f"Suspend for 1 to {SUSPENSION_DAYS_MAX} days, or permanently."]
    reason = SUSPENSION_TEXTS.check({"reason": reason}, errors)["reason"]
    if errors:
        raise Invalid(errors)
    now = utcnow()
    user.suspended_at = now
    user.suspended_until = None if days is None else now + timedelta(days=days)
    user.suspension_reason = reason
    # Every open session and API token ends; signing in again gives a read-only account.
    sessions.end_all_sessions(user)
    api_tokens.revoke_all_tokens(user)
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


def password_link(user: User, valid_for: timedelta) -> str:
    """A single-use link to choose a password, working for `valid_for`; following it also
    confirms the address (it reached the inbox). For reset emails and invitations."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        PasswordResetToken(
            user_id=user.id, token_hash=_hash_token(token), created_at=now, expires_at=now + valid_for
        )
    )
    return absolute_url("auth.reset_password", token=token)


def _send_reset_link(user: User) -> None:
    """Email a single-use reset link."""
    outbox.enqueue_email(
        to=user.email,
        subject=f"Reset your {current_app.config['SITE_NAME']} password",
        template="email/reset_password.txt",
        user=user,
        reset_url=password_link(user, current_app.config["PASSWORD_RESET_TTL"]),
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
    """Set a new password with a reset token; the token is spent, every session and API token
    of the account ends, and the address counts as confirmed (the link reached it)."""
    row = usable_reset_token(token)
    if row is None:
        raise Conflict("This reset link has expired or was already used. Ask for a new one.")
    user = row.user
    problems = passwords.password_problems(new_password, user.email)
    if problems:
        raise Invalid({"password": problems})
    _set_password(user, new_password)
    sessions.end_all_sessions(user)
    api_tokens.revoke_all_tokens(user)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    db.session.flush()
    return user


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0
