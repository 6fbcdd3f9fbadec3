"""Engine set-up that differs per database (SQLite pragmas)."""

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

import app.models.all  # noqa: F401 - every table on the metadata before anything uses it
from app.extensions import db


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL syncs at checkpoints rather than on every commit: a crash of the app
    # loses nothing, a power cut may lose the last commits. SQLite's advice for WAL.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def configure(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_pragmas):
            event.listen(engine, "connect", _sqlite_pragmas)


def render_migration_item(type_: str, obj, autogen_context):
    """Write our UTC timestamp type into migrations as the plain column type it stores."""
    from app.models.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_in_migrations(obj, name: str | None, type_: str, reflected: bool, compare_to) -> bool:
    """Leave full-text search, and indexes made only on the other database, out of comparisons.

    SQLite's FTS5 tables are not models, and PostgreSQL reports the search index's
    expression in a normalised spelling that never compares equal to the model's.
    """
    from app.models.search import SEARCH_INDEX, is_search_table

    if type_ == "table" and is_search_table(name):
        return False
    if type_ == "index" and not reflected and compare_to is None and _other_dialects_only(obj):
        return False
    return not (type_ == "index" and name == SEARCH_INDEX)


def _other_dialects_only(index) -> bool:
    """Whether the model's `index` is made only on other databases (`Index(...).ddl_if(dialect=...)`)."""
    wanted = getattr(getattr(index, "_ddl_if", None), "dialect", None)
    return wanted is not None and wanted != db.engine.dialect.name


def include_name_in_migrations(name: str | None, type_: str, parent_names) -> bool:
    """Do not even reflect SQLite's FTS5 tables when comparing the schema."""
    from app.models.search import is_search_table

    return not (type_ == "table" and is_search_table(name))
