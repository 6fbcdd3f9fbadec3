"""Moderation: flags, merges of duplicate ideas and the audit log."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import labels
from app.extensions import db
from app.models.base import utcnow
from app.models.user import User

FLAG_REASONS = ("spam", "abuse", "off_topic", "duplicate", "other")
FLAG_STATUSES = ("open", "dismissed", "upheld")
FLAG_TARGETS = ("idea", "comment", "prototype")


class Flag(db.Model):
    __tablename__ = "flags"
    __table_args__ = (
        # One flag per person per item.
        UniqueConstraint("target_type", "target_id", "user_id"),
        CheckConstraint(f"reason IN {FLAG_REASONS!r}", name="reason_valid"),
        CheckConstraint(f"status IN {FLAG_STATUSES!r}", name="status_valid"),
        CheckConstraint(f"target_type IN {FLAG_TARGETS!r}", name="target_type_valid"),
        Index("ix_flags_status_target", "status", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(lazy="raise", foreign_keys=[user_id])

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def reason_label(self) -> str:
        return labels.label("flag_reason", self.reason)


class IdeaMerge(db.Model):
    """Idea `source_id` merged into `target_id`; kept so the merge can be undone."""

    __tablename__ = "idea_merges"
    __table_args__ = (Index("ix_idea_merges_source_id", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    source_status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]


class MergedVote(db.Model):
    """A vote that sat on the source idea of a merge; `moved` when the merge added it to the target."""

    __tablename__ = "merged_votes"

    merge_id: Mapped[int] = mapped_column(ForeignKey("idea_merges.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    voted_at: Mapped[datetime]
    moved: Mapped[bool]


class AuditEntry(db.Model):
    """One moderator, staff or admin action. Rows are only ever added."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_created_at", "created_at"),
        Index("ix_audit_entries_actor_id_created_at", "actor_id", "created_at"),
        Index("ix_audit_entries_action_created_at", "action", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: the site itself (for example an item hidden after enough flags).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="raise")
