"""Objects to JSON dicts, exactly as shared API.md names the fields."""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from flask import g

from app.links import absolute_path, absolute_url
from app.models.board import Board
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.moderation import AuditEntry, Flag
from app.models.notification import Notification
from app.models.prototype import Prototype
from app.models.roadmap import RoadmapItem
from app.models.user import User
from app.services import ideas, launches, prototypes, roadmap, rounds
from app.services.board_lookup import board_of
from app.services.fields import FieldTable
from app.services.pagination import Page
from app.visibility import on_seen_board


def timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z suffix."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def texts_json(table: FieldTable, obj: Any) -> dict:
    """An object's text fields as its feature's table lists them, with the HTML of each that has one."""
    data = {}
    for row in table:
        data[row.name] = getattr(obj, row.name)
        if row.html:
            data[f"{row.name}_html"] = getattr(obj, f"{row.name}_html")
    return data


def user_json(user: User) -> dict:
    """A User; a deleted account leads to no one: no id, and "Deleted member" for a name."""
    if user.is_deleted:
        return {"id": None, "display_name": user.display_name, "role": "member"}
    return {"id": user.id, "display_name": user.display_name, "role": user.role}


def page_json(page: Page, item_json) -> dict:
    return {
        "items": [item_json(item) for item in page.items],
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
    }


def board_ref_json(board: Board) -> dict:
    """The board an idea is on, as an idea names it."""
    return {"slug": board.slug, "name": board.name}


def board_json(board: Board, idea_count: int) -> dict:
    """A Board; `idea_count`: the listed ideas on it the caller may see."""
    return {
        "id": board.id,
        "slug": board.slug,
        "name": board.name,
        "description": board.description,
        "visibility": board.visibility,
        "idea_count": idea_count,
        "position": board.position,
        "default": board.is_default,
        "archived": board.is_archived,
        "url": absolute_url("boards.detail", slug=board.slug),
    }


def idea_json(
    idea: Idea, voted: bool = False, roadmap_items: Iterable[RoadmapItem] = (), with_images: bool = False
) -> dict:
    """An Idea; `idea.author` and `idea.category` must be loaded.

    `roadmap_items`: the items the caller may see that the idea is linked to (see
    `roadmap.items_for_ideas`, one query for a whole response). `with_images` adds the
    idea's images (loaded with it), as a single idea shows them; lists leave them out.
    """
    category = idea.category
    data = {
        "id": idea.id,
        **texts_json(ideas.TEXTS, idea),
        "body_html": idea.body_html,
        "status": idea.status,
        "category": {"slug": category.slug, "name": category.name} if category else None,
        "board": board_ref_json(board_of(idea)),
        "author": user_json(idea.author),
        "vote_count": idea.vote_count,
        "comment_count": idea.comment_count,
        "voted": voted,
        "locked": idea.is_locked,
        "lock_reason": idea.lock_reason,
        "pinned": idea.pinned_at is not None,
        "pin_reason": idea.pin_reason,
        "merged_into": _merged_into(idea),
        "roadmap_items": [roadmap_ref_json(item) for item in roadmap_items],
        "created_at": timestamp(idea.created_at),
        "updated_at": timestamp(idea.updated_at),
        "url": absolute_url("ideas.detail", idea_id=idea.id),
    }
    if with_images:
        data["images"] = [image_json(image) for image in idea.images]
    return data


def _merged_into(idea: Idea) -> int | None:
    """The idea it was merged into, unless that is on a private board the API's caller may not
    see: a public idea merged into a private one names no private idea."""
    target = idea.merged_into_id
    return target if target is None or on_seen_board(g.get("api_user"), target) else None


def comment_json(comment: Comment) -> dict:
    """A Comment; a deleted one keeps its place with an empty body. `comment.author` must be loaded."""
    deleted = comment.is_deleted
    return {
        "id": comment.id,
        "body": "" if deleted else comment.body,
        "body_html": "" if deleted else comment.body_html,
        "author": user_json(comment.author),
        "parent_id": comment.parent_id,
        "created_at": timestamp(comment.created_at),
        "edited_at": timestamp(comment.edited_at),
        "deleted": deleted,
    }


def notification_json(notification: Notification) -> dict:
    return {
        "id": notification.id,
        "kind": notification.kind,
        "message": notification.message,
        "url": absolute_path(notification.url),
        "read": notification.is_read,
        "created_at": timestamp(notification.created_at),
    }


def suspension_json(user: User) -> dict:
    """A User plus the state of their suspension (moderation answers only)."""
    return {
        **user_json(user),
        "suspended": user.is_suspended,
        "suspended_at": timestamp(user.suspended_at) if user.is_suspended else None,
        "suspended_until": timestamp(user.suspended_until) if user.is_suspended else None,
        "suspension_reason": user.suspension_reason if user.is_suspended else "",
    }


def moderation_state_json(item: Idea | Comment | Prototype) -> dict:
    """What moderators (and the author) know of an item beyond its public fields."""
    return {
        "hidden": item.is_hidden,
        "hidden_reason": item.hidden_reason if item.is_hidden else "",
        "pending": item.is_pending,
        "deleted": item.is_deleted,
    }


def flag_json(flag: Flag, user: User | None = None) -> dict:
    """A Flag; `user` (the flagger) is included when given."""
    data = {
        "id": flag.id,
        "target_type": flag.target_type,
        "target_id": flag.target_id,
        "reason": flag.reason,
        "note": flag.note,
        "duplicate_of_id": flag.duplicate_of_id,
        "status": flag.status,
        "created_at": timestamp(flag.created_at),
    }
    if user is not None:
        data["user"] = user_json(user)
    return data


def queue_item_json(item) -> dict:
    """One entry of the moderation queue (a `moderation.QueueItem`): the item, its flags, its author."""
    history = item.history
    target = item.target
    return {
        "target_type": item.target_type,
        "target_id": target.id,
        **moderation_state_json(target),
        "idea": idea_json(item.idea) if item.idea is not None else None,
        "prototype": (
            {"id": item.prototype.id, "title": item.prototype.title} if item.prototype is not None else None
        ),
        "comment": comment_json(target) if isinstance(target, Comment) else None,
        "author": user_json(item.author),
        "author_history": {
            "joined_at": timestamp(history.joined_at),
            "ideas": history.ideas,
            "comments": history.comments,
            "hidden": history.hidden,
            "suspended": history.suspended,
        },
        "flag_count": len(item.flags),
        "flags": [flag_json(flag, flag.user) for flag in item.flags],
    }


def audit_json(entry: AuditEntry) -> dict:
    """An audit entry; `entry.actor` must be loaded (None: the site itself)."""
    return {
        "id": entry.id,
        "actor": user_json(entry.actor) if entry.actor is not None else None,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "reason": entry.reason,
        "before": entry.before,
        "after": entry.after,
        "created_at": timestamp(entry.created_at),
    }


def image_json(image) -> dict:
    """A PrototypeImage or IdeaImage: absolute URLs of the image and its thumbnail, and its size."""
    return {
        "url": absolute_url("uploads.image", name=image.filename),
        "thumbnail_url": absolute_url("uploads.image", name=image.thumbnail),
        "width": image.width,
        "height": image.height,
        "alt": image.alt,
    }


def prototype_json(prototype, voted: bool = False, idea_ids: list[int] | None = None) -> dict:
    """A Prototype; `prototype.images` and `prototype.links` must be loaded."""
    return {
        "id": prototype.id,
        **texts_json(prototypes.TEXTS, prototype),
        "status": prototype.status,
        "vote_count": prototype.vote_count,
        "voted": voted,
        "comment_count": prototype.comment_count,
        "idea_ids": list(idea_ids or []),
        "links": [{"url": link.url, "label": link.label} for link in prototype.links],
        "images": [image_json(image) for image in prototype.images],
        "created_at": timestamp(prototype.created_at),
        "updated_at": timestamp(prototype.updated_at),
        "published_at": timestamp(prototype.published_at),
        "url": absolute_url("prototypes.detail", prototype_id=prototype.id),
    }


def round_question_json(question) -> dict:
    """A question of a feedback round."""
    return {
        "id": question.id,
        "kind": question.kind,
        "prompt": question.prompt,
        "required": question.required,
        "options": list(question.options) if question.options else None,
    }


def round_json(round_, state: str) -> dict:
    """A Round (shared API.md); `round_.questions` must be loaded. `state` is its state now."""
    return {
        "id": round_.id,
        "prototype_id": round_.prototype_id,
        **texts_json(rounds.TEXTS, round_),
        "opens_at": timestamp(round_.opens_at),
        "closes_at": timestamp(round_.closes_at),
        "state": state,
        "audience": round_.audience,
        "launch_id": round_.launch_id,
        "questions": [round_question_json(question) for question in round_.questions],
        "url": absolute_url("rounds.detail", round_id=round_.id),
    }


def round_response_json(response, answers: dict) -> dict:
    """One member's response: answers keyed by question id (as strings, like the request)."""
    return {
        "id": response.id,
        "round_id": response.round_id,
        "answers": {str(question_id): value for question_id, value in answers.items()},
        "created_at": timestamp(response.created_at),
        "updated_at": timestamp(response.updated_at),
    }


def round_question_results_json(result) -> dict:
    """One question's results (a round_results.QuestionResult), with the fields its kind has."""
    question = result.question
    data = {"id": question.id, "kind": question.kind, "prompt": question.prompt, "answered": result.answered}
    if question.kind == "rating":
        data["average"] = float(result.average) if result.average is not None else None
    if question.kind == "nps":
        nps = result.nps
        data["nps"] = {
            "score": nps.score,
            "promoters": nps.promoters,
            "passives": nps.passives,
            "detractors": nps.detractors,
        }
    if question.kind == "text":
        data["answers"] = [text for text, _ in result.answers]
    else:
        data["distribution"] = {str(value): count for value, count in result.distribution.items()}
    return data


def round_results_json(results) -> dict:
    """A round's results (a round_results.Results): counts, response rate and each question's numbers.

    `response_rate` is responses / audience_size (4 decimals); for the audience "everyone" the
    audience is every account not suspended now.
    """
    size = results.audience_size
    return {
        "round_id": results.round.id,
        "state": results.state,
        "response_count": results.response_count,
        "audience_size": size,
        "response_rate": round(results.response_count / size, 4) if size else None,
        "questions": [round_question_results_json(result) for result in results.questions],
    }


def launch_assumption_json(assumption) -> dict:
    """An assumption a launch tests, with its result once the launch completed (else null)."""
    return {
        "id": assumption.id,
        "kind": assumption.kind,
        "statement": assumption.statement,
        "result": assumption.result,
    }


def launch_outcome_json(launch, with_results: bool = True) -> dict | None:
    """What a completed launch found, or None before it has an outcome.

    `results` maps each assumption id (a string, as PATCH takes it) to its result; it needs
    `launch.assumptions` loaded, so lists leave it out (`with_results=False`).
    """
    if launch.decision is None:
        return None
    data = {
        "decision": launch.decision,
        "summary": launch.outcome_summary,
        "summary_html": launch.outcome_summary_html,
        "metric_actual": launch.metric_actual,
        "completed_at": timestamp(launch.completed_at),
    }
    if with_results:
        data["results"] = {str(assumption.id): assumption.result for assumption in launch.assumptions}
    return data


def launch_json(
    launch,
    my_state: str | None = None,
    my_position: int | None = None,
    idea_ids: list[int] | None = None,
    prototype_ids: list[int] | None = None,
    with_assumptions: bool = True,
) -> dict:
    """A Launch (shared API.md) plus its plan's details.

    With `with_assumptions` (the default) `launch.assumptions` must be loaded; lists pass False
    and their items carry no `assumptions` and no outcome `results`.
    """
    data = {
        "id": launch.id,
        **texts_json(launches.TEXTS, launch),
        "capacity": launch.capacity,
        "enrolled_count": launch.enrolled_count,
        "waitlist_count": launch.waitlist_count,
        "seats_left": launch.seats_left,
        "status": launch.status,
        "starts_at": timestamp(launch.starts_at),
        "ends_at": timestamp(launch.ends_at),
        "my_state": my_state,
        "my_position": my_position,
        "outcome": launch_outcome_json(launch, with_results=with_assumptions),
        "idea_ids": list(idea_ids or []),
        "prototype_ids": list(prototype_ids or []),
        "created_at": timestamp(launch.created_at),
        "updated_at": timestamp(launch.updated_at),
        "url": absolute_url("launches.detail", launch_id=launch.id),
    }
    if with_assumptions:
        data["assumptions"] = [launch_assumption_json(assumption) for assumption in launch.assumptions]
    return data


def launch_place_json(launch, place) -> dict:
    """The caller's place in a launch after joining or leaving (a participation.Place), with the counts."""
    return {
        "launch_id": launch.id,
        "my_state": place.state,
        "my_position": place.position,
        "screening_answer": place.screening_answer,
        "enrolled_count": launch.enrolled_count,
        "waitlist_count": launch.waitlist_count,
        "seats_left": launch.seats_left,
    }


def launch_participant_json(row) -> dict:
    """One participant of a launch (a participation.ParticipantRow), for staff."""
    return {
        "user": user_json(row.user),
        "state": row.state,
        "joined_at": timestamp(row.joined_at),
        "position": row.position,
        "screening_answer": row.screening_answer,
    }


def roadmap_ref_json(item: RoadmapItem) -> dict:
    """A roadmap item as an Idea's `roadmap_items` names it."""
    return {"id": item.id, "title": item.title, "status": item.status}


def roadmap_item_json(
    item: RoadmapItem, idea_ids: list[int] | None = None, demand: int = 0, with_scores: bool = True
) -> dict:
    """A RoadmapItem (shared API.md); `impact` and `effort` are null unless `with_scores` (staff)."""
    return {
        "id": item.id,
        **texts_json(roadmap.TEXTS, item),
        "status": item.status,
        "public": item.is_public,
        "impact": item.impact if with_scores else None,
        "effort": item.effort if with_scores else None,
        "shipped_at": timestamp(item.shipped_at),
        "idea_ids": list(idea_ids or []),
        "demand": demand,
        "created_at": timestamp(item.created_at),
        "updated_at": timestamp(item.updated_at),
        "url": absolute_url("roadmap.detail", item_id=item.id),
    }


def staff_idea_json(row, segments, voted: bool = False) -> dict:
    """An Idea on the staff dashboard (a dashboard.Row): its rank, recent votes, segments and links.

    `segment_votes` lists every segment, zero included; `weighted_votes` is there when votes are
    weighed by segment (null otherwise), beside the raw `vote_count`.
    """
    data = idea_json(row.idea, voted=voted)
    data["roadmap_items"] = [roadmap_ref_json(item) for item in row.roadmap_items]
    data["rank"] = row.rank
    data["votes_30d"] = row.votes_30d
    data["weighted_votes"] = round(row.weighted_votes, 4) if row.weighted_votes is not None else None
    data["segment_votes"] = [
        {"id": segment.id, "name": segment.name, "votes": row.segment_votes.get(segment.id, 0)}
        for segment in segments
    ]
    data["first_staff_response_at"] = timestamp(row.idea.first_staff_response_at)
    return data
