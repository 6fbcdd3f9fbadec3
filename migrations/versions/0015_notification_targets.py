"""What each notification is about, so notifications about hidden or deleted items are withdrawn

Existing notifications get their target from their link: /ideas/<id>, /prototypes/<id>, and
either of them with #comment-<id> for a comment.

Revision ID: 0015_notification_targets
Revises: 0014_idempotency_keys
Create Date: 2026-12-04 12:00:00

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_notification_targets'
down_revision = '0014_idempotency_keys'
branch_labels = None
depends_on = None

LINK = re.compile(r"/(ideas|prototypes)/(\d+)(?:#comment-(\d+))?$")
KINDS = {"ideas": "idea", "prototypes": "prototype"}
BATCH = 1000


def _targets(connection):
    rows = connection.execute(sa.text("SELECT id, url FROM notifications ORDER BY id"))
    for notification_id, url in rows:
        match = LINK.search(url or "")
        if match is None:
            continue
        if match.group(3):
            yield {"id": notification_id, "type": "comment", "target": int(match.group(3))}
        else:
            yield {"id": notification_id, "type": KINDS[match.group(1)], "target": int(match.group(2))}


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_type', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('target_id', sa.Integer(), nullable=True))

    connection = op.get_bind()
    update = sa.text("UPDATE notifications SET target_type = :type, target_id = :target WHERE id = :id")
    targets = list(_targets(connection))
    for start in range(0, len(targets), BATCH):
        connection.execute(update, targets[start:start + BATCH])


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('target_id')
        batch_op.drop_column('target_type')
