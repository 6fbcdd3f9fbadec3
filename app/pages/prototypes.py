"""The prototype page."""

from dataclasses import dataclass
from typing import Any

from app.pages import extended
from app.pages.moves import Move, prototype_moves
from app.services import comments as comment_service
from app.services import prototypes as prototype_service
from app.services import rounds as round_service


@dataclass(kw_only=True)
class PrototypePage(prototype_service.PrototypePage):
    thread: list[comment_service.ThreadNode]
    rounds: list[round_service.RoundCard]
    # The buttons that move the prototype to another status (staff).
    moves: list[Move]


def prototype_page(actor: Any, prototype_id: int) -> PrototypePage:
    """Everything the prototype page shows, its feedback rounds included, in a fixed number of queries."""
    core = prototype_service.prototype_page(actor, prototype_id)
    return extended(
        PrototypePage,
        core,
        thread=comment_service.build_thread(core.comments),
        rounds=round_service.prototype_rounds(actor, core.prototype),
        moves=prototype_moves(
            core.prototype, prototype_service.TRANSITIONS[core.prototype.status], bool(core.ideas)
        ),
    )
