"""The main list queries read through indexes, not by scanning and sorting whole tables.

Each test calls the service a page calls, captures the SQL it sends with its parameters, and asks
the database for that statement's plan: `EXPLAIN QUERY PLAN` on SQLite (which has no statistics
unless someone runs ANALYZE, as in production), `EXPLAIN` on PostgreSQL after ANALYZE and with
`enable_seqscan = off`, so that a table of a few thousand rows cannot make a sequential scan look
cheaper than the index the query is meant to use. A query the services change is checked as it is
then, and a query that loses its index fails here, naming the query and printing its plan.
"""

import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, update

from app.extensions import db, login_manager
from app.models.base import utcnow
from app.models.board import Board
from app.models.comment import Comment
from app.models.idea import Category, Idea, IdeaVote
from app.models.user import User
from app.services import aggregates, dashboard, ideas, profiles
from app.services import comments as comment_service
from app.services.search import search_document
from tests.conftest import ON_POSTGRES

IDEAS = 1000
USERS = 120
CATEGORIES = 8
COMMENTS = 2000
VERBS = ["Export", "Import", "Sync", "Schedule", "Filter", "Share", "Archive", "Tag", "Print", "Compare"]
THINGS = ["reports", "invoices", "dashboards", "projects", "tasks", "contacts", "files", "forms"]
TAILS = ["to CSV", "by customer", "in bulk", "on mobile", "with Slack", "every week", "as PDF"]
STATUSES = ["open"] * 6 + ["under_review", "planned", "in_progress", "shipped", "declined"]


@dataclass(frozen=True)
class Catalogue:
    member_id: int
    staff_id: int
    # An idea with comments, visible to anyone.
    idea_id: int


@pytest.fixture
def catalogue(app) -> Catalogue:
    """A few thousand rows of ideas, votes and comments, written with bulk inserts."""
    rnd = random.Random(7)  # noqa: S311 - reproducible test data, not secrets
    now = utcnow()
    users = [
        {
            "email": f"plan{number}@example.com",
            "display_name": f"Plan {number}",
            "username": f"plan{number}",
            "password_hash": "-",
            "role": "admin" if number == 1 else "member",
            "created_at": now - timedelta(days=400),
            "email_verified_at": now - timedelta(days=400),
        }
        for number in range(1, USERS + 1)
    ]
    db.session.execute(insert(User), users)
    db.session.execute(
        insert(Category),
        [{"name": f"Area {n}", "slug": f"area-{n}", "position": n} for n in range(1, CATEGORIES + 1)],
    )
    rows = []
    for number in range(1, IDEAS + 1):
        title = f"{rnd.choice(VERBS)} {rnd.choice(THINGS)} {rnd.choice(TAILS)}"
        body = "Our finance team asks for this every month."
        created = now - timedelta(hours=number * 5)
        rows.append(
            {
                "title": title,
                "body": body,
                "body_html": f"<p>{body}</p>",
                "excerpt": body,
                "search_text": search_document(title, body),
                "status": rnd.choice(STATUSES),
                "category_id": rnd.randint(1, CATEGORIES),
                "author_id": rnd.randint(1, USERS),
                "vote_count": rnd.randint(0, 80),
                "comment_count": rnd.randint(0, 30),
                "trending_score": rnd.random() * 50,
                "hidden_at": now if number % 97 == 0 else None,
                "is_pending": number % 89 == 0,
                "created_at": created,
                "updated_at": created,
            }
        )
    db.session.execute(insert(Idea), rows)
    db.session.execute(update(Idea).where(Idea.id.in_([3, 30, 300])).values(pinned_at=now))
    # A second public board, and a private board with a quarter of the ideas: every
    # list then also leaves out what a visitor may not see.
    db.session.execute(
        insert(Board),
        [
            {"slug": "mobile", "name": "Mobile", "description": "", "position": 1, "visibility": "public"},
            {"slug": "beta", "name": "Beta", "description": "", "position": 2, "visibility": "private"},
        ],
    )
    db.session.execute(update(Idea).where(Idea.id % 5 == 0).values(board_id=2))
    db.session.execute(update(Idea).where(Idea.id % 4 == 0).values(board_id=3))
    votes = {(rnd.randint(1, IDEAS), rnd.randint(1, USERS)) for _ in range(IDEAS * 3)}
    db.session.execute(
        insert(IdeaVote),
        [
            {"idea_id": idea, "user_id": user, "created_at": now - timedelta(hours=rnd.randint(0, 2000))}
            for idea, user in sorted(votes)
        ],
    )
    db.session.execute(
        insert(Comment),
        [
            {
                "idea_id": 1 if number % 10 == 0 else rnd.randint(1, IDEAS),
                "author_id": rnd.randint(1, USERS),
                "body": "Same here.",
                "body_html": "<p>Same here.</p>",
                "created_at": now - timedelta(minutes=number),
            }
            for number in range(COMMENTS)
        ],
    )
    aggregates.recount_vote_days()
    db.session.commit()
    if ON_POSTGRES:
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "ANALYZE users, boards, categories, ideas, idea_votes, idea_vote_days, comments"
            )
    return Catalogue(member_id=2, staff_id=1, idea_id=1)


# ---- Capturing statements and reading their plans ----


@dataclass(frozen=True)
class Statement:
    sql: str
    parameters: Any


@contextmanager
def captured() -> Iterator[list[Statement]]:
    """The statements the code inside the block sends, with their parameters, in order."""
    statements: list[Statement] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(Statement(statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def statement_of(label: str, run: Callable[[], Any], matches: Callable[[str], bool]) -> Statement:
    """Run the service call `run` and return the one statement it sent that `matches`."""
    with captured() as statements:
        run()
    found = [statement for statement in statements if matches(statement.sql)]
    listing = "\n\n".join(statement.sql for statement in statements)
    assert len(found) == 1, f"{label}: expected one such statement, found {len(found)} in:\n{listing}"
    return found[0]


def plan_of(statement: Statement, ordered: bool = False) -> list[str]:
    """The plan of `statement` with its parameters, one line per step, on the test's connection.

    On PostgreSQL sequential scans are off, and with `ordered` explicit sorts too: the question is
    whether an index path exists that the query's shape lets the planner take, which a few thousand
    rows would otherwise hide behind a cheap scan and sort.
    """
    conn = db.session.connection()
    if ON_POSTGRES:
        # Local to this test's transaction, which the app fixture rolls back.
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        conn.exec_driver_sql(f"SET LOCAL enable_sort = {'off' if ordered else 'on'}")
        return [row[0] for row in conn.exec_driver_sql(f"EXPLAIN {statement.sql}", statement.parameters)]
    rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement.sql}", statement.parameters)
    return [row[3] for row in rows]


def described(label: str, problem: str, statement: Statement, plan: list[str]) -> str:
    return (
        f"{label}: {problem}\n--- plan ---\n"
        + "\n".join(plan)
        + f"\n--- SQL ---\n{statement.sql}\n--- parameters ---\n{statement.parameters!r}"
    )


def full_scans(plan: list[str], table: str) -> list[str]:
    """Steps that read every row of `table` without an index."""
    if ON_POSTGRES:
        return [line for line in plan if re.search(rf"Seq Scan on {table}\b", line)]
    return [line for line in plan if re.fullmatch(rf"\s*SCAN {table}( AS \w+)?", line)]


def sorts(plan: list[str]) -> list[str]:
    """Steps that sort rows to produce the query's ORDER BY."""
    if ON_POSTGRES:
        return [line for line in plan if re.match(r"\s*(->\s+)?(Incremental )?Sort\b", line)]
    return [line for line in plan if "TEMP B-TREE FOR" in line and "ORDER BY" in line]


def index_steps(plan: list[str], table: str, indexes: tuple[str, ...], lookup: bool) -> list[str]:
    """Steps reading `table` through one of `indexes`; with `lookup`, only those with a condition."""
    names = "|".join(re.escape(name) for name in indexes)
    if ON_POSTGRES:
        scan = rf"Index (Only )?Scan (Backward )?using ({names}) on {table}\b"
        pattern = rf"({scan}|Bitmap Index Scan on ({names})\b)"
        steps = []
        for number, line in enumerate(plan):
            if not re.search(pattern, line):
                continue
            details = []
            for following in plan[number + 1 :]:
                if "->" in following:
                    break
                details.append(following)
            if not lookup or "Bitmap Index Scan" in line or any("Index Cond" in text for text in details):
                steps.append(line)
        return steps
    verb = "SEARCH" if lookup else "(SCAN|SEARCH)"
    pattern = rf"\s*{verb} {table}( AS \w+)? USING (COVERING )?INDEX ({names})\b"
    return [line for line in plan if re.match(pattern, line)]


def assert_reads(
    label: str,
    statement: Statement,
    table: str,
    indexes: str | tuple[str, ...],
    *,
    ordered: bool = False,
    lookup: bool = False,
) -> list[str]:
    """Assert the plan reads `table` through one of `indexes`, never all of it, and returns the plan.

    `ordered`: the index gives the ORDER BY, so nothing is sorted (the LIMIT stops the read early).
    `lookup`: the index is searched with a condition, not read from end to end.
    """
    indexes = (indexes,) if isinstance(indexes, str) else indexes
    plan = plan_of(statement, ordered)
    scanned = full_scans(plan, table)
    assert not scanned, described(label, f"reads all of {table}: {scanned}", statement, plan)
    how = "searching" if lookup else "reading"
    assert index_steps(plan, table, indexes, lookup), described(
        label, f"is not {how} {table} through {' or '.join(indexes)}", statement, plan
    )
    if ordered:
        sorted_steps = sorts(plan)
        assert not sorted_steps, described(
            label, f"sorts instead of reading in index order: {sorted_steps}", statement, plan
        )
    return plan


def is_page(sql: str) -> bool:
    """The paged query of a list (not its count, not the pinned ideas heading page 1)."""
    return (
        "LIMIT" in sql and not sql.lstrip().startswith("SELECT count(") and "pinned_at IS NOT NULL" not in sql
    )


def anonymous():
    return login_manager.anonymous_user()


# ---- The idea list ----


@pytest.mark.parametrize("sort", ideas.SORTS)
def test_idea_list_reads_each_sort_in_index_order(catalogue, sort):
    """Every sort of the public idea list walks its own index and stops after one page."""
    label = f"idea list, sort={sort}, anonymous"
    statement = statement_of(label, lambda: ideas.list_ideas(anonymous(), sort=sort), is_page)
    assert_reads(label, statement, "ideas", f"ix_ideas_{sort}", ordered=True)


def test_idea_list_finds_pinned_ideas_through_an_index(catalogue):
    """The pinned ideas heading page 1 come from an index of the few pinned ones, not from every idea."""
    label = "idea list, pinned ideas heading page 1"
    statement = statement_of(
        label, lambda: ideas.list_ideas(anonymous()), lambda sql: "pinned_at IS NOT NULL" in sql
    )
    assert_reads(label, statement, "ideas", "ix_ideas_pinned", ordered=True)


def test_idea_list_by_category_reads_the_category_index_in_order(catalogue):
    label = "idea list, category=area-3, anonymous"
    statement = statement_of(label, lambda: ideas.list_ideas(anonymous(), category="area-3"), is_page)
    assert_reads(label, statement, "ideas", "ix_ideas_category_trending", ordered=True, lookup=True)


def test_idea_list_of_one_board_reads_the_board_index_in_order(catalogue):
    """A board's page (/b/<slug>/) walks the board's part of its index and stops after one page."""
    label = "idea list, board=mobile, anonymous"
    statement = statement_of(label, lambda: ideas.list_ideas(anonymous(), board="mobile"), is_page)
    assert_reads(label, statement, "ideas", "ix_ideas_board_trending", ordered=True, lookup=True)


def test_idea_list_leaves_out_private_boards_in_index_order(catalogue):
    """With a private board, a visitor's list is the same one walk of the sort's index."""
    label = "idea list, sort=top, anonymous, a private board"
    statement = statement_of(label, lambda: ideas.list_ideas(anonymous(), sort="top"), is_page)
    assert "board_id NOT IN" in statement.sql
    assert_reads(label, statement, "ideas", "ix_ideas_top", ordered=True)


def test_idea_list_by_status_reads_the_status_index_in_order(catalogue):
    label = "idea list, status=planned, anonymous"
    statement = statement_of(label, lambda: ideas.list_ideas(anonymous(), status="planned"), is_page)
    assert_reads(label, statement, "ideas", "ix_ideas_status_trending", ordered=True, lookup=True)


def test_idea_list_of_a_signed_in_member_reads_in_index_order(catalogue):
    """A member also sees their own hidden or pending ideas; the list still walks the trending index."""
    label = "idea list, sort=trending, signed-in member"
    member = db.session.get(User, catalogue.member_id)
    statement = statement_of(label, lambda: ideas.list_ideas(member), is_page)
    assert_reads(label, statement, "ideas", "ix_ideas_trending", ordered=True)


# ---- Search ----


@pytest.mark.parametrize("part", ["page", "count"])
def test_search_matches_through_the_full_text_index(catalogue, part):
    """Search finds its ideas in the full-text index (FTS5 on SQLite, GIN on PostgreSQL), page and count."""
    label = f"idea search 'export csv', {part}"

    def matches(sql: str) -> bool:
        is_count = sql.lstrip().startswith("SELECT count(")
        return is_count if part == "count" else "LIMIT" in sql and not is_count

    statement = statement_of(label, lambda: ideas.list_ideas(anonymous(), q="export csv"), matches)
    plan = plan_of(statement)
    assert not full_scans(plan, "ideas"), described(label, "reads all ideas", statement, plan)
    if ON_POSTGRES:
        found = [line for line in plan if "Bitmap Index Scan on ix_ideas_search" in line]
        assert found, described(label, "does not search the GIN index ix_ideas_search", statement, plan)
    else:
        fts = [line for line in plan if re.search(r"ideas_fts VIRTUAL TABLE INDEX \d+:M", line)]
        assert fts, described(label, "does not match through the FTS5 table ideas_fts", statement, plan)
        by_key = [line for line in plan if re.match(r"\s*SEARCH ideas USING INTEGER PRIMARY KEY", line)]
        assert by_key, described(label, "does not fetch the matched ideas by id", statement, plan)


# ---- The staff dashboard ----


def _ranking(catalogue: Catalogue) -> tuple[str, Statement]:
    label = "staff dashboard ranking (most votes, with votes of the last 30 days)"
    staff = db.session.get(User, catalogue.staff_id)
    statement = statement_of(
        label,
        lambda: dashboard.top_ideas(staff, dashboard.Filters()),
        lambda sql: "votes_30d" in sql and "LIMIT" in sql,
    )
    return label, statement


def test_dashboard_ranks_ideas_in_index_order(catalogue):
    label, statement = _ranking(catalogue)
    assert_reads(label, statement, "ideas", "ix_ideas_top", ordered=True)


def test_dashboard_counts_recent_votes_per_shown_idea_from_a_range(catalogue):
    """Each shown idea's votes of the last 30 days are one range of its votes by time, not every vote."""
    label, statement = _ranking(catalogue)
    assert_reads(label, statement, "idea_votes", "ix_idea_votes_idea_id_created_at", lookup=True)


def test_dashboard_adds_up_the_stored_days_of_each_shown_idea(catalogue):
    """The whole days of the window come from each shown idea's stored days, found by key."""
    label, statement = _ranking(catalogue)
    indexes = ("pk_idea_vote_days", "sqlite_autoindex_idea_vote_days_1")
    assert_reads(label, statement, "idea_vote_days", indexes, lookup=True)


def test_dashboard_by_recent_votes_reads_ranges_of_days_and_votes(catalogue):
    """Sorted by votes in 30 days: a range of the stored days, and of the votes of the two edge days."""
    label = "staff dashboard ranking (votes of the last 30 days)"
    staff = db.session.get(User, catalogue.staff_id)
    statement = statement_of(
        label,
        lambda: dashboard.top_ideas(staff, dashboard.Filters(sort="recent")),
        lambda sql: "votes_30d" in sql and "LIMIT" in sql,
    )
    assert_reads(label, statement, "idea_vote_days", "ix_idea_vote_days_day_idea_id", lookup=True)
    assert_reads(label, statement, "idea_votes", "ix_idea_votes_created_at_idea_id", lookup=True)


def test_dashboard_of_one_board_reads_the_board_index_in_order(catalogue):
    """Narrowed to one board, the trending order walks that board's part of its index."""
    label = "staff dashboard ranking, board=beta, sort=trending"
    staff = db.session.get(User, catalogue.staff_id)
    statement = statement_of(
        label,
        lambda: dashboard.top_ideas(staff, dashboard.Filters(board="beta", sort="trending")),
        lambda sql: "votes_30d" in sql and "LIMIT" in sql,
    )
    assert_reads(label, statement, "ideas", "ix_ideas_board_trending", ordered=True, lookup=True)


def test_dashboard_of_one_board_by_votes_reads_ideas_through_an_index(catalogue):
    """No index orders one board's ideas by votes: the board's part of its index, or the votes
    index filtered by board, never all ideas."""
    label = "staff dashboard ranking, board=beta, sort=votes"
    staff = db.session.get(User, catalogue.staff_id)
    statement = statement_of(
        label,
        lambda: dashboard.top_ideas(staff, dashboard.Filters(board="beta")),
        lambda sql: "votes_30d" in sql and "LIMIT" in sql,
    )
    assert_reads(label, statement, "ideas", ("ix_ideas_board_trending", "ix_ideas_top"))


def test_dashboard_of_one_board_by_recent_votes_fetches_ideas_by_id(catalogue):
    label = "staff dashboard ranking, board=beta, sort=recent"
    staff = db.session.get(User, catalogue.staff_id)
    statement = statement_of(
        label,
        lambda: dashboard.top_ideas(staff, dashboard.Filters(board="beta", sort="recent")),
        lambda sql: "votes_30d" in sql and "LIMIT" in sql,
    )
    plan = plan_of(statement)
    assert not full_scans(plan, "ideas"), described(label, "reads all ideas", statement, plan)
    assert_reads(label, statement, "idea_vote_days", "ix_idea_vote_days_day_idea_id", lookup=True)


# ---- A member's votes ----


def test_which_listed_ideas_a_member_voted_for_is_an_index_lookup(catalogue):
    label = "a member's votes among the listed ideas"
    member = db.session.get(User, catalogue.member_id)
    statement = statement_of(
        label,
        lambda: ideas.list_ideas(member),
        lambda sql: "FROM idea_votes" in sql and "idea_votes.user_id =" in sql and " IN " in sql,
    )
    indexes = ("pk_idea_votes", "sqlite_autoindex_idea_votes_1", "ix_idea_votes_user_id_created_at")
    assert_reads(label, statement, "idea_votes", indexes, lookup=True)


def test_a_members_vote_count_reads_the_user_index(catalogue):
    label = "a member's vote count (profile)"
    statement = statement_of(
        label,
        lambda: profiles.profile_page(anonymous(), catalogue.member_id),
        lambda sql: "FROM idea_votes" in sql and "idea_votes.user_id =" in sql,
    )
    assert_reads(label, statement, "idea_votes", "ix_idea_votes_user_id_created_at", lookup=True)


# ---- An idea's comments ----


def test_an_ideas_comments_are_an_index_lookup(catalogue):
    label = "an idea's comments (idea page)"
    statement = statement_of(
        label,
        lambda: ideas.idea_page(anonymous(), catalogue.idea_id),
        lambda sql: "FROM comments" in sql and "comments.idea_id =" in sql,
    )
    assert_reads(label, statement, "comments", "ix_comments_idea_id_created_at", lookup=True)


def test_a_page_of_an_ideas_comments_is_an_index_lookup(catalogue):
    label = "a page of an idea's comments (API)"
    idea = ideas.get_idea(anonymous(), catalogue.idea_id)
    statement = statement_of(
        label,
        lambda: comment_service.list_comments(anonymous(), idea, 2, 25),
        lambda sql: "FROM comments" in sql and "LIMIT" in sql,
    )
    assert_reads(label, statement, "comments", "ix_comments_idea_id_created_at", lookup=True)
