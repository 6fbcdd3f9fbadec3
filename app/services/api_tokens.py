"""API tokens: created once and shown once, stored as a hash, revocable."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from app.errors import Invalid, NotFound
from app.extensions import db
from app.models.base import utcnow
from app.models.user import ApiToken, User
from app.permissions import require
from app.text import normalize_line

TOKEN_PREFIX = "cc_"  # noqa: S105 - a public marker, not a secret
NAME_MAX = 60
# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the plain token (shown once only).

    `actor` None means the operator CLI.
    """
    if actor is not None:
        require(actor, "token.create", user)
    name = normalize_line(name)
    if not name:
        raise Invalid({"name": ["Give the token a name, such as the tool that will use it."]})
    if len(name) > NAME_MAX:
        raise Invalid({"name": [f"Use at most {NAME_MAX} characters for the name."]})
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(plain), prefix=plain[:10])
    db.session.add(token)
    db.session.flush()
    return token, plain


def list_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
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


def user_for_token(plain: str) -> User | None:
    """The user a bearer token belongs to, or None when it is unknown or revoked."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.flush()
    return token.user
