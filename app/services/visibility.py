"""Who sees which ideas, comments, prototypes and notifications: one condition per kind, used by
every page, list and API.

Hidden and pending items are seen by moderators and by their author (who also reads why);
everyone else sees nothing of them. Deleted ideas are seen by moderators only, to restore them;
deleted comments keep their place in a thread as "[deleted]". A notification is withdrawn while
what it is about is out of its reader's sight, and back when that is restored.
"""

from typing import Any

from sqlalchemy import and_, exists, not_, or_, select, true

from app.models.comment import Comment
from app.models.idea import Idea
from app.models.notification import Notification
from app.models.prototype import Prototype
from app.permissions import can, is_moderator, is_signed_in


def visible_ideas(actor: Any):
    """The SQL condition for ideas `actor` may see."""
    if is_moderator(actor):
        return true()
    public = and_(Idea.deleted_at.is_(None), Idea.hidden_at.is_(None), Idea.is_pending.is_(False))
    if is_signed_in(actor):
        return or_(public, and_(Idea.author_id == actor.id, Idea.deleted_at.is_(None)))
    return public


def listed_ideas(actor: Any):
    """The SQL condition for ideas `actor` may see that everyone may see too: what pickers offer.

    Never hidden, pending or deleted ones, whoever asks (a moderator sees those on their pages).
    """
    return and_(
        visible_ideas(actor), Idea.deleted_at.is_(None), Idea.hidden_at.is_(None), Idea.is_pending.is_(False)
    )


def visible_comments(actor: Any):
    """The SQL condition for comments `actor` may see on an idea they can see."""
    internal = true() if can(actor, "idea.view_internal") else Comment.is_internal.is_(False)
    if is_moderator(actor):
        return internal
    public = and_(Comment.hidden_at.is_(None), Comment.is_pending.is_(False))
    if is_signed_in(actor):
        return and_(internal, or_(public, Comment.author_id == actor.id))
    return and_(internal, public)


def visible_prototypes(actor: Any):
    """The SQL condition for prototypes `actor` may see.

    Staff see drafts and every prototype not deleted, hidden ones only when they shared them;
    moderators see every prototype that left draft, hidden and deleted ones too (to restore them);
    everyone else sees published and archived prototypes that are neither hidden nor deleted.
    Drafts stay with staff: they are not public, so there is nothing to moderate in them yet.
    """
    staff = can(actor, "prototype.view_drafts")
    moderator = is_moderator(actor)
    if staff and moderator:
        return true()
    if moderator:
        return Prototype.status.in_(("published", "archived"))
    if staff:
        return and_(
            Prototype.deleted_at.is_(None),
            or_(Prototype.hidden_at.is_(None), Prototype.author_id == actor.id),
        )
    return and_(
        Prototype.status.in_(("published", "archived")),
        Prototype.hidden_at.is_(None),
        Prototype.deleted_at.is_(None),
    )


def visible_notifications(reader: Any):
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
