"""The launch page."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.links import site_path
from app.models.base import utcnow
from app.pages import extended
from app.pages.moves import Move, launch_moves
from app.services import launch_pages, launches


@dataclass(kw_only=True)
class LaunchPage(launch_pages.LaunchPage):
    # The buttons that move the launch on (staff), and how early a start would be now.
    moves: list[Move]
    early_start: str | None
    now: datetime


def launch_page(actor: Any, launch_id: int) -> LaunchPage:
    """Everything the launch page shows, in a fixed number of queries."""
    core = launch_pages.launch_page(actor, launch_id)
    early_start = launches.early_by(core.launch)
    return extended(
        LaunchPage,
        core,
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
