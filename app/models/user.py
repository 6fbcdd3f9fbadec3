"""Accounts: users, their signed-in sessions, password reset tokens and API tokens."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import labels
from app.extensions import db
from app.models.base import Versioned, utcnow

ROLES = ("member", "moderator", "product_manager", "admin")
EMAIL_PREFERENCES = ("immediately", "daily", "never")


class User(Versioned, UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES!r}", name="role_valid"),
        CheckConstraint(f"email_notifications IN {EMAIL_PREFERENCES!r}", name="email_notifications_valid"),
    )

    # Pages show a member's name, username, role and whether the account is gone (or suspended).
    shown_columns = frozenset(
        {"display_name", "username", "role", "deleted_at", "suspended_at", "suspended_until"}
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    # The name @mentions use: lower-case letters, digits and underscores (app/services/usernames.py).
    username: Mapped[str] = mapped_column(String(30), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="member")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the owner followed a link sent to the address (or an operator created the account).
    email_verified_at: Mapped[datetime | None]
    last_sign_in_at: Mapped[datetime | None]
    # How notifications reach the inbox: at once, as one daily digest, or not at all.
    email_notifications: Mapped[str] = mapped_column(String(12), default="immediately")
    digest_sent_at: Mapped[datetime | None]
    # Suspension: read-only until `suspended_until` (None with suspended_at set: permanent).
    suspended_at: Mapped[datetime | None]
    suspended_until: Mapped[datetime | None]
    suspension_reason: Mapped[str] = mapped_column(Text, default="")
    # Set when the member deleted the account: the row stays so their ideas, comments and votes
    # keep counting, but every personal field is emptied (app/services/account_deletion.py).
    deleted_at: Mapped[datetime | None]

    api_tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user", lazy="raise")

    # The signed-in session this request came with (set by the session loader; not a column).
    current_session = None
    # The secret of a session just started, which the cookie is about to carry (see get_id).
    session_key = None

    def get_id(self) -> str:
        """Session identity for the cookie: the secret key of a server-side session record.

        Ending the record (sign-out, sign out everywhere, password reset, suspension, role
        change) makes the session cookie and the remember-me cookie that carry it worthless.
        """
        if self.session_key is None:
            raise RuntimeError("start a session (app.services.sessions) before signing a user in")
        return self.session_key

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def has_password(self) -> bool:
        """False for accounts made by single sign-on that never set a password."""
        return bool(self.password_hash)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_suspended(self) -> bool:
        if self.suspended_at is None:
            return False
        return self.suspended_until is None or self.suspended_until > utcnow()

    @property
    def has_role(self) -> bool:
        """A role beyond member: moderator, product manager or admin."""
        return self.role != "member"

    @property
    def role_label(self) -> str:
        return labels.label("role", self.role)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserSession(db.Model):
    """One signed-in browser or device; the cookie holds a secret whose hash is kept here."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_id_last_seen_at", "user_id", "last_seen_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The browser's own description of itself, shown to the owner as "Firefox on Windows".
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    remember: Mapped[bool] = mapped_column(default=False)
    # How this session began: "password", "link" (an emailed link) or an identity provider's name.
    signed_in_with: Mapped[str] = mapped_column(String(40), default="password")

    user: Mapped[User] = relationship(lazy="joined")


class PasswordResetToken(db.Model):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    # Only a SHA-256 of the token is kept; the first characters help people tell tokens apart.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    # None: valid until revoked.
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="api_tokens", lazy="joined")

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
