"""The roadmap: items the company commits to and the ideas they answer."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Versioned, utcnow
from app.models.user import User

ROADMAP_STATUSES = ("planned", "in_progress", "shipped", "cancelled")
# Statuses of work still to come: the item shows its target.
UPCOMING_STATUSES = ("planned", "in_progress")


class RoadmapItem(Versioned, db.Model):
    __tablename__ = "roadmap_items"
    __table_args__ = (
        CheckConstraint(f"status IN {ROADMAP_STATUSES!r}", name="status_valid"),
        CheckConstraint("impact IS NULL OR impact BETWEEN 1 AND 5", name="impact_range"),
        CheckConstraint("effort IS NULL OR effort BETWEEN 1 AND 5", name="effort_range"),
        # The roadmap columns, and the changelog (shipped, newest first).
        Index("ix_roadmap_items_status_updated_at", "status", "updated_at"),
        Index("ix_roadmap_items_shipped_at", "shipped_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="planned")
    is_public: Mapped[bool] = mapped_column(default=True)
    # Free text such as "2027 Q1".
    target: Mapped[str] = mapped_column(String(40), default="")
    impact: Mapped[int | None]
    effort: Mapped[int | None]
    # What shipped, told to every voter of the linked ideas and shown on the changelog.
    release_note: Mapped[str] = mapped_column(Text, default="")
    release_note_html: Mapped[str] = mapped_column(Text, default="")
    shipped_at: Mapped[datetime | None]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="raise")

    @property
    def is_upcoming(self) -> bool:
        return self.status in UPCOMING_STATUSES

    @property
    def is_shipped(self) -> bool:
        return self.status == "shipped"

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"


class RoadmapIdea(db.Model):
    """An idea that a roadmap item answers."""

    __tablename__ = "roadmap_ideas"
    __table_args__ = (Index("ix_roadmap_ideas_idea_id", "idea_id"),)

    roadmap_item_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_items.id", ondelete="CASCADE"), primary_key=True
    )
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoadmapDemand(db.Model):
    """How many people voted for any idea linked to an item, each counted once.

    Set again whenever an idea is linked or unlinked, kept with every vote, and recomputed for
    every item by the worker (app/services/aggregates.py). A row of its own, not a column of the
    item, so that a vote never waits for the lock of an item whose status is changing.
    """

    __tablename__ = "roadmap_demands"

    roadmap_item_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_items.id", ondelete="CASCADE"), primary_key=True
    )
    voters: Mapped[int] = mapped_column(default=0)
    # The same over ideas on public boards only: what the public roadmap shows.
    public_voters: Mapped[int] = mapped_column(default=0, server_default="0")
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
