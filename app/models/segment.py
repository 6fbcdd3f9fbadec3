"""Customer segments that admins define (a plan, a company size) and their members."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow


class Segment(db.Model):
    """A group of customers that admins define (a plan, a company size) to weigh demand by."""

    __tablename__ = "segments"
    __table_args__ = (CheckConstraint("weight > 0 AND weight <= 100", name="weight_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    # Made from the name when the segment is created and kept when it is renamed: the company's
    # sign-in tokens name segments by it (docs/sso.md).
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    # How much one member's vote counts when a PM weighs votes by segment (1 = as any vote).
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserSegment(db.Model):
    __tablename__ = "user_segments"
    __table_args__ = (Index("ix_user_segments_segment_id", "segment_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True)
