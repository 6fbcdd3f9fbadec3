"""Usernames for @mentions, made from each member's display name

Existing accounts get the name the application would give them today ("Zoë O'Brien" ->
zoe_obrien, then zoe_obrien2 …); the rule is copied here so this revision never changes.

Revision ID: 0019_usernames
Revises: 0018_idea_images
Create Date: 2026-12-05 10:05:00

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_usernames'
down_revision = '0018_idea_images'
branch_labels = None
depends_on = None

MAX = 30
PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,29}$")
BATCH = 1000


def _base(display_name):
    ascii_name = unicodedata.normalize("NFKD", display_name or "").encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"['’]", "", ascii_name.lower())
    base = re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_")[:MAX]
    return base if PATTERN.match(base) else "member"


def _usernames(rows):
    taken = set()
    for user_id, display_name in rows:
        base = candidate = _base(display_name)
        number = 2
        while candidate in taken:
            suffix = str(number)
            candidate = base[: MAX - len(suffix)] + suffix
            number += 1
        taken.add(candidate)
        yield {"id": user_id, "username": candidate}


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('username', sa.String(length=30), nullable=True))

    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, display_name FROM users ORDER BY id")).all()
    update = sa.text("UPDATE users SET username = :username WHERE id = :id")
    values = list(_usernames(rows))
    for start in range(0, len(values), BATCH):
        connection.execute(update, values[start:start + BATCH])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('username', existing_type=sa.String(length=30), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_users_username'), ['username'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_username'), type_='unique')
        batch_op.drop_column('username')
