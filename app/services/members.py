"""Reads for the admin pages: the member list."""

from typing import Any

from sqlalchemy import and_, or_, select

from app.errors import BadRequest
from app.models.base import utcnow
from app.models.user import ROLES, User
from app.permissions import require
from app.services.pagination import Page, paginate

PER_PAGE = 50
Q_MAX = 100


def suspended_now():
    """The SQL condition for accounts suspended at this moment (mirrors User.is_suspended)."""
    return and_(
        User.suspended_at.is_not(None),
        or_(User.suspended_until.is_(None), User.suspended_until > utcnow()),
    )


def list_members(
    actor: Any,
    q: str | None = None,
    role: str | None = None,
    suspended: bool = False,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """Members newest first, searched by name or email, filtered by role and suspension (admins only);
    deleted accounts are left out."""
    require(actor, "user.change_role")
    q = (q or "").strip()
    if role is not None and role not in ROLES:
        raise BadRequest(f"`role` must be one of: {', '.join(ROLES)}.")
    if len(q) > Q_MAX:
        raise BadRequest(f"Search for at most {Q_MAX} characters.")
    # Deleted accounts are no one's any more: nothing to manage, nothing to find.
    stmt = select(User).where(User.deleted_at.is_(None))
    if q:
        stmt = stmt.where(
            or_(
                User.display_name.icontains(q, autoescape=True),
                User.email.icontains(q.lower(), autoescape=True),
            )
        )
    if role:
        stmt = stmt.where(User.role == role)
    if suspended:
        stmt = stmt.where(suspended_now())
    return paginate(stmt.order_by(User.created_at.desc(), User.id.desc()), page, per_page)
