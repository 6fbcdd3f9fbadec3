"""Threaded comments on ideas and prototypes, and staff-only internal notes (ideas only)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Versioned, utcnow
from app.models.user import User


class Comment(Versioned, db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_idea_id_created_at", "idea_id", "created_at"),
        Index("ix_comments_author_id_created_at", "author_id", "created_at"),
        Index("ix_comments_prototype_id_created_at", "prototype_id", "created_at"),
        # A comment belongs to exactly one idea or one prototype.
        CheckConstraint("(idea_id IS NULL) <> (prototype_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    prototype_id: Mapped[int | None] = mapped_column(ForeignKey("prototypes.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # Internal notes are visible to staff only and never counted or notified.
    is_internal: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    # Moderation: hidden (the author sees why) and waiting for review.
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    is_pending: Mapped[bool] = mapped_column(default=False)

    author: Mapped[User] = relationship(lazy="raise")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None
