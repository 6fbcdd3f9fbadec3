"""Sign-in tokens signed by the company's own app (what Canny and Fider call SSO tokens).

The company's server signs a JWT with the shared SSO_SECRET (HS256 only) and sends the
customer to /auth/sso?token=...; the claims say who they are. PyJWT checks the signature, the
algorithm and the expiry; this module adds the rules of docs/sso.md: `sub`, `email` and `exp`
required, `exp` at most 15 minutes ahead, a `jti` used once, `segments` a list of slugs.
"""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from flask import current_app
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError
from app.extensions import db
from app.models.base import utcnow
from app.models.identity import COMPANY_PROVIDER, SsoTokenUse
from app.models.user import User
from app.services import identities, segments, transactions

log = logging.getLogger(__name__)

SECRET_MIN_BYTES = 32
MAX_AHEAD = timedelta(minutes=15)
# Allowed difference between the company's clock and ours.
CLOCK_SKEW = timedelta(seconds=30)
ALGORITHM = "HS256"
LABEL = "your company's app"
# How a session begun by such a token is recorded (UserSession.signed_in_with).
PROVIDER_SESSION = COMPANY_PROVIDER
SEGMENTS_MAX = 50


class InvalidSignInToken(DomainError):
    """Any fault in a company sign-in token; the page says only that the link is not valid."""

    status, code = 400, "invalid_sign_in_token"
    default_message = "This sign-in link is not valid."

    def __init__(self, reason: str):
        super().__init__()
        # For the log, never for the page: it would help someone forging tokens.
        self.reason = reason


def secret() -> bytes | None:
    """The shared secret when it is set and long enough, else None (company sign-in is off)."""
    value = (current_app.config.get("SSO_SECRET") or "").encode()
    return value if len(value) >= SECRET_MIN_BYTES else None


def is_enabled() -> bool:
    return secret() is not None


def read_claims(token: str) -> dict[str, Any]:
    """The token's claims once every rule holds; InvalidSignInToken says which one failed."""
    key = secret()
    if key is None:
        raise InvalidSignInToken("SSO_SECRET is unset or shorter than 32 bytes")
    if not token or len(token) > 8000:
        raise InvalidSignInToken("no token, or an oversized one")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            options={"require": ["sub", "email", "exp"]},
            leeway=CLOCK_SKEW,
        )
    except jwt.PyJWTError as error:
        raise InvalidSignInToken(f"{type(error).__name__}: {error}") from error
    now = datetime.now(UTC)
    expires = datetime.fromtimestamp(claims["exp"], UTC)
    if expires > now + MAX_AHEAD + CLOCK_SKEW:
        raise InvalidSignInToken("exp is more than 15 minutes ahead")
    for name in ("sub", "email"):
        if not isinstance(claims[name], str) or not claims[name].strip():
            raise InvalidSignInToken(f"{name} is not a non-empty string")
    if "name" in claims and not isinstance(claims["name"], str):
        raise InvalidSignInToken("name is not a string")
    if "jti" in claims and (not isinstance(claims["jti"], str) or not 0 < len(claims["jti"]) <= 255):
        raise InvalidSignInToken("jti is not a string of 1 to 255 characters")
    slugs = claims.get("segments")
    if slugs is not None and (
        not isinstance(slugs, list)
        or len(slugs) > SEGMENTS_MAX
        or not all(isinstance(slug, str) for slug in slugs)
    ):
        raise InvalidSignInToken("segments is not a list of slugs")
    claims["_expires"] = expires
    return claims


def _spend_jti(jti: str, expires: datetime) -> None:
    """Record the token's id; a second use is refused. Spent ids past their expiry are dropped."""
    now = utcnow()
    db.session.execute(delete(SsoTokenUse).where(SsoTokenUse.expires_at < now - CLOCK_SKEW))
    try:
        with transactions.savepoint():
            db.session.add(SsoTokenUse(jti=jti, used_at=now, expires_at=expires))
    except IntegrityError as error:
        raise InvalidSignInToken("jti was used before") from error


def sign_in(token: str) -> User:
    """The member the token names, matched by `sub`, then by email, or made new; their
    segments set to the token's `segments` when it names them."""
    claims = read_claims(token)
    if "jti" in claims:
        _spend_jti(claims["jti"], claims["_expires"])
    try:
        user = identities.sign_in_identity(
            COMPANY_PROVIDER,
            LABEL,
            claims["sub"].strip(),
            claims["email"],
            claims.get("name"),
            # The company's app knows its customers' addresses: it vouches for them.
            email_verified=True,
        )
    except DomainError as error:
        raise InvalidSignInToken(f"{type(error).__name__}: {error.message}") from error
    if claims.get("segments") is not None:
        found = segments.segments_by_slug(claims["segments"])
        unknown = set(claims["segments"]) - {segment.slug for segment in found}
        if unknown:
            log.warning("company sign-in token names unknown segments: %s", ", ".join(sorted(unknown)))
        segments.set_user_segments(user, found)
    db.session.flush()
    return user
