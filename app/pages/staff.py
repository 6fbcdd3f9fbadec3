"""The staff dashboard and insights, each narrowed to one board when asked."""

from dataclasses import dataclass, replace
from typing import Any

from app.models.idea import Category
from app.services import categories as category_service
from app.services import dashboard as dashboard_service
from app.services import insights as insights_service
from app.services.board_filter import BoardChoice, choose_board


@dataclass
class DashboardPage:
    # None when the filters were refused: the page shows the filter form and its messages alone.
    data: dashboard_service.StaffDashboard | None
    categories: list[Category]
    # The boards to choose from, and the one shown (an unknown one is dropped, with a message).
    boards: BoardChoice
    # The filters the data was read with.
    filters: dashboard_service.Filters | None = None


def dashboard_page(
    actor: Any, filters: dashboard_service.Filters | None, page: int, per_page: int
) -> DashboardPage:
    """The dashboard for valid `filters`, or only the filter form's choices when they are None.

    A board that `actor` may not see, or that does not exist, narrows nothing: the page says so.
    """
    boards = choose_board(actor, filters.board if filters is not None else None)
    if filters is None:
        return DashboardPage(data=None, categories=category_service.list_categories(), boards=boards)
    filters = replace(filters, board=boards.slug)
    data = dashboard_service.dashboard(actor, filters, page, per_page)
    return DashboardPage(data=data, categories=data.categories, boards=boards, filters=filters)


@dataclass
class InsightsPage:
    data: insights_service.Insights
    boards: BoardChoice


def insights_page(actor: Any, board: str | None = None) -> InsightsPage:
    """The insights over every board, or over the board of slug `board` (an unknown one is
    dropped, with a message)."""
    boards = choose_board(actor, board)
    return InsightsPage(data=insights_service.insights(actor, board=boards.board), boards=boards)
