"""Reads for the admin pages: the member list, and what the audit log's rows point at."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select

from app.errors import BadRequest
from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Category, Idea
from app.models.moderation import AuditEntry
from app.models.prototype import FeedbackRound, Prototype
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
    """Members newest first, searched by name or email, filtered by role and suspension (admins only)."""
    require(actor, "user.change_role")
    q = (q or "").strip()
    if role is not None and role not in ROLES:
        raise BadRequest(f"`role` must be one of: {', '.join(ROLES)}.")
    if len(q) > Q_MAX:
        raise BadRequest(f"Search for at most {Q_MAX} characters.")
    stmt = select(User)
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


def audit_actors(actor: Any) -> list[User]:
    """The people who appear as actors in the audit log, by name, for its filter menu (admins only)."""
    require(actor, "audit.view")
    ids = select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.display_name, User.id)))


@dataclass(frozen=True)
class AuditTarget:
    """Where an audit entry's target lives: a label and the endpoint (with arguments) to link to."""

    label: str
    endpoint: str | None = None
    args: dict[str, Any] | None = None


def audit_targets(actor: Any, entries: Iterable[AuditEntry]) -> dict[tuple[str, int | None], AuditTarget]:
    """Labels and links for the targets of audit `entries`, by (target_type, target_id): a query per kind."""
    require(actor, "audit.view")
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.target_id is not None:
            wanted.setdefault(entry.target_type, set()).add(entry.target_id)
    targets: dict[tuple[str, int | None], AuditTarget] = {}
    if wanted.get("idea"):
        for idea_id, title in db.session.execute(
            select(Idea.id, Idea.title).where(Idea.id.in_(wanted["idea"]))
        ):
            targets["idea", idea_id] = AuditTarget(title, "ideas.detail", {"idea_id": idea_id})
    if wanted.get("comment"):
        rows = db.session.execute(
            select(
                Comment.id,
                Comment.idea_id,
                Comment.prototype_id,
                Comment.is_internal,
                Idea.title,
                Prototype.title,
            )
            .outerjoin(Idea, Idea.id == Comment.idea_id)
            .outerjoin(Prototype, Prototype.id == Comment.prototype_id)
            .where(Comment.id.in_(wanted["comment"]))
        )
        for comment_id, idea_id, prototype_id, internal, idea_title, prototype_title in rows:
            if prototype_id is not None:
                targets["comment", comment_id] = AuditTarget(
                    f"Comment on the prototype “{prototype_title}”",
                    "prototypes.detail",
                    {"prototype_id": prototype_id, "_anchor": f"comment-{comment_id}"},
                )
                continue
            anchor = "internal-notes" if internal else f"comment-{comment_id}"
            targets["comment", comment_id] = AuditTarget(
                f"{'Staff note' if internal else 'Comment'} on “{idea_title}”",
                "ideas.detail",
                {"idea_id": idea_id, "_anchor": anchor},
            )
    if wanted.get("prototype"):
        for prototype_id, title in db.session.execute(
            select(Prototype.id, Prototype.title).where(Prototype.id.in_(wanted["prototype"]))
        ):
            targets["prototype", prototype_id] = AuditTarget(
                f"Prototype “{title}”", "prototypes.detail", {"prototype_id": prototype_id}
            )
    if wanted.get("round"):
        rows = db.session.execute(
            select(FeedbackRound.id, FeedbackRound.title, Prototype.title)
            .join(Prototype, Prototype.id == FeedbackRound.prototype_id)
            .where(FeedbackRound.id.in_(wanted["round"]))
        )
        for round_id, title, prototype_title in rows:
            targets["round", round_id] = AuditTarget(
                f"Round “{title}” on “{prototype_title}”", "rounds.detail", {"round_id": round_id}
            )
    if wanted.get("category"):
        for category_id, name in db.session.execute(
            select(Category.id, Category.name).where(Category.id.in_(wanted["category"]))
        ):
            targets["category", category_id] = AuditTarget(
                f"Category “{name}”", "admin.edit_category", {"category_id": category_id}
            )
    if wanted.get("user"):
        for user_id, name in db.session.execute(
            select(User.id, User.display_name).where(User.id.in_(wanted["user"]))
        ):
            targets["user", user_id] = AuditTarget(name, "users.profile", {"user_id": user_id})
    if wanted.get("segment"):
        from app.models.roadmap import Segment

        for segment_id, name in db.session.execute(
            select(Segment.id, Segment.name).where(Segment.id.in_(wanted["segment"]))
        ):
            targets["segment", segment_id] = AuditTarget(
                f"Segment “{name}”", "segments.detail", {"segment_id": segment_id}
            )
    if wanted.get("webhook"):
        from app.models.webhook import Webhook

        for webhook_id, url in db.session.execute(
            select(Webhook.id, Webhook.url).where(Webhook.id.in_(wanted["webhook"]))
        ):
            targets["webhook", webhook_id] = AuditTarget(
                f"Webhook {url}", "webhooks.detail", {"webhook_id": webhook_id}
            )
    return targets
