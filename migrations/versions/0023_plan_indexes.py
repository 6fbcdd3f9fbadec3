"""A narrow partial index of the ideas lists show, for counting them on PostgreSQL

Revision ID: 0023_plan_indexes
Revises: 0022_stored_aggregates
Create Date: 2026-12-05 09:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023_plan_indexes'
down_revision = '0022_stored_aggregates'
branch_labels = None
depends_on = None


def upgrade():
    # PostgreSQL only, as in the model: SQLite counts through the indexes it has.
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(
        "CREATE INDEX ix_ideas_listed ON ideas (author_id, is_pending, hidden_at, pinned_at, id) "
        "WHERE deleted_at IS NULL AND status <> 'merged'"
    )


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP INDEX IF EXISTS ix_ideas_listed')
