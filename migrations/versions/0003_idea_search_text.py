"""Search ideas by words split and folded in Python, the same on SQLite and PostgreSQL

Revision ID: 0003_idea_search_text
Revises: c3e129581495
Create Date: 2026-11-23

"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0003_idea_search_text"
down_revision = "c3e129581495"
branch_labels = None
depends_on = None

_words = re.compile(r"[^\W_]+", re.UNICODE)


def _document(title: str, body: str) -> str:
    # A copy of app.services.search.search_document as it was when this revision was written.
    decomposed = unicodedata.normalize("NFKD", f"{title} {body}".lower())
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_words.findall(folded))


SQLITE_TRIGGERS = [
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


def _restore_sqlite_triggers():
    """SQLite drops a table's triggers when a batch operation rebuilds the table."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("ideas_fts_insert", "ideas_fts_delete", "ideas_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade():
    # A plain ADD COLUMN (no table rebuild); the server default only fills existing rows.
    op.add_column("ideas", sa.Column("search_text", sa.Text(), nullable=False, server_default=""))

    bind = op.get_bind()
    ideas = sa.table("ideas", sa.column("id"), sa.column("title"), sa.column("body"), sa.column("search_text"))
    for row in bind.execute(sa.select(ideas.c.id, ideas.c.title, ideas.c.body)).all():
        bind.execute(ideas.update().where(ideas.c.id == row.id).values(search_text=_document(row.title, row.body)))

    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_ideas_search")
        op.execute("CREATE INDEX ix_ideas_search ON ideas USING gin (to_tsvector('simple', search_text))")
    _restore_sqlite_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_ideas_search")
        op.execute(
            "CREATE INDEX ix_ideas_search ON ideas USING gin (to_tsvector('simple', title || ' ' || body))"
        )
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_column("search_text")
    _restore_sqlite_triggers()
