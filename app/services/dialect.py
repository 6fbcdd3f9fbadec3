"""Statements whose spelling differs between SQLite and PostgreSQL."""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def insert_ignore(model: Any, **values: Any):
    """INSERT ... ON CONFLICT DO NOTHING: a row that already exists is left as it is.

    To learn whether a row was inserted, add `.returning(...)` and check for a row: the
    result's rowcount is not reliable for INSERT (SQLAlchemy gives -1 on PostgreSQL).
    """
    module = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return module.insert(model).values(**values).on_conflict_do_nothing()
