"""Votes weighted by segment stored on each idea, for the dashboard's "weighted" sort

Filled from the votes and segments already there.

Revision ID: 0024_dashboard_figures
Revises: 0023_plan_indexes
Create Date: 2026-12-09 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024_dashboard_figures'
down_revision = '0023_plan_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weighted_votes', sa.Float(), server_default='0', nullable=False))
        batch_op.create_index('ix_ideas_weighted', ['weighted_votes', 'vote_count', 'id'], unique=False)

    # Each voter at the largest weight among their segments, 1 without one (as the application counts).
    op.execute(
        "UPDATE ideas SET weighted_votes = sums.weighted FROM ("
        " SELECT idea_votes.idea_id AS idea_id, sum(coalesce(weights.weight, 1.0)) AS weighted"
        " FROM idea_votes LEFT OUTER JOIN ("
        "  SELECT user_segments.user_id AS user_id, max(segments.weight) AS weight FROM user_segments"
        "  JOIN segments ON segments.id = user_segments.segment_id GROUP BY user_segments.user_id"
        " ) AS weights ON weights.user_id = idea_votes.user_id"
        " GROUP BY idea_votes.idea_id"
        ") AS sums WHERE ideas.id = sums.idea_id"
    )


def downgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index('ix_ideas_weighted')
        batch_op.drop_column('weighted_votes')
