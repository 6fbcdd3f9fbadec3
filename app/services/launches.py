"""Learning launches: staff plan them, move them through their statuses and record the outcome.

A launch is a draft (seen by staff only), recruiting, running, then completed with an outcome,
or cancelled. Who joins and who waits lives in app/services/participation.py.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload, selectinload

from app import labels
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.links import site_path
from app.models.base import utcnow
from app.models.idea import Idea, IdeaFollow
from app.models.launch import (
    ACTIVE_STATUSES,
    ASSUMPTION_KINDS,
    ASSUMPTION_RESULTS,
    DECISIONS,
    FINAL_STATUSES,
    LAUNCH_STATUSES,
    Launch,
    LaunchAssumption,
    LaunchIdea,
    LaunchParticipant,
    LaunchPrototype,
)
from app.models.prototype import Prototype
from app.models.user import User
from app.permissions import require
from app.services import audit, webhook_events
from app.services.fields import NOT_HERE, FieldTable, Text
from app.services.notifications import Recipient, notify
from app.text import render_markdown
from app.visibility import visible_ideas, visible_launches, visible_prototypes

METRIC_VALUE_MAX = 60
# A launch's texts: the rules, the messages, the form's labels and hints, the API's fields.
TEXTS = FieldTable(
    Text(
        "title",
        "Title",
        low=5,
        high=120,
        missing="The title needs at least 5 characters.",
        called="the title",
        hint="What people will sign up for, like “Four weeks of weekly summary emails”.",
    ),
    Text(
        "hypothesis",
        "Hypothesis",
        low=10,
        high=1_000,
        missing="State the hypothesis, like “We believe weekly summaries will bring back lapsed users”.",
        hint="“We believe … will …”, like “We believe a weekly summary email will bring back lapsed users.”",
        markdown=False,
        rows=3,
    ),
    Text(
        "description",
        "What participants will do",
        high=20_000,
        markdown=True,
        html=True,
        hint="The steps, the time it takes, what they get. Markdown works.",
    ),
    Text(
        "success_metric",
        "Success metric",
        low=3,
        high=200,
        missing="Name the metric that tells success, like “share of pilot users active in week 4”.",
        hint="What you will measure, like “share of participants active in week 4”.",
    ),
    Text("metric_baseline", "Baseline", high=METRIC_VALUE_MAX, hint="Where it stands today, like “22%”."),
    Text("metric_target", "Target", high=METRIC_VALUE_MAX, hint="What counts as success, like “35%”."),
    Text(
        "eligibility",
        "Who can take part",
        high=1_000,
        markdown=True,
        rows=2,
        hint="Optional, like “Teams that send reports to finance every month”.",
    ),
    Text(
        "screening_question",
        "Screening question",
        high=300,
        hint="Optional. Everyone who joins must answer it; you see the answers in the participant list.",
    ),
)
# What an edit may change besides the texts.
EDITABLE = {"capacity", "starts_at", "ends_at", "assumptions", "idea_ids", "prototype_ids"}
CAPACITY_MAX = 10_000
ASSUMPTIONS_MAX = 12
# One assumption's statement, as each row of the launch form gives it.
STATEMENT = Text(
    "statement",
    "We assume that…",
    low=5,
    high=300,
    missing="Say what you assume, in at least 5 characters.",
    called="it",
)
# The outcome's texts; the measured value is required too, with a message naming the metric.
OUTCOME_TEXTS = FieldTable(
    Text("metric_actual", "Measured result", high=METRIC_VALUE_MAX, called="the measured value"),
    Text(
        "summary",
        "What the launch taught",
        low=10,
        high=10_000,
        markdown=True,
        rows=6,
        missing="Summarise what the launch taught, in at least 10 characters.",
        called="the summary",
        hint="At least 10 characters: what happened, what surprised you, what comes next. "
        "Markdown works. Participants and followers of the linked ideas read it.",
    ),
)
LINKS_MAX = 20
STATUSES = LAUNCH_STATUSES
# Where each status may go. Completing needs an outcome; completed and cancelled are final.
TRANSITIONS = {
    "draft": ("recruiting", "cancelled"),
    "recruiting": ("running", "cancelled"),
    "running": ("completed", "cancelled"),
    "completed": (),
    "cancelled": (),
}
NO_LAUNCH = "No such learning launch, or it is not visible to you."
UNSET: Any = object()


@dataclass(frozen=True)
class AssumptionInput:
    """An assumption as a form or the API gives it, before it is checked."""

    kind: str
    statement: str


@dataclass(frozen=True)
class OutcomeInput:
    """What a launch found: the measured metric, each assumption's result, the decision, a summary."""

    decision: Any
    summary: Any
    metric_actual: Any = ""
    # Assumption id -> result; every assumption needs one.
    results: dict[int, Any] = field(default_factory=dict)


def launch_url(launch: Launch) -> str:
    return site_path("launches.detail", launch_id=launch.id)


def get_launch(actor: Any, launch_id: int, with_parts: bool = True) -> Launch:
    """The launch if it exists and `actor` may see it, else NotFound.

    `with_parts` loads its author and assumptions too.
    """
    stmt = select(Launch).where(Launch.id == launch_id, visible_launches(actor))
    if with_parts:
        stmt = stmt.options(joinedload(Launch.author), selectinload(Launch.assumptions))
    launch = db.session.scalar(stmt.execution_options(populate_existing=True))
    if launch is None:
        raise NotFound(NO_LAUNCH)
    return launch


# ---- Validation ----


def _check_capacity(value: Any, fields: dict[str, list[str]]) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        fields["capacity"] = ["Say how many people can take part, as a whole number like 12."]
        return 0
    if not 1 <= value <= CAPACITY_MAX:
        fields["capacity"] = [f"Capacity is between 1 and {CAPACITY_MAX:,} people."]
    return value


def _check_dates(starts_at: Any, ends_at: Any, fields: dict[str, list[str]]) -> None:
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, datetime):
            fields[name] = ["Give a date, like 2026-05-01T09:00:00Z."]
        elif value.tzinfo is None or value.utcoffset() is None:
            fields[name] = ["Give the time with its time zone (UTC)."]
    if not fields.keys() & {"starts_at", "ends_at"} and ends_at <= starts_at:
        fields["ends_at"] = ["The launch must end after it starts."]


def _check_started(launch: Launch, starts_at: Any, fields: dict[str, list[str]]) -> None:
    """A launch that runs (or ran) has started: its start date can't move into the future."""
    started = launch.has_started
    if started and "starts_at" not in fields and isinstance(starts_at, datetime) and starts_at > utcnow():
        fields["starts_at"] = [
            f"This launch started on {day(launch.starts_at)}; its start date can't move into the future."
        ]


def _check_assumptions(
    items: Iterable[AssumptionInput], fields: dict[str, list[str]]
) -> list[AssumptionInput]:
    checked, errors = [], []
    items = list(items)
    if len(items) > ASSUMPTIONS_MAX:
        errors.append(f"Test at most {ASSUMPTIONS_MAX} assumptions in one launch (this has {len(items)}).")
    for number, item in enumerate(items, start=1):
        problems: dict[str, list[str]] = {}
        statement = STATEMENT.check(item.statement, problems)
        if item.kind not in ASSUMPTION_KINDS:
            errors.append(f"Assumption {number}: choose its kind: value, execution or scale.")
        elif problems:
            errors.append(f"Assumption {number}: {problems['statement'][0]}")
        checked.append(AssumptionInput(item.kind, statement))
    if errors:
        fields["assumptions"] = errors
    return checked


def _check_ids(
    ids: Iterable[Any], name: str, label: str, found_ids, fields: dict[str, list[str]]
) -> list[int]:
    """The ids once each, if `found_ids(ids)` finds them all; problems go to `fields[name]`."""
    wanted: list[int] = []
    for value in ids:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            fields[name] = [f"{label.capitalize()} numbers are whole numbers, like 12."]
            return []
        if value not in wanted:
            wanted.append(value)
    if len(wanted) > LINKS_MAX:
        fields[name] = [f"Link at most {LINKS_MAX} {label}s (this has {len(wanted)})."]
        return []
    if not wanted:
        return []
    found = set(found_ids(wanted))
    missing = [f"#{value}" for value in wanted if value not in found]
    if missing:
        fields[name] = [f"There is no {label} {', '.join(missing)}; check the numbers."]
        return []
    return wanted


def _idea_ids(actor: Any, ids: Iterable[Any], fields: dict[str, list[str]]) -> list[int]:
    return _check_ids(
        ids,
        "idea_ids",
        "idea",
        lambda wanted: db.session.scalars(
            select(Idea.id).where(Idea.id.in_(wanted), visible_ideas(actor), Idea.deleted_at.is_(None))
        ),
        fields,
    )


def _prototype_ids(actor: Any, ids: Iterable[Any], fields: dict[str, list[str]]) -> list[int]:
    return _check_ids(
        ids,
        "prototype_ids",
        "prototype",
        lambda wanted: db.session.scalars(
            select(Prototype.id).where(Prototype.id.in_(wanted), visible_prototypes(actor))
        ),
        fields,
    )


# ---- Writing ----


def _set_assumptions(launch: Launch, items: list[AssumptionInput]) -> None:
    launch.assumptions = [
        LaunchAssumption(kind=item.kind, statement=item.statement, position=number)
        for number, item in enumerate(items)
    ]


def _set_links(launch: Launch, idea_ids: list[int] | None, prototype_ids: list[int] | None) -> None:
    if idea_ids is not None:
        db.session.execute(delete(LaunchIdea).where(LaunchIdea.launch_id == launch.id))
        db.session.add_all(LaunchIdea(launch_id=launch.id, idea_id=idea_id) for idea_id in idea_ids)
    if prototype_ids is not None:
        db.session.execute(delete(LaunchPrototype).where(LaunchPrototype.launch_id == launch.id))
        db.session.add_all(
            LaunchPrototype(launch_id=launch.id, prototype_id=prototype_id) for prototype_id in prototype_ids
        )


def create_launch(
    actor: User,
    *,
    capacity: Any,
    starts_at: Any,
    ends_at: Any,
    assumptions: Iterable[AssumptionInput] = (),
    idea_ids: Iterable[Any] = (),
    prototype_ids: Iterable[Any] = (),
    status: str = "draft",
    **texts: Any,
) -> Launch:
    """Plan a launch (staff): a draft, or recruiting at once when `status` says so.

    `texts` are the fields of TEXTS (title, hypothesis, success_metric are required).
    """
    require(actor, "launch.create")
    fields: dict[str, list[str]] = {}
    values = TEXTS.check(TEXTS.defaults(texts), fields)
    capacity = _check_capacity(capacity, fields)
    _check_dates(starts_at, ends_at, fields)
    checked_assumptions = _check_assumptions(assumptions, fields)
    checked_ideas = _idea_ids(actor, idea_ids, fields)
    checked_prototypes = _prototype_ids(actor, prototype_ids, fields)
    if status not in ("draft", "recruiting"):
        fields["status"] = ["A new launch is saved as a draft or opened for recruiting."]
    if fields:
        raise Invalid(fields)
    now = utcnow()
    launch = Launch(
        **values,
        capacity=capacity,
        enrolled_count=0,
        waitlist_count=0,
        join_seq=0,
        status="draft",
        starts_at=starts_at,
        ends_at=ends_at,
        author_id=actor.id,
        created_at=now,
        updated_at=now,
        metric_actual="",
        outcome_summary="",
        outcome_summary_html="",
        assumptions=[],
    )
    _set_assumptions(launch, checked_assumptions)
    db.session.add(launch)
    db.session.flush()
    _set_links(launch, checked_ideas, checked_prototypes)
    audit.record(actor, "launch.create", "launch", launch.id, after=launch.title)
    db.session.flush()
    if status == "recruiting":
        change_status(actor, launch, "recruiting")
    return launch


def update_launch(actor: User, launch: Launch, **changes: Any) -> Launch:
    """Edit a launch (staff). Keys left out stay as they are.

    Accepts the keyword arguments of `create_launch` except `status`. Capacity never drops
    below the people already enrolled; `participation.update_launch` also enrols the first
    waiting members when it rises.
    """
    require(actor, "launch.edit", launch)
    unknown = changes.keys() - TEXTS.rows.keys() - EDITABLE
    if unknown:
        raise Invalid({name: [NOT_HERE] for name in sorted(unknown)})
    fields: dict[str, list[str]] = {}
    values = TEXTS.check({name: value for name, value in changes.items() if name in TEXTS}, fields)
    capacity = changes.get("capacity", launch.capacity)
    if "capacity" in changes:
        capacity = _check_capacity(capacity, fields)
        if "capacity" not in fields and capacity < launch.enrolled_count:
            fields["capacity"] = [
                f"{launch.enrolled_count} people are enrolled already; capacity can't go below that."
            ]
    starts_at = changes.get("starts_at", launch.starts_at)
    ends_at = changes.get("ends_at", launch.ends_at)
    if "starts_at" in changes or "ends_at" in changes:
        _check_dates(starts_at, ends_at, fields)
        _check_started(launch, starts_at, fields)
    assumptions = (
        _check_assumptions(changes["assumptions"], fields) if changes.get("assumptions") is not None else None
    )
    idea_ids = _idea_ids(actor, changes["idea_ids"], fields) if changes.get("idea_ids") is not None else None
    prototype_ids = (
        _prototype_ids(actor, changes["prototype_ids"], fields)
        if changes.get("prototype_ids") is not None
        else None
    )
    if fields:
        raise Invalid(fields)
    before = launch.title
    for name, value in values.items():
        setattr(launch, name, value)
    launch.starts_at, launch.ends_at = starts_at, ends_at
    launch.capacity = capacity
    if assumptions is not None:
        _set_assumptions(launch, assumptions)
    _set_links(launch, idea_ids, prototype_ids)
    launch.updated_at = utcnow()
    audit.record(actor, "launch.update", "launch", launch.id, before=before, after=launch.title)
    db.session.flush()
    return launch


def check_outcome(launch: Launch, outcome: OutcomeInput) -> tuple[str, str, str, dict[int, str]]:
    """The outcome's decision, summary, metric and results, or Invalid naming what is missing."""
    fields: dict[str, list[str]] = {}
    if outcome.decision not in DECISIONS:
        fields["decision"] = ["Choose the decision: scale, iterate or stop."]
    texts = OUTCOME_TEXTS.check({"summary": outcome.summary, "metric_actual": outcome.metric_actual}, fields)
    summary, metric = texts["summary"], texts["metric_actual"]
    if not metric and "metric_actual" not in fields:
        fields["metric_actual"] = [f"Record what “{launch.success_metric}” measured, like “29%”."]
    ids = {assumption.id for assumption in launch.assumptions}
    results: dict[int, str] = {}
    problems = []
    if any(key not in ids for key in outcome.results):
        problems.append("A result names an assumption this launch does not have.")
    for number, assumption in enumerate(launch.assumptions, start=1):
        result = outcome.results.get(assumption.id)
        if result not in ASSUMPTION_RESULTS:
            problems.append(f"Assumption {number}: say whether it was confirmed, refuted or inconclusive.")
        else:
            results[assumption.id] = result
    if problems:
        fields["results"] = problems
    if fields:
        raise Invalid(fields)
    return outcome.decision, summary, metric, results


def _apply_outcome(launch: Launch, checked: tuple[str, str, str, dict[int, str]]) -> None:
    decision, summary, metric, results = checked
    launch.decision = decision
    launch.outcome_summary = summary
    launch.outcome_summary_html = render_markdown(summary)
    launch.metric_actual = metric
    for assumption in launch.assumptions:
        assumption.result = results[assumption.id]


def day(value: datetime) -> str:
    """`7 Dec 2026`, as messages show a launch's dates."""
    return f"{value:%-d %b %Y}"


def early_by(launch: Launch, now: datetime | None = None) -> str | None:
    """How long before its planned start the launch would start now ("3 days"), or None if it is time."""
    now = now or utcnow()
    if launch.starts_at <= now:
        return None
    days = (launch.starts_at.date() - now.date()).days
    if days >= 1:
        return f"{days} day{'' if days == 1 else 's'}"
    hours = max(1, round((launch.starts_at - now).total_seconds() / 3600))
    return f"{hours} hour{'' if hours == 1 else 's'}"


def _check_start(launch: Launch, start_early: bool, now: datetime) -> str | None:
    """Starting before the planned date needs `start_early`; answers how early, for the record."""
    early = early_by(launch, now)
    if early is not None and not start_early:
        raise Conflict(
            f"This launch is planned to start on {day(launch.starts_at)}, in {early}. To start it now, "
            "confirm the early start, or move its start date first."
        )
    return early


def change_status(
    actor: User,
    launch: Launch,
    status: str,
    outcome: OutcomeInput | None = None,
    *,
    start_early: bool = False,
    now: datetime | None = None,
) -> Launch:
    """Move a launch on: recruiting, running, completed (with its outcome) or cancelled.

    `launch` must come from get_launch() (assumptions loaded). Running before `starts_at` needs
    `start_early`, and moves the start date to now so the record says when it really started;
    a launch that has not started yet can't be completed (its results would be dated before it).
    """
    require(actor, "launch.change_status", launch)
    if status not in STATUSES:
        raise Invalid({"status": [f"Status must be one of: {', '.join(STATUSES)}."]})
    if status == launch.status:
        raise Conflict(f"The launch is {labels.label('launch_status', status).lower()} already.")
    if status not in TRANSITIONS[launch.status]:
        raise Conflict(_refusal(launch.status, status))
    now = now or utcnow()
    early = _check_start(launch, start_early, now) if status == "running" else None
    checked = None
    if status == "completed":
        if launch.starts_at > now:
            raise Conflict(
                f"This launch starts on {day(launch.starts_at)}; record its results once it has run, "
                "so they are not dated before the launch."
            )
        if outcome is None:
            raise Invalid({"outcome": ["Record the outcome to complete the launch."]})
        checked = check_outcome(launch, outcome)
    before = launch.status
    reason = ""
    if early is not None:
        reason = f"Started {early} before the planned date, {day(launch.starts_at)}"
        launch.starts_at = now
    launch.status = status
    launch.updated_at = now
    if checked is not None:
        _apply_outcome(launch, checked)
        launch.completed_at = now
    audit.record(actor, f"launch.{status}", "launch", launch.id, reason=reason, before=before, after=status)
    db.session.flush()
    if status == "recruiting":
        _tell_followers(actor, launch, "is looking for participants: “{title}”")
    elif status == "completed":
        _tell_outcome(actor, launch)
        webhook_events.launch_outcome(launch)
    elif status == "cancelled":
        _tell_participants(actor, launch, f"The learning launch “{launch.title}” was cancelled.")
    return launch


def _refusal(current: str, wanted: str) -> str:
    if current in FINAL_STATUSES:
        return f"This launch is {current}; its status can't change any more."
    if wanted == "draft":
        return "A launch that people could see can't go back to draft; cancel it instead."
    if wanted == "completed":
        return "Only a running launch can be completed; start it first."
    if wanted == "running":
        return "Open the launch for recruiting before it runs."
    return f"A {current} launch can't become {wanted}."


def record_outcome(actor: User, launch: Launch, outcome: OutcomeInput) -> Launch:
    """Correct the outcome of a completed launch (staff); nobody is told again."""
    require(actor, "launch.change_status", launch)
    if not launch.is_completed:
        raise Conflict("The outcome is recorded when the launch is completed.")
    checked = check_outcome(launch, outcome)
    before = launch.decision
    _apply_outcome(launch, checked)
    launch.updated_at = utcnow()
    audit.record(actor, "launch.outcome", "launch", launch.id, before=before, after=launch.decision)
    db.session.flush()
    return launch


# ---- Telling people ----


def _follower_rows(launch: Launch):
    return db.session.execute(
        select(IdeaFollow.user_id, Idea.title)
        .join(Idea, Idea.id == IdeaFollow.idea_id)
        .join(LaunchIdea, LaunchIdea.idea_id == Idea.id)
        .where(LaunchIdea.launch_id == launch.id, Idea.deleted_at.is_(None))
        .order_by(IdeaFollow.user_id, Idea.id)
    )


def _tell_followers(actor: User, launch: Launch, template: str) -> None:
    recipients = [
        Recipient(user_id, "launch", f"“{idea_title}” " + template.format(title=launch.title))
        for user_id, idea_title in _follower_rows(launch)
    ]
    notify(recipients, launch_url(launch), actor.id)


def _participant_ids(launch: Launch, states: tuple[str, ...] = ("enrolled", "waitlisted")) -> list[int]:
    return list(
        db.session.scalars(
            select(LaunchParticipant.user_id)
            .where(LaunchParticipant.launch_id == launch.id, LaunchParticipant.state.in_(states))
            .order_by(LaunchParticipant.id)
        )
    )


def _tell_participants(actor: User, launch: Launch, message: str) -> None:
    notify(
        [Recipient(user_id, "launch", message) for user_id in _participant_ids(launch)],
        launch_url(launch),
        actor.id,
    )


def _tell_outcome(actor: User, launch: Launch) -> None:
    """Participants and followers of the linked ideas hear the decision, once each."""
    decision = labels.label("decision", launch.decision or "stop").lower()
    message = f"The learning launch “{launch.title}” is complete. Decision: {decision}."
    recipients = [
        Recipient(user_id, "launch", message) for user_id in _participant_ids(launch, ("enrolled",))
    ]
    recipients += [
        Recipient(user_id, "launch", f"“{idea_title}” was tested in a learning launch. Decision: {decision}.")
        for user_id, idea_title in _follower_rows(launch)
    ]
    notify(recipients, launch_url(launch), actor.id)


# ---- Reading ----


def linked_ids(actor: Any, launch_ids: list[int]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """The ids of the ideas and prototypes `actor` may see linked to each launch (two queries)."""
    ideas: dict[int, list[int]] = {launch_id: [] for launch_id in launch_ids}
    prototypes: dict[int, list[int]] = {launch_id: [] for launch_id in launch_ids}
    if launch_ids:
        for launch_id, idea_id in db.session.execute(
            select(LaunchIdea.launch_id, LaunchIdea.idea_id)
            .join(Idea, Idea.id == LaunchIdea.idea_id)
            .where(LaunchIdea.launch_id.in_(launch_ids), visible_ideas(actor), Idea.deleted_at.is_(None))
            .order_by(LaunchIdea.idea_id)
        ):
            ideas[launch_id].append(idea_id)
        for launch_id, prototype_id in db.session.execute(
            select(LaunchPrototype.launch_id, LaunchPrototype.prototype_id)
            .join(Prototype, Prototype.id == LaunchPrototype.prototype_id)
            .where(LaunchPrototype.launch_id.in_(launch_ids), visible_prototypes(actor))
            .order_by(LaunchPrototype.prototype_id)
        ):
            prototypes[launch_id].append(prototype_id)
    return ideas, prototypes


def launches_for_idea(actor: Any, idea_id: int) -> list[Launch]:
    """The launches `actor` may see that test an idea, the latest first (one query)."""
    return list(
        db.session.scalars(
            select(Launch)
            .join(LaunchIdea, LaunchIdea.launch_id == Launch.id)
            .where(LaunchIdea.idea_id == idea_id, visible_launches(actor))
            .order_by(Launch.starts_at.desc(), Launch.id.desc())
        )
    )


def launch_choices(actor: Any) -> list[Launch]:
    """Launches a check-in round can ask (not drafts, not over), for staff pickers."""
    require(actor, "launch.edit")
    return list(
        db.session.scalars(
            select(Launch)
            .where(Launch.status.in_(ACTIVE_STATUSES))
            .order_by(Launch.starts_at.desc(), Launch.id.desc())
        )
    )
