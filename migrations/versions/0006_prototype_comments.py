"""Comments on prototypes

Revision ID: 0006_prototype_comments
Revises: 0005_prototypes_rounds
Create Date: 2026-11-23 07:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_prototype_comments'
down_revision = '0005_prototypes_rounds'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prototype_id', sa.Integer(), nullable=True))
        batch_op.alter_column('idea_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f('fk_comments_prototype_id_prototypes'), 'prototypes', ['prototype_id'], ['id'],
            ondelete='CASCADE',
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_comments_one_target'), '(idea_id IS NULL) <> (prototype_id IS NULL)'
        )
        batch_op.create_index('ix_comments_prototype_id_created_at', ['prototype_id', 'created_at'], unique=False)


def downgrade():
    # Comments on prototypes have nowhere to go without the column.
    op.execute("DELETE FROM comments WHERE prototype_id IS NOT NULL")
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_prototype_id_created_at')
        batch_op.drop_constraint(batch_op.f('ck_comments_one_target'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_comments_prototype_id_prototypes'), type_='foreignkey')
        batch_op.alter_column('idea_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('prototype_id')
