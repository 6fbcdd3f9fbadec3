"""Comments on ideas and prototypes: threads, edits, soft deletes, @mentions and staff-only internal notes."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from app.errors import Invalid, NotFound
from app.extensions import db
from app.links import site_path
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.prototype import Prototype
from app.models.user import User
from app.permissions import is_signed_in, is_staff, require
from app.services import audit, follows, premoderation, webhook_events
from app.services.fields import FieldTable, Text
from app.services.ideas import get_idea, mark_staff_response, touch_comment_count
from app.services.mentions import find_mentions
from app.services.notifications import Recipient, notify
from app.services.pagination import Page, paginate
from app.services.prototypes import get_prototype
from app.text import render_markdown
from app.visibility import may_see, visible_comments

NO_COMMENT = "No such comment."
# A comment's text (an internal note's too): the rule, the messages, the hint, the API's field.
TEXTS = FieldTable(
    Text(
        "body",
        "Your comment",
        low=1,
        high=5_000,
        markdown=True,
        missing="Write something first.",
        too_long="A comment can have at most {high:,} characters (this one has {length:,}).",
        not_text="The body must be a string of Markdown.",
        hint="Markdown works: **bold**, _italic_, `code`, lists and links. "
        "Mention someone with @ and their username.",
    ),
)


def _tidy(body: Any) -> Any:
    """Text as stored: one kind of line break, no NUL; anything else as it is, for the check."""
    # Browsers send line breaks as CRLF; count them as one character, as the textarea does.
    # PostgreSQL text cannot hold NUL characters.
    return body.replace("\r\n", "\n").replace("\x00", "") if isinstance(body, str) else body


def _check_body(body: Any, fields: dict[str, list[str]]) -> str:
    return TEXTS["body"].check(_tidy(body), fields)


def _validate_body(body: Any) -> str:
    fields: dict[str, list[str]] = {}
    body = _check_body(body, fields)
    if fields:
        raise Invalid(fields)
    return body


def _render(body: str) -> tuple[str, list[User]]:
    linked, mentioned = find_mentions(body)
    return render_markdown(linked), mentioned


def comment_url(comment: Comment) -> str:
    """The comment's permalink: its idea's (or prototype's) page, anchored at the comment."""
    if comment.prototype_id is not None:
        return site_path("prototypes.detail", prototype_id=comment.prototype_id) + f"#comment-{comment.id}"
    return idea_url_for_comment(comment.idea_id, comment.id)


def touch_count(comment: Comment, delta: int) -> None:
    """Change the comment count of the comment's idea or prototype atomically."""
    if comment.prototype_id is not None:
        db.session.execute(
            update(Prototype)
            .where(Prototype.id == comment.prototype_id)
            .values(comment_count=Prototype.comment_count + delta)
        )
    else:
        touch_comment_count(comment.idea_id, delta)


def target_title(comment: Comment) -> str:
    """The title of the idea or prototype a comment is on."""
    if comment.prototype_id is not None:
        return db.session.scalar(select(Prototype.title).where(Prototype.id == comment.prototype_id))
    return db.session.scalar(select(Idea.title).where(Idea.id == comment.idea_id))


def idea_url_for_comment(idea_id: int, comment_id: int) -> str:
    return site_path("ideas.detail", idea_id=idea_id) + f"#comment-{comment_id}"


def add_comment(actor: User, idea: Idea, body: str, parent_id: int | None = None) -> Comment:
    """Comment on an idea (or reply to a comment); the author, the replied-to and the mentioned are told."""
    require(actor, "idea.comment", idea)
    comment, parent, mentioned = _insert(
        actor,
        body,
        parent_id,
        "idea",
        lambda other: other.idea_id == idea.id and not other.is_internal,
        idea_id=idea.id,
    )
    follows.follow_idea(actor, idea)
    if comment.is_pending:
        # Nobody else sees it yet: it is neither counted nor announced until a moderator approves it.
        return comment
    if is_staff(actor):
        mark_staff_response(idea.id, comment.created_at)
    touch_comment_count(idea.id, 1)
    _announce(comment, actor, idea, "idea", parent, mentioned)
    webhook_events.comment_created(comment, idea, actor)
    db.session.flush()
    return comment


def _insert(
    actor: User,
    body: str,
    parent_id: int | None,
    noun: str,
    same_target: Callable[[Comment], bool],
    **target: int,
) -> tuple[Comment, Comment | None, list[User]]:
    """Check the text and the replied-to comment, then store the comment on its idea or prototype.

    Returns the comment, its parent and the people it mentions; posts from accounts under
    pre-moderation are stored waiting for review.
    """
    fields: dict[str, list[str]] = {}
    body = _check_body(body, fields)
    parent = None
    if parent_id is not None:
        # Past any database integer: no such comment, and no overflow in the query.
        parent = db.session.get(Comment, parent_id) if 0 < parent_id < 2**31 else None
        if parent is None or not same_target(parent):
            fields["parent_id"] = [f"You can only reply to a comment on this {noun}."]
        elif parent.is_deleted:
            fields["parent_id"] = ["That comment was deleted, so it takes no more replies."]
    if fields:
        raise Invalid(fields)
    html, mentioned = _render(body)
    comment = Comment(
        parent_id=parent.id if parent else None,
        author=actor,
        body=body,
        body_html=html,
        is_pending=premoderation.needs_review(actor, body),
        created_at=utcnow(),
        **target,
    )
    db.session.add(comment)
    db.session.flush()
    return comment, parent, mentioned


def _announce(
    comment: Comment,
    author: User,
    target: Idea | Prototype,
    noun: str,
    parent: Comment | None,
    mentioned: list[User],
) -> None:
    # One notification per person; the most specific reason wins.
    recipients = [
        Recipient(user.id, "mention", f"{author.display_name} mentioned you on “{target.title}”")
        for user in mentioned
    ]
    if parent is not None:
        recipients.append(
            Recipient(
                parent.author_id,
                "reply",
                f"{author.display_name} replied to your comment on “{target.title}”",
            )
        )
    recipients.append(
        Recipient(
            target.author_id, "comment", f"{author.display_name} commented on your {noun} “{target.title}”"
        )
    )
    notify(recipients, comment_url(comment), author.id)


def announce_approved(comment: Comment) -> None:
    """Tell the people a comment concerns, once a moderator approves it after pre-moderation."""
    author = db.session.get(User, comment.author_id)
    parent = db.session.get(Comment, comment.parent_id) if comment.parent_id else None
    if comment.prototype_id is not None:
        prototype = db.session.get(Prototype, comment.prototype_id)
        _announce(comment, author, prototype, "prototype", parent, find_mentions(comment.body)[1])
        return
    idea = db.session.get(Idea, comment.idea_id)
    _announce(comment, author, idea, "idea", parent, find_mentions(comment.body)[1])
    webhook_events.comment_created(comment, idea, author)


def add_internal_note(actor: User, idea: Idea, body: str) -> Comment:
    """A note on an idea that only staff see; it counts as no comment and notifies nobody."""
    require(actor, "idea.internal_note", idea)
    body = _validate_body(body)
    note = Comment(
        idea_id=idea.id,
        author=actor,
        body=body,
        body_html=render_markdown(body),
        is_internal=True,
        created_at=utcnow(),
    )
    db.session.add(note)
    db.session.flush()
    return note


def add_prototype_comment(
    actor: User, prototype: Prototype, body: str, parent_id: int | None = None
) -> Comment:
    """Comment on a published prototype (or reply); its author, the replied-to and the mentioned are told."""
    require(actor, "prototype.comment", prototype)
    comment, parent, mentioned = _insert(
        actor,
        body,
        parent_id,
        "prototype",
        lambda other: other.prototype_id == prototype.id,
        prototype_id=prototype.id,
    )
    if comment.is_pending:
        return comment
    touch_count(comment, 1)
    _announce(comment, actor, prototype, "prototype", parent, mentioned)
    db.session.flush()
    return comment


def list_prototype_comments(actor: Any, prototype: Prototype, page: int = 1, per_page: int = 25) -> Page:
    """The comments of a prototype (from `get_prototype`), deleted ones included, oldest first."""
    stmt = (
        select(Comment)
        .options(joinedload(Comment.author))
        .where(Comment.prototype_id == prototype.id, visible_comments(actor))
        .order_by(Comment.created_at, Comment.id)
    )
    return paginate(stmt, page, per_page)


def _is_author(actor: Any, comment: Comment) -> bool:
    return is_signed_in(actor) and comment.author_id == actor.id


def get_comment(actor: Any, comment_id: int, include_internal: bool = True) -> Comment:
    """A comment `actor` may see, with its author, on an idea or prototype `actor` may see.

    Internal notes only for staff, and never with `include_internal=False` (the API).
    """
    comment = db.session.scalar(
        select(Comment).options(joinedload(Comment.author)).where(Comment.id == comment_id)
    )
    if comment is None or (comment.is_internal and not include_internal) or not may_see(actor, comment):
        raise NotFound(NO_COMMENT)
    try:
        if comment.prototype_id is not None:
            get_prototype(actor, comment.prototype_id, with_parts=False)
        else:
            get_idea(actor, comment.idea_id)
    except NotFound:
        # Said as for a comment that never was: naming what it is on would tell it exists.
        raise NotFound(NO_COMMENT) from None
    return comment


def edit_comment(actor: User, comment: Comment, body: str) -> Comment:
    """Change a comment: its author within the edit window, moderators at any time.

    People the new text mentions for the first time are told.
    """
    require(actor, "comment.edit", comment)
    body = _validate_body(body)
    if body == comment.body:
        return comment
    if actor.id != comment.author_id:
        audit.record(actor, "comment.edit", "comment", comment.id, before=comment.body, after=body)
    if comment.is_internal:
        comment.body_html, newly_mentioned = render_markdown(body), []
    else:
        before = {user.id for user in find_mentions(comment.body)[1]}
        comment.body_html, mentioned = _render(body)
        newly_mentioned = [user for user in mentioned if user.id not in before]
    comment.body = body
    comment.edited_at = utcnow()
    if newly_mentioned:
        title = target_title(comment)
        notify(
            [
                Recipient(user.id, "mention", f"{actor.display_name} mentioned you on “{title}”")
                for user in newly_mentioned
            ],
            comment_url(comment),
            actor.id,
        )
    db.session.flush()
    return comment


def delete_comment(actor: User, comment: Comment) -> None:
    """Soft-delete: the comment keeps its place in the thread, without its text."""
    require(actor, "comment.delete", comment)
    # Only the request that actually deletes the row changes the count, even when two race.
    deleted = db.session.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.deleted_at.is_(None))
        .values(deleted_at=utcnow())
    ).rowcount
    if deleted and not (comment.is_internal or comment.is_hidden or comment.is_pending):
        touch_count(comment, -1)
    if deleted and actor.id != comment.author_id:
        audit.record(actor, "comment.delete", "comment", comment.id, before=comment.body)
    db.session.flush()


@dataclass
class ThreadNode:
    comment: Comment
    depth: int
    replies: list["ThreadNode"] = field(default_factory=list)


def build_thread(comments: list[Comment]) -> list[ThreadNode]:
    """Nest a flat, oldest-first list of comments into threads (no queries)."""
    nodes = {comment.id: ThreadNode(comment, 0) for comment in comments}
    roots: list[ThreadNode] = []
    for comment in comments:
        node = nodes[comment.id]
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            node.depth = parent.depth + 1
            parent.replies.append(node)
    return roots


def list_comments(actor: Any, idea: Idea, page: int = 1, per_page: int = 25) -> Page:
    """The public comments of an idea (from `get_idea`), deleted ones included, oldest first."""
    stmt = (
        select(Comment)
        .options(joinedload(Comment.author))
        .where(Comment.idea_id == idea.id, Comment.is_internal.is_(False), visible_comments(actor))
        .order_by(Comment.created_at, Comment.id)
    )
    return paginate(stmt, page, per_page)
