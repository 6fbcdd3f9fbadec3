"""How the site is doing, for the status page people read: the database and the mail queue.

Machines (load balancers, monitors) ask /healthz instead, which answers JSON.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.models.base import utcnow
from app.models.outbox import OutboxMessage

# An email due longer than this is late: the worker is stopped or far behind.
MAIL_LATE_AFTER = timedelta(minutes=15)
FAILED_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class SiteStatus:
    checked_at: datetime
    database_ok: bool
    # The migration the database is at (None when the schema was made without migrations).
    schema_revision: str | None = None
    emails_waiting: int = 0
    oldest_waiting_since: datetime | None = None
    last_email_sent_at: datetime | None = None
    emails_failed: int = 0

    @property
    def mail_late(self) -> bool:
        return (
            self.oldest_waiting_since is not None
            and self.checked_at - self.oldest_waiting_since > MAIL_LATE_AFTER
        )

    @property
    def ok(self) -> bool:
        return self.database_ok and not self.mail_late


def _database_revision() -> str | None:
    """Ask the database something (raises when it does not answer); the schema's migration."""
    db.session.execute(text("SELECT 1"))
    if not inspect(db.session.connection()).has_table("alembic_version"):
        return None
    return db.session.scalar(text("SELECT version_num FROM alembic_version"))


def site_status(now: datetime | None = None) -> SiteStatus:
    """Whether the database answers; the email queue: due and unsent (since when), last sent, failed."""
    now = now or utcnow()
    try:
        revision = _database_revision()
    except SQLAlchemyError:
        db.session.rollback()
        return SiteStatus(checked_at=now, database_ok=False)
    emails = OutboxMessage.kind == "email"
    waiting, oldest = db.session.execute(
        select(func.count(), func.min(OutboxMessage.available_at)).where(
            emails, OutboxMessage.status == "pending", OutboxMessage.available_at <= now
        )
    ).one()
    last_sent = db.session.scalar(select(func.max(OutboxMessage.sent_at)).where(emails))
    failed = db.session.scalar(
        select(func.count()).where(
            emails, OutboxMessage.status == "failed", OutboxMessage.created_at >= now - FAILED_WINDOW
        )
    )
    return SiteStatus(
        checked_at=now,
        database_ok=True,
        schema_revision=revision,
        emails_waiting=waiting,
        oldest_waiting_since=oldest,
        last_email_sent_at=last_sent,
        emails_failed=failed or 0,
    )
