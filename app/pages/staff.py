"""The staff dashboard."""

from dataclasses import dataclass
from typing import Any

from app.models.idea import Category
from app.services import categories as category_service
from app.services import dashboard as dashboard_service


@dataclass
class DashboardPage:
    # None when the filters were refused: the page shows the filter form and its messages alone.
    data: dashboard_service.StaffDashboard | None
    categories: list[Category]


def dashboard_page(
    actor: Any, filters: dashboard_service.Filters | None, page: int, per_page: int
) -> DashboardPage:
    """The dashboard for valid `filters`, or only the filter form's categories when they are None."""
    if filters is None:
        return DashboardPage(data=None, categories=category_service.list_categories())
    data = dashboard_service.dashboard(actor, filters, page, per_page)
    return DashboardPage(data=data, categories=data.categories)
