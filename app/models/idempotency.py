"""Keys of repeatable posts: an API `Idempotency-Key` or a form's one-time submission token.

One row per account and key. The first request inserts it with the change it makes, so the
unique constraint lets only one of two identical posts through; the answer is kept to be sent
again (the API's status and body, or the page a form led to). See app/idempotency.py.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow

SCOPES = ("api", "web")


class IdempotencyKey(db.Model):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        # An API key and a form token never meet: each scope has its own keys.
        UniqueConstraint("user_id", "scope", "key"),
        CheckConstraint(f"scope IN {SCOPES!r}", name="scope_valid"),
        # Forgetting keys older than a day.
        Index("ix_idempotency_keys_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(3))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 (hex) of what was asked: method, path and body; a key reused for another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # The answer to send again: the API's status, body and content type, or a form's page (location).
    status_code: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    @property
    def is_complete(self) -> bool:
        """Whether the first request's answer is stored (else it is still being made)."""
        return self.status_code is not None
