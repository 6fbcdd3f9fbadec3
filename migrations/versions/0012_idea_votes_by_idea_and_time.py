"""An index of each idea's votes by time (the dashboard's votes in 30 days)

Revision ID: 0012_idea_votes_by_idea_time
Revises: 0011_pinned_ideas_index
Create Date: 2026-11-23 13:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_idea_votes_by_idea_time'
down_revision = '0011_pinned_ideas_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_idea_votes_idea_id_created_at', 'idea_votes', ['idea_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_idea_votes_idea_id_created_at', table_name='idea_votes')
