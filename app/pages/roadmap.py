"""The roadmap board and a roadmap item's page."""

from typing import Any

from app.services import roadmap as roadmap_service
from app.services.roadmap import BoardCard, ItemPage


def board_page(actor: Any) -> dict[str, list[BoardCard]]:
    """The roadmap's columns, each card with its ideas and demand."""
    return roadmap_service.board(actor)


def item_page(actor: Any, item_id: int, words: str | None) -> ItemPage:
    """A roadmap item with its linked ideas and demand; staff searching `words` get ideas to link."""
    return roadmap_service.item_page(actor, item_id, words)
