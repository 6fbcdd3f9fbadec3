"""The roadmap board and a roadmap item's page."""

from dataclasses import dataclass
from typing import Any

from app.permissions import can
from app.services import roadmap as roadmap_service
from app.services.board_filter import BoardChoice, choose_board
from app.services.roadmap import BoardCard, ItemPage


@dataclass
class RoadmapBoard:
    columns: dict[str, list[BoardCard]]
    # Staff only: the boards to narrow the roadmap to, and the one shown; None for anyone else.
    boards: BoardChoice | None = None


def board_page(actor: Any, board: str | None = None) -> RoadmapBoard:
    """The roadmap's columns, each card with its ideas and demand.

    Staff may narrow it to the board of slug `board` (the items linked to its ideas, with those
    ideas and the demand over them); an unknown board narrows nothing, with a message. Anyone
    else gets the whole roadmap whatever they ask.
    """
    if not can(actor, "roadmap.manage"):
        return RoadmapBoard(columns=roadmap_service.board(actor))
    boards = choose_board(actor, board)
    return RoadmapBoard(columns=roadmap_service.board(actor, idea_board=boards.board), boards=boards)


def item_page(actor: Any, item_id: int, words: str | None) -> ItemPage:
    """A roadmap item with its linked ideas and demand; staff searching `words` get ideas to link."""
    return roadmap_service.item_page(actor, item_id, words)
