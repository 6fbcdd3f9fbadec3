"""Prototypes that product managers put in front of customers, and their feedback rounds."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import StoredImageColumns, utcnow
from app.models.user import User

PROTOTYPE_STATUSES = ("draft", "published", "archived")
QUESTION_KINDS = ("rating", "nps", "choice", "multi", "text")
AUDIENCES = ("everyone", "launch")


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


class FeedbackRound(db.Model):
    """A dated round of questions on a prototype; its state follows the clock."""

    __tablename__ = "feedback_rounds"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="window_valid"),
        CheckConstraint(f"audience IN {AUDIENCES!r}", name="audience_valid"),
        Index("ix_feedback_rounds_prototype_id_opens_at", "prototype_id", "opens_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    prototype_id: Mapped[int] = mapped_column(ForeignKey("prototypes.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    audience: Mapped[str] = mapped_column(String(12), default="everyone")
    # The learning launch whose enrolled participants form the audience ("launch").
    launch_id: Mapped[int | None] = mapped_column(ForeignKey("launches.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the "round is open" notifications went out, so they go out once.
    announced_at: Mapped[datetime | None]

    questions: Mapped[list["RoundQuestion"]] = relationship(
        lazy="raise", order_by="RoundQuestion.position", cascade="all, delete-orphan"
    )

    def state_at(self, now: datetime) -> str:
        if now < self.opens_at:
            return "scheduled"
        return "open" if now < self.closes_at else "closed"


class RoundQuestion(db.Model):
    __tablename__ = "round_questions"
    __table_args__ = (
        CheckConstraint(f"kind IN {QUESTION_KINDS!r}", name="kind_valid"),
        Index("ix_round_questions_round_id_position", "round_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("feedback_rounds.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10))
    prompt: Mapped[str] = mapped_column(String(300))
    required: Mapped[bool] = mapped_column(default=False)
    options: Mapped[list[str] | None] = mapped_column(JSON)


class RoundResponse(db.Model):
    """One member's answers to one round; they may change them until it closes."""

    __tablename__ = "round_responses"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("feedback_rounds.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")


class RoundAnswer(db.Model):
    __tablename__ = "round_answers"
    __table_args__ = (Index("ix_round_answers_question_id", "question_id"),)

    response_id: Mapped[int] = mapped_column(
        ForeignKey("round_responses.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("round_questions.id", ondelete="CASCADE"), primary_key=True
    )
    # An int (rating, nps), a string (choice, text) or a list of strings (multi).
    value: Mapped[Any] = mapped_column(JSON)
