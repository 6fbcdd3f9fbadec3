"""Migration 0022 fills the stored aggregates from the votes and roadmap links already there."""

from datetime import UTC, date, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, Table, inspect, text

from app import create_app
from app.extensions import db
from tests.conftest import make_config, scratch_postgres_database

BEFORE = "0020_identities"
# (idea, voter, when): two votes on one day for idea 1, a late-evening one on the next day.
VOTES = [
    (1, 1, datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),
    (1, 2, datetime(2026, 3, 2, 23, 59, 59, tzinfo=UTC)),
    (1, 3, datetime(2026, 3, 3, 0, 0, 1, tzinfo=UTC)),
    (2, 1, datetime(2026, 3, 3, 12, 0, tzinfo=UTC)),
    (2, 3, datetime(2026, 1, 20, 8, 0, tzinfo=UTC)),
]


def insert_row(conn, name: str, **values) -> None:
    """A row with every required column of `name` as the table is at this revision."""
    table = Table(name, MetaData(), autoload_with=conn)
    dummies = {bool: False, int: 0, str: "x", float: 0.0}
    row = {
        column.name: datetime.now(UTC)
        if column.type.python_type is datetime
        else dummies[column.type.python_type]
        for column in table.columns
        if not column.nullable and column.server_default is None and not column.primary_key
    }
    row.update(values)
    conn.execute(table.insert().values(**row))


def check_backfill(tmp_path, url: str) -> None:
    app = create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            for number in (1, 2, 3):
                insert_row(
                    conn,
                    "users",
                    id=number,
                    email=f"user{number}@example.com",
                    username=f"user{number}",
                    role="member",
                    email_notifications="never",
                )
            for number in (1, 2, 3):
                insert_row(conn, "ideas", id=number, author_id=1, status="planned", title=f"Idea {number}")
            for idea_id, user_id, when in VOTES:
                insert_row(conn, "idea_votes", idea_id=idea_id, user_id=user_id, created_at=when)
            for number in (1, 2):
                insert_row(
                    conn, "roadmap_items", id=number, author_id=1, status="planned", title=f"Item {number}"
                )
            # Item 1 answers ideas 1 and 2 (voter 1 and 3 voted for both); item 2 nothing voted.
            for item_id, idea_id in ((1, 1), (1, 2), (2, 3)):
                insert_row(conn, "roadmap_ideas", roadmap_item_id=item_id, idea_id=idea_id)

        upgrade()

        with db.engine.connect() as conn:
            days = conn.execute(text("SELECT idea_id, day, votes FROM idea_vote_days"))
            assert sorted((idea, str(day)[:10], votes) for idea, day, votes in days) == [
                (1, "2026-03-02", 2),
                (1, "2026-03-03", 1),
                (2, "2026-01-20", 1),
                (2, "2026-03-03", 1),
            ]
            demand = dict(conn.execute(text("SELECT roadmap_item_id, voters FROM roadmap_demands")).all())
            assert demand == {1: 3, 2: 0}

        # The application reads them: the dashboard's window adds the stored days up.
        from app.services import aggregates

        assert aggregates.stored_demand([1, 2]) == {1: 3, 2: 0}
        assert aggregates.votes_per_day(date(2026, 3, 1)) == {date(2026, 3, 2): 2, date(2026, 3, 3): 2}
        db.session.remove()

        downgrade(revision=BEFORE)
        assert not {"idea_vote_days", "roadmap_demands", "stored_figures"} & set(
            inspect(db.engine).get_table_names()
        )
        db.engine.dispose()


def test_existing_votes_fill_the_stored_aggregates_on_sqlite(tmp_path):
    check_backfill(tmp_path, f"sqlite:///{tmp_path / 'migrated.db'}")


@pytest.mark.postgres
def test_existing_votes_fill_the_stored_aggregates_on_postgres(tmp_path):
    with scratch_postgres_database() as url:
        check_backfill(tmp_path, url)
