"""The launch list and the launch page, each with the viewer's place in the launch."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, select

from app.errors import Invalid
from app.extensions import db
from app.models.idea import Idea
from app.models.launch import Launch, LaunchIdea, LaunchPrototype, ParticipantState
from app.models.prototype import Prototype
from app.models.round import FeedbackRound
from app.services import participation
from app.services.launches import STATUSES, get_launch
from app.services.pagination import DEFAULT_PER_PAGE, Page, paginate
from app.visibility import visible_ideas, visible_launches, visible_prototypes

# The order of the launch list: the ones people can join first.
LIST_ORDER = {"recruiting": 0, "running": 1, "draft": 2, "completed": 3, "cancelled": 4}


@dataclass
class LaunchRow:
    """A launch in a list, with the viewer's place in it."""

    launch: Launch
    my_state: ParticipantState | None = None
    my_position: int | None = None

    def __post_init__(self) -> None:
        if self.my_state is not None:
            self.my_state = ParticipantState(self.my_state)


def list_launches(
    actor: Any, status: str | None = None, page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> Page:
    """One page of launches `actor` may see, recruiting first; items are LaunchRow. Fixed query count."""
    if status is not None and status not in STATUSES:
        raise Invalid({"status": [f"Status must be one of: {', '.join(STATUSES)}."]})
    order = case(*((Launch.status == name, rank) for name, rank in LIST_ORDER.items()), else_=9)
    stmt = select(Launch).where(visible_launches(actor)).order_by(order, Launch.starts_at, Launch.id)
    if status is not None:
        stmt = stmt.where(Launch.status == status)
    result = paginate(stmt, page, per_page)
    places = participation.places(actor, [launch.id for launch in result.items])
    rows = [LaunchRow(launch, *places.get(launch.id, (None, None))) for launch in result.items]
    return Page(items=rows, page=result.page, per_page=result.per_page, total=result.total)


@dataclass
class LaunchPage:
    launch: Launch
    ideas: list[Idea]
    prototypes: list[Prototype]
    rounds: list[FeedbackRound]
    my_state: ParticipantState | None
    my_position: int | None
    screening_answer: str = ""
    removal_reason: str = ""


def launch_page(actor: Any, launch_id: int) -> LaunchPage:
    """Everything the launch page shows, in a fixed number of queries."""
    launch = get_launch(actor, launch_id)
    ideas = list(
        db.session.scalars(
            select(Idea)
            .join(LaunchIdea, LaunchIdea.idea_id == Idea.id)
            .where(LaunchIdea.launch_id == launch.id, visible_ideas(actor), Idea.deleted_at.is_(None))
            .order_by(Idea.id)
        )
    )
    linked_prototypes = list(
        db.session.scalars(
            select(Prototype)
            .join(LaunchPrototype, LaunchPrototype.prototype_id == Prototype.id)
            .where(LaunchPrototype.launch_id == launch.id, visible_prototypes(actor))
            .order_by(Prototype.id)
        )
    )
    rounds = list(
        db.session.scalars(
            select(FeedbackRound)
            .join(Prototype, Prototype.id == FeedbackRound.prototype_id)
            .where(FeedbackRound.launch_id == launch.id, visible_prototypes(actor))
            .order_by(FeedbackRound.opens_at, FeedbackRound.id)
        )
    )
    mine = participation.my_participation(actor, launch.id)
    return LaunchPage(
        launch=launch,
        ideas=ideas,
        prototypes=linked_prototypes,
        rounds=rounds,
        my_state=ParticipantState(mine.state) if mine else None,
        my_position=mine.position if mine else None,
        screening_answer=mine.screening_answer if mine else "",
        removal_reason=mine.removal_reason if mine else "",
    )
