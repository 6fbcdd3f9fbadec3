"""Learning launches: small, time-boxed pilots with real customers, and who takes part."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow
from app.models.user import User

LAUNCH_STATUSES = ("draft", "recruiting", "running", "completed", "cancelled")
ASSUMPTION_KINDS = ("value", "execution", "scale")
ASSUMPTION_RESULTS = ("confirmed", "refuted", "inconclusive")
DECISIONS = ("scale", "iterate", "stop")
PARTICIPANT_STATES = ("enrolled", "waitlisted", "withdrawn", "removed")
# Statuses a launch never leaves.
FINAL_STATUSES = ("completed", "cancelled")
# Statuses in which people join, leave and are moved between seat and waitlist.
ACTIVE_STATUSES = ("recruiting", "running")


class ParticipantState(StrEnum):
    """Someone's state in a launch; compares equal to its name ("enrolled")."""

    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"
    REMOVED = "removed"

    @property
    def is_enrolled(self) -> bool:
        return self is ParticipantState.ENROLLED

    @property
    def is_waitlisted(self) -> bool:
        return self is ParticipantState.WAITLISTED

    @property
    def is_withdrawn(self) -> bool:
        return self is ParticipantState.WITHDRAWN

    @property
    def is_removed(self) -> bool:
        return self is ParticipantState.REMOVED

    @property
    def holds_place(self) -> bool:
        """Enrolled or waitlisted: a seat or a waitlist place."""
        return self in (ParticipantState.ENROLLED, ParticipantState.WAITLISTED)


class Launch(db.Model):
    __tablename__ = "launches"
    __table_args__ = (
        CheckConstraint(f"status IN {LAUNCH_STATUSES!r}", name="status_valid"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint(
            "enrolled_count >= 0 AND enrolled_count <= capacity", name="enrolled_within_capacity"
        ),
        CheckConstraint("waitlist_count >= 0", name="waitlist_count_not_negative"),
        CheckConstraint("ends_at > starts_at", name="dates_valid"),
        CheckConstraint(f"decision IS NULL OR decision IN {DECISIONS!r}", name="decision_valid"),
        Index("ix_launches_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    # "We believe … will …"
    hypothesis: Mapped[str] = mapped_column(Text)
    # What participants will do, in Markdown.
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    success_metric: Mapped[str] = mapped_column(String(200))
    metric_baseline: Mapped[str] = mapped_column(String(60), default="")
    metric_target: Mapped[str] = mapped_column(String(60), default="")
    capacity: Mapped[int]
    # Kept in step with the participant rows inside the transaction that changes them.
    enrolled_count: Mapped[int] = mapped_column(default=0)
    waitlist_count: Mapped[int] = mapped_column(default=0)
    # The last join sequence number handed out: waitlist places are ordered by it.
    join_seq: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    eligibility: Mapped[str] = mapped_column(String(1000), default="")
    screening_question: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The outcome, recorded when the launch completes.
    metric_actual: Mapped[str] = mapped_column(String(60), default="")
    decision: Mapped[str | None] = mapped_column(String(10))
    outcome_summary: Mapped[str] = mapped_column(Text, default="")
    outcome_summary_html: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[datetime | None]

    author: Mapped[User] = relationship(lazy="raise")
    assumptions: Mapped[list["LaunchAssumption"]] = relationship(
        lazy="raise", order_by="LaunchAssumption.position", cascade="all, delete-orphan"
    )

    @property
    def seats_left(self) -> int:
        """Seats a new joiner gets; a seat the team keeps free while people wait is theirs to give."""
        if self.waitlist_count:
            return 0
        return max(self.capacity - self.enrolled_count, 0)

    @property
    def free_seats(self) -> int:
        """Seats nobody is enrolled in, whoever may have them."""
        return max(self.capacity - self.enrolled_count, 0)

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def is_recruiting(self) -> bool:
        return self.status == "recruiting"

    @property
    def is_running(self) -> bool:
        return self.status == "running"

    @property
    def is_completed(self) -> bool:
        return self.status == "completed"

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def is_active(self) -> bool:
        """Recruiting or running: people join, leave and are moved between seat and waitlist."""
        return self.status in ACTIVE_STATUSES

    @property
    def is_final(self) -> bool:
        """Completed or cancelled: its status never changes again."""
        return self.status in FINAL_STATUSES

    @property
    def has_started(self) -> bool:
        return self.status in ("running", "completed")

    @property
    def has_outcome(self) -> bool:
        return self.decision is not None


class LaunchAssumption(db.Model):
    """An assumption the launch tests, and (once it completes) what the launch found."""

    __tablename__ = "launch_assumptions"
    __table_args__ = (
        CheckConstraint(f"kind IN {ASSUMPTION_KINDS!r}", name="kind_valid"),
        CheckConstraint(f"result IS NULL OR result IN {ASSUMPTION_RESULTS!r}", name="result_valid"),
        Index("ix_launch_assumptions_launch_id_position", "launch_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    launch_id: Mapped[int] = mapped_column(ForeignKey("launches.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10))
    statement: Mapped[str] = mapped_column(String(300))
    result: Mapped[str | None] = mapped_column(String(12))


class LaunchIdea(db.Model):
    __tablename__ = "launch_ideas"
    __table_args__ = (Index("ix_launch_ideas_idea_id", "idea_id"),)

    launch_id: Mapped[int] = mapped_column(ForeignKey("launches.id", ondelete="CASCADE"), primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)


class LaunchPrototype(db.Model):
    __tablename__ = "launch_prototypes"
    __table_args__ = (Index("ix_launch_prototypes_prototype_id", "prototype_id"),)

    launch_id: Mapped[int] = mapped_column(ForeignKey("launches.id", ondelete="CASCADE"), primary_key=True)
    prototype_id: Mapped[int] = mapped_column(
        ForeignKey("prototypes.id", ondelete="CASCADE"), primary_key=True
    )


class LaunchParticipant(db.Model):
    """A member's place in a launch: one row per person, whatever they do."""

    __tablename__ = "launch_participants"
    __table_args__ = (
        UniqueConstraint("launch_id", "user_id"),
        # Two waiting members never share a place in the queue.
        UniqueConstraint("launch_id", "waitlist_seq"),
        CheckConstraint(f"state IN {PARTICIPANT_STATES!r}", name="state_valid"),
        Index("ix_launch_participants_user_id", "user_id"),
        Index("ix_launch_participants_launch_state", "launch_id", "state", "waitlist_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    launch_id: Mapped[int] = mapped_column(ForeignKey("launches.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(12))
    # Set while waitlisted: the launch's join sequence number when they joined.
    waitlist_seq: Mapped[int | None]
    screening_answer: Mapped[str] = mapped_column(Text, default="")
    # Why the launch team removed them (state "removed"), as they were told.
    removal_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")

    @property
    def is_waitlisted(self) -> bool:
        return ParticipantState(self.state).is_waitlisted

    @property
    def holds_place(self) -> bool:
        return ParticipantState(self.state).holds_place
