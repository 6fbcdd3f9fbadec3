"""Why a moderator locked or pinned an idea, shown to its readers

Revision ID: 0016_moderation_reasons
Revises: 0015_notification_targets
Create Date: 2026-12-04 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_moderation_reasons'
down_revision = '0015_notification_targets'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lock_reason', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('pin_reason', sa.String(length=500), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_column('pin_reason')
        batch_op.drop_column('lock_reason')
