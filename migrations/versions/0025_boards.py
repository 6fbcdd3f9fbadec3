"""Boards (public or private, with access by member, segment or email domain), every idea on
one, categories of one board, votes recorded on a customer's behalf, and the public roadmap's
demand counted over public boards only

Existing ideas go to the default board "Ideas".

Revision ID: 0025_boards
Revises: 0024_dashboard_figures
Create Date: 2026-12-10 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_boards'
down_revision = '0024_dashboard_figures'
branch_labels = None
depends_on = None

# A copy of the search triggers as they are at this revision (see 0003_idea_search_text): SQLite
# drops a table's triggers when a batch operation rebuilds it, as adding the board's foreign key does.
SQLITE_TRIGGERS = [
    "CREATE TRIGGER ideas_fts_insert AFTER INSERT ON ideas BEGIN "
    "INSERT INTO ideas_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER ideas_fts_delete AFTER DELETE ON ideas BEGIN "
    "INSERT INTO ideas_fts(ideas_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER ideas_fts_update AFTER UPDATE OF title, body ON ideas BEGIN "
    "INSERT INTO ideas_fts(ideas_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO ideas_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
]


def _restore_sqlite_triggers():
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("ideas_fts_insert", "ideas_fts_delete", "ideas_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade():
    op.create_table(
        'boards',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('visibility', sa.String(length=10), nullable=False),
        sa.Column('is_default', sa.Boolean(), nullable=False),
        sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("visibility IN ('public', 'private')", name=op.f('ck_boards_visibility_valid')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_boards')),
        sa.UniqueConstraint('slug', name=op.f('uq_boards_slug')),
    )
    op.create_index(
        'ix_boards_default', 'boards', ['is_default'], unique=True,
        sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'),
    )
    op.execute(
        "INSERT INTO boards (slug, name, description, position, visibility, is_default, created_at) "
        "VALUES ('ideas', 'Ideas', '', 0, 'public', true, CURRENT_TIMESTAMP)"
    )
    op.create_table(
        'board_members',
        sa.Column('board_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('granted_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_board_members_board_id_boards'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_board_members_user_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_board_members_granted_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('board_id', 'user_id', name=op.f('pk_board_members')),
    )
    op.create_index('ix_board_members_user_id', 'board_members', ['user_id'], unique=False)
    op.create_table(
        'board_segments',
        sa.Column('board_id', sa.Integer(), nullable=False),
        sa.Column('segment_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_board_segments_board_id_boards'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['segment_id'], ['segments.id'], name=op.f('fk_board_segments_segment_id_segments'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('board_id', 'segment_id', name=op.f('pk_board_segments')),
    )
    op.create_table(
        'board_domains',
        sa.Column('board_id', sa.Integer(), nullable=False),
        sa.Column('domain', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_board_domains_board_id_boards'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('board_id', 'domain', name=op.f('pk_board_domains')),
    )

    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('board_id', sa.Integer(), nullable=True))
    op.execute("UPDATE ideas SET board_id = (SELECT id FROM boards WHERE is_default)")
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.alter_column('board_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_ideas_board_id_boards'), 'boards', ['board_id'], ['id'])
        batch_op.create_index('ix_ideas_board_trending', ['board_id', 'trending_score', 'id'], unique=False)
    _restore_sqlite_triggers()
    if op.get_bind().dialect.name == 'postgresql':
        # The counting index learns the board, so a board's list is counted from it too.
        op.execute('DROP INDEX IF EXISTS ix_ideas_listed')
        op.execute(
            "CREATE INDEX ix_ideas_listed ON ideas (board_id, author_id, is_pending, hidden_at, pinned_at, id) "
            "WHERE deleted_at IS NULL AND status <> 'merged'"
        )

    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('board_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_categories_board_id_boards'), 'boards', ['board_id'], ['id'], ondelete='CASCADE'
        )

    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('note', sa.String(length=500), server_default='', nullable=False))
        batch_op.create_foreign_key(
            batch_op.f('fk_idea_votes_recorded_by_id_users'), 'users', ['recorded_by_id'], ['id'], ondelete='SET NULL'
        )

    with op.batch_alter_table('roadmap_demands', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_voters', sa.Integer(), server_default='0', nullable=False))
    # Every board is public so far: the public demand is the whole demand.
    op.execute('UPDATE roadmap_demands SET public_voters = voters')


def downgrade():
    with op.batch_alter_table('roadmap_demands', schema=None) as batch_op:
        batch_op.drop_column('public_voters')
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_idea_votes_recorded_by_id_users'), type_='foreignkey')
        batch_op.drop_column('note')
        batch_op.drop_column('source')
        batch_op.drop_column('recorded_by_id')
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_categories_board_id_boards'), type_='foreignkey')
        batch_op.drop_column('board_id')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_ideas_listed')
        op.execute(
            "CREATE INDEX ix_ideas_listed ON ideas (author_id, is_pending, hidden_at, pinned_at, id) "
            "WHERE deleted_at IS NULL AND status <> 'merged'"
        )
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index('ix_ideas_board_trending')
        batch_op.drop_constraint(batch_op.f('fk_ideas_board_id_boards'), type_='foreignkey')
        batch_op.drop_column('board_id')
    _restore_sqlite_triggers()
    op.drop_table('board_domains')
    op.drop_table('board_segments')
    op.drop_index('ix_board_members_user_id', table_name='board_members')
    op.drop_table('board_members')
    op.drop_index('ix_boards_default', table_name='boards')
    op.drop_table('boards')
