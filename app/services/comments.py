"""Comments on ideas: threads, edits, soft deletes, @mentions and staff-only internal notes."""

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.links import site_path
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.user import User
from app.permissions import can, require
from app.services import follows
from app.services.ideas import get_idea, touch_comment_count, visible_ideas
from app.services.notifications import Recipient, notify
from app.services.pagination import Page, paginate
from app.text import render_markdown

BODY_MAX = 5_000
# "@Ada Lovelace" or "@sam": up to four words after the @, matched against display names.
_mention = re.compile(r"(?<![\w@])@([\w][\w.'-]*(?: [\w][\w.'-]*){0,3})")


def _validate_body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise Invalid({"body": ["Write something first."]})
    if len(body) > BODY_MAX:
        raise Invalid(
            {"body": [f"A comment can have at most {BODY_MAX:,} characters (this one has {len(body):,})."]}
        )
    return body


def find_mentions(body: str) -> tuple[str, list[User]]:
    """Link @Display Name mentions to profiles; returns the Markdown to render and the people named.

    Of the words after an @, the longest run that is someone's display name wins.
    """
    candidates: dict[str, set[str]] = {}
    for match in _mention.finditer(body):
        words = match.group(1).split(" ")
        for length in range(len(words), 0, -1):
            name = " ".join(words[:length]).rstrip(".,;:!?'-")
            candidates.setdefault(match.group(0), set()).add(name.lower())
    names = set().union(*candidates.values()) if candidates else set()
    if not names:
        return body, []
    users = db.session.scalars(select(User).where(func.lower(User.display_name).in_(names))).all()
    by_name = {user.display_name.lower(): user for user in users}
    mentioned: dict[int, User] = {}

    def link(match: re.Match) -> str:
        words = match.group(1).split(" ")
        for length in range(len(words), 0, -1):
            name = " ".join(words[:length]).rstrip(".,;:!?'-")
            user = by_name.get(name.lower())
            if user is not None:
                mentioned[user.id] = user
                rest = match.group(1)[len(name) :]
                return f"[@{user.display_name}](/users/{user.id}){rest}"
        return match.group(0)

    return _mention.sub(link, body), list(mentioned.values())


def _render(body: str) -> tuple[str, list[User]]:
    linked, mentioned = find_mentions(body)
    return render_markdown(linked), mentioned


def comment_url(comment: Comment) -> str:
    return idea_url_for_comment(comment.idea_id, comment.id)


def idea_url_for_comment(idea_id: int, comment_id: int) -> str:
    return site_path("ideas.detail", idea_id=idea_id) + f"#comment-{comment_id}"


def add_comment(actor: User, idea: Idea, body: str, parent_id: int | None = None) -> Comment:
    """Comment on an idea (or reply to a comment); the author, the replied-to and the mentioned are told."""
    require(actor, "idea.comment", idea)
    if idea.status == "merged":
        raise Conflict("This idea was merged into another one; continue the discussion there.")
    body = _validate_body(body)
    parent = None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.idea_id != idea.id or parent.is_internal:
            raise Invalid({"parent_id": ["You can only reply to a comment on this idea."]})
    html, mentioned = _render(body)
    comment = Comment(
        idea_id=idea.id,
        parent_id=parent_id,
        author_id=actor.id,
        body=body,
        body_html=html,
        created_at=utcnow(),
    )
    db.session.add(comment)
    db.session.flush()
    touch_comment_count(idea.id, 1)
    follows.follow_idea(actor, idea)
    # One notification per person; the most specific reason wins.
    recipients = [
        Recipient(user.id, "mention", f"{actor.display_name} mentioned you on “{idea.title}”")
        for user in mentioned
    ]
    if parent is not None:
        recipients.append(
            Recipient(
                parent.author_id, "reply", f"{actor.display_name} replied to your comment on “{idea.title}”"
            )
        )
    recipients.append(
        Recipient(idea.author_id, "comment", f"{actor.display_name} commented on your idea “{idea.title}”")
    )
    notify(recipients, comment_url(comment), actor.id)
    db.session.flush()
    return comment


def add_internal_note(actor: User, idea: Idea, body: str) -> Comment:
    """A note on an idea that only staff see; it counts as no comment and notifies nobody."""
    require(actor, "idea.internal_note", idea)
    body = _validate_body(body)
    note = Comment(
        idea_id=idea.id,
        author_id=actor.id,
        body=body,
        body_html=render_markdown(body),
        is_internal=True,
        created_at=utcnow(),
    )
    db.session.add(note)
    db.session.flush()
    return note


def get_comment(actor: Any, comment_id: int) -> Comment:
    """A comment `actor` may see (internal notes only for staff), with its idea visible too."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or (comment.is_internal and not can(actor, "idea.view_internal")):
        raise NotFound("No such comment.")
    get_idea(actor, comment.idea_id)
    return comment


def edit_comment(actor: User, comment: Comment, body: str) -> Comment:
    """Change a comment: its author within the edit window, moderators at any time."""
    require(actor, "comment.edit", comment)
    body = _validate_body(body)
    if body == comment.body:
        return comment
    comment.body = body
    comment.body_html = render_markdown(body) if comment.is_internal else _render(body)[0]
    comment.edited_at = utcnow()
    db.session.flush()
    return comment


def delete_comment(actor: User, comment: Comment) -> None:
    """Soft-delete: the comment keeps its place in the thread, without its text."""
    require(actor, "comment.delete", comment)
    comment.deleted_at = utcnow()
    if not comment.is_internal:
        touch_comment_count(comment.idea_id, -1)
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
    """The public comments of an idea, oldest first (for the API)."""
    stmt = (
        select(Comment)
        .options(joinedload(Comment.author))
        .where(Comment.idea_id == idea.id, Comment.is_internal.is_(False))
        .order_by(Comment.created_at, Comment.id)
    )
    return paginate(stmt, page, per_page)


def comments_by_author(actor: Any, user: User, limit: int = 10) -> list[Comment]:
    stmt = (
        select(Comment)
        .join(Idea, Idea.id == Comment.idea_id)
        .options(joinedload(Comment.author))
        .where(
            Comment.author_id == user.id,
            Comment.is_internal.is_(False),
            Comment.deleted_at.is_(None),
            visible_ideas(actor),
        )
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
