"""API tokens: created once and shown once, stored as a hash, revocable, optionally expiring."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import or_, select, update

from app.errors import Invalid, NotFound
from app.extensions import db
from app.models.base import utcnow
from app.models.user import ApiToken, User
from app.permissions import require
from app.services.fields import FieldTable, Text

TOKEN_PREFIX = "cc_"  # noqa: S105 - a public marker, not a secret
# A token's name, as the settings page and the operator's command give it.
TEXTS = FieldTable(
    Text(
        "name",
        "Token name",
        low=1,
        high=60,
        missing="Give the token a name, such as the tool that will use it.",
        called="the name",
        hint="For example “CRM sync” or “Slack bot”.",
    )
)
# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# The lifetimes offered when a token is made (days; None: until revoked).
EXPIRY_CHOICES: tuple[int | None, ...] = (30, 90, 365, None)
DEFAULT_EXPIRY_DAYS = 90


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    actor: User | None, user: User, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the plain token (shown once only).

    `actor` None means the operator CLI. `expires_in_days` None: valid until revoked.
    """
    if actor is not None:
        require(actor, "token.create", user)
    elif user.is_suspended:
        raise Invalid({"email": ["This account is suspended; it cannot get API tokens."]})
    errors: dict[str, list[str]] = {}
    name = TEXTS.check({"name": name}, errors)["name"]
    if expires_in_days is not None and (
        isinstance(expires_in_days, bool)
        or not isinstance(expires_in_days, int)
        or not 1 <= expires_in_days <= 3650
    ):
        errors["expires_in_days"] = ["Choose how long the token works: 1 to 3,650 days, or until revoked."]
    if errors:
        raise Invalid(errors)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = None if expires_in_days is None else utcnow() + timedelta(days=expires_in_days)
    token = ApiToken(
        user_id=user.id, name=name, token_hash=hash_token(plain), prefix=plain[:10], expires_at=expires_at
    )
    db.session.add(token)
    db.session.flush()
    return token, plain


def list_tokens(user: User) -> list[ApiToken]:
    """The user's tokens that still work, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == user.id,
                ApiToken.revoked_at.is_(None),
                or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > utcnow()),
            )
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(actor: User, token_id: int) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None or token.user_id != actor.id:
        raise NotFound("No such token.")
    require(actor, "token.revoke", token)
    token.revoked_at = utcnow()
    db.session.flush()


def revoke_all_tokens(user: User) -> int:
    """Revoke every token of `user` (password reset, suspension, on request); returns how many."""
    revoked = (
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount
        or 0
    )
    db.session.flush()
    return revoked


def user_for_token(plain: str) -> User | None:
    """The user a bearer token belongs to, or None when it is unknown, revoked or expired."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    now = utcnow()
    if token is None or not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.flush()
    return token.user
