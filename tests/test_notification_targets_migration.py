"""Migrations 0015 and 0026 give the notifications that exist already their target, read from their link."""

from datetime import UTC, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, Table, text

from app import create_app
from app.extensions import db
from tests.conftest import make_config, scratch_postgres_database

BEFORE = "0014_idempotency_keys"
FIRST = "0015_notification_targets"
# Each link, and its target after 0015 (ideas, prototypes and comments), then after 0026
# (launches, rounds and boards too; the default board "ideas" is the one 0025 makes).
LINKS = {
    "/ideas/12": [("idea", 12), ("idea", 12)],
    "/ideas/12#comment-34": [("comment", 34), ("comment", 34)],
    "/community/prototypes/5": [("prototype", 5), ("prototype", 5)],
    "/community/prototypes/5#comment-6": [("comment", 6), ("comment", 6)],
    "/launches/3": [(None, None), ("launch", 3)],
    "/community/rounds/8": [(None, None), ("round", 8)],
    "/b/ideas/": [(None, None), ("board", 1)],
    "/b/gone/": [(None, None), (None, None)],
    "/roadmap/4": [(None, None), (None, None)],
}


def insert_user(conn) -> None:
    """A user with the required columns of the users table as it is at this revision."""
    users = Table("users", MetaData(), autoload_with=conn)
    dummies = {bool: False, int: 0, str: "x"}
    values = {
        column.name: datetime.now(UTC)
        if column.type.python_type is datetime
        else dummies[column.type.python_type]
        for column in users.columns
        if not column.nullable and column.server_default is None and not column.primary_key
    }
    values.update(email="ann@example.com", role="member", email_notifications="never")
    conn.execute(users.insert().values(id=1, **values))


def check_backfill(tmp_path, url: str) -> None:
    app = create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            insert_user(conn)
            for number, link in enumerate(LINKS, start=1):
                conn.execute(
                    text(
                        "INSERT INTO notifications (id, user_id, kind, message, url, is_read, created_at)"
                        " VALUES (:id, 1, 'comment', 'Hello', :url, false, CURRENT_TIMESTAMP)"
                    ),
                    {"id": number, "url": link},
                )

        for step, revision in enumerate((FIRST, "head")):
            upgrade(revision=revision)

            with db.engine.connect() as conn:
                rows = conn.execute(text("SELECT url, target_type, target_id FROM notifications ORDER BY id"))
                assert {url: (kind, target) for url, kind, target in rows} == {
                    url: targets[step] for url, targets in LINKS.items()
                }
        downgrade(revision=FIRST)
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT url, target_type, target_id FROM notifications ORDER BY id"))
            assert {url: (kind, target) for url, kind, target in rows} == {
                url: targets[0] for url, targets in LINKS.items()
            }
        downgrade(revision=BEFORE)
        db.engine.dispose()


def test_existing_notifications_get_their_targets_on_sqlite(tmp_path):
    check_backfill(tmp_path, f"sqlite:///{tmp_path / 'migrated.db'}")


@pytest.mark.postgres
def test_existing_notifications_get_their_targets_on_postgres(tmp_path):
    with scratch_postgres_database() as url:
        check_backfill(tmp_path, url)
