"""Migration 0024 stores each idea's votes weighted by segment, from the votes already there."""

from datetime import UTC, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app import create_app
from app.extensions import db
from tests.conftest import make_config, scratch_postgres_database
from tests.test_stored_aggregates_migration import insert_row

BEFORE = "0023_plan_indexes"
# Voter 1 is in no segment (1), voter 2 in one of weight 3, voter 3 in weights 2.5 and 0.5 (2.5).
SEGMENTS = [(1, 3.0), (2, 2.5), (3, 0.5)]
MEMBERS = [(2, 1), (3, 2), (3, 3)]
VOTES = [(1, 1), (1, 2), (1, 3), (2, 3)]


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
                insert_row(conn, "ideas", id=number, author_id=1, status="open", title=f"Idea {number}")
            for segment_id, weight in SEGMENTS:
                conn.execute(
                    text(
                        "INSERT INTO segments (id, name, slug, description, weight, created_at)"
                        " VALUES (:id, :name, :name, '', :weight, CURRENT_TIMESTAMP)"
                    ),
                    {"id": segment_id, "name": f"s{segment_id}", "weight": weight},
                )
            for user_id, segment_id in MEMBERS:
                insert_row(conn, "user_segments", user_id=user_id, segment_id=segment_id)
            for idea_id, user_id in VOTES:
                insert_row(
                    conn,
                    "idea_votes",
                    idea_id=idea_id,
                    user_id=user_id,
                    created_at=datetime(2026, 3, 2, tzinfo=UTC),
                )

        upgrade()

        with db.engine.connect() as conn:
            stored = dict(conn.execute(text("SELECT id, weighted_votes FROM ideas")).all())
        assert stored == {1: pytest.approx(6.5), 2: pytest.approx(2.5), 3: 0.0}
        # A vote after the migration moves them as the application keeps them.
        from app.models.idea import Idea
        from app.services import votes

        votes.add_vote(db.session.get(Idea, 2), 2)
        db.session.commit()
        assert db.session.get(Idea, 2).weighted_votes == pytest.approx(5.5)
        db.session.remove()

        downgrade(revision=BEFORE)
        columns = {column["name"] for column in inspect(db.engine).get_columns("ideas")}
        assert "weighted_votes" not in columns
        db.engine.dispose()


def test_existing_votes_fill_the_weighted_votes_on_sqlite(tmp_path):
    check_backfill(tmp_path, f"sqlite:///{tmp_path / 'migrated.db'}")


@pytest.mark.postgres
def test_existing_votes_fill_the_weighted_votes_on_postgres(tmp_path):
    with scratch_postgres_database() as url:
        check_backfill(tmp_path, url)
