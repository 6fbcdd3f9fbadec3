"""Pagination shared by pages and the API: ?page=1&per_page=25 (per_page 1..100)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from app.errors import BadRequest
from app.extensions import db
from app.pagecache import remember

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
# Past any real list, and small enough that the row offset fits every database's integer.
MAX_PAGE = 2**31 - 1


@dataclass(frozen=True)
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_args(args: Mapping[str, str], default_per_page: int = DEFAULT_PER_PAGE) -> tuple[int, int]:
    """Read page and per_page from query arguments; bad values raise BadRequest."""

    def number(name: str, default: int, low: int, high: int) -> int:
        raw = args.get(name)
        if raw is None or raw == "":
            return default
        # isascii: "²" is a digit to str.isdigit() but not to int().
        if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
            bounds = f"{low} or more" if high == MAX_PAGE else f"between {low} and {high}"
            raise BadRequest(f"`{name}` must be a whole number {bounds}.")
        return int(raw)

    return number("page", 1, 1, MAX_PAGE), number("per_page", default_per_page, 1, MAX_PER_PAGE)


def paginate(stmt: Select, page: int, per_page: int, count_key: str | None = None) -> Page:
    """Run `stmt` for one page plus a count of all its rows (two queries).

    With `count_key` the count is kept until the ideas change (see app/pagecache.py): the key
    must name everything the count depends on, the viewer included.
    """

    def count() -> int:
        return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0

    total = remember(count_key, count) if count_key else count()
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total)
