"""Staff may remove a participant from a learning launch, with a reason they are told

A removed person's row stays (state "removed", with the reason), so they can't join again.

Revision ID: 0017_launch_participants
Revises: 0016_moderation_reasons
Create Date: 2026-12-04 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_launch_participants'
down_revision = '0016_moderation_reasons'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('launch_participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removal_reason', sa.String(length=500), server_default='', nullable=False))
        batch_op.drop_constraint(batch_op.f('ck_launch_participants_state_valid'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_launch_participants_state_valid'),
            "state IN ('enrolled', 'waitlisted', 'withdrawn', 'removed')",
        )


def downgrade():
    # Without the state, a removed person counts as having withdrawn.
    op.execute("UPDATE launch_participants SET state = 'withdrawn' WHERE state = 'removed'")
    with op.batch_alter_table('launch_participants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_launch_participants_state_valid'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_launch_participants_state_valid'), "state IN ('enrolled', 'waitlisted', 'withdrawn')"
        )
        batch_op.drop_column('removal_reason')
