"""Feedback rounds on a prototype: dated questions, and the members' answers."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow
from app.models.user import User

QUESTION_KINDS = ("rating", "nps", "choice", "multi", "text")
AUDIENCES = ("everyone", "launch")


class RoundState(StrEnum):
    """Where a round stands at a moment; compares equal to its name ("open")."""

    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def is_scheduled(self) -> bool:
        return self is RoundState.SCHEDULED

    @property
    def is_open(self) -> bool:
        return self is RoundState.OPEN

    @property
    def is_closed(self) -> bool:
        return self is RoundState.CLOSED


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

    @property
    def is_for_launch(self) -> bool:
        """Asked of the enrolled participants of a learning launch, not of everyone."""
        return self.audience == "launch"

    def state_at(self, now: datetime) -> RoundState:
        if now < self.opens_at:
            return RoundState.SCHEDULED
        return RoundState.OPEN if now < self.closes_at else RoundState.CLOSED


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
