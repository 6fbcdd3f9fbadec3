"""Single sign-on identities, spent sign-in tokens, deleted accounts, how a session began and segment slugs

Existing segments get the slug the application would make from their name today; the rule is
copied here so this revision never changes.

Revision ID: 0020_identities
Revises: 0019_usernames
Create Date: 2026-12-04 19:00:00

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_identities'
down_revision = '0019_usernames'
branch_labels = None
depends_on = None


def _slugify(name):
    ascii_name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:56].rstrip("-") or "segment"


def _add_segment_slugs():
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slug', sa.String(length=60), nullable=True))
    connection = op.get_bind()
    taken = set()
    for segment_id, name in connection.execute(sa.text("SELECT id, name FROM segments ORDER BY id")):
        base = slug = _slugify(name)
        number = 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        connection.execute(sa.text("UPDATE segments SET slug = :slug WHERE id = :id"), {"slug": slug, "id": segment_id})
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.alter_column('slug', existing_type=sa.String(length=60), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_segments_slug'), ['slug'])


def upgrade():
    _add_segment_slugs()
    op.create_table('identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_identities_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identities')),
    sa.UniqueConstraint('provider', 'subject', name='uq_identities_provider_subject')
    )
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.create_index('ix_identities_user_id', ['user_id'], unique=False)

    op.create_table('sso_token_uses',
    sa.Column('jti', sa.String(length=255), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('jti', name=op.f('pk_sso_token_uses'))
    )
    with op.batch_alter_table('sso_token_uses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_token_uses_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_in_with', sa.String(length=40), server_default='password', nullable=False))


def downgrade():
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_segments_slug'), type_='unique')
        batch_op.drop_column('slug')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_column('signed_in_with')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
    with op.batch_alter_table('sso_token_uses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_token_uses_expires_at'))
    op.drop_table('sso_token_uses')
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.drop_index('ix_identities_user_id')
    op.drop_table('identities')
