"""Row versions for ideas, comments, members, categories and roadmap items, keys of the rendered fragments

Revision ID: 0021_versions
Revises: 0020_identities
Create Date: 2026-12-04 22:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_versions'
down_revision = '0020_identities'
branch_labels = None
depends_on = None

TABLES = ('ideas', 'comments', 'users', 'categories', 'roadmap_items')


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
