"""Boards: one per product (or beta group, or customer under contract), public or private.

Every idea belongs to one board. A private board is seen by staff and by the members granted
access to it, one by one, by segment or by verified email domain (app/visibility.py).
"""

from datetime import datetime

from sqlalchemy import DDL, CheckConstraint, ForeignKey, Index, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow

BOARD_VISIBILITIES = ("public", "private")


class Board(db.Model):
    __tablename__ = "boards"
    __table_args__ = (
        CheckConstraint(f"visibility IN {BOARD_VISIBILITIES!r}", name="visibility_valid"),
        # At most one default board: where ideas go when no board is named.
        Index(
            "ix_boards_default",
            "is_default",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    visibility: Mapped[str] = mapped_column(String(10), default="public")
    is_default: Mapped[bool] = mapped_column(default=False)
    # An archived board takes no new ideas and leaves the home page; its ideas keep their links.
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_private(self) -> bool:
        return self.visibility == "private"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class BoardMember(db.Model):
    """A member invited to a private board by name."""

    __tablename__ = "board_members"
    __table_args__ = (Index("ix_board_members_user_id", "user_id"),)

    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BoardSegment(db.Model):
    """A segment whose members may see a private board."""

    __tablename__ = "board_segments"

    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BoardDomain(db.Model):
    """An email domain whose members, once their address is verified, may see a private board."""

    __tablename__ = "board_domains"

    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# The board every site starts with (the migration makes the same one): ideas go there unless
# another is named, so a site with one board looks as it did before boards.
INSERT_DEFAULT_BOARD = DDL(
    "INSERT INTO boards (slug, name, description, position, visibility, is_default, created_at) "
    "VALUES ('ideas', 'Ideas', '', 0, 'public', true, CURRENT_TIMESTAMP)"
)
event.listen(Board.__table__, "after_create", INSERT_DEFAULT_BOARD)
