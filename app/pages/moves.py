"""The buttons that move a launch or a prototype to another status, as their pages draw them.

A page's template loops over the moves and compares no status: the words, the button's style
and the question asked before the move are decided here, from the object and what the page knows.
"""

from dataclasses import dataclass

from app.models.launch import Launch
from app.models.prototype import Prototype
from app.templating import format_date


@dataclass(frozen=True)
class Move:
    target: str
    label: str
    # The button's style: primary, secondary or danger.
    style: str = "primary"
    # Asked before the form is sent (data-confirm), or none.
    confirm: str = ""
    # Set for a move that is a page of its own (completing a launch needs its outcome).
    href: str = ""
    # A launch started before its planned date.
    start_early: bool = False


def _told(has_ideas: bool) -> str:
    return ", and followers of its linked ideas are told" if has_ideas else ""


def launch_moves(
    launch: Launch, targets: tuple[str, ...], has_ideas: bool, early_start: str | None, complete_url: str
) -> list[Move]:
    """The moves staff may make from the launch's status, in the order of `targets`."""
    moves = {
        "recruiting": Move(
            "recruiting",
            "Open for recruiting",
            confirm=f"Open this launch for recruiting? Everyone sees it{_told(has_ideas)}.",
        ),
        "running": Move(
            "running",
            f"Start now, {early_start} early",
            confirm=f"Start now, {early_start} before the planned date ({format_date(launch.starts_at)})? "
            "Its start date becomes today, and nobody can join after this.",
            start_early=True,
        )
        if early_start
        else Move("running", "Start running", confirm="Start the launch? Nobody can join after this."),
        "completed": Move("completed", "Complete with the outcome…", href=complete_url),
        "cancelled": Move(
            "cancelled",
            "Cancel the launch",
            style="danger",
            confirm="Cancel this launch? Everyone who joined is told, and it can't be undone.",
        ),
    }
    return [moves[target] for target in targets]


def prototype_moves(prototype: Prototype, targets: tuple[str, ...], has_ideas: bool) -> list[Move]:
    """The moves staff may make from the prototype's status, in the order of `targets`."""
    moves = {
        "published": Move("published", "Publish again")
        if prototype.published_at
        else Move(
            "published",
            "Publish",
            confirm=f"Publish this prototype? Everyone will see it{_told(has_ideas)}.",
        ),
        "archived": Move(
            "archived",
            "Archive",
            style="secondary",
            confirm="Archive this prototype? It stays readable but takes no more votes.",
        ),
    }
    return [moves[target] for target in targets]
