"""Savepoints that undo the same on SQLite as on PostgreSQL."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import SessionTransaction

from app.extensions import db


@contextmanager
def savepoint() -> Iterator[SessionTransaction]:
    """`db.session.begin_nested()`: an error inside undoes only what the block did, and the
    session goes on; the caller's transaction still decides whether the rest is kept.

    The sqlite3 driver begins a transaction only before INSERT, UPDATE or DELETE. After nothing
    but reads, a SAVEPOINT would begin one of its own, and releasing it would commit what the
    block wrote even if the request then failed and rolled back. So on SQLite the transaction is
    begun first.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        if not driver.in_transaction:
            connection.exec_driver_sql("BEGIN")
    with db.session.begin_nested() as nested:
        yield nested
