"""Taking part in learning launches: join, wait for a seat, withdraw, and the staff's view of it.

Capacity is never exceeded and waitlist places never repeat, also when many people join at
once: every change first bumps the launch's `join_seq` with one UPDATE. On PostgreSQL that
locks the launch row until the transaction ends, so joins on one launch run one after another
and each sees the counts the one before it left; on SQLite the UPDATE takes the database's
write lock, which serializes them the same way. The database's check (enrolled <= capacity)
and unique (launch, waitlist place) constraints back this up.
"""

import csv
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from app import labels
from app.errors import Conflict, Invalid
from app.extensions import db
from app.models.base import utcnow
from app.models.launch import FINAL_STATUSES, Launch, LaunchParticipant, ParticipantState
from app.models.user import User
from app.permissions import is_signed_in, require, require_state
from app.services import audit
from app.services import launches as launch_service
from app.services.csvfile import safe_cell
from app.services.fields import FieldTable, Text
from app.services.launches import get_launch, launch_url
from app.services.notifications import Recipient, email_message, may_email, notify
from app.text import normalize_line
from app.visibility import visible_launches

# The screening answer a member gives to join, and the message staff send participants.
ANSWER = FieldTable(
    Text("screening_answer", "Your answer", high=2_000, markdown=True, rows=3, called="the answer")
)
MESSAGE = FieldTable(
    Text(
        "message",
        "Message",
        low=5,
        high=2_000,
        markdown=True,
        rows=4,
        missing="Write the message (at least 5 characters).",
        called="the message",
        hint="Everyone enrolled gets it as a notification, and by email unless they turned email off.",
    )
)
REASON_MAX = 500


@dataclass(frozen=True)
class Place:
    """Someone's place in a launch: their state and, while waiting, their 1-based waitlist position."""

    state: ParticipantState
    position: int | None = None
    screening_answer: str = ""
    removal_reason: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", ParticipantState(self.state))


def _claim(launch_id: int) -> Launch:
    """Take the launch's write lock for this transaction and read it afresh."""
    db.session.execute(update(Launch).where(Launch.id == launch_id).values(join_seq=Launch.join_seq + 1))
    return db.session.scalar(
        select(Launch).where(Launch.id == launch_id).execution_options(populate_existing=True)
    )


def _row(launch_id: int, user_id: int) -> LaunchParticipant | None:
    return db.session.scalar(
        select(LaunchParticipant)
        .where(LaunchParticipant.launch_id == launch_id, LaunchParticipant.user_id == user_id)
        .execution_options(populate_existing=True)
    )


def _position(row: LaunchParticipant) -> int | None:
    if not row.is_waitlisted:
        return None
    return db.session.scalar(
        select(func.count())
        .select_from(LaunchParticipant)
        .where(
            LaunchParticipant.launch_id == row.launch_id,
            LaunchParticipant.state == "waitlisted",
            LaunchParticipant.waitlist_seq <= row.waitlist_seq,
        )
    )


def _place(row: LaunchParticipant) -> Place:
    return Place(row.state, _position(row), row.screening_answer, row.removal_reason)


def _count(launch_id: int, **deltas: int) -> None:
    db.session.execute(
        update(Launch)
        .where(Launch.id == launch_id)
        .values({getattr(Launch, name): getattr(Launch, name) + delta for name, delta in deltas.items()})
    )


def join_launch(actor: User, launch_id: int, screening_answer: Any = "") -> Place:
    """Join a recruiting launch: enrolled while seats remain, else waitlisted in join order.

    Joining again while enrolled or waiting changes nothing and answers the same place.
    """
    require(actor, "launch.join")
    launch = get_launch(actor, launch_id, with_parts=False)
    answer = screening_answer.strip() if isinstance(screening_answer, str) else ""
    launch = _claim(launch.id)
    require_state("launch.join", launch)
    row = _row(launch.id, actor.id)
    if row is not None and row.holds_place:
        return _place(row)
    if row is not None and ParticipantState(row.state).is_removed:
        raise Conflict("The launch team took you off this launch, so you can't join it again.")
    if launch.screening_question and not answer:
        raise Invalid(
            {"screening_answer": [f"Answer the screening question to join: “{launch.screening_question}”"]}
        )
    ANSWER.check_all({"screening_answer": answer})
    # A free seat the team keeps while people wait is not for newcomers: they queue behind them.
    seat = launch.enrolled_count < launch.capacity and launch.waitlist_count == 0
    now = utcnow()
    if row is None:
        row = LaunchParticipant(launch_id=launch.id, user_id=actor.id)
        db.session.add(row)
    row.state = "enrolled" if seat else "waitlisted"
    row.waitlist_seq = None if seat else launch.join_seq
    row.screening_answer = answer
    row.joined_at = now
    row.updated_at = now
    if seat:
        _count(launch.id, enrolled_count=1)
    else:
        _count(launch.id, waitlist_count=1)
    db.session.flush()
    return _place(row)


def withdraw(actor: User, launch_id: int) -> Place:
    """Leave a launch; a freed seat goes to the first person on the waitlist, who is told."""
    require(actor, "launch.join")
    launch = get_launch(actor, launch_id, with_parts=False)
    launch = _claim(launch.id)
    row = _row(launch.id, actor.id)
    if row is None:
        raise Conflict("You are not taking part in this launch.")
    if ParticipantState(row.state).is_withdrawn:
        return _place(row)
    if not launch.is_active:
        raise Conflict(f"This launch is {launch.status}; there is nothing to withdraw from.")
    _give_up_place(actor, row)
    return _place(row)


def _give_up_place(actor: User, row: LaunchParticipant) -> None:
    """Mark `row` withdrawn; a seat it held goes to the first person waiting. The caller holds
    the launch's lock (`_claim`)."""
    was = row.state
    row.state = "withdrawn"
    row.waitlist_seq = None
    row.updated_at = utcnow()
    if was == "enrolled":
        _count(row.launch_id, enrolled_count=-1)
    else:
        _count(row.launch_id, waitlist_count=-1)
    db.session.flush()
    if was == "enrolled":
        fill_seats(actor, row.launch_id)


def release_places(actor: User, user: User) -> int:
    """Withdraw `user` from every launch under way where they hold a seat or wait for one, as
    when their account is deleted: each freed seat goes to the first person waiting. The
    caller checked the permission. Returns how many places were given up.

    Launches are locked in id order, so two releases never wait on each other crosswise.
    """
    launch_ids = list(
        db.session.scalars(
            select(LaunchParticipant.launch_id)
            .where(
                LaunchParticipant.user_id == user.id,
                LaunchParticipant.state.in_(("enrolled", "waitlisted")),
            )
            .order_by(LaunchParticipant.launch_id)
        )
    )
    released = 0
    for launch_id in launch_ids:
        launch = _claim(launch_id)
        row = _row(launch_id, user.id)
        # A finished launch keeps its record as it was; only places in live launches are freed.
        if row is not None and row.holds_place and launch.is_active:
            _give_up_place(actor, row)
            released += 1
    return released


def fill_seats(actor: User, launch_id: int) -> list[int]:
    """Enrol waiting members, first come first served, while seats are free; tell each of them.

    The caller holds the launch's lock (it changed the launch in this transaction).
    """
    launch = db.session.scalar(
        select(Launch).where(Launch.id == launch_id).execution_options(populate_existing=True)
    )
    free = launch.capacity - launch.enrolled_count
    if free <= 0 or launch.waitlist_count == 0:
        return []
    waiting = list(
        db.session.scalars(
            select(LaunchParticipant)
            .where(LaunchParticipant.launch_id == launch_id, LaunchParticipant.state == "waitlisted")
            .order_by(LaunchParticipant.waitlist_seq)
            .limit(free)
        )
    )
    now = utcnow()
    for row in waiting:
        row.state = "enrolled"
        row.waitlist_seq = None
        row.updated_at = now
    if waiting:
        _count(launch_id, enrolled_count=len(waiting), waitlist_count=-len(waiting))
        db.session.flush()
        message = f"A seat opened in the learning launch “{launch.title}”: you are enrolled now."
        notify([Recipient(row.user_id, "launch", message) for row in waiting], launch_url(launch), actor.id)
    return [row.user_id for row in waiting]


# ---- The launch team's changes ----


def update_launch(actor: User, launch: Launch, **changes: Any) -> Launch:
    """Edit a launch with `launches.update_launch`; raising its capacity enrols the first waiting members."""
    capacity = launch.capacity
    launch_service.update_launch(actor, launch, **changes)
    if launch.capacity > capacity and launch.is_active:
        fill_seats(actor, launch.id)
        db.session.refresh(launch)
    return launch


def _all_seats(capacity: int) -> str:
    return "The only seat is taken" if capacity == 1 else f"All {capacity} seats are taken"


def _changeable(launch: Launch) -> None:
    if not launch.is_active:
        raise Conflict(f"This launch is {launch.status}; its list of participants stays as it is.")


@dataclass(frozen=True)
class Removal:
    """Who was removed, from what state, and who got the freed seat from the waitlist."""

    user: User
    was: str
    promoted: list[User]
    waiting: int  # people on the waitlist afterwards


def remove_participant(
    actor: User, launch_id: int, user_id: int, reason: Any = "", fill_seat: bool = True
) -> Removal:
    """Take someone off a launch (staff), telling them why when a reason is given.

    They can't join again. A freed seat goes to the first person waiting, unless `fill_seat`
    is false: then the seat stays free for the team to give to someone on the waitlist.
    """
    launch = get_launch(actor, launch_id, with_parts=False)
    require(actor, "launch.remove_participant", launch)
    text = normalize_line(reason) if isinstance(reason, str) else ""
    if len(text) > REASON_MAX:
        raise Invalid(
            {"reason": [f"Keep the reason to {REASON_MAX} characters or fewer (it has {len(text)})."]}
        )
    launch = _claim(launch.id)
    _changeable(launch)
    row = _row(launch.id, user_id)
    if row is None or not row.holds_place:
        raise Conflict("That person is not enrolled or waiting in this launch (any more).")
    user = db.session.get(User, user_id)
    was = row.state
    row.state = "removed"
    row.waitlist_seq = None
    row.removal_reason = text
    row.updated_at = utcnow()
    _count(launch.id, **({"enrolled_count": -1} if was == "enrolled" else {"waitlist_count": -1}))
    db.session.flush()
    audit.record(
        actor,
        "launch.remove_participant",
        "launch",
        launch.id,
        reason=text,
        before=f"{user.display_name}: {labels.label('participant_state', was).lower()}",
        after=f"{user.display_name}: removed",
    )
    message = f"The launch team took you off the learning launch “{launch.title}”."
    notify(
        [Recipient(user.id, "launch", message + (f" Reason: {text}" if text else ""))],
        launch_url(launch),
        actor.id,
    )
    promoted_ids = fill_seats(actor, launch.id) if was == "enrolled" and fill_seat else []
    promoted = [db.session.get(User, promoted_id) for promoted_id in promoted_ids]
    waiting = db.session.scalar(select(Launch.waitlist_count).where(Launch.id == launch.id))
    return Removal(user, was, promoted, waiting)


def promote_participant(actor: User, launch_id: int, user_id: int) -> User:
    """Give a free seat to someone on the waitlist (staff), whatever their place; they are told."""
    launch = get_launch(actor, launch_id, with_parts=False)
    require(actor, "launch.promote_participant", launch)
    launch = _claim(launch.id)
    _changeable(launch)
    row = _row(launch.id, user_id)
    if row is None or not row.is_waitlisted:
        raise Conflict("That person is not on the waitlist (any more).")
    user = db.session.get(User, user_id)
    if launch.enrolled_count >= launch.capacity:
        raise Conflict(
            f"{_all_seats(launch.capacity)}, so {user.display_name} stays on the waitlist. "
            "Raise the capacity or remove someone to make room first."
        )
    row.state = "enrolled"
    row.waitlist_seq = None
    row.updated_at = utcnow()
    _count(launch.id, enrolled_count=1, waitlist_count=-1)
    db.session.flush()
    audit.record(
        actor,
        "launch.promote_participant",
        "launch",
        launch.id,
        before=f"{user.display_name}: on the waitlist",
        after=f"{user.display_name}: enrolled",
    )
    message = f"You have a seat in the learning launch “{launch.title}”: the launch team enrolled you."
    notify([Recipient(user.id, "launch", message)], launch_url(launch), actor.id)
    return user


# ---- Reading ----


def my_participation(actor: Any, launch_id: int) -> Place | None:
    """`actor`'s place in a launch, or None when they never joined it."""
    if not is_signed_in(actor):
        return None
    row = _row(launch_id, actor.id)
    return _place(row) if row is not None else None


def places(actor: Any, launch_ids: list[int]) -> dict[int, tuple[str, int | None]]:
    """`actor`'s state and waitlist position in each of these launches (one query)."""
    if not is_signed_in(actor) or not launch_ids:
        return {}
    other = LaunchParticipant.__table__.alias("other")
    ahead = (
        select(func.count())
        .select_from(other)
        .where(
            other.c.launch_id == LaunchParticipant.launch_id,
            other.c.state == "waitlisted",
            other.c.waitlist_seq <= LaunchParticipant.waitlist_seq,
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(LaunchParticipant.launch_id, LaunchParticipant.state, ahead).where(
            LaunchParticipant.user_id == actor.id, LaunchParticipant.launch_id.in_(launch_ids)
        )
    )
    return {
        launch_id: (state, position if ParticipantState(state).is_waitlisted else None)
        for launch_id, state, position in rows
    }


@dataclass
class MyLaunch:
    launch: Launch
    state: ParticipantState
    position: int | None

    def __post_init__(self) -> None:
        self.state = ParticipantState(self.state)


def my_launches(actor: User) -> list[MyLaunch]:
    """The launches `actor` joined and may see, the current ones first (two queries)."""
    require(actor, "launch.join")
    launches = list(
        db.session.scalars(
            select(Launch)
            .join(LaunchParticipant, LaunchParticipant.launch_id == Launch.id)
            .where(LaunchParticipant.user_id == actor.id, visible_launches(actor))
            .order_by(Launch.status.in_(FINAL_STATUSES), Launch.starts_at.desc(), Launch.id.desc())
        )
    )
    found = places(actor, [launch.id for launch in launches])
    return [MyLaunch(launch, *found[launch.id]) for launch in launches]


@dataclass
class ParticipantRow:
    user: User
    state: ParticipantState
    joined_at: Any
    position: int | None
    screening_answer: str
    removal_reason: str = ""

    def __post_init__(self) -> None:
        self.state = ParticipantState(self.state)


def participants(actor: User, launch: Launch) -> list[ParticipantRow]:
    """Everyone who joined: enrolled, the waitlist in order, then withdrawn and removed people (staff)."""
    require(actor, "launch.participants", launch)
    rows = db.session.execute(
        select(LaunchParticipant, User)
        .join(User, User.id == LaunchParticipant.user_id)
        .where(LaunchParticipant.launch_id == launch.id)
        .order_by(LaunchParticipant.joined_at, LaunchParticipant.id)
    ).all()
    enrolled = [(row, user) for row, user in rows if ParticipantState(row.state).is_enrolled]
    waiting = sorted(
        ((row, user) for row, user in rows if row.is_waitlisted), key=lambda p: p[0].waitlist_seq
    )
    withdrawn = [(row, user) for row, user in rows if not row.holds_place]
    listed = [
        ParticipantRow(user, row.state, row.joined_at, None, row.screening_answer) for row, user in enrolled
    ]
    listed += [
        ParticipantRow(user, row.state, row.joined_at, number, row.screening_answer)
        for number, (row, user) in enumerate(waiting, start=1)
    ]
    listed += [
        ParticipantRow(user, row.state, row.joined_at, None, row.screening_answer, row.removal_reason)
        for row, user in withdrawn
    ]
    return listed


def participants_csv(actor: User, launch: Launch) -> tuple[str, str]:
    """The participant list as CSV (filename, text), formula-safe for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out)
    question = launch.screening_question or "Screening answer"
    header = ["Member ID", "Display name", "Email", "State", "Waitlist position", "Joined at (UTC)", question]
    writer.writerow([safe_cell(cell) for cell in header])
    for row in participants(actor, launch):
        writer.writerow(
            [
                safe_cell(cell)
                for cell in (
                    row.user.id,
                    row.user.display_name,
                    row.user.email,
                    row.state,
                    row.position or "",
                    row.joined_at.strftime("%Y-%m-%d %H:%M:%S"),
                    row.screening_answer,
                )
            ]
        )
    return f"launch-{launch.id}-participants.csv", out.getvalue()


def message_participants(actor: User, launch: Launch, message: Any) -> int:
    """Send every enrolled participant a message: in-app, and by email unless they turned email off.

    Answers how many people it reached.
    """
    require(actor, "launch.message", launch, state=False)
    text = MESSAGE.check_all({"message": message})["message"]
    require_state("launch.message", launch)
    users = list(
        db.session.scalars(
            select(User)
            .join(LaunchParticipant, LaunchParticipant.user_id == User.id)
            .where(LaunchParticipant.launch_id == launch.id, LaunchParticipant.state == "enrolled")
            .order_by(User.id)
        )
    )
    recipients = [u for u in users if u.id != actor.id]
    if not recipients:
        raise Conflict("Nobody is enrolled yet, so there is no one to message.")
    summary = normalize_line(f"{launch.title}: {text}")
    created = notify(
        [Recipient(u.id, "launch", summary) for u in recipients], launch_url(launch), actor.id, email=False
    )
    by_user = {user.id: user for user in recipients}
    now = utcnow()
    for notification in created:
        user = by_user[notification.user_id]
        # The whole message by email at once, also for people who chose a daily digest: a note
        # from the launch team should not wait a day. "Never" still means never.
        if user.email_notifications != "never" and may_email(user, notification):
            email_message(user, notification, subject=f"Message about “{launch.title}”", body=text)
            notification.emailed_at = now
    audit.record(actor, "launch.message", "launch", launch.id, reason=f"{len(recipients)} participant(s)")
    db.session.flush()
    return len(recipients)
