"""The audit log: every moderator, staff and admin action, appended in the same transaction."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.base import utcnow
from app.models.moderation import AuditEntry
from app.permissions import require
from app.services.pagination import Page, paginate


def record(
    actor: Any,
    action: str,
    target_type: str,
    target_id: int | None,
    reason: str = "",
    before: str | None = None,
    after: str | None = None,
) -> AuditEntry:
    """Append one entry; `actor` None means the site itself (or the operator CLI)."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=reason or "",
        before=before,
        after=after,
        created_at=utcnow(),
    )
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilters:
    actor_id: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_audit(actor: Any, filters: AuditFilters, page: int = 1, per_page: int = 50) -> Page:
    """Entries newest first, filtered by actor, action and date (admins only)."""
    require(actor, "audit.view")
    stmt = select(AuditEntry).options(joinedload(AuditEntry.actor))
    if filters.actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == filters.actor_id)
    if filters.action:
        stmt = stmt.where(AuditEntry.action == filters.action)
    if filters.since is not None:
        stmt = stmt.where(AuditEntry.created_at >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(AuditEntry.created_at < filters.until)
    return paginate(stmt.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()), page, per_page)


def audit_actions() -> list[str]:
    """The actions that appear in the log, for the filter menu."""
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
