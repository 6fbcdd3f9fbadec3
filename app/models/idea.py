"""Ideas, their categories, votes, followers and status history."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import labels
from app.extensions import db
from app.models.base import StoredImageColumns, Versioned, utcnow
from app.models.board import Board
from app.models.user import User

STATUSES = ("open", "under_review", "planned", "in_progress", "shipped", "declined", "merged")
# Statuses on which nobody can vote any more.
CLOSED_STATUSES = ("declined", "merged")
# Statuses staff set by hand: an idea becomes merged only through a merge.
SETTABLE_STATUSES = tuple(status for status in STATUSES if status != "merged")
# Statuses the company has not yet decided on: a roadmap item moves such ideas along.
UNDECIDED_STATUSES = ("open", "under_review")


class Category(Versioned, db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0, index=True)
    # A category of one board only; None offers it on every board.
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Idea(Versioned, db.Model):
    __tablename__ = "ideas"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES!r}", name="status_valid"),
        CheckConstraint("vote_count >= 0", name="vote_count_not_negative"),
        CheckConstraint("comment_count >= 0", name="comment_count_not_negative"),
        # One index per list order; the id breaks ties so pages are stable.
        Index("ix_ideas_trending", "trending_score", "id"),
        Index("ix_ideas_top", "vote_count", "id"),
        Index("ix_ideas_new", "created_at", "id"),
        Index("ix_ideas_discussed", "comment_count", "id"),
        # The staff dashboard's "weighted" sort, ties broken as the "votes" sort breaks them.
        Index("ix_ideas_weighted", "weighted_votes", "vote_count", "id"),
        Index("ix_ideas_category_trending", "category_id", "trending_score", "id"),
        Index("ix_ideas_board_trending", "board_id", "trending_score", "id"),
        Index("ix_ideas_status_trending", "status", "trending_score", "id"),
        Index("ix_ideas_author_created", "author_id", "created_at"),
        # Pinned ideas head page 1 of every list: a partial index of the few pinned ones. (A full
        # index would tempt SQLite to use it for `pinned_at IS NULL` and sort every other idea.)
        Index(
            "ix_ideas_pinned",
            "pinned_at",
            sqlite_where=text("pinned_at IS NOT NULL"),
            postgresql_where=text("pinned_at IS NOT NULL"),
        ),
        # Counting a list's ideas (every viewer's list total, the dashboard's) on PostgreSQL: a
        # narrow index of the ideas lists may show, read without visiting the wide rows. It holds
        # every column those counts filter on, so the "visible or mine" test is read here too.
        # SQLite counts through its own indexes; there this one would only tempt its planner.
        Index(
            "ix_ideas_listed",
            "board_id",
            "author_id",
            "is_pending",
            "hidden_at",
            "pinned_at",
            "id",
            postgresql_where=text("deleted_at IS NULL AND status <> 'merged'"),
        ).ddl_if(dialect="postgresql"),
        # The staff dashboard's "waiting longest for a first reply" and its response times.
        Index("ix_ideas_first_staff_response", "first_staff_response_at", "created_at"),
        # Full-text search on PostgreSQL; SQLite uses the ideas_fts table (app/services/search.py).
        Index(
            "ix_ideas_search",
            func.to_tsvector(literal_column("'simple'"), literal_column("search_text")),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    # Plain-text start of the body for list cards, made on write like body_html.
    excerpt: Mapped[str] = mapped_column(String(300), default="")
    # Title and body as search sees them (app/services/search.py); indexed on PostgreSQL.
    search_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="SET NULL"))
    # The default board unless one is named (there is always one: app/models/board.py).
    board_id: Mapped[int] = mapped_column(
        ForeignKey("boards.id"), default=select(Board.id).where(Board.is_default.is_(True)).scalar_subquery()
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    vote_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    # Sum over votes of 2^((voted_at - epoch) / half-life): see app/services/ranking.py.
    trending_score: Mapped[float] = mapped_column(Float, default=0.0)
    # Votes with each voter at their heaviest segment's weight (1 without one), for staff: kept
    # with each vote and segment change (app/services/aggregates.py).
    weighted_votes: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    is_locked: Mapped[bool] = mapped_column(default=False)
    # Moderation: hidden (the author sees why), deleted (restorable), waiting for review, pinned.
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    deleted_at: Mapped[datetime | None]
    is_pending: Mapped[bool] = mapped_column(default=False)
    pinned_at: Mapped[datetime | None]
    # Why a moderator locked or pinned it, shown to readers; empty when none was given.
    lock_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    pin_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    # The first public reply or status change by staff: how fast the company listens.
    first_staff_response_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="raise", foreign_keys=[author_id])
    category: Mapped[Category | None] = relationship(lazy="raise")
    images: Mapped[list["IdeaImage"]] = relationship(
        lazy="raise", order_by="IdeaImage.position", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def status_label(self) -> str:
        return labels.label("idea_status", self.status)

    @property
    def takes_votes(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def is_merged(self) -> bool:
        return self.status == "merged"

    @property
    def is_declined(self) -> bool:
        return self.status == "declined"

    @property
    def is_undecided(self) -> bool:
        return self.status in UNDECIDED_STATUSES

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class IdeaImage(StoredImageColumns, db.Model):
    """An image added to an idea, re-encoded so only pixels are kept (app/uploads.py)."""

    __tablename__ = "idea_images"
    __table_args__ = (Index("ix_idea_images_idea_id_position", "idea_id", "position"),)

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))


class IdeaVote(db.Model):
    __tablename__ = "idea_votes"
    __table_args__ = (
        Index("ix_idea_votes_user_id_created_at", "user_id", "created_at"),
        # Votes of the last 30 days per idea, for the staff dashboard: an index-only range scan.
        Index("ix_idea_votes_created_at_idea_id", "created_at", "idea_id"),
        # One idea's votes in a time range (the dashboard's votes in 30 days, per shown idea).
        Index("ix_idea_votes_idea_id_created_at", "idea_id", "created_at"),
    )

    # The primary key is the one-vote-per-member rule.
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A vote staff recorded on the customer's behalf (demand heard on a call, in a ticket): who,
    # where it was heard and why. Empty for a vote the member gave themselves.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")


VOTE_SOURCES = ("sales", "support", "interview", "other")


class IdeaVoteDay(db.Model):
    """Votes an idea got on one UTC day, kept with every vote added or removed (app/services/votes.py).

    The staff pages sum these rows instead of counting a month of votes per request.
    """

    __tablename__ = "idea_vote_days"
    __table_args__ = (
        # Every idea's votes over a range of days (the dashboard sorted by votes in 30 days, insights).
        Index("ix_idea_vote_days_day_idea_id", "day", "idea_id"),
    )

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    votes: Mapped[int] = mapped_column(default=0)


class IdeaFollow(db.Model):
    __tablename__ = "idea_follows"
    __table_args__ = (Index("ix_idea_follows_user_id", "user_id"),)

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaStatusChange(db.Model):
    __tablename__ = "idea_status_changes"
    __table_args__ = (Index("ix_idea_status_changes_idea_id_created_at", "idea_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    note_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User] = relationship(lazy="raise")
