"""The events webhooks send: what each carries, and queueing it for every webhook that listens.

Services call the event functions at the bottom (`idea_created`, `vote_cast`, ...) inside their
own transaction: each subscribed webhook gets a WebhookDelivery row and an outbox message, so a
rolled-back change sends nothing and a committed one is never lost. Payloads hold nothing
private: ids, titles, statuses and links, never email addresses or hidden content.
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.links import absolute_url
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea, IdeaStatusChange
from app.models.launch import Launch
from app.models.outbox import OutboxMessage
from app.models.roadmap import RoadmapItem
from app.models.user import User
from app.models.webhook import Webhook, WebhookDelivery
from app.text import excerpt
from app.visibility import is_public

EVENTS = (
    "idea.created",
    "idea.status_changed",
    "comment.created",
    "vote.cast",
    "roadmap.shipped",
    "launch.outcome",
)
# Sent by the admin page's "Send a test ping", whatever the webhook subscribes to.
PING = "ping"


def queue(webhooks: list[Webhook], event: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    """A delivery of `event` with `data` to each of `webhooks`, and the outbox message that sends it."""
    now = utcnow()
    deliveries = [
        WebhookDelivery(webhook_id=webhook.id, event=event, payload=data, status="pending", created_at=now)
        for webhook in webhooks
    ]
    db.session.add_all(deliveries)
    db.session.flush()
    db.session.add_all(
        OutboxMessage(kind="webhook", payload={"delivery_id": delivery.id}, available_at=now, created_at=now)
        for delivery in deliveries
    )
    db.session.flush()
    return deliveries


def emit(event: str, data: dict[str, Any] | Callable[[], dict[str, Any]]) -> list[WebhookDelivery]:
    """Queue `event` for every active webhook subscribed to it, in the caller's transaction.

    `data` (or the function that makes it, called only when someone listens) must hold nothing
    private: ids, titles, statuses and links, never email addresses or hidden content.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    webhooks = [
        webhook
        for webhook in db.session.scalars(select(Webhook).where(Webhook.is_active.is_(True)))
        if event in (webhook.events or [])
    ]
    if not webhooks:
        return []
    return queue(webhooks, event, data() if callable(data) else data)


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def body_of(delivery: WebhookDelivery) -> bytes:
    """The JSON a delivery sends; the same bytes on every retry."""
    envelope = {
        "id": delivery.id,
        "event": delivery.event,
        "created_at": _timestamp(delivery.created_at),
        "data": delivery.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


# ---- Events, called by the services that cause them ----


def _idea(idea: Idea) -> dict[str, Any]:
    from app.services.board_lookup import board_of

    board = board_of(idea)
    return {
        "id": idea.id,
        "title": idea.title,
        "status": idea.status,
        "url": absolute_url("ideas.detail", idea_id=idea.id),
        "board": {"slug": board.slug, "name": board.name},
    }


def _person(user: User) -> dict[str, Any]:
    # A deleted account leads to no one (a comment held for review may be approved after it went).
    return {"id": None if user.is_deleted else user.id, "display_name": user.display_name}


def idea_created(idea: Idea, author: User) -> None:
    """An idea everyone can see was posted (pending ones wait for a moderator)."""
    if is_public(idea):
        emit("idea.created", lambda: {"idea": {**_idea(idea), "author": _person(author)}})


def idea_status_changed(idea: Idea, change: IdeaStatusChange) -> None:
    if is_public(idea):
        emit(
            "idea.status_changed",
            lambda: {
                "idea": _idea(idea),
                "from_status": change.from_status,
                "to_status": change.to_status,
                "note": change.note,
            },
        )


def comment_created(comment: Comment, idea: Idea, author: User) -> None:
    """A public comment on a public idea (not internal notes, not comments waiting for review)."""
    if comment.is_internal or comment.is_pending or comment.idea_id is None or not is_public(idea):
        return
    emit(
        "comment.created",
        lambda: {
            "comment": {
                "id": comment.id,
                "parent_id": comment.parent_id,
                "excerpt": excerpt(comment.body, 280),
                "author": _person(author),
                "url": absolute_url("ideas.detail", idea_id=idea.id) + f"#comment-{comment.id}",
            },
            "idea": _idea(idea),
        },
    )


def vote_cast(idea: Idea) -> None:
    """A vote was added to an idea; who voted is not sent."""
    if is_public(idea):
        emit(
            "vote.cast",
            lambda: {
                "idea": {
                    **_idea(idea),
                    "vote_count": db.session.scalar(select(Idea.vote_count).where(Idea.id == idea.id)),
                }
            },
        )


def roadmap_shipped(item: RoadmapItem) -> None:
    """A public roadmap item shipped (private items stay private)."""
    if item.is_public and item.is_shipped:
        emit(
            "roadmap.shipped",
            lambda: {
                "roadmap_item": {
                    "id": item.id,
                    "title": item.title,
                    "status": item.status,
                    "target": item.target,
                    "release_note": item.release_note,
                    "shipped_at": _timestamp(item.shipped_at or utcnow()),
                    "url": absolute_url("roadmap.detail", item_id=item.id),
                }
            },
        )


def launch_outcome(launch: Launch) -> None:
    """A learning launch was completed with its outcome."""
    if launch.is_completed and launch.decision:
        emit(
            "launch.outcome",
            lambda: {
                "launch": {
                    "id": launch.id,
                    "title": launch.title,
                    "status": launch.status,
                    "decision": launch.decision,
                    "summary": launch.outcome_summary,
                    "url": absolute_url("launches.detail", launch_id=launch.id),
                }
            },
        )
