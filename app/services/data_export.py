"""A member's data, as one JSON document: everything their account wrote or did.

The same keys always, each a list (or the profile object), newest last: profile, ideas,
comments, votes, flags, round responses, launch places, notifications, follows, sessions and
identities. No secrets: no password or token hashes, no session keys. What the member wrote is
theirs, so their own hidden or deleted posts are in it too; the titles of others' items appear
only while the member may see them, and notifications only while they are not withdrawn.
Nothing on a private board the member may not see (any more) is in it, their own posts there
included: a board's content belongs to the board (docs/boards.md).
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, not_, or_, select, true

from app.extensions import db
from app.links import absolute_path, absolute_url
from app.models.comment import Comment
from app.models.idea import Category, Idea, IdeaFollow, IdeaVote
from app.models.identity import Identity
from app.models.launch import Launch, LaunchParticipant
from app.models.moderation import Flag
from app.models.notification import Notification
from app.models.prototype import Prototype, PrototypeVote
from app.models.round import FeedbackRound, RoundAnswer, RoundQuestion, RoundResponse
from app.models.segment import Segment, UserSegment
from app.models.user import ApiToken, User, UserSession
from app.permissions import require
from app.services.sessions import device_label
from app.visibility import (
    hidden_boards,
    ideas_on_seen_boards,
    launches_on_seen_boards,
    prototypes_on_seen_boards,
    visible_ideas,
    visible_notifications,
    visible_prototypes,
)

EXPORT_KEYS = (
    "profile",
    "ideas",
    "comments",
    "votes",
    "flags",
    "round_responses",
    "launches",
    "notifications",
    "follows",
    "sessions",
    "identities",
)


def _when(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z suffix, as the API writes times."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def export_filename(user: User) -> str:
    return f"account-{user.id}-data.json"


def export_account(actor: User) -> dict[str, Any]:
    """Everything `actor`'s account wrote or did, under the keys of EXPORT_KEYS."""
    require(actor, "account.export", actor)
    data = {
        "profile": _profile(actor),
        "ideas": _ideas(actor),
        "comments": _comments(actor),
        "votes": _votes(actor),
        "flags": _flags(actor),
        "round_responses": _round_responses(actor),
        "launches": _launches(actor),
        "notifications": _notifications(actor),
        "follows": _follows(actor),
        "sessions": _sessions(actor),
        "identities": _identities(actor),
    }
    return {key: data[key] for key in EXPORT_KEYS}


def _profile(user: User) -> dict[str, Any]:
    segments = db.session.scalars(
        select(Segment.name)
        .join(UserSegment, UserSegment.segment_id == Segment.id)
        .where(UserSegment.user_id == user.id)
        .order_by(Segment.name)
    )
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at, ApiToken.id)
    )
    return {
        "id": user.id,
        "email": user.email,
        "email_verified": user.is_email_verified,
        "display_name": user.display_name,
        "username": user.username,
        "role": user.role,
        "created_at": _when(user.created_at),
        "last_sign_in_at": _when(user.last_sign_in_at),
        "has_password": user.has_password,
        "email_notifications": user.email_notifications,
        "suspended": user.is_suspended,
        "suspended_until": _when(user.suspended_until) if user.is_suspended else None,
        "suspension_reason": user.suspension_reason if user.is_suspended else "",
        "segments": list(segments),
        # Names and first characters only: the tokens themselves were never stored.
        "api_tokens": [
            {
                "name": token.name,
                "prefix": token.prefix,
                "created_at": _when(token.created_at),
                "last_used_at": _when(token.last_used_at),
                "expires_at": _when(token.expires_at),
                "revoked_at": _when(token.revoked_at),
            }
            for token in tokens
        ],
    }


def _ideas(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Idea, Category.name)
        .outerjoin(Category, Category.id == Idea.category_id)
        .where(Idea.author_id == user.id, ideas_on_seen_boards(user))
        .order_by(Idea.created_at, Idea.id)
    )
    return [
        {
            "id": idea.id,
            "title": idea.title,
            "body": idea.body,
            "category": category,
            "status": idea.status,
            "vote_count": idea.vote_count,
            "comment_count": idea.comment_count,
            "hidden": idea.hidden_at is not None,
            "deleted": idea.deleted_at is not None,
            "created_at": _when(idea.created_at),
            "updated_at": _when(idea.updated_at),
            "url": absolute_url("ideas.detail", idea_id=idea.id),
        }
        for idea, category in rows
    ]


def _comments(user: User) -> list[dict[str, Any]]:
    comments = db.session.scalars(
        select(Comment)
        .outerjoin(Idea, Idea.id == Comment.idea_id)
        .outerjoin(Prototype, Prototype.id == Comment.prototype_id)
        .where(Comment.author_id == user.id, _on_seen_boards(user))
        .order_by(Comment.created_at, Comment.id)
    )
    return [
        {
            "id": comment.id,
            "on": {"idea_id": comment.idea_id, "prototype_id": comment.prototype_id},
            "parent_id": comment.parent_id,
            "body": comment.body,
            "internal_note": comment.is_internal,
            "hidden": comment.hidden_at is not None,
            "deleted": comment.deleted_at is not None,
            "created_at": _when(comment.created_at),
            "edited_at": _when(comment.edited_at),
        }
        for comment in comments
    ]


def _votes(user: User) -> list[dict[str, Any]]:
    ideas = db.session.execute(
        select(IdeaVote.idea_id, IdeaVote.created_at, Idea.title, visible_ideas(user))
        .join(Idea, Idea.id == IdeaVote.idea_id)
        .where(IdeaVote.user_id == user.id, ideas_on_seen_boards(user))
    )
    prototypes = db.session.execute(
        select(
            PrototypeVote.prototype_id, PrototypeVote.created_at, Prototype.title, visible_prototypes(user)
        )
        .join(Prototype, Prototype.id == PrototypeVote.prototype_id)
        .where(PrototypeVote.user_id == user.id, prototypes_on_seen_boards(user))
    )
    votes = [
        {"on": "idea", "id": idea_id, "title": title if visible else None, "voted_at": at}
        for idea_id, at, title, visible in ideas
    ] + [
        {"on": "prototype", "id": prototype_id, "title": title if visible else None, "voted_at": at}
        for prototype_id, at, title, visible in prototypes
    ]
    votes.sort(key=lambda vote: (vote["voted_at"], vote["on"], vote["id"]))
    return [{**vote, "voted_at": _when(vote["voted_at"])} for vote in votes]


def _on_seen_boards(user: User):
    """The condition for comments (joined to their idea or prototype) not on a board `user` may not see."""
    return and_(
        or_(Comment.idea_id.is_(None), ideas_on_seen_boards(user)),
        or_(Comment.prototype_id.is_(None), prototypes_on_seen_boards(user)),
    )


def _flagged_on_seen_boards(user: User):
    """The condition for flags on an idea, comment or prototype not on a board `user` may not see."""
    if not hidden_boards(user):
        return true()
    elsewhere = or_(
        and_(
            Flag.target_type == "idea",
            Flag.target_id.in_(select(Idea.id).where(not_(ideas_on_seen_boards(user)))),
        ),
        and_(
            Flag.target_type == "prototype",
            Flag.target_id.in_(select(Prototype.id).where(not_(prototypes_on_seen_boards(user)))),
        ),
        and_(
            Flag.target_type == "comment",
            Flag.target_id.in_(
                select(Comment.id)
                .outerjoin(Idea, Idea.id == Comment.idea_id)
                .outerjoin(Prototype, Prototype.id == Comment.prototype_id)
                .where(not_(_on_seen_boards(user)))
            ),
        ),
    )
    return not_(elsewhere)


def _flags(user: User) -> list[dict[str, Any]]:
    flags = db.session.scalars(
        select(Flag)
        .where(Flag.user_id == user.id, _flagged_on_seen_boards(user))
        .order_by(Flag.created_at, Flag.id)
    )
    return [
        {
            "id": flag.id,
            "target_type": flag.target_type,
            "target_id": flag.target_id,
            "reason": flag.reason,
            "note": flag.note,
            "duplicate_of": flag.duplicate_of_id,
            "status": flag.status,
            "created_at": _when(flag.created_at),
            "resolved_at": _when(flag.resolved_at),
        }
        for flag in flags
    ]


def _round_responses(user: User) -> list[dict[str, Any]]:
    responses = db.session.execute(
        select(RoundResponse, FeedbackRound.title, FeedbackRound.prototype_id)
        .join(FeedbackRound, FeedbackRound.id == RoundResponse.round_id)
        .join(Prototype, Prototype.id == FeedbackRound.prototype_id)
        .where(RoundResponse.user_id == user.id, prototypes_on_seen_boards(user))
        .order_by(RoundResponse.created_at, RoundResponse.id)
    ).all()
    answers: dict[int, list[dict[str, Any]]] = {}
    rows = db.session.execute(
        select(
            RoundAnswer.response_id,
            RoundQuestion.id,
            RoundQuestion.kind,
            RoundQuestion.prompt,
            RoundAnswer.value,
        )
        .join(RoundQuestion, RoundQuestion.id == RoundAnswer.question_id)
        .where(RoundAnswer.response_id.in_([response.id for response, _, _ in responses]))
        .order_by(RoundAnswer.response_id, RoundQuestion.position, RoundQuestion.id)
    )
    for response_id, question_id, kind, prompt, value in rows:
        answers.setdefault(response_id, []).append(
            {"question_id": question_id, "kind": kind, "prompt": prompt, "answer": value}
        )
    return [
        {
            "id": response.id,
            "round_id": response.round_id,
            "round_title": title,
            "prototype_id": prototype_id,
            "created_at": _when(response.created_at),
            "updated_at": _when(response.updated_at),
            "answers": answers.get(response.id, []),
        }
        for response, title, prototype_id in responses
    ]


def _launches(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(LaunchParticipant, Launch.title)
        .join(Launch, Launch.id == LaunchParticipant.launch_id)
        .where(LaunchParticipant.user_id == user.id, launches_on_seen_boards(user))
        .order_by(LaunchParticipant.joined_at, LaunchParticipant.id)
    )
    return [
        {
            "launch_id": row.launch_id,
            "title": title,
            "state": row.state,
            "screening_answer": row.screening_answer,
            "removal_reason": row.removal_reason,
            "joined_at": _when(row.joined_at),
            "updated_at": _when(row.updated_at),
        }
        for row, title in rows
    ]


def _notifications(user: User) -> list[dict[str, Any]]:
    notifications = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id, visible_notifications(user))
        .order_by(Notification.created_at, Notification.id)
    )
    return [
        {
            "id": notification.id,
            "kind": notification.kind,
            "message": notification.message,
            "url": absolute_path(notification.url),
            "read": notification.is_read,
            "created_at": _when(notification.created_at),
        }
        for notification in notifications
    ]


def _follows(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(IdeaFollow.idea_id, IdeaFollow.created_at, Idea.title, visible_ideas(user))
        .join(Idea, Idea.id == IdeaFollow.idea_id)
        .where(IdeaFollow.user_id == user.id, ideas_on_seen_boards(user))
        .order_by(IdeaFollow.created_at, IdeaFollow.idea_id)
    )
    return [
        {"idea_id": idea_id, "title": title if visible else None, "followed_at": _when(at)}
        for idea_id, at, title, visible in rows
    ]


def _sessions(user: User) -> list[dict[str, Any]]:
    records = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.created_at, UserSession.id)
    )
    return [
        {
            "device": device_label(record.user_agent),
            "user_agent": record.user_agent,
            "signed_in_with": record.signed_in_with,
            "remember": record.remember,
            "created_at": _when(record.created_at),
            "last_seen_at": _when(record.last_seen_at),
        }
        for record in records
    ]


def _identities(user: User) -> list[dict[str, Any]]:
    identities = db.session.scalars(
        select(Identity).where(Identity.user_id == user.id).order_by(Identity.created_at, Identity.id)
    )
    return [
        {
            "provider": identity.provider,
            "subject": identity.subject,
            "email": identity.email,
            "created_at": _when(identity.created_at),
            "last_used_at": _when(identity.last_used_at),
        }
        for identity in identities
    ]
