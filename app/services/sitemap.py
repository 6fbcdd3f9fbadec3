"""What the sitemap lists: the pages everyone may see, read as a visitor whoever asks."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models.board import Board
from app.models.idea import Idea
from app.services import boards as board_service
from app.visibility import public_ideas

# A sitemap file holds at most 50,000 URLs (sitemaps.org); the home page is one of them.
MAX_URLS = 50_000


@dataclass(frozen=True)
class SitemapEntries:
    # The boards a visitor sees (public, not archived), in their order.
    boards: list[Board]
    # The ideas everyone may see (merged ones live on in their targets), newest first: (id, last changed).
    ideas: list[tuple[int, datetime]]


def sitemap_entries(limit: int = MAX_URLS - 1) -> SitemapEntries:
    """The public boards and the newest public ideas, `limit` of them in all (two queries)."""
    boards = board_service.list_boards(None)[:limit]
    rows = db.session.execute(
        select(Idea.id, Idea.updated_at)
        .where(public_ideas(), Idea.status != "merged")
        .order_by(Idea.id.desc())
        .limit(limit - len(boards))
    )
    return SitemapEntries(boards=boards, ideas=[(idea_id, updated) for idea_id, updated in rows])
