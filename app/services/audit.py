"""The audit log: every moderator, staff and admin action, appended in the same transaction.

`ACTIONS` is the one table of what may be written here: each action's label, and whether it is
moderation (read by moderators) or site business (read by admins only). `TARGETS` says, per kind
of target, what it is called and where its page is.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.base import utcnow
from app.models.board import Board
from app.models.comment import Comment
from app.models.idea import Category, Idea
from app.models.launch import Launch
from app.models.moderation import AuditEntry
from app.models.prototype import Prototype
from app.models.roadmap import RoadmapItem
from app.models.round import FeedbackRound
from app.models.segment import Segment
from app.models.user import User
from app.models.webhook import Webhook
from app.permissions import can, require
from app.services.pagination import Page, paginate


@dataclass(frozen=True)
class AuditAction:
    label: str
    # Moderation: hiding, deleting, restoring, editing others' posts, locks, pins, merges, flags,
    # suspensions. Moderators read these; admins read everything.
    moderation: bool = False


def _mod(label: str) -> AuditAction:
    return AuditAction(label, moderation=True)


ACTIONS: dict[str, AuditAction] = {
    "idea.edit": _mod("Edited an idea"),
    "idea.hide": _mod("Hid an idea"),
    "idea.restore": _mod("Restored an idea"),
    "idea.delete": _mod("Deleted an idea"),
    "idea.lock": _mod("Locked an idea"),
    "idea.unlock": _mod("Unlocked an idea"),
    "idea.pin": _mod("Pinned an idea"),
    "idea.unpin": _mod("Unpinned an idea"),
    "idea.merge": _mod("Merged an idea into another"),
    "idea.unmerge": _mod("Undid a merge"),
    "comment.edit": _mod("Edited a comment"),
    "comment.hide": _mod("Hid a comment"),
    "comment.restore": _mod("Restored a comment"),
    "comment.delete": _mod("Deleted a comment"),
    "prototype.hide": _mod("Hid a prototype"),
    "prototype.restore": _mod("Restored a prototype"),
    "prototype.delete": _mod("Deleted a prototype"),
    "flags.dismiss": _mod("Dismissed flags"),
    "user.suspend": _mod("Suspended a member"),
    "user.unsuspend": _mod("Lifted a suspension"),
    "idea.status": AuditAction("Changed an idea's status"),
    "prototype.create": AuditAction("Added a prototype"),
    "prototype.publish": AuditAction("Published a prototype"),
    "prototype.archive": AuditAction("Archived a prototype"),
    "prototype.status": AuditAction("Changed a prototype's status"),
    "round.create": AuditAction("Started a feedback round"),
    "round.update": AuditAction("Changed a feedback round"),
    "launch.create": AuditAction("Created a learning launch"),
    "launch.update": AuditAction("Changed a learning launch"),
    "launch.recruiting": AuditAction("Opened a learning launch to participants"),
    "launch.running": AuditAction("Started a learning launch"),
    "launch.completed": AuditAction("Completed a learning launch"),
    "launch.cancelled": AuditAction("Cancelled a learning launch"),
    "launch.outcome": AuditAction("Changed a learning launch's outcome"),
    "launch.message": AuditAction("Wrote to a learning launch's participants"),
    "launch.remove_participant": AuditAction("Removed a participant from a learning launch"),
    "launch.promote_participant": AuditAction("Enrolled a participant from a learning launch's waitlist"),
    "roadmap.create": AuditAction("Added a roadmap item"),
    "roadmap.update": AuditAction("Changed a roadmap item"),
    "roadmap.status": AuditAction("Moved a roadmap item"),
    "roadmap.link": AuditAction("Linked an idea to a roadmap item"),
    "roadmap.unlink": AuditAction("Unlinked an idea from a roadmap item"),
    "user.change_role": AuditAction("Changed a member's role"),
    # The member's own deletion or an admin's; the entry names the account's number only.
    "user.delete": AuditAction("Deleted an account"),
    "settings.update": AuditAction("Changed a site setting"),
    "category.create": AuditAction("Added a category"),
    "category.update": AuditAction("Changed a category"),
    "category.delete": AuditAction("Deleted a category"),
    "segment.create": AuditAction("Added a segment"),
    "segment.update": AuditAction("Changed a segment"),
    "segment.delete": AuditAction("Deleted a segment"),
    "segment.assign": AuditAction("Added members to a segment"),
    "segment.unassign": AuditAction("Took a member out of a segment"),
    "webhook.create": AuditAction("Added a webhook"),
    "webhook.update": AuditAction("Changed a webhook"),
    "webhook.delete": AuditAction("Deleted a webhook"),
    "board.create": AuditAction("Added a board"),
    "board.update": AuditAction("Changed a board"),
    "board.archive": AuditAction("Archived a board"),
    "board.grant": AuditAction("Opened a private board to someone"),
    "board.revoke": AuditAction("Took back someone's access to a private board"),
    "idea.move": AuditAction("Moved an idea to another board"),
    "vote.record": AuditAction("Recorded a vote on a customer's behalf"),
}
MODERATION_ACTIONS = tuple(key for key, action in ACTIONS.items() if action.moderation)


def action_label(action: str) -> str:
    known = ACTIONS.get(action)
    return known.label if known else action


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
    if action not in ACTIONS or target_type not in TARGETS:
        # A programming error: every action needs its label, every target its page (see above).
        raise KeyError(f"unknown audit action or target: {action!r} on {target_type!r}")
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


def _readable(actor: Any):
    """The SQL condition for the entries `actor` may read: all for admins, moderation for moderators."""
    if can(actor, "audit.view_all"):
        return None
    return AuditEntry.action.in_(MODERATION_ACTIONS)


def _select(actor: Any, *columns: Any):
    stmt = select(*columns)
    readable = _readable(actor)
    return stmt if readable is None else stmt.where(readable)


def list_audit(actor: Any, filters: AuditFilters, page: int = 1, per_page: int = 50) -> Page:
    """Entries `actor` may read, newest first, filtered by actor, action and date."""
    require(actor, "audit.view")
    stmt = _select(actor, AuditEntry).options(joinedload(AuditEntry.actor))
    if filters.actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == filters.actor_id)
    if filters.action:
        stmt = stmt.where(AuditEntry.action == filters.action)
    if filters.since is not None:
        stmt = stmt.where(AuditEntry.created_at >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(AuditEntry.created_at < filters.until)
    return paginate(stmt.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()), page, per_page)


def audit_actions(actor: Any) -> list[str]:
    """The actions in the part of the log `actor` reads, by label, for the filter menu."""
    require(actor, "audit.view")
    found = db.session.scalars(_select(actor, AuditEntry.action).distinct())
    return sorted(found, key=lambda action: (action_label(action), action))


def audit_actors(actor: Any) -> list[User]:
    """The people who acted in the part of the log `actor` reads, by name, for the filter menu."""
    require(actor, "audit.view")
    ids = _select(actor, AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.display_name, User.id)))


# --- what entries point at -------------------------------------------------------------------


@dataclass(frozen=True)
class AuditTarget:
    """Where an audit entry's target lives: a label and the endpoint (with arguments) to link to.

    `endpoint` None: the target no longer exists (`gone`) or has no page of its own.
    """

    label: str
    endpoint: str | None = None
    args: dict[str, Any] | None = None
    gone: bool = False


Loader = Callable[[set[int]], Iterable[tuple[int, AuditTarget]]]


def _ideas(ids: set[int]) -> Iterable[tuple[int, AuditTarget]]:
    for idea_id, title in db.session.execute(select(Idea.id, Idea.title).where(Idea.id.in_(ids))):
        yield idea_id, AuditTarget(title, "ideas.detail", {"idea_id": idea_id})


def _comments(ids: set[int]) -> Iterable[tuple[int, AuditTarget]]:
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
        .where(Comment.id.in_(ids))
    )
    for comment_id, idea_id, prototype_id, internal, idea_title, prototype_title in rows:
        if prototype_id is not None:
            yield (
                comment_id,
                AuditTarget(
                    f"Comment on the prototype “{prototype_title}”",
                    "prototypes.detail",
                    {"prototype_id": prototype_id, "_anchor": f"comment-{comment_id}"},
                ),
            )
            continue
        anchor = "internal-notes" if internal else f"comment-{comment_id}"
        yield (
            comment_id,
            AuditTarget(
                f"{'Staff note' if internal else 'Comment'} on “{idea_title}”",
                "ideas.detail",
                {"idea_id": idea_id, "_anchor": anchor},
            ),
        )


def _titled(model: Any, column: Any, label: str, endpoint: str, argument: str) -> Loader:
    """A loader for targets named by one column, linked by their id."""

    def load(ids: set[int]) -> Iterable[tuple[int, AuditTarget]]:
        for target_id, name in db.session.execute(select(model.id, column).where(model.id.in_(ids))):
            yield target_id, AuditTarget(label.format(name=name), endpoint, {argument: target_id})

    return load


def _members(ids: set[int]) -> Iterable[tuple[int, AuditTarget]]:
    rows = db.session.execute(select(User.id, User.display_name, User.deleted_at).where(User.id.in_(ids)))
    for user_id, name, deleted_at in rows:
        if deleted_at is not None:
            # The account was deleted: its number is all that is left to show, and no page.
            yield user_id, AuditTarget(f"Member #{user_id}", gone=True)
        else:
            yield user_id, AuditTarget(name, "users.profile", {"user_id": user_id})


def _rounds(ids: set[int]) -> Iterable[tuple[int, AuditTarget]]:
    rows = db.session.execute(
        select(FeedbackRound.id, FeedbackRound.title, Prototype.title)
        .join(Prototype, Prototype.id == FeedbackRound.prototype_id)
        .where(FeedbackRound.id.in_(ids))
    )
    for round_id, title, prototype_title in rows:
        yield (
            round_id,
            AuditTarget(f"Round “{title}” on “{prototype_title}”", "rounds.detail", {"round_id": round_id}),
        )


@dataclass(frozen=True)
class TargetKind:
    noun: str
    load: Loader | None = None  # None: entries name no row (site settings)


TARGETS: dict[str, TargetKind] = {
    "idea": TargetKind("Idea", _ideas),
    "comment": TargetKind("Comment", _comments),
    "prototype": TargetKind(
        "Prototype",
        _titled(Prototype, Prototype.title, "Prototype “{name}”", "prototypes.detail", "prototype_id"),
    ),
    "round": TargetKind("Feedback round", _rounds),
    "launch": TargetKind(
        "Learning launch",
        _titled(Launch, Launch.title, "Learning launch “{name}”", "launches.detail", "launch_id"),
    ),
    "roadmap_item": TargetKind(
        "Roadmap item",
        _titled(RoadmapItem, RoadmapItem.title, "Roadmap item “{name}”", "roadmap.detail", "item_id"),
    ),
    "category": TargetKind(
        "Category",
        _titled(Category, Category.name, "Category “{name}”", "admin.edit_category", "category_id"),
    ),
    "segment": TargetKind(
        "Segment", _titled(Segment, Segment.name, "Segment “{name}”", "segments.detail", "segment_id")
    ),
    "webhook": TargetKind(
        "Webhook", _titled(Webhook, Webhook.url, "Webhook {name}", "webhooks.detail", "webhook_id")
    ),
    "board": TargetKind(
        "Board", _titled(Board, Board.name, "Board “{name}”", "boards.edit_board", "board_id")
    ),
    "user": TargetKind("Member", _members),
    "setting": TargetKind("Site setting"),
}


def audit_targets(actor: Any, entries: Iterable[AuditEntry]) -> dict[tuple[str, int], AuditTarget]:
    """Labels and links for the targets of `entries`, by (target_type, target_id): one query per kind.

    A target whose row is gone gets its kind and number, marked `gone`.
    """
    require(actor, "audit.view")
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.target_id is not None:
            wanted.setdefault(entry.target_type, set()).add(entry.target_id)
    targets: dict[tuple[str, int], AuditTarget] = {}
    for target_type, ids in wanted.items():
        kind = TARGETS.get(target_type)
        found = dict(kind.load(ids)) if kind is not None and kind.load is not None else {}
        noun = kind.noun if kind is not None else target_type
        for target_id in ids:
            targets[target_type, target_id] = found.get(target_id) or AuditTarget(
                f"{noun} #{target_id}", gone=True
            )
    return targets
