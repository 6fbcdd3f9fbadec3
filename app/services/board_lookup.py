"""Which board an idea is on, from every board read once per transaction (boards are few).

Kept apart from app/services/boards.py so that what renders an idea (cards, the API, webhook
payloads) needs nothing but the boards themselves.
"""

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models.board import Board

_BOARDS = "cocreate_boards"


def board_of(idea) -> Board:
    """The board `idea` is on."""
    return boards_by_id()[idea.board_id]


def boards_by_id() -> dict[int, Board]:
    known = db.session.info.get(_BOARDS)
    if known is None or any(board not in db.session for board in known.values()):
        known = {board.id: board for board in db.session.scalars(select(Board))}
        db.session.info[_BOARDS] = known
    return known


def forget_boards() -> None:
    """Read the boards again (after one was added or changed in this transaction)."""
    db.session.info.pop(_BOARDS, None)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_at_end(session: Session) -> None:
    session.info.pop(_BOARDS, None)
