"""Moderation of prototypes: hidden (with a reason) and deleted

Revision ID: 0007_prototype_moderation
Revises: 0006_prototype_comments
Create Date: 2026-11-23 08:37:34.958601

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_prototype_moderation'
down_revision = '0006_prototype_comments'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('prototypes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('hidden_reason', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('prototypes', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('hidden_reason')
        batch_op.drop_column('hidden_at')
