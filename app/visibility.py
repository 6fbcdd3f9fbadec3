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
- Boards: a private board, and everything on it, is seen by the team (product managers,
  moderators, admins) and by the members granted access to it: by name, by segment, or by the
  domain of their verified email address. For anyone else its ideas do not exist, nor do the
  prototypes and launches linked only to its ideas (those linked to no idea stay as they are).
  Which boards an actor may not see is asked once per transaction (`hidden_boards`); a site
  without private boards adds no condition to any query. A private board's categories go with
  it; what is a member's own (their export, the launches they joined, their votes on their
  profile) is kept from them only by the board (`*_on_seen_boards`).

What everyone may see (`public_*`, `is_public`) is the rule read for a visitor: what webhooks
and announcements show. The staff figures (dashboard, insights) count the ideas `shown_ideas()`
on every board the team sees.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, event, exists, false, func, not_, or_, select, true
from sqlalchemy.orm import Session, aliased

from app.extensions import db
from app.models.board import Board, BoardDomain, BoardMember, BoardSegment
from app.models.comment import Comment
from app.models.idea import Category, Idea
from app.models.launch import Launch, LaunchIdea, LaunchParticipant
from app.models.notification import Notification
from app.models.prototype import Prototype, PrototypeIdea
from app.models.roadmap import RoadmapItem
from app.models.round import FeedbackRound
from app.models.segment import UserSegment
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
    def outside(value: Any, choices: frozenset[int]) -> Any:
        return value.not_in(sorted(choices))

    @staticmethod
    def not_linked_only_to(link: Any, owner_id: Any, hidden: frozenset[int]) -> Any:
        return not_(_linked_only_to(link, owner_id, hidden))

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
    def outside(value: Any, choices: frozenset[int]) -> bool:
        return value not in choices

    @staticmethod
    def not_linked_only_to(link: Any, owner_id: Any, hidden: frozenset[int]) -> Callable[[], bool]:
        def ask() -> bool:
            return not db.session.scalar(select(_linked_only_to(link, owner_id, hidden)))

        return ask

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


# ---- Boards ----

_HIDDEN_BOARDS = "cocreate_hidden_boards"


def sees_every_board(actor: Any) -> bool:
    """Whether `actor` is on the team, who see every board (and so every vote), private ones too."""
    return can(actor, "board.view_private")


def hidden_boards(actor: Any) -> frozenset[int]:
    """The ids of the private boards `actor` may not see: every private one for visitors, none
    for the team. Asked once per transaction (forgotten at its end, or by `forget_board_access`)."""
    if sees_every_board(actor):
        return frozenset()
    known = db.session.info.setdefault(_HIDDEN_BOARDS, {})
    key = actor.id if is_signed_in(actor) else None
    if key not in known:
        stmt = select(Board.id).where(Board.visibility == "private")
        if key is not None:
            stmt = stmt.where(not_(_granted(actor)))
        known[key] = frozenset(db.session.scalars(stmt))
    return known[key]


def _granted(actor: Any) -> Any:
    """The SQL condition for the boards (rows of `Board`) granted to `actor`, a member."""
    by_name = exists().where(BoardMember.board_id == Board.id, BoardMember.user_id == actor.id)
    by_segment = (
        select(BoardSegment.board_id)
        .join(UserSegment, UserSegment.segment_id == BoardSegment.segment_id)
        .where(BoardSegment.board_id == Board.id, UserSegment.user_id == actor.id)
        .exists()
    )
    domain = actor.email.rpartition("@")[2].lower() if actor.is_email_verified else None
    if domain is None:
        return or_(by_name, by_segment)
    by_domain = exists().where(BoardDomain.board_id == Board.id, func.lower(BoardDomain.domain) == domain)
    return or_(by_name, by_segment, by_domain)


def forget_board_access() -> None:
    """Ask again who may see which board (after boards or grants changed in this transaction)."""
    db.session.info.pop(_HIDDEN_BOARDS, None)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_at_end(session: Session) -> None:
    session.info.pop(_HIDDEN_BOARDS, None)


def _linked_only_to(link: Any, owner_id: Any, hidden: frozenset[int]) -> Any:
    """Whether the prototype or launch `owner_id` is linked to ideas (through the `link` table)
    and every one of them is on a board in `hidden`.

    The subqueries read the link table under names of their own: a query that joins the link
    table itself (the prototypes of an idea) must not lend them its row.
    """
    linked_row, seen_row = aliased(link), aliased(link)
    seen_idea = aliased(Idea)
    linked = select(linked_row.idea_id).where(link_owner(linked_row, link) == owner_id)
    seen = (
        select(seen_row.idea_id)
        .join(seen_idea, seen_idea.id == seen_row.idea_id)
        .where(link_owner(seen_row, link) == owner_id, seen_idea.board_id.not_in(sorted(hidden)))
    )
    return and_(linked.exists(), not_(seen.exists()))


def link_owner(row: Any, link: Any) -> Any:
    """The prototype or launch column of `row`, a row (or alias) of the `link` table."""
    return row.prototype_id if link is PrototypeIdea else row.launch_id


def _on_seen_board(actor: Any, idea: Any, read: Any) -> Any:
    hidden = hidden_boards(actor)
    return read.outside(idea.board_id, hidden) if hidden else read.yes()


def _not_only_on_hidden_boards(actor: Any, link: Any, owner_id: Any, read: Any) -> Any:
    hidden = hidden_boards(actor)
    return read.not_linked_only_to(link, owner_id, hidden) if hidden else read.yes()


def visible_boards(actor: Any) -> ColumnElement[bool]:
    """The SQL condition for boards `actor` may see (archived ones too: their ideas keep their links)."""
    hidden = hidden_boards(actor)
    return Board.id.not_in(sorted(hidden)) if hidden else true()


def on_seen_board(actor: Any, idea_id: int) -> bool:
    """Whether the idea `idea_id` is on a board `actor` may see (a query only if some board is hidden)."""
    hidden = hidden_boards(actor)
    return not hidden or db.session.scalar(select(Idea.board_id).where(Idea.id == idea_id)) not in hidden


def visible_categories(actor: Any) -> ColumnElement[bool]:
    """The SQL condition for categories `actor` may see: those of every board, and those of a
    board they may see."""
    hidden = hidden_boards(actor)
    return or_(Category.board_id.is_(None), Category.board_id.not_in(sorted(hidden))) if hidden else true()


# What is the reader's own (their export, the launches they joined, the votes their profile counts)
# stays theirs whatever else hides it, but not on a board they may not see: these are the board
# part of the rules alone.


def ideas_on_seen_boards(actor: Any) -> ColumnElement[bool]:
    """The SQL condition for ideas on boards `actor` may see, whatever else hides them."""
    return _on_seen_board(actor, Idea, _Sql)


def prototypes_on_seen_boards(actor: Any) -> ColumnElement[bool]:
    """The SQL condition for prototypes not linked only to ideas on boards `actor` may not see."""
    return _not_only_on_hidden_boards(actor, PrototypeIdea, Prototype.id, _Sql)


def launches_on_seen_boards(actor: Any) -> ColumnElement[bool]:
    """The SQL condition for launches not linked only to ideas on boards `actor` may not see."""
    return _not_only_on_hidden_boards(actor, LaunchIdea, Launch.id, _Sql)


# ---- The rules ----


def _shown_idea(idea: Any, read: Any) -> Any:
    return read.every(read.unset(idea.deleted_at), read.unset(idea.hidden_at), read.off(idea.is_pending))


def _public_idea(idea: Any, read: Any) -> Any:
    return read.every(_shown_idea(idea, read), _on_seen_board(None, idea, read))


def _idea(actor: Any, idea: Any, read: Any) -> Any:
    if is_moderator(actor):
        return read.yes()
    if is_signed_in(actor):
        shown = read.every(read.unset(idea.deleted_at), read.unset(idea.hidden_at), read.off(idea.is_pending))
        return read.every(
            read.either(shown, read.every(idea.author_id == actor.id, read.unset(idea.deleted_at))),
            _on_seen_board(actor, idea, read),
        )
    return _public_idea(idea, read)


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
        _not_only_on_hidden_boards(actor, PrototypeIdea, prototype.id, read),
    )


def _roadmap_item(actor: Any, item: Any, read: Any) -> Any:
    if can(actor, "roadmap.view_private"):
        return read.yes()
    return read.on(item.is_public)


def _launch(actor: Any, launch: Any, read: Any) -> Any:
    if can(actor, "launch.view_drafts"):
        return read.yes()
    on_seen_board = _not_only_on_hidden_boards(actor, LaunchIdea, launch.id, read)
    return read.every(launch.status != "draft", on_seen_board)


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


def shown_ideas() -> ColumnElement[bool]:
    """The SQL condition for ideas neither deleted, hidden nor pending, on whatever board: what
    the staff figures count, with `visible_ideas(actor)` for the boards (the team sees them all)."""
    return _shown_idea(Idea, _Sql)


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
    So is one about a launch or a round `reader` may not see (a round: nor its prototype), and
    one about a board while it is private and closed to `reader` (an invitation, once taken back).
    Restoring the item shows its notifications again, as they were (read or unread). Items that
    no longer exist withdraw nothing: their link finds nothing either way. One correlated
    primary-key lookup per notification, so the unread count stays one indexed query.
    """
    return _about_seen(
        reader,
        ideas=visible_ideas(reader),
        prototypes=visible_prototypes(reader),
        comments=and_(Comment.deleted_at.is_(None), visible_comments(reader)),
        launches=visible_launches(reader),
        rounds=visible_rounds(reader),
    )


def notifications_on_seen_boards(reader: Any) -> ColumnElement[bool]:
    """The SQL condition for `reader`'s notifications about nothing on a board they may not see:
    the board part of `visible_notifications` alone (what may still be emailed to them)."""
    return _about_seen(
        reader,
        ideas=ideas_on_seen_boards(reader),
        prototypes=prototypes_on_seen_boards(reader),
        comments=true(),
        launches=launches_on_seen_boards(reader),
        rounds=true(),
    )


def _about_seen(
    reader: Any, *, ideas: Any, prototypes: Any, comments: Any, launches: Any, rounds: Any
) -> Any:
    """Notifications about nothing the conditions (what `reader` sees of each kind) leave out."""
    target = Notification.target_id
    hidden_comment = (
        select(Comment.id)
        .outerjoin(Idea, Idea.id == Comment.idea_id)
        .outerjoin(Prototype, Prototype.id == Comment.prototype_id)
        .where(
            Comment.id == target,
            or_(
                not_(comments),
                and_(Comment.idea_id.is_not(None), not_(ideas)),
                and_(Comment.prototype_id.is_not(None), not_(prototypes)),
            ),
        )
        .exists()
    )
    hidden_round = (
        select(FeedbackRound.id)
        .join(Prototype, Prototype.id == FeedbackRound.prototype_id)
        .where(FeedbackRound.id == target, or_(not_(rounds), not_(prototypes)))
        .exists()
    )
    closed = hidden_boards(reader)
    return or_(
        Notification.target_type.is_(None),
        and_(Notification.target_type == "idea", ~exists().where(Idea.id == target, not_(ideas))),
        and_(
            Notification.target_type == "prototype", ~exists().where(Prototype.id == target, not_(prototypes))
        ),
        and_(Notification.target_type == "comment", ~hidden_comment),
        and_(Notification.target_type == "launch", ~exists().where(Launch.id == target, not_(launches))),
        and_(Notification.target_type == "round", ~hidden_round),
        and_(Notification.target_type == "board", target.not_in(sorted(closed)) if closed else true()),
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
