"""Notifications about launches, rounds and boards know what they are about too, so they are
withdrawn while their reader may not see it (a launch or round on a private board only, a private
board's invitation once access is taken back)

Existing notifications get their target from their link: /launches/<id>, /rounds/<id>, and
/b/<slug>/ (the board with that slug, if it still exists). No column changes.

Revision ID: 0026_more_notification_targets
Revises: 0025_boards
Create Date: 2026-12-11 09:00:00

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026_more_notification_targets'
down_revision = '0025_boards'
branch_labels = None
depends_on = None

NUMBERED = re.compile(r"/(launches|rounds)/(\d+)(?:#.*)?$")
BOARD = re.compile(r"/b/([a-z0-9-]+)/(?:#.*)?$")
KINDS = {"launches": "launch", "rounds": "round"}
BATCH = 1000


def _targets(connection):
    boards = {slug: board_id for slug, board_id in connection.execute(sa.text("SELECT slug, id FROM boards"))}
    rows = connection.execute(
        sa.text("SELECT id, url FROM notifications WHERE target_type IS NULL ORDER BY id")
    )
    for notification_id, url in rows:
        numbered = NUMBERED.search(url or "")
        if numbered is not None:
            yield {"id": notification_id, "type": KINDS[numbered.group(1)], "target": int(numbered.group(2))}
            continue
        board = BOARD.search(url or "")
        if board is not None and board.group(1) in boards:
            yield {"id": notification_id, "type": "board", "target": boards[board.group(1)]}


def upgrade():
    connection = op.get_bind()
    update = sa.text("UPDATE notifications SET target_type = :type, target_id = :target WHERE id = :id")
    targets = list(_targets(connection))
    for start in range(0, len(targets), BATCH):
        connection.execute(update, targets[start:start + BATCH])


def downgrade():
    # As 0015 left them: only ideas, prototypes and comments are targets.
    op.execute(
        "UPDATE notifications SET target_type = NULL, target_id = NULL "
        "WHERE target_type IN ('launch', 'round', 'board')"
    )
