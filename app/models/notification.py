"""In-app notifications; email copies go through the outbox."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow

NOTIFICATION_KINDS = ("comment", "reply", "mention", "status", "launch", "moderation", "board", "vote")
# What a notification can be about, so that it is withdrawn while that is out of its reader's
# sight (app.visibility.visible_notifications). Roadmap items and lists: None.
NOTIFICATION_TARGETS = ("idea", "comment", "prototype", "launch", "round", "board")


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
        Index("ix_notifications_user_id_is_read", "user_id", "is_read"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(300))
    # What the link points at (one of NOTIFICATION_TARGETS, read from the link when it is written).
    target_type: Mapped[str | None] = mapped_column(String(20))
    target_id: Mapped[int | None]
    is_read: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the notification went out by email (at once or in a digest).
    emailed_at: Mapped[datetime | None] = mapped_column(index=True)
