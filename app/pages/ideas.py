"""The idea list and the idea page."""

from dataclasses import dataclass
from typing import Any

from app.models.board import Board
from app.models.idea import Category
from app.models.launch import Launch
from app.models.prototype import Prototype
from app.pages import extended
from app.services import boards as board_service
from app.services import categories as category_service
from app.services import comments as comment_service
from app.services import ideas as idea_service
from app.services import journey as journey_service
from app.services import launches as launch_service
from app.services import prototypes as prototype_service
from app.services import proxy_votes as proxy_vote_service
from app.services import rank_explanations, ranking
from app.services import roadmap as roadmap_service


@dataclass
class IdeaListPage:
    result: idea_service.IdeaList
    categories: list[Category]
    board: Board | None
    # The boards to filter by, when there is more than one to choose from.
    boards: list[Board]


def idea_list_page(
    actor: Any,
    *,
    sort: str | None,
    category: str | None,
    status: str | None,
    mine: bool,
    voted: bool,
    q: str | None,
    page: int,
    board: str | None = None,
) -> IdeaListPage:
    """One page of the idea list (of one board, when `board` names one) with its filters' choices."""
    board_row = board_service.board_by_slug(actor, board) if board else None
    result = idea_service.list_ideas(
        actor,
        sort=sort,
        category=category,
        status=status,
        mine=mine,
        voted=voted,
        q=q,
        page=page,
        board=board,
    )
    categories = category_service.categories_for(actor)
    if board_row is not None:
        categories = [c for c in categories if c.board_id in (None, board_row.id)]
    shown = board_service.list_boards(actor)
    return IdeaListPage(
        result=result, categories=categories, board=board_row, boards=shown if len(shown) > 1 else []
    )


@dataclass(kw_only=True)
class IdeaPage(idea_service.IdeaPage):
    thread: list[comment_service.ThreadNode]
    prototypes: list[Prototype]
    launches: list[Launch]
    roadmap: roadmap_service.IdeaRoadmap
    journey: list[journey_service.JourneyStep]
    rank: ranking.Breakdown | None
    # Votes staff recorded for customers: staff only (empty, and no query, for anyone else).
    recorded_votes: proxy_vote_service.RecordedVotes


def idea_page(actor: Any, idea_id: int) -> IdeaPage:
    """Everything the idea page shows, in a fixed number of queries."""
    core = idea_service.idea_page(actor, idea_id)
    # The sidebar and the journey show the same prototypes, launches and history: read once.
    prototypes = prototype_service.prototypes_for_idea(actor, idea_id)
    launches = launch_service.launches_for_idea(actor, idea_id)
    journey = journey_service.idea_journey(
        actor, core.idea, history=core.history, prototypes=prototypes, launches=launches
    )
    return extended(
        IdeaPage,
        core,
        thread=comment_service.build_thread(core.comments),
        prototypes=prototypes,
        launches=launches,
        roadmap=roadmap_service.idea_roadmap(actor, idea_id),
        journey=journey,
        rank=rank_explanations.explanation_if_allowed(actor, core.idea),
        recorded_votes=proxy_vote_service.recorded_votes(actor, core.idea),
    )
