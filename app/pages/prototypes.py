"""The prototype page."""

from dataclasses import dataclass
from typing import Any

from app.models.comment import Comment
from app.models.idea import Idea
from app.models.prototype import Prototype
from app.pages.moves import Move, prototype_moves
from app.services import comments as comment_service
from app.services import prototypes as prototype_service
from app.services import rounds as round_service


@dataclass
class PrototypePage:
    prototype: Prototype
    ideas: list[Idea]
    voted: bool
    comments: list[Comment]
    thread: list[comment_service.ThreadNode]
    rounds: list[round_service.RoundCard]
    # The buttons that move the prototype to another status (staff).
    moves: list[Move]


def prototype_page(actor: Any, prototype_id: int) -> PrototypePage:
    """Everything the prototype page shows, its feedback rounds included, in a fixed number of queries."""
    core = prototype_service.prototype_page(actor, prototype_id)
    return PrototypePage(
        prototype=core.prototype,
        ideas=core.ideas,
        voted=core.voted,
        comments=core.comments,
        thread=comment_service.build_thread(core.comments),
        rounds=round_service.prototype_rounds(actor, core.prototype),
        moves=prototype_moves(
            core.prototype, prototype_service.TRANSITIONS[core.prototype.status], bool(core.ideas)
        ),
    )
