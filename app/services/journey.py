"""The idea journey: what became of an idea, step by step, from proposal to release.

One timeline per idea page: created, each status change, the prototypes that explore it and
their feedback rounds, the learning launches that test it, the roadmap items that answer it,
and the release when one of them ships. Each step is shown only to people who may see what it
points at (the same visibility rules as the pages of prototypes, rounds, launches and the
roadmap), and the whole journey is read in at most eight queries, however long it is.

Round results on the timeline: results pages are for staff, but the people who answered a round
deserve to see that their answers were heard. Once a round has closed, everyone who may see the
round sees how many people answered and the average of each rating question; the NPS (a
business score) and everything else stay with staff, who also see the NPS here. Rounds that are
still open show no numbers, so a running round is not swayed by its own results.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import joinedload, selectinload

from app import labels
from app.extensions import db
from app.models.base import utcnow
from app.models.idea import Idea, IdeaStatusChange
from app.models.launch import Launch, LaunchIdea
from app.models.prototype import Prototype, PrototypeIdea
from app.models.roadmap import RoadmapIdea, RoadmapItem
from app.models.round import FeedbackRound, RoundAnswer, RoundQuestion, RoundResponse
from app.models.user import User
from app.permissions import is_staff
from app.services import launches as launch_service
from app.services import prototypes as prototype_service
from app.services import roadmap as roadmap_service
from app.services.round_results import _question_result
from app.services.rounds import round_url
from app.visibility import visible_items, visible_launches, visible_prototypes, visible_rounds

KINDS = ("created", "status", "prototype", "round", "launch", "roadmap", "shipped")
# Steps of the same moment: the idea first, and a status change after the roadmap move that made it.
KIND_ORDER = {kind: position for position, kind in enumerate(("created", *KINDS[2:], "status"))}


@dataclass
class JourneyStep:
    """One step of an idea's journey, ready to show."""

    kind: str  # one of KINDS
    date: datetime
    title: str
    badge: str = ""
    badge_tone: str = "neutral"
    # Plain text (escaped when shown) and stored, sanitized HTML (the only HTML marked safe).
    detail: str = ""
    detail_html: Markup = field(default_factory=Markup)
    url: str | None = None
    # Small (label, value) pairs: a round's responses and averages, a launch's metric.
    facts: list[tuple[str, str]] = field(default_factory=list)
    # Extra dates in words, such as a round's window.
    period: tuple[datetime, datetime] | None = None
    private: bool = False  # a staff-only step (a draft, a private roadmap item)

    @property
    def kind_label(self) -> str:
        return labels.label("journey_kind", self.kind)


def _stored_html(value: str) -> Markup:
    """HTML that app/text.py sanitized on write: the only HTML a step marks safe."""
    return Markup(value)  # noqa: S704 - stored, sanitized on write


def _round_facts(
    round_: FeedbackRound, responses: int, answers: dict[int, list[tuple[Any, int]]], staff: bool
) -> list[tuple[str, str]]:
    facts = [("Responses", f"{responses:,}")]
    for question in round_.questions:
        if question.kind == "rating":
            result = _question_result(question, answers.get(question.id, []))
            if result.average is not None:
                facts.append((question.prompt, f"{result.average} out of 5"))
        elif question.kind == "nps" and staff:
            score = _question_result(question, answers.get(question.id, [])).nps.score
            if score is not None:
                facts.append((f"NPS (staff only) · {question.prompt}", f"{score:+d}" if score else "0"))
    return facts


def _prototype_steps(
    actor: Any, idea: Idea, now: datetime, loaded: list[Prototype] | None = None
) -> list[JourneyStep]:
    """Prototypes exploring the idea and their rounds, with results of closed rounds (up to four queries).

    `loaded`: the prototypes `actor` may see for the idea, when the page read them already.
    """
    prototypes = (
        sorted(loaded, key=lambda p: p.id)
        if loaded is not None
        else list(
            db.session.scalars(
                select(Prototype)
                .join(PrototypeIdea, PrototypeIdea.prototype_id == Prototype.id)
                .where(
                    PrototypeIdea.idea_id == idea.id,
                    visible_prototypes(actor),
                    Prototype.deleted_at.is_(None),
                )
                .order_by(Prototype.id)
            )
        )
    )
    if not prototypes:
        return []
    steps = []
    for prototype in prototypes:
        draft = prototype.is_draft
        steps.append(
            JourneyStep(
                kind="prototype",
                date=prototype.published_at or prototype.created_at,
                title=prototype.title,
                badge=labels.label("prototype_status", prototype.status),
                badge_tone=labels.tone("prototype_status", prototype.status),
                detail="A draft: only staff see it until it is published." if draft else "",
                url=prototype_service.prototype_url(prototype),
                private=draft,
            )
        )
    by_id = {prototype.id: prototype for prototype in prototypes}
    responses = (
        select(func.count(RoundResponse.id))
        .where(RoundResponse.round_id == FeedbackRound.id)
        .correlate(FeedbackRound)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(FeedbackRound, responses)
        .options(selectinload(FeedbackRound.questions))
        .where(FeedbackRound.prototype_id.in_(by_id), visible_rounds(actor))
        .order_by(FeedbackRound.opens_at, FeedbackRound.id)
    ).all()
    counts = {round_.id: count for round_, count in rows}
    rounds = [round_ for round_, _ in rows]
    closed_ids = [round_.id for round_ in rounds if round_.state_at(now).is_closed]
    staff = is_staff(actor)
    answers: dict[int, list[tuple[Any, int]]] = {}
    if closed_ids:
        kinds = ("rating", "nps") if staff else ("rating",)
        value_text = cast(RoundAnswer.value, Text)
        # One grouped query for the rated answers of every closed round: (question, value, how many).
        for question_id, text, count in db.session.execute(
            select(RoundAnswer.question_id, value_text, func.count())
            .join(RoundQuestion, RoundQuestion.id == RoundAnswer.question_id)
            .where(RoundQuestion.round_id.in_(closed_ids), RoundQuestion.kind.in_(kinds))
            .group_by(RoundAnswer.question_id, value_text)
        ):
            answers.setdefault(question_id, []).append((json.loads(text), count))
    for round_ in rounds:
        state = round_.state_at(now)
        prototype = by_id[round_.prototype_id]
        facts = _round_facts(round_, counts[round_.id], answers, staff) if state.is_closed else []
        steps.append(
            JourneyStep(
                kind="round",
                date=round_.opens_at,
                title=round_.title,
                badge=labels.label("round_state", state),
                badge_tone=labels.tone("round_state", state),
                detail=f"On “{prototype.title}”"
                + (", for the participants of a learning launch" if round_.is_for_launch else ""),
                url=round_url(round_),
                facts=facts,
                period=(round_.opens_at, round_.closes_at),
                private=prototype.is_draft,
            )
        )
    return steps


def _launch_steps(
    actor: Any, idea: Idea, now: datetime, loaded: list[Launch] | None = None
) -> list[JourneyStep]:
    """Learning launches testing the idea, with the outcome of completed ones (one query, or none
    when the page read them already: `loaded`).

    A launch that has not started is dated when it was planned, so no step lies in the future;
    its planned dates show as its period.
    """
    steps = []
    launches = (
        sorted(loaded, key=lambda launch: launch.id)
        if loaded is not None
        else db.session.scalars(
            select(Launch)
            .join(LaunchIdea, LaunchIdea.launch_id == Launch.id)
            .where(LaunchIdea.idea_id == idea.id, visible_launches(actor))
            .order_by(Launch.id)
        )
    )
    for launch in launches:
        completed = launch.is_completed
        badge, tone = (
            labels.label("launch_status", launch.status),
            labels.tone("launch_status", launch.status),
        )
        facts: list[tuple[str, str]] = []
        if completed and launch.decision:
            badge = f"Decision: {labels.label('decision', launch.decision)}"
            tone = labels.tone("decision", launch.decision)
            measured = launch.metric_actual or "not measured"
            facts.append((launch.success_metric, f"{measured} (target {launch.metric_target or 'not set'})"))
        steps.append(
            JourneyStep(
                kind="launch",
                date=launch.starts_at if launch.starts_at <= now else launch.created_at,
                title=launch.title,
                badge=badge,
                badge_tone=tone,
                detail="" if completed else launch.hypothesis,
                detail_html=_stored_html(launch.outcome_summary_html if completed else ""),
                url=launch_service.launch_url(launch),
                facts=facts,
                period=(launch.starts_at, launch.ends_at),
                private=launch.is_draft,
            )
        )
    return steps


def _roadmap_steps(actor: Any, idea: Idea) -> list[JourneyStep]:
    """Roadmap items answering the idea, and the release of those that shipped (one query)."""
    steps = []
    for linked_at, item in db.session.execute(
        select(RoadmapIdea.created_at, RoadmapItem)
        .join(RoadmapItem, RoadmapItem.id == RoadmapIdea.roadmap_item_id)
        .where(RoadmapIdea.idea_id == idea.id, visible_items(actor))
        .order_by(RoadmapItem.id)
    ):
        url = roadmap_service.item_url(item)
        label = labels.label("roadmap_status", item.status)
        facts = [("Target", item.target)] if item.target and item.is_upcoming else []
        steps.append(
            JourneyStep(
                kind="roadmap",
                date=linked_at,
                title=item.title,
                # A shipped item's badge is on its "Released" step, dated when it shipped.
                badge="" if item.is_shipped else label,
                badge_tone=labels.tone("roadmap_status", item.status),
                url=url,
                facts=facts,
                private=not item.is_public,
            )
        )
        if item.is_shipped and item.shipped_at is not None:
            steps.append(
                JourneyStep(
                    kind="shipped",
                    date=item.shipped_at,
                    title=item.title,
                    badge="Shipped",
                    badge_tone="success",
                    detail_html=_stored_html(item.release_note_html),
                    url=url,
                    private=not item.is_public,
                )
            )
    return steps


def idea_journey(
    actor: Any,
    idea: Idea,
    now: datetime | None = None,
    *,
    history: list[IdeaStatusChange] | None = None,
    prototypes: list[Prototype] | None = None,
    launches: list[Launch] | None = None,
) -> list[JourneyStep]:
    """The steps of the idea's journey that `actor` may see, oldest first, in at most eight queries.

    `idea` must be one `actor` may see (as `ideas.get_idea` returns it). The idea page passes the
    status history, prototypes and launches it read already (each as its service returns them for
    `actor`), which saves a query each.
    """
    now = now or utcnow()
    # No query when the author came with the idea (get_idea loads it).
    author = db.session.get(User, idea.author_id)
    steps = [
        JourneyStep(
            kind="created",
            date=idea.created_at,
            title=f"Proposed by {author.display_name}" if author else "Proposed",
        )
    ]
    changes = (
        history
        if history is not None
        else db.session.scalars(
            select(IdeaStatusChange)
            .options(joinedload(IdeaStatusChange.actor))
            .where(IdeaStatusChange.idea_id == idea.id)
            .order_by(IdeaStatusChange.created_at, IdeaStatusChange.id)
        )
    )
    for change in changes:
        before = labels.label("idea_status", change.from_status)
        after = labels.label("idea_status", change.to_status)
        steps.append(
            JourneyStep(
                kind="status",
                date=change.created_at,
                title="Status changed",
                badge=after,
                badge_tone=labels.tone("idea_status", change.to_status),
                detail=f"From “{before}”, by {change.actor.display_name}",
                detail_html=_stored_html(change.note_html),
            )
        )
    steps += _prototype_steps(actor, idea, now, prototypes)
    steps += _launch_steps(actor, idea, now, launches)
    steps += _roadmap_steps(actor, idea)
    # Python's sort is stable: same date and kind keep the order each query gave.
    steps.sort(key=lambda step: (step.date, KIND_ORDER[step.kind]))
    return steps
