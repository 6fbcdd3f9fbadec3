"""Moderation: flags, hiding and restoring, soft deletes, locks, pins, pre-moderation, the queue.

Every action by a moderator (or by the site, after enough flags) is written to the audit log
in the same transaction.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import func, literal, or_, select, union, update
from sqlalchemy.orm import joinedload

from app import labels
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.moderation import FLAG_REASONS, Flag
from app.models.prototype import Prototype
from app.models.user import User
from app.permissions import can, is_moderator, require
from app.services import audit, webhook_events
from app.services.comments import announce_approved, comment_url, get_comment, touch_count
from app.services.dialect import insert_ignore
from app.services.fields import FieldTable, Text
from app.services.ideas import get_idea, idea_url
from app.services.notifications import MESSAGE_MAX, Recipient, notify
from app.services.prototypes import get_prototype, prototype_url

REASON_MAX = 500
# The texts of each moderation action: the rules, the messages, the form's labels and hints.
FLAG_TEXTS = FieldTable(
    Text(
        "note",
        "Note for the moderators",
        high=1_000,
        lines=True,
        too_long="Keep the note to {high:,} characters or fewer.",
        hint=f"Required for “{labels.label('flag_reason', 'other')}”.",
    ),
)
HIDE_TEXTS = FieldTable(
    Text(
        "reason",
        "Reason",
        low=1,
        high=REASON_MAX,
        lines=True,
        missing="Give a reason; the author will read it.",
        too_long="Keep the reason to {high} characters or fewer.",
        hint="The author reads it; nobody else sees the item.",
    ),
)
# Locking and pinning: an optional reason, shown to everyone who reads the idea.
SHOWN_REASON_TEXTS = FieldTable(
    Text(
        "reason",
        "Reason (optional)",
        high=REASON_MAX,
        too_long="Keep the reason to {high} characters or fewer.",
        hint="Shown on the idea page.",
    ),
)
# Reasons of hides that came from flags: dismissing those flags shows the item again.
MODERATOR_FLAG_SUFFIX = " (flagged by a moderator)."
AUTO_HIDE_REASON = "Hidden after flags from several members, until a moderator reviews it."
ALREADY_FLAGGED = "You already flagged this. A moderator will look at it."
# The kinds of items whose open flags wait in the review queue.
QUEUED_KINDS = ("idea", "comment", "prototype")


Item = Idea | Comment | Prototype
MODELS: dict[str, type[Item]] = {"idea": Idea, "comment": Comment, "prototype": Prototype}


def _target(target_type: str, target_id: int, lock: bool = False) -> Item:
    """The idea, comment or prototype, read afresh; `lock` holds its row until the transaction ends.

    Internal notes and draft prototypes are staff business, not moderated items: NotFound.
    """
    model = MODELS.get(target_type)
    if model is None:
        raise NotFound(f"Unknown kind of item: {target_type!r}.")
    if not 0 < target_id < 2**31:
        raise NotFound("No such item.")  # past any database integer: no row, and no overflow
    stmt = select(model).where(model.id == target_id).execution_options(populate_existing=True)
    target = db.session.scalar(stmt.with_for_update() if lock else stmt)
    if (
        target is None
        or (target_type == "comment" and target.is_internal)
        or (target_type == "prototype" and target.is_draft)
    ):
        raise NotFound("No such item.")
    return target


def _summary(target: Item) -> str:
    return target.body if isinstance(target, Comment) else target.title


def _counted(comment: Comment) -> bool:
    """Whether a comment is in its idea's (or prototype's) public comment count."""
    return not (comment.is_internal or comment.is_deleted or comment.is_hidden or comment.is_pending)


def _change_visibility(target: Item, **values: Any) -> None:
    """Set hidden/pending/deleted fields, keeping the idea's (or prototype's) comment count in step."""
    was_counted = isinstance(target, Comment) and _counted(target)
    if isinstance(target, Prototype):
        # Prototypes come from staff and are never held for review.
        values.pop("is_pending", None)
    for name, value in values.items():
        setattr(target, name, value)
    if isinstance(target, Comment):
        now_counted = _counted(target)
        if was_counted != now_counted:
            touch_count(target, 1 if now_counted else -1)


def _resolve_flags(actor: Any, target_type: str, target_id: int, status: str) -> int:
    result = db.session.execute(
        update(Flag)
        .where(Flag.target_type == target_type, Flag.target_id == target_id, Flag.status == "open")
        .values(status=status, resolved_at=utcnow(), resolved_by_id=getattr(actor, "id", None))
    )
    return result.rowcount or 0


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def _tell_author(actor: Any, target: Item, reason: str) -> None:
    """Tell a hidden item's author that it is hidden and why (in the app, and by email as they chose).

    The link opens the item, which its author still sees, with the reason.
    """
    if isinstance(target, Comment):
        if target.prototype_id is not None:
            title = db.session.scalar(select(Prototype.title).where(Prototype.id == target.prototype_id))
            what, url = "comment on the prototype “{title}”", comment_url(target)
        else:
            title = db.session.scalar(select(Idea.title).where(Idea.id == target.idea_id))
            what, url = "comment on “{title}”", comment_url(target)
    elif isinstance(target, Prototype):
        title, what, url = target.title, "prototype “{title}”", prototype_url(target)
    else:
        title, what, url = target.title, "idea “{title}”", idea_url(target)
    # The reason is what matters: a long title gives way so that the reason fits the message.
    sentence = "Your " + what + " is hidden. Reason: " + reason
    room = MESSAGE_MAX - len(sentence.format(title=""))
    message = sentence.format(title=_shorten(title or "", max(room, 20)))
    notify([Recipient(target.author_id, "moderation", message)], url, getattr(actor, "id", None))


def flag_item(
    actor: User,
    target_type: str,
    target_id: int,
    reason: str,
    note: str = "",
    duplicate_of_id: int | None = None,
) -> Flag:
    """Flag an idea, comment or prototype for moderators.

    Enough flags, or one from a moderator, hide it at once.
    """
    require(actor, "flag.create")
    # The row lock makes flags on one item count one after another, so the flag that
    # reaches the threshold always sees the ones before it.
    target = _target(target_type, target_id, lock=True)
    # What the flagger cannot see, they cannot flag.
    if target_type == "idea":
        get_idea(actor, target_id)
    elif target_type == "prototype":
        get_prototype(actor, target_id, with_parts=False)
    else:
        get_comment(actor, target_id, include_internal=False)
    if target.is_deleted:
        raise Conflict("This item was deleted already.")
    if target.author_id == actor.id:
        if target_type == "prototype":
            raise Conflict("You cannot flag your own prototype; edit or archive it instead.")
        raise Conflict("You cannot flag your own post; edit or delete it instead.")
    errors: dict[str, list[str]] = {}
    if reason not in FLAG_REASONS:
        errors["reason"] = ["Choose a reason for the flag."]
    note = FLAG_TEXTS.check({"note": note}, errors)["note"]
    if reason == "other" and not note:
        errors["note"] = ["Say what is wrong, so a moderator can judge it."]
    # Naming the original is optional (a note may say which); a named one must exist.
    if reason == "duplicate" and duplicate_of_id is not None:
        duplicate = db.session.get(Idea, duplicate_of_id) if duplicate_of_id > 0 else None
        if duplicate is None or duplicate.is_deleted:
            errors["duplicate_of_id"] = ["Name the idea this one duplicates."]
        elif target_type == "idea" and duplicate.id == target_id:
            errors["duplicate_of_id"] = ["An idea cannot duplicate itself."]
    if errors:
        raise Invalid(errors)
    # The unique constraint is the one-flag-per-person rule, also when two requests race.
    # (ON CONFLICT DO NOTHING rather than a savepoint: on SQLite a savepoint that opens the
    # transaction commits when released, which would keep the flag even if the request fails.)
    flag_id = db.session.execute(
        insert_ignore(
            Flag,
            target_type=target_type,
            target_id=target_id,
            user_id=actor.id,
            reason=reason,
            note=note,
            duplicate_of_id=duplicate_of_id if reason == "duplicate" else None,
            status="open",
            created_at=utcnow(),
        ).returning(Flag.id)
    ).scalar()
    if flag_id is None:
        raise Conflict(ALREADY_FLAGGED)
    flag = db.session.get(Flag, flag_id)
    if target.is_hidden:
        return flag
    if is_moderator(actor):
        _change_visibility(
            target, hidden_at=utcnow(), hidden_reason=f"{flag.reason_label}{MODERATOR_FLAG_SUFFIX}"
        )
        audit.record(actor, f"{target_type}.hide", target_type, target_id, reason=f"flag: {reason}")
        _tell_author(actor, target, target.hidden_reason)
        db.session.flush()
        return flag
    flaggers = db.session.scalar(
        select(func.count(func.distinct(Flag.user_id))).where(
            Flag.target_type == target_type, Flag.target_id == target_id, Flag.status == "open"
        )
    )
    if flaggers >= current_app.config["FLAG_HIDE_THRESHOLD"]:
        _change_visibility(target, hidden_at=utcnow(), hidden_reason=AUTO_HIDE_REASON)
        audit.record(
            None, f"{target_type}.hide", target_type, target_id, reason=f"{flaggers} members flagged it"
        )
        _tell_author(None, target, AUTO_HIDE_REASON)
    db.session.flush()
    return flag


def hide_item(actor: User, target_type: str, target_id: int, reason: str) -> Item:
    """Hide an item with a reason its author sees; everyone else sees nothing."""
    require(actor, "moderation.act")
    target = _target(target_type, target_id)
    reason = HIDE_TEXTS.check_all({"reason": reason})["reason"]
    _change_visibility(target, hidden_at=utcnow(), hidden_reason=reason, is_pending=False)
    _resolve_flags(actor, target_type, target_id, "upheld")
    audit.record(actor, f"{target_type}.hide", target_type, target_id, reason=reason)
    _tell_author(actor, target, reason)
    db.session.flush()
    return target


def restore_item(actor: User, target_type: str, target_id: int) -> Item:
    """Show an item again: un-hide, un-delete, or approve a post waiting for review."""
    require(actor, "moderation.act")
    target = _target(target_type, target_id)
    if not (target.is_hidden or target.is_deleted or target.is_pending):
        raise Conflict("This item is already visible.")
    approving = target.is_pending and not (target.is_hidden or target.is_deleted)
    _change_visibility(target, hidden_at=None, hidden_reason="", deleted_at=None, is_pending=False)
    if approving and isinstance(target, Comment):
        # Held back while it waited for review; its thread hears of it now.
        announce_approved(target)
    elif approving and isinstance(target, Idea):
        webhook_events.idea_created(target, db.session.get(User, target.author_id))
    _resolve_flags(actor, target_type, target_id, "dismissed")
    audit.record(actor, f"{target_type}.restore", target_type, target_id)
    db.session.flush()
    return target


def delete_item(actor: User, target_type: str, target_id: int, reason: str = "") -> Item:
    """Soft-delete an item as a moderator; `restore_item` brings it back."""
    require(actor, "moderation.act")
    target = _target(target_type, target_id)
    if target.is_deleted:
        raise Conflict("This item is already deleted.")
    _change_visibility(target, deleted_at=utcnow())
    _resolve_flags(actor, target_type, target_id, "upheld")
    audit.record(
        actor, f"{target_type}.delete", target_type, target_id, reason=reason, before=_summary(target)
    )
    db.session.flush()
    return target


def dismiss_flags(actor: User, target_type: str, target_id: int) -> int:
    """Close the open flags on an item as unfounded; an item hidden by those flags comes back."""
    require(actor, "moderation.act")
    target = _target(target_type, target_id)
    count = _resolve_flags(actor, target_type, target_id, "dismissed")
    if count == 0:
        raise Conflict("There are no open flags on this item.")
    if target.is_hidden and (
        target.hidden_reason == AUTO_HIDE_REASON or target.hidden_reason.endswith(MODERATOR_FLAG_SUFFIX)
    ):
        _change_visibility(target, hidden_at=None, hidden_reason="")
    audit.record(actor, "flags.dismiss", target_type, target_id, reason=f"{count} flag(s)")
    db.session.flush()
    return count


def _optional_reason(reason: str | None) -> str:
    return SHOWN_REASON_TEXTS.check_all({"reason": reason})["reason"]


def set_locked(actor: User, idea: Idea, locked: bool, reason: str | None = "") -> Idea:
    """Lock a thread (no new comments or votes), with an optional reason readers see, or unlock it."""
    require(actor, "moderation.act")
    reason = _optional_reason(reason) if locked else ""
    if idea.is_locked == locked:
        raise Conflict("The idea is already locked." if locked else "The idea is not locked.")
    idea.is_locked = locked
    idea.lock_reason = reason
    audit.record(actor, "idea.lock" if locked else "idea.unlock", "idea", idea.id, reason=reason)
    db.session.flush()
    return idea


def set_pinned(actor: User, idea: Idea, pinned: bool, reason: str | None = "") -> Idea:
    """Pin an idea to the top of its lists, with an optional reason readers see, or unpin it."""
    require(actor, "moderation.act")
    reason = _optional_reason(reason) if pinned else ""
    if (idea.pinned_at is not None) == pinned:
        raise Conflict("The idea is already pinned." if pinned else "The idea is not pinned.")
    idea.pinned_at = utcnow() if pinned else None
    idea.pin_reason = reason
    audit.record(actor, "idea.pin" if pinned else "idea.unpin", "idea", idea.id, reason=reason)
    db.session.flush()
    return idea


@dataclass
class AuthorHistory:
    joined_at: Any
    ideas: int = 0
    comments: int = 0
    hidden: int = 0
    suspended: bool = False


@dataclass
class QueueItem:
    target_type: str
    target: Item
    idea: Idea | None  # None for a prototype and a comment on one
    author: User
    history: AuthorHistory
    flags: list[Flag] = field(default_factory=list)
    prototype: Prototype | None = None  # the prototype itself, or the one a comment is on

    @property
    def is_pending(self) -> bool:
        return self.target.is_pending


def review_queue(actor: User) -> list[QueueItem]:
    """Open flags and pending posts grouped by item, oldest first, in a fixed number of queries."""
    require(actor, "moderation.access")
    flags = list(
        db.session.scalars(
            select(Flag)
            .options(joinedload(Flag.user))
            .where(Flag.status == "open", Flag.target_type.in_(QUEUED_KINDS))
            .order_by(Flag.created_at, Flag.id)
        )
    )
    by_target: dict[tuple[str, int], list[Flag]] = defaultdict(list)
    for flag in flags:
        by_target[(flag.target_type, flag.target_id)].append(flag)
    idea_ids = {target_id for kind, target_id in by_target if kind == "idea"}
    comment_ids = {target_id for kind, target_id in by_target if kind == "comment"}
    idea_ids |= set(
        db.session.scalars(select(Idea.id).where(Idea.is_pending.is_(True), Idea.deleted_at.is_(None)))
    )
    comment_ids |= set(
        db.session.scalars(
            select(Comment.id).where(Comment.is_pending.is_(True), Comment.deleted_at.is_(None))
        )
    )
    comments = {
        c.id: c
        for c in db.session.scalars(
            select(Comment).options(joinedload(Comment.author)).where(Comment.id.in_(comment_ids))
        )
    }
    ideas = {
        i.id: i
        for i in db.session.scalars(
            select(Idea)
            .options(joinedload(Idea.author), joinedload(Idea.category))
            .where(
                or_(Idea.id.in_(idea_ids), Idea.id.in_({c.idea_id for c in comments.values() if c.idea_id}))
            )
        )
    }
    flagged_prototype_ids = {target_id for kind, target_id in by_target if kind == "prototype"}
    prototype_ids = flagged_prototype_ids | {c.prototype_id for c in comments.values() if c.prototype_id}
    prototypes = (
        {
            p.id: p
            for p in db.session.scalars(
                select(Prototype).options(joinedload(Prototype.author)).where(Prototype.id.in_(prototype_ids))
            )
        }
        if prototype_ids
        else {}
    )
    authors = (
        {i.author_id for i in ideas.values()}
        | {c.author_id for c in comments.values()}
        | {prototypes[p].author_id for p in flagged_prototype_ids if p in prototypes}
    )
    histories = _author_histories(authors)
    items = []
    for idea_id in idea_ids:
        idea = ideas.get(idea_id)
        if idea is None:  # flagged, then removed for good
            continue
        items.append(
            QueueItem(
                "idea", idea, idea, idea.author, histories[idea.author_id], by_target[("idea", idea_id)]
            )
        )
    for comment_id in comment_ids:
        comment = comments.get(comment_id)
        if comment is None:
            continue
        items.append(
            QueueItem(
                "comment",
                comment,
                ideas.get(comment.idea_id) if comment.idea_id else None,
                comment.author,
                histories[comment.author_id],
                by_target[("comment", comment_id)],
                prototypes.get(comment.prototype_id) if comment.prototype_id else None,
            )
        )
    for prototype_id in flagged_prototype_ids:
        prototype = prototypes.get(prototype_id)
        if prototype is None:
            continue
        items.append(
            QueueItem(
                "prototype",
                prototype,
                None,
                prototype.author,
                histories[prototype.author_id],
                by_target[("prototype", prototype_id)],
                prototype,
            )
        )
    return sorted(items, key=lambda item: min([f.created_at for f in item.flags] or [item.target.created_at]))


def _author_histories(author_ids: set[int]) -> dict[int, AuthorHistory]:
    if not author_ids:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(author_ids)))
    histories = {u.id: AuthorHistory(joined_at=u.created_at, suspended=u.is_suspended) for u in users}
    for author_id, count, hidden in db.session.execute(
        select(Idea.author_id, func.count(Idea.id), func.count(Idea.hidden_at))
        .where(Idea.author_id.in_(author_ids))
        .group_by(Idea.author_id)
    ):
        histories[author_id].ideas, histories[author_id].hidden = count, hidden
    for author_id, count, hidden in db.session.execute(
        select(Comment.author_id, func.count(Comment.id), func.count(Comment.hidden_at))
        .where(Comment.author_id.in_(author_ids), Comment.is_internal.is_(False))
        .group_by(Comment.author_id)
    ):
        histories[author_id].comments = count
        histories[author_id].hidden += hidden
    return histories


def waiting_count(actor: Any) -> int:
    """How many items wait for a moderator (for the navigation); 0 for everyone else."""
    if not can(actor, "moderation.access"):
        return 0
    # Items, not flags: an item flagged by three people and waiting for review counts once.
    waiting = union(
        select(Flag.target_type.label("kind"), Flag.target_id.label("id")).where(
            Flag.status == "open", Flag.target_type.in_(QUEUED_KINDS)
        ),
        select(literal("idea").label("kind"), Idea.id.label("id")).where(
            Idea.is_pending.is_(True), Idea.deleted_at.is_(None)
        ),
        select(literal("comment").label("kind"), Comment.id.label("id")).where(
            Comment.is_pending.is_(True), Comment.deleted_at.is_(None)
        ),
    ).subquery()
    return db.session.scalar(select(func.count()).select_from(waiting)) or 0
