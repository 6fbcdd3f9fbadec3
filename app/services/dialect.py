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


def upsert(model: Any, keys: list[str], values: dict[str, Any], update: dict[str, Any]):
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET update: add the row, or change the one there.

    In `update`, the model's columns stand for the row already stored.
    """
    module = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    stmt = module.insert(model).values(**values)
    return stmt.on_conflict_do_update(index_elements=keys, set_=update)
