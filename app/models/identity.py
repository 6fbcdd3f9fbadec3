"""Ways in besides a password: identities at OpenID Connect providers and the company's app,
and the single-use sign-in tokens already spent."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow
from app.models.user import User

# The provider name of identities made by the company's signed sign-in tokens (/auth/sso).
COMPANY_PROVIDER = "company"


class Identity(db.Model):
    """One account at a provider (`provider`, `subject`) that signs in as `user`."""

    __tablename__ = "identities"
    __table_args__ = (
        UniqueConstraint("provider", "subject", name="uq_identities_provider_subject"),
        Index("ix_identities_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # "oidc", "github", "google" or COMPANY_PROVIDER.
    provider: Mapped[str] = mapped_column(String(40))
    # The provider's stable id for the person (the ID token's `sub`, GitHub's numeric id).
    subject: Mapped[str] = mapped_column(String(255))
    # The address the provider gave at the last sign-in (shown in settings, never trusted alone).
    email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class SsoTokenUse(db.Model):
    """A company sign-in token's `jti` that has been used; kept until the token would expire."""

    __tablename__ = "sso_token_uses"

    jti: Mapped[str] = mapped_column(String(255), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
