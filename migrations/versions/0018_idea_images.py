"""Images on ideas, stored like the prototypes' images

Revision ID: 0018_idea_images
Revises: 0017_launch_participants
Create Date: 2026-12-05 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_idea_images'
down_revision = '0017_launch_participants'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('idea_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=80), nullable=False),
    sa.Column('thumbnail', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('alt', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_images_idea_id_ideas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_images')),
    sa.UniqueConstraint('filename', name=op.f('uq_idea_images_filename')),
    sa.UniqueConstraint('thumbnail', name=op.f('uq_idea_images_thumbnail'))
    )
    with op.batch_alter_table('idea_images', schema=None) as batch_op:
        batch_op.create_index('ix_idea_images_idea_id_position', ['idea_id', 'position'], unique=False)


def downgrade():
    with op.batch_alter_table('idea_images', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_images_idea_id_position')
    op.drop_table('idea_images')
