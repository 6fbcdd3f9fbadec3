"""Prototypes that product managers put in front of customers; their rounds are in app/models/round.py."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import StoredImageColumns, utcnow
from app.models.user import User

PROTOTYPE_STATUSES = ("draft", "published", "archived")


class Prototype(db.Model):
    __tablename__ = "prototypes"
    __table_args__ = (
        CheckConstraint(f"status IN {PROTOTYPE_STATUSES!r}", name="status_valid"),
        CheckConstraint("vote_count >= 0", name="vote_count_not_negative"),
        Index("ix_prototypes_status_published_at", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="draft")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    vote_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    # Moderation: hidden (the author sees why) and deleted (restorable by moderators).
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    deleted_at: Mapped[datetime | None]

    author: Mapped[User] = relationship(lazy="raise")
    images: Mapped[list["PrototypeImage"]] = relationship(
        lazy="raise", order_by="PrototypeImage.position", cascade="all, delete-orphan"
    )
    links: Mapped[list["PrototypeLink"]] = relationship(
        lazy="raise", order_by="PrototypeLink.position", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def is_archived(self) -> bool:
        return self.status == "archived"

    @property
    def takes_votes(self) -> bool:
        """Published: drafts are not out yet, archived prototypes are done."""
        return self.is_published

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_pending(self) -> bool:
        # Prototypes come from staff: they are never held for review.
        return False


class PrototypeImage(StoredImageColumns, db.Model):
    """An uploaded image, re-encoded so only pixels are kept, stored under instance/uploads/."""

    __tablename__ = "prototype_images"
    __table_args__ = (Index("ix_prototype_images_prototype_id_position", "prototype_id", "position"),)

    prototype_id: Mapped[int] = mapped_column(ForeignKey("prototypes.id", ondelete="CASCADE"))


class PrototypeLink(db.Model):
    __tablename__ = "prototype_links"
    __table_args__ = (Index("ix_prototype_links_prototype_id_position", "prototype_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prototype_id: Mapped[int] = mapped_column(ForeignKey("prototypes.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    label: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(default=0)


class PrototypeIdea(db.Model):
    """A link between a prototype and an idea it explores."""

    __tablename__ = "prototype_ideas"
    __table_args__ = (Index("ix_prototype_ideas_idea_id", "idea_id"),)

    prototype_id: Mapped[int] = mapped_column(
        ForeignKey("prototypes.id", ondelete="CASCADE"), primary_key=True
    )
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)


class PrototypeVote(db.Model):
    __tablename__ = "prototype_votes"
    __table_args__ = (Index("ix_prototype_votes_user_id", "user_id"),)

    prototype_id: Mapped[int] = mapped_column(
        ForeignKey("prototypes.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
