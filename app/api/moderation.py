"""Moderation in the API: flags, the review queue, hide and restore, locks, merges,
suspensions and the audit log (shared API.md)."""

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import request

from app.api.auth import current_actor, token_required
from app.api.blueprint import bp
from app.api.parsing import MAX_INT, json_object
from app.api.schemas import (
    audit_json,
    comment_json,
    flag_json,
    idea_json,
    moderation_state_json,
    page_json,
    prototype_json,
    queue_item_json,
    roadmap_ref_json,
    suspension_json,
)
from app.errors import BadRequest, Invalid, NotFound
from app.extensions import db
from app.models.moderation import FLAG_TARGETS
from app.permissions import require
from app.services import accounts, audit, comments, ideas, merges, moderation, prototypes, roadmap, votes
from app.services.pagination import Page, page_args

MODERATED_KINDS = ("idea", "comment", "prototype")


def _string(data: Mapping[str, Any], name: str, required: bool = False) -> str:
    value = data.get(name)
    if value is None:
        if required:
            raise Invalid({name: [f"`{name}` is required."]})
        return ""
    if not isinstance(value, str):
        raise Invalid({name: [f"`{name}` must be a string."]})
    return value


def _id(data: Mapping[str, Any], name: str, required: bool = True) -> int | None:
    value = data.get(name)
    if value is None and not required:
        return None
    # bool is an int in Python, but `true` is no id.
    if not isinstance(value, int) or isinstance(value, bool):
        raise Invalid({name: [f"`{name}` must be the id of an item (a whole number)."]})
    return value


def _kind(target_type: Any) -> str:
    """A kind of item that can be moderated; a kind that does not exist (yet) finds nothing."""
    if target_type not in MODERATED_KINDS:
        raise NotFound("No such item.")
    return target_type


def _item_response(actor: Any, target_type: str, target_id: int) -> dict:
    """The item as the caller sees it after the commit, with its moderation state."""
    if target_type == "idea":
        idea = ideas.get_idea(actor, target_id)
        on_roadmap = roadmap.items_for_ideas(actor, [idea.id])[idea.id]
        body = idea_json(idea, voted=votes.has_voted(actor, idea), roadmap_items=on_roadmap)
        return {**body, **moderation_state_json(idea)}
    if target_type == "prototype":
        prototype = prototypes.get_prototype(actor, target_id)
        body = prototype_json(
            prototype,
            voted=prototypes.has_voted(actor, prototype),
            idea_ids=prototypes.linked_idea_ids(actor, [prototype.id])[prototype.id],
        )
        return {**body, **moderation_state_json(prototype)}
    comment = comments.get_comment(actor, target_id, include_internal=False)
    return {
        **comment_json(comment),
        "idea_id": comment.idea_id,
        "prototype_id": comment.prototype_id,
        **moderation_state_json(comment),
    }


def _idea_response(actor: Any, idea_id: int) -> dict:
    idea = ideas.get_idea(actor, idea_id)
    on_roadmap = roadmap.items_for_ideas(actor, [idea.id])[idea.id]
    return idea_json(idea, voted=votes.has_voted(actor, idea), roadmap_items=on_roadmap)


# --- flags -----------------------------------------------------------------------------------


@bp.post("/flags")
@token_required
def create_flag():
    data = json_object()
    target_type = data.get("target_type")
    if target_type not in FLAG_TARGETS:
        raise Invalid({"target_type": [f"`target_type` must be one of: {', '.join(FLAG_TARGETS)}."]})
    target_id = _id(data, "target_id")
    _kind(target_type)
    reason = _string(data, "reason", required=True)
    note = _string(data, "note")
    duplicate_of_id = _id(data, "duplicate_of_id", required=False)
    actor = current_actor()
    flag = moderation.flag_item(actor, target_type, target_id, reason, note, duplicate_of_id)
    payload = flag_json(flag, actor)
    db.session.commit()
    return payload, 201


# --- the queue, hide and restore -------------------------------------------------------------


@bp.get("/moderation/queue")
@token_required
def moderation_queue():
    page, per_page = page_args(request.args)
    items = moderation.review_queue(current_actor())
    start = (page - 1) * per_page
    result = Page(items=items[start : start + per_page], page=page, per_page=per_page, total=len(items))
    body = page_json(result, queue_item_json)
    # The ideas in the queue name their roadmap items too: one query for the page.
    on_roadmap = roadmap.items_for_ideas(
        current_actor(), [entry["idea"]["id"] for entry in body["items"] if entry["idea"] is not None]
    )
    for entry in body["items"]:
        if entry["idea"] is not None:
            entry["idea"]["roadmap_items"] = [
                roadmap_ref_json(item) for item in on_roadmap[entry["idea"]["id"]]
            ]
    return body


@bp.post("/moderation/<target_type>/<int:target_id>/hide")
@token_required
def hide_item(target_type: str, target_id: int):
    actor = current_actor()
    kind = _kind(target_type)
    reason = _string(json_object(), "reason", required=True)
    moderation.hide_item(actor, kind, target_id, reason)
    db.session.commit()
    return _item_response(actor, kind, target_id)


@bp.post("/moderation/<target_type>/<int:target_id>/restore")
@token_required
def restore_item(target_type: str, target_id: int):
    actor = current_actor()
    kind = _kind(target_type)
    moderation.restore_item(actor, kind, target_id)
    db.session.commit()
    return _item_response(actor, kind, target_id)


# --- locks and merges ------------------------------------------------------------------------


def _set_locked(idea_id: int, locked: bool):
    actor = current_actor()
    # Locking takes an optional body `{"reason"}`, shown to readers as `lock_reason`.
    reason = _string(json_object(), "reason") if locked and request.get_data() else ""
    moderation.set_locked(actor, ideas.get_idea(actor, idea_id), locked, reason)
    db.session.commit()
    return _idea_response(actor, idea_id)


@bp.post("/ideas/<int:idea_id>/lock")
@token_required
def lock_idea(idea_id: int):
    return _set_locked(idea_id, True)


@bp.post("/ideas/<int:idea_id>/unlock")
@token_required
def unlock_idea(idea_id: int):
    return _set_locked(idea_id, False)


@bp.post("/ideas/<int:idea_id>/merge")
@token_required
def merge_idea(idea_id: int):
    actor = current_actor()
    into_id = _id(json_object(), "into_id")
    target = merges.merge_ideas(actor, idea_id, into_id)
    target_id = target.id
    db.session.commit()
    return _idea_response(actor, target_id)


# --- suspensions -----------------------------------------------------------------------------


@bp.post("/users/<int:user_id>/suspend")
@token_required
def suspend_user(user_id: int):
    data = json_object()
    if "days" not in data:
        raise Invalid({"days": ["Send `days`: a number of days, or null to suspend permanently."]})
    days = data["days"]
    if days is not None and (not isinstance(days, int) or isinstance(days, bool)):
        raise Invalid({"days": ["`days` must be a whole number of days, or null (permanent)."]})
    reason = _string(data, "reason", required=True)
    user = accounts.suspend_user(current_actor(), accounts.get_user(user_id), days, reason)
    payload = suspension_json(user)
    db.session.commit()
    return payload


@bp.post("/users/<int:user_id>/unsuspend")
@token_required
def unsuspend_user(user_id: int):
    user = accounts.unsuspend_user(current_actor(), accounts.get_user(user_id))
    payload = suspension_json(user)
    db.session.commit()
    return payload


# --- the audit log ---------------------------------------------------------------------------


def _moment(args: Mapping[str, str], name: str, end_of_day: bool = False) -> datetime | None:
    """An ISO 8601 date or date-time query parameter, in UTC; a bare date `until` includes that day."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        if "T" not in raw and " " not in raw and len(raw) <= 10:
            day = date.fromisoformat(raw)
            moment = datetime.combine(day, time.min, tzinfo=UTC)
            return moment + timedelta(days=1) if end_of_day else moment
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        # At the calendar's edges the conversion to UTC leaves the calendar (OverflowError).
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise BadRequest(f"`{name}` must be an ISO 8601 date (2026-05-01) or date-time.") from None


def _actor_id(args: Mapping[str, str]) -> int | None:
    raw = (args.get("actor_id") or "").strip()
    if not raw:
        return None
    # isascii: "²" is a digit to str.isdigit() but not to int(); no id passes MAX_INT.
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_INT:
        raise BadRequest("`actor_id` must be a user id (a whole number).")
    return int(raw)


@bp.get("/audit")
@token_required
def audit_log():
    # The API contract keeps the log for admins; moderators read its moderation part on the site.
    require(current_actor(), "audit.view_all")
    args = request.args
    page, per_page = page_args(args)
    filters = audit.AuditFilters(
        actor_id=_actor_id(args),
        action=(args.get("action") or "").strip() or None,
        since=_moment(args, "since"),
        until=_moment(args, "until", end_of_day=True),
    )
    if filters.since and filters.until and filters.since >= filters.until:
        raise BadRequest("`since` must be before `until`.")
    return page_json(audit.list_audit(current_actor(), filters, page, per_page), audit_json)
