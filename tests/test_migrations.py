"""Migrations match the models: one head, and no pending autogenerate diff on either database."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import ROOT, create_app
from app.extensions import db
from tests.conftest import make_config, scratch_postgres_database


def migrated_app(tmp_path, url: str):
    return create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI=url))


def pending_diff(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        # The same options `flask db migrate` uses (type comparison, search-index filters).
        context = MigrationContext.configure(conn, opts=dict(app.extensions["migrate"].configure_args))
        return compare_metadata(context, db.metadata)


def search_works(app) -> bool:
    """Full-text search on a migrated database finds a new idea, and loses it once deleted."""
    from app.models.idea import Idea
    from app.services import ideas
    from tests.factories import make_user

    with app.app_context():
        author = make_user(email=f"{uuid.uuid4().hex[:8]}@example.com")
        idea = ideas.create_idea(author, "Migrated search works", "Café menus")
        db.session.commit()
        found = [i.id for i in ideas.list_ideas(author, q="cafe menu").page.items]
        db.session.delete(db.session.get(Idea, idea.id))
        db.session.commit()
        gone = ideas.list_ideas(author, q="cafe menu").page.total == 0
        return found == [idea.id] and gone


def check_database(tmp_path, url: str) -> None:
    app = migrated_app(tmp_path, url)
    with app.app_context():
        upgrade()
    assert pending_diff(app) == []
    assert search_works(app)
    with app.app_context():
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()
    assert search_works(app)


def test_single_head():
    script = ScriptDirectory(str(ROOT / "migrations"))
    assert len(script.get_heads()) == 1


def test_sqlite_migrations_match_models(tmp_path):
    check_database(tmp_path, f"sqlite:///{tmp_path / 'migrated.db'}")


@pytest.mark.postgres
def test_postgres_migrations_match_models(tmp_path):
    with scratch_postgres_database() as url:
        check_database(tmp_path, url)
