"""On PostgreSQL with realistic volumes and statistics, no page reads all of ideas, votes or comments.

tests/test_query_plans.py checks on a small table, with sequential scans switched off, that each
list query has an index path. This module asks the other question: with the benchmark's data at a
fifth of its smaller size (20,000 ideas, about 150,000 votes, 20,000 comments, 300 members),
VACUUM ANALYZE run as seeding ends, and the planner left free, does any statement that a page
sends read every row of ideas, idea_votes or comments? Each page function runs as the page calls
it; every statement it sends is captured with its parameters and explained (`EXPLAIN (FORMAT
JSON)`), so a query added to a page is checked too, as it is when the test runs.
"""

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select, update

from app import create_app
from app.benchdata import BENCH_MEMBER, BENCH_STAFF, Size, analyze, seed
from app.extensions import db, login_manager
from app.models.base import utcnow
from app.models.board import Board
from app.models.idea import Idea
from app.models.roadmap import RoadmapIdea
from app.models.user import User
from app.pages import ideas as idea_pages
from app.pages import roadmap as roadmap_pages
from app.pages import staff as staff_pages
from app.services import dashboard, insights
from tests.conftest import _empty_tables, make_config
from tests.test_query_plans import Statement, captured

pytestmark = pytest.mark.postgres

SIZE = Size(ideas=20_000, votes=200_000, comments=20_000, users=300)
LARGE_TABLES = ("ideas", "idea_votes", "comments")


@dataclass(frozen=True)
class Seeded:
    visitor: Any
    member: User
    moderator: User
    staff: User
    thread_idea: int
    # A public board with a tenth of the ideas.
    board: Board


@pytest.fixture(scope="module")
def seeded(_schema, tmp_path_factory) -> Iterator[Seeded]:
    app = create_app(make_config(tmp_path_factory.mktemp("plans")))
    with app.app_context():
        thread_idea = seed(SIZE, 42, lambda steps, label: nullcontext(steps))
        member = db.session.scalar(select(User).where(User.email == BENCH_MEMBER))
        # The member's own ideas, some hidden and some waiting for review: the list shows them
        # to their author alone ("visible or mine").
        now = utcnow()
        own = list(range(101, 131))
        db.session.execute(update(Idea).where(Idea.id.in_(own)).values(author_id=member.id))
        db.session.execute(update(Idea).where(Idea.id.in_(own[:10])).values(hidden_at=now))
        db.session.execute(update(Idea).where(Idea.id.in_(own[10:20])).values(is_pending=True))
        db.session.execute(update(Idea).where(Idea.id.in_([7, 70, 700])).values(pinned_at=now))
        moderator = User(
            email="plan-moderator@example.com",
            display_name="Plan Moderator",
            username="plan-moderator",
            password_hash="-",
            role="moderator",
            email_verified_at=now,
        )
        db.session.add(moderator)
        # A second board with a tenth of the ideas, for the staff pages narrowed to one board.
        beta = Board(slug="beta", name="Beta", position=1, created_at=now)
        db.session.add(beta)
        db.session.flush()
        db.session.execute(update(Idea).where(Idea.id % 10 == 0).values(board_id=beta.id))
        db.session.commit()
        analyze()
        yield Seeded(
            visitor=login_manager.anonymous_user(),
            member=member,
            moderator=moderator,
            staff=db.session.scalar(select(User).where(User.email == BENCH_STAFF)),
            thread_idea=thread_idea,
            board=beta,
        )
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


# ---- Capturing statements and reading their plans ----


def _seq_scans(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("Node Type") == "Seq Scan":
            yield node.get("Relation Name", "?")
        for value in node.values():
            yield from _seq_scans(value)
    elif isinstance(node, list):
        for value in node:
            yield from _seq_scans(value)


def full_reads(statement: Statement) -> list[str]:
    """The large tables that `statement`'s plan reads from end to end."""
    conn = db.session.connection()
    plan = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement.sql}", statement.parameters).scalar()
    return sorted({table for table in _seq_scans(plan) if table in LARGE_TABLES})


def problems(run: Callable[[], Any]) -> list[str]:
    """Each statement `run` sends that reads a large table whole, with its plan and parameters."""
    with captured() as sent:
        run()
    statements = [
        statement for statement in sent if statement.sql.lstrip().upper().startswith(("SELECT", "WITH"))
    ]
    assert statements, "the page sent no query"
    found = []
    conn = db.session.connection()
    for statement in statements:
        tables = full_reads(statement)
        if tables:
            plan = conn.exec_driver_sql(f"EXPLAIN {statement.sql}", statement.parameters)
            found.append(
                f"reads all of {', '.join(tables)}:\n{statement.sql}\n"
                f"-- parameters: {statement.parameters!r}\n" + "\n".join(row[0] for row in plan)
            )
    db.session.rollback()
    return found


# ---- The check can fail ----


def test_a_query_without_an_index_is_caught(seeded):
    """The check sees a full read when there is one: no index holds an idea's excerpt."""
    unindexed = select(Idea.id).where(Idea.excerpt == "Nothing like it")
    assert problems(lambda: db.session.scalars(unindexed).all())


# ---- The pages ----


def _list(viewer: str, sort: str, board: str | None = None) -> Callable[[Seeded], Any]:
    def run(s: Seeded) -> Any:
        actor = getattr(s, viewer)
        return idea_pages.idea_list_page(
            actor, sort=sort, category=None, status=None, mine=False, voted=False, q=None, page=1, board=board
        )

    return run


PAGES: dict[str, Callable[[Seeded], Any]] = {
    **{
        f"idea list, {viewer}, {sort}": _list(viewer, sort)
        for viewer in ("visitor", "member", "moderator")
        for sort in ("trending", "top", "new")
    },
    # A board's own page (/b/<slug>/): here every idea is on the default board.
    **{f"board page, {viewer}": _list(viewer, "trending", "ideas") for viewer in ("visitor", "member")},
    **{
        f"idea page with comments, {viewer}": (
            lambda s, viewer=viewer: idea_pages.idea_page(getattr(s, viewer), s.thread_idea)
        )
        for viewer in ("visitor", "member", "moderator")
    },
    "staff dashboard": lambda s: staff_pages.dashboard_page(s.staff, dashboard.Filters(), 1, 25),
    **{
        f"staff dashboard of one board, {sort}": (
            lambda s, sort=sort: staff_pages.dashboard_page(
                s.staff, dashboard.Filters(board=s.board.slug, sort=sort), 1, 25
            )
        )
        for sort in dashboard.SORTS
    },
    "roadmap board, visitor": lambda s: roadmap_pages.board_page(s.visitor),
    "roadmap board, staff": lambda s: roadmap_pages.board_page(s.staff),
    "roadmap board of one board, staff": lambda s: roadmap_pages.board_page(s.staff, s.board.slug),
    "insights of one board, counted": lambda s: insights.count_figures(utcnow(), s.board.id),
}


def test_the_board_links_a_large_share_of_the_ideas(seeded):
    """Ten ideas for each of up to 200 items, one idea in ten here: at that share, reading every
    linked idea would rightly read the whole table, so the board must read only what it shows."""
    linked = db.session.scalar(select(func.count()).select_from(RoadmapIdea))
    assert linked * 20 > SIZE.ideas


@pytest.mark.parametrize("page", list(PAGES))
def test_no_page_reads_a_large_table_whole(seeded, page):
    found = problems(lambda: PAGES[page](seeded))
    assert not found, f"{page}:\n\n" + "\n\n".join(found)


@pytest.mark.parametrize("sort", ["recent", "weighted"])
def test_dashboard_sorted_by_vote_aggregates(seeded, sort):
    """Ranked by the stored figures: the votes per day, the weighted votes on each idea."""
    found = problems(lambda: dashboard.top_ideas(seeded.staff, dashboard.Filters(sort=sort)))
    assert not found, f"staff dashboard, sort={sort}:\n\n" + "\n\n".join(found)
