"""A partial index of pinned ideas (they head page 1 of every list)

Revision ID: 0011_pinned_ideas_index
Revises: 0010_webhooks
Create Date: 2026-11-23 13:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_pinned_ideas_index'
down_revision = '0010_webhooks'
branch_labels = None
depends_on = None


def upgrade():
    # A plain CREATE INDEX: no table rebuild, so SQLite's search triggers stay as they are.
    op.create_index(
        'ix_ideas_pinned',
        'ideas',
        ['pinned_at'],
        unique=False,
        sqlite_where=sa.text('pinned_at IS NOT NULL'),
        postgresql_where=sa.text('pinned_at IS NOT NULL'),
    )


def downgrade():
    op.drop_index('ix_ideas_pinned', table_name='ideas')
