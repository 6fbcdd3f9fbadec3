"""The launch page."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.links import site_path
from app.models.base import utcnow
from app.models.idea import Idea
from app.models.launch import Launch, ParticipantState
from app.models.prototype import Prototype
from app.models.round import FeedbackRound
from app.pages.moves import Move, launch_moves
from app.services import launch_pages, launches


@dataclass
class LaunchPage:
    launch: Launch
    ideas: list[Idea]
    prototypes: list[Prototype]
    rounds: list[FeedbackRound]
    my_state: ParticipantState | None
    my_position: int | None
    screening_answer: str
    removal_reason: str
    # The buttons that move the launch on (staff), and how early a start would be now.
    moves: list[Move]
    early_start: str | None
    now: datetime


def launch_page(actor: Any, launch_id: int) -> LaunchPage:
    """Everything the launch page shows, in a fixed number of queries."""
    core = launch_pages.launch_page(actor, launch_id)
    early_start = launches.early_by(core.launch)
    return LaunchPage(
        launch=core.launch,
        ideas=core.ideas,
        prototypes=core.prototypes,
        rounds=core.rounds,
        my_state=core.my_state,
        my_position=core.my_position,
        screening_answer=core.screening_answer,
        removal_reason=core.removal_reason,
        moves=launch_moves(
            core.launch,
            launches.TRANSITIONS[core.launch.status],
            bool(core.ideas),
            early_start,
            site_path("launches.complete", launch_id=core.launch.id),
        ),
        early_start=early_start,
        now=utcnow(),
    )
