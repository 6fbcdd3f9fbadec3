"""Stored aggregates for staff pages: votes per idea per day, roadmap demand, worker figures

Both stored aggregates are filled from the votes already there.

Revision ID: 0022_stored_aggregates
Revises: 0021_versions
Create Date: 2026-12-08 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_stored_aggregates'
down_revision = '0021_versions'
branch_labels = None
depends_on = None


def _utc_day(column):
    """The UTC day of a timestamp column, as the application computes it today."""
    if op.get_bind().dialect.name == 'postgresql':
        return f"date(timezone('UTC', {column}))"
    return f"date({column})"


def upgrade():
    op.create_table('idea_vote_days',
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('votes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_vote_days_idea_id_ideas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('idea_id', 'day', name=op.f('pk_idea_vote_days'))
    )
    with op.batch_alter_table('idea_vote_days', schema=None) as batch_op:
        batch_op.create_index('ix_idea_vote_days_day_idea_id', ['day', 'idea_id'], unique=False)

    op.create_table('roadmap_demands',
    sa.Column('roadmap_item_id', sa.Integer(), nullable=False),
    sa.Column('voters', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['roadmap_item_id'], ['roadmap_items.id'], name=op.f('fk_roadmap_demands_roadmap_item_id_roadmap_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('roadmap_item_id', name=op.f('pk_roadmap_demands'))
    )
    op.create_table('stored_figures',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_stored_figures'))
    )

    day = _utc_day('created_at')
    op.execute(
        "INSERT INTO idea_vote_days (idea_id, day, votes)"
        f" SELECT idea_id, {day}, count(*) FROM idea_votes GROUP BY idea_id, {day}"
    )
    # Every item gets a row, also one without votes: a vote moves only a row that is there.
    op.execute(
        "INSERT INTO roadmap_demands (roadmap_item_id, voters, computed_at)"
        " SELECT roadmap_items.id, (SELECT count(DISTINCT idea_votes.user_id) FROM roadmap_ideas"
        " JOIN idea_votes ON idea_votes.idea_id = roadmap_ideas.idea_id"
        " WHERE roadmap_ideas.roadmap_item_id = roadmap_items.id), CURRENT_TIMESTAMP FROM roadmap_items"
    )


def downgrade():
    op.drop_table('stored_figures')
    op.drop_table('roadmap_demands')
    with op.batch_alter_table('idea_vote_days', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_vote_days_day_idea_id')
    op.drop_table('idea_vote_days')
