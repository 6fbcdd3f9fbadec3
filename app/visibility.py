"""Who may see what: every rule written once, read as a query filter and as a check on one object.

Each kind has one rule, a function of (actor, row, reading) over the kind's columns. Read with
`_Sql` on the model class it is the SQL condition that pages, lists, search, feeds, exports and
the API filter with (`visible_ideas(actor)` and the other `visible_*`); read with `_One` on a
loaded object it answers `may_see(actor, obj)` in Python, the same way. A rule says `and`/`or`
through the reading (`read.every`, `read.either`), tests columns with its words (`unset`, `off`,
`on`, `among`, `enrolled`) or with `==` and `!=`, which mean the same to both; it branches in Python
only on the actor, never on the object.

- Ideas: hidden and pending ones are seen by moderators and by their author (who also reads why);
  deleted ones by moderators only, to restore them.
- Comments, on an idea or prototype the reader may see: internal notes by staff only; hidden and
  pending ones by moderators and their author. Deleted comments keep their place as "[deleted]".
- Prototypes: drafts stay with staff; hidden ones are seen by moderators, and by staff who shared
  them; deleted ones by moderators only.
- Roadmap items: private ones by staff only. Launches: drafts by staff only.
- Feedback rounds are reached through their prototype, whose rule applies first. Staff see every
  round; visitors the rounds for everyone (so the page can invite them to sign in); members the
  rounds that ask them: those for everyone, and a launch's check-ins while they are enrolled in it.
- Notifications are withdrawn while what they are about is out of their reader's sight.

What everyone may see (`public_*`, `is_public`) is the rule read for a visitor: what webhooks,
announcements and insights show.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, not_, or_, select, true

from app.extensions import db
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.launch import Launch, LaunchParticipant
from app.models.notification import Notification
from app.models.prototype import Prototype
from app.models.roadmap import RoadmapItem
from app.models.round import FeedbackRound
from app.permissions import can, is_moderator, is_signed_in, is_staff

SHOWN_PROTOTYPE_STATUSES = ("published", "archived")


def _enrolled() -> Any:
    """Participants a launch's check-in rounds ask: the enrolled ones, as they are now (not waiting)."""
    return LaunchParticipant.state == "enrolled"


class _Sql:
    """Reads a rule as an SQL condition on the model's columns."""

    @staticmethod
    def yes() -> Any:
        return true()

    @staticmethod
    def no() -> Any:
        return false()

    every = staticmethod(and_)
    either = staticmethod(or_)

    @staticmethod
    def unset(value: Any) -> Any:
        return value.is_(None)

    @staticmethod
    def off(value: Any) -> Any:
        return value.is_(False)

    @staticmethod
    def on(value: Any) -> Any:
        return value.is_(True)

    @staticmethod
    def among(value: Any, choices: tuple[str, ...]) -> Any:
        return value.in_(choices)

    @staticmethod
    def enrolled(actor: Any, launch_id: Any) -> Any:
        return launch_id.in_(
            select(LaunchParticipant.launch_id).where(LaunchParticipant.user_id == actor.id, _enrolled())
        )


def _value(part: Any) -> bool:
    return bool(part() if callable(part) else part)


class _One:
    """Reads a rule on one loaded object, in Python; a part that needs a query runs only if asked."""

    @staticmethod
    def yes() -> bool:
        return True

    @staticmethod
    def no() -> bool:
        return False

    @staticmethod
    def every(*parts: Any) -> bool:
        return all(_value(part) for part in parts)

    @staticmethod
    def either(*parts: Any) -> bool:
        return any(_value(part) for part in parts)

    @staticmethod
    def unset(value: Any) -> bool:
        return value is None

    @staticmethod
    def off(value: Any) -> bool:
        return value is False

    @staticmethod
    def on(value: Any) -> bool:
        return value is True

    @staticmethod
    def among(value: Any, choices: tuple[str, ...]) -> bool:
        return value in choices

    @staticmethod
    def enrolled(actor: Any, launch_id: Any) -> Callable[[], bool]:
        def ask() -> bool:
            return launch_id is not None and (
                db.session.scalar(
                    select(LaunchParticipant.id).where(
                        LaunchParticipant.launch_id == launch_id,
                        LaunchParticipant.user_id == actor.id,
                        _enrolled(),
                    )
                )
                is not None
            )

        return ask


# ---- The rules ----


def _public_idea(idea: Any, read: Any) -> Any:
    return read.every(read.unset(idea.deleted_at), read.unset(idea.hidden_at), read.off(idea.is_pending))


def _idea(actor: Any, idea: Any, read: Any) -> Any:
    if is_moderator(actor):
        return read.yes()
    public = _public_idea(idea, read)
    if is_signed_in(actor):
        return read.either(public, read.every(idea.author_id == actor.id, read.unset(idea.deleted_at)))
    return public


def _comment(actor: Any, comment: Any, read: Any) -> Any:
    internal = read.yes() if can(actor, "idea.view_internal") else read.off(comment.is_internal)
    if is_moderator(actor):
        return internal
    public = read.every(read.unset(comment.hidden_at), read.off(comment.is_pending))
    if is_signed_in(actor):
        return read.every(internal, read.either(public, comment.author_id == actor.id))
    return read.every(internal, public)


def _prototype(actor: Any, prototype: Any, read: Any) -> Any:
    staff = can(actor, "prototype.view_drafts")
    moderator = is_moderator(actor)
    if staff and moderator:
        return read.yes()
    if moderator:
        return read.among(prototype.status, SHOWN_PROTOTYPE_STATUSES)
    if staff:
        return read.every(
            read.unset(prototype.deleted_at),
            read.either(read.unset(prototype.hidden_at), prototype.author_id == actor.id),
        )
    return read.every(
        read.among(prototype.status, SHOWN_PROTOTYPE_STATUSES),
        read.unset(prototype.hidden_at),
        read.unset(prototype.deleted_at),
    )


def _roadmap_item(actor: Any, item: Any, read: Any) -> Any:
    if can(actor, "roadmap.view_private"):
        return read.yes()
    return read.on(item.is_public)


def _launch(actor: Any, launch: Any, read: Any) -> Any:
    if can(actor, "launch.view_drafts"):
        return read.yes()
    return launch.status != "draft"


def _asks(actor: Any, round_: Any, read: Any) -> Any:
    """Whom a round asks: every member, or the members enrolled in its launch as they are now."""
    if not is_signed_in(actor):
        return read.no()
    return read.either(
        round_.audience == "everyone",
        read.every(round_.audience == "launch", read.enrolled(actor, round_.launch_id)),
    )


def _round(actor: Any, round_: Any, read: Any) -> Any:
    if is_staff(actor):
        return read.yes()
    if not is_signed_in(actor):
        return round_.audience == "everyone"
    return _asks(actor, round_, read)


_RULES: dict[type, Callable[[Any, Any, Any], Any]] = {
    Idea: _idea,
    Comment: _comment,
    Prototype: _prototype,
    RoadmapItem: _roadmap_item,
    Launch: _launch,
    FeedbackRound: _round,
}


# ---- Query filters ----


def visible_ideas(actor: Any) -> ColumnElement[bool]:
    """The SQL condition for ideas `actor` may see."""
    return _idea(actor, Idea, _Sql)


def public_ideas() -> ColumnElement[bool]:
    """The SQL condition for ideas everyone may see: neither deleted, hidden nor pending."""
    return _public_idea(Idea, _Sql)


def listed_ideas(actor: Any) -> ColumnElement[bool]:
    """The SQL condition for ideas `actor` may see that everyone may see too: what pickers offer.

    Never hidden, pending or deleted ones, whoever asks (a moderator sees those on their pages).
    """
    return and_(visible_ideas(actor), public_ideas())


def visible_comments(actor: Any) -> ColumnElement[bool]:
    """The SQL condition for comments `actor` may see on an idea or prototype they can see."""
    return _comment(actor, Comment, _Sql)


def visible_prototypes(actor: Any) -> ColumnElement[bool]:
    """The SQL condition for prototypes `actor` may see."""
    return _prototype(actor, Prototype, _Sql)


def public_prototypes() -> ColumnElement[bool]:
    """The SQL condition for prototypes everyone may see: published or archived, not hidden or deleted."""
    return _prototype(None, Prototype, _Sql)


def visible_items(actor: Any) -> ColumnElement[bool]:
    """The SQL condition for roadmap items `actor` may see."""
    return _roadmap_item(actor, RoadmapItem, _Sql)


def visible_launches(actor: Any) -> ColumnElement[bool]:
    """The SQL condition for launches `actor` may see."""
    return _launch(actor, Launch, _Sql)


def visible_rounds(actor: Any) -> ColumnElement[bool]:
    """The SQL condition for rounds `actor` may see (on prototypes they may see: check those first)."""
    return _round(actor, FeedbackRound, _Sql)


def visible_notifications(reader: Any) -> ColumnElement[bool]:
    """The SQL condition for `reader`'s notifications that are not withdrawn.

    A notification about an idea, a prototype or a comment is withdrawn while `reader` may not
    see it: hidden, pending or deleted by the rules above, a comment that was deleted (though
    its place in the thread stays), or a comment on an idea or prototype `reader` may not see.
    Restoring the item shows its notifications again, as they were (read or unread). Items that
    no longer exist withdraw nothing: their link finds nothing either way. One correlated
    primary-key lookup per notification, so the unread count stays one indexed query.
    """
    target = Notification.target_id
    hidden_idea = exists().where(Idea.id == target, not_(visible_ideas(reader)))
    hidden_prototype = exists().where(Prototype.id == target, not_(visible_prototypes(reader)))
    hidden_comment = (
        select(Comment.id)
        .outerjoin(Idea, Idea.id == Comment.idea_id)
        .outerjoin(Prototype, Prototype.id == Comment.prototype_id)
        .where(
            Comment.id == target,
            or_(
                Comment.deleted_at.is_not(None),
                not_(visible_comments(reader)),
                and_(Comment.idea_id.is_not(None), not_(visible_ideas(reader))),
                and_(Comment.prototype_id.is_not(None), not_(visible_prototypes(reader))),
            ),
        )
        .exists()
    )
    return or_(
        Notification.target_type.is_(None),
        and_(Notification.target_type == "idea", ~hidden_idea),
        and_(Notification.target_type == "prototype", ~hidden_prototype),
        and_(Notification.target_type == "comment", ~hidden_comment),
    )


# ---- One object ----


def may_see(actor: Any, obj: Any) -> bool:
    """Whether `actor` may see `obj` (an idea, comment, prototype, roadmap item, launch or round).

    The same rule as the kind's filter. For a comment or a round, the rule of what it belongs to
    (its idea or prototype) is the caller's to check first, as pages reach them through it.
    """
    return _value(_RULES[type(obj)](actor, obj, _One))


def may_see_id(actor: Any, model: type, row_id: int) -> bool:
    """Whether `actor` may see the `model` row `row_id` (for example after their flag hid it); one query."""
    rule = _RULES[model](actor, model, _Sql)
    return db.session.scalar(select(model.id).where(model.id == row_id, rule)) is not None


def is_public(obj: Any) -> bool:
    """Whether everyone, signed in or not, may see `obj`."""
    return may_see(None, obj)


def launch_audience(launch_id: int) -> Select:
    """The ids of the members a check-in round of the launch asks (a subquery)."""
    return select(LaunchParticipant.user_id).where(LaunchParticipant.launch_id == launch_id, _enrolled())


def in_audience(actor: Any, round_: FeedbackRound) -> bool:
    """Whether the round asks `actor`; answering also needs an active (not suspended) account."""
    return _value(_asks(actor, round_, _One))
