"""Staff figures by board: which board a staff page (the dashboard, insights, the roadmap) is
narrowed to, from the `board=SLUG` of its address.

An unknown slug, or one of a board the viewer may not see, narrows nothing: the page says so
and shows every board, as it would without one.
"""

from dataclasses import dataclass
from typing import Any

from app.models.board import Board
from app.services.boards import list_boards

SLUG_SHOWN = 40


@dataclass(frozen=True)
class BoardChoice:
    # Every board the viewer may see, archived ones too: what the "Board" select offers.
    boards: list[Board]
    # The board asked for, when it is one of those.
    board: Board | None = None
    # Why the board asked for is not used, for the page to say.
    problem: str | None = None

    @property
    def slug(self) -> str | None:
        return self.board.slug if self.board is not None else None

    @property
    def offered(self) -> bool:
        """Whether a select is worth showing: a site with one board has nothing to narrow."""
        return len(self.boards) > 1 or self.board is not None


def unknown_board(slug: str) -> str:
    """The message for a slug that names no board the viewer may see."""
    shown = slug if len(slug) <= SLUG_SHOWN else slug[: SLUG_SHOWN - 1] + "…"
    return f"There is no board “{shown}” (or it is not visible to you), so every board is shown."


def choose_board(actor: Any, slug: str | None) -> BoardChoice:
    """The boards `actor` may see (one query) and the one `slug` names, if any."""
    boards = list_boards(actor, with_archived=True)
    wanted = (slug or "").strip()
    if not wanted:
        return BoardChoice(boards)
    for board in boards:
        if board.slug == wanted.lower():
            return BoardChoice(boards, board)
    return BoardChoice(boards, problem=unknown_board(wanted))
