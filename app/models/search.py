"""SQLite's full-text index for ideas (FTS5); PostgreSQL uses a GIN index on ideas itself.

The FTS5 table mirrors ideas' title and body through triggers, so it is kept in step on
every insert, edit and delete whoever writes. Visibility (hidden, merged, ...) is applied by
joining back to ideas at query time.
"""

from sqlalchemy import DDL, event

from app.models.idea import Idea

FTS_TABLE = "ideas_fts"
SEARCH_INDEX = "ix_ideas_search"  # PostgreSQL, declared on Idea

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE ideas_fts USING fts5(title, body, content='ideas', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER ideas_fts_insert AFTER INSERT ON ideas BEGIN "
    "INSERT INTO ideas_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER ideas_fts_delete AFTER DELETE ON ideas BEGIN "
    "INSERT INTO ideas_fts(ideas_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER ideas_fts_update AFTER UPDATE OF title, body ON ideas BEGIN "
    "INSERT INTO ideas_fts(ideas_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO ideas_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS ideas_fts_update",
    "DROP TRIGGER IF EXISTS ideas_fts_delete",
    "DROP TRIGGER IF EXISTS ideas_fts_insert",
    "DROP TABLE IF EXISTS ideas_fts",
]

for statement in SQLITE_CREATE:
    event.listen(Idea.__table__, "after_create", DDL(statement).execute_if(dialect="sqlite"))
for statement in SQLITE_DROP:
    event.listen(Idea.__table__, "before_drop", DDL(statement).execute_if(dialect="sqlite"))


def is_search_table(name: str | None) -> bool:
    """FTS5 and its shadow tables are not models; migrations comparisons skip them."""
    return bool(name) and name.startswith(FTS_TABLE)
