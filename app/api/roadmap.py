"""The roadmap in the API (shared API.md): list and read items, plan and move them (staff), link ideas.

app/services/roadmap.py checks the values and their types (a wrong type is a 422 naming the
field, never a 500), and the states.
"""

from dataclasses import replace
from typing import Any

from flask import request

from app.api.auth import current_actor, token_required
from app.api.blueprint import bp
from app.api.parsing import json_object
from app.api.schemas import page_json, roadmap_item_json
from app.errors import BadRequest, Invalid
from app.extensions import db
from app.models.roadmap import RoadmapItem
from app.permissions import can, require
from app.services import roadmap
from app.services.pagination import page_args

EDITABLE = (*roadmap.TEXTS.rows, "public", "impact", "effort")


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    """The known item fields of `data` as the service's keywords.

    The service checks every value and type, and reports all problems at once (422 naming each).
    """
    values = {name: data[name] for name in (*EDITABLE, "status") if name in data}
    if "public" in values:
        values["is_public"] = values.pop("public")
    return values


def _items_json(actor: Any, items: list[RoadmapItem]) -> list[dict]:
    """Items with their linked idea ids and demand (for anyone but the team, over the ideas on
    public boards), in two queries whatever their number."""
    ids = [item.id for item in items]
    idea_ids = roadmap.linked_idea_ids(ids, actor)
    demands = roadmap.demand(ids, actor)
    staff = can(actor, "roadmap.manage")
    return [roadmap_item_json(item, idea_ids[item.id], demands[item.id], with_scores=staff) for item in items]


def _item_body(actor: Any, item_id: int, status: int = 200):
    """The item as the caller sees it, read again after the commit."""
    return _items_json(actor, [roadmap.get_item(actor, item_id)])[0], status


@bp.get("/roadmap")
def roadmap_list():
    """Items the caller may see (public ones; staff see all), newest change first; `?status=` filters."""
    actor = current_actor()
    page, per_page = page_args(request.args)
    status = request.args.get("status") or None
    if status is not None and status not in roadmap.STATUSES:
        raise BadRequest(f"`status` must be one of: {', '.join(roadmap.STATUSES)}.")
    result = roadmap.list_items(actor, status=status, page=page, per_page=per_page)
    return page_json(replace(result, items=_items_json(actor, result.items)), lambda row: row)


@bp.post("/roadmap")
@token_required
def roadmap_create():
    """Put an item on the roadmap (staff): `{"title", "description"?, "status"? (planned), "public"? (true),
    "target"?, "impact"?, "effort"?, "release_note"?}`."""
    actor = current_actor()
    require(actor, "roadmap.manage")
    fields = _fields(json_object())
    item = roadmap.create_item(actor, **{"title": "", **fields})
    item_id = item.id
    db.session.commit()
    body, status = _item_body(actor, item_id, 201)
    return body, status, {"Location": body["url"]}


@bp.get("/roadmap/<int:item_id>")
def roadmap_get(item_id: int):
    return _item_body(current_actor(), item_id)


@bp.patch("/roadmap/<int:item_id>")
@token_required
def roadmap_update(item_id: int):
    """Edit an item and move it (staff), all or nothing: fields first, then `status` with `release_note`.

    Sending the status it has changes nothing; a `release_note` then just replaces the note.
    A new status moves the linked ideas and tells their supporters once each.
    """
    actor = current_actor()
    item = roadmap.get_item(actor, item_id)
    require(actor, "roadmap.manage", item)
    data = json_object()
    fields = _fields(data)
    if not any(name in data for name in (*EDITABLE, "status")):
        raise BadRequest(f"Send at least one of: {', '.join((*EDITABLE, 'status'))}.")
    status = fields.pop("status", None)
    moving = status is not None and status != item.status
    note = fields.pop("release_note", None) if moving else None
    if fields:
        roadmap.update_item(actor, item, **fields)
    if moving:
        roadmap.change_status(actor, item, status, note)
    db.session.commit()
    return _item_body(actor, item_id)


@bp.post("/roadmap/<int:item_id>/ideas")
@token_required
def roadmap_link(item_id: int):
    """Link an idea (staff): `{"idea_id", "plan"? (true)}`; linking twice changes nothing.

    A newly linked open idea follows the item's status unless `plan` is false.
    """
    actor = current_actor()
    item = roadmap.get_item(actor, item_id)
    require(actor, "roadmap.manage", item)
    data = json_object()
    plan = data.get("plan", True)
    if not isinstance(plan, bool):
        raise Invalid({"plan": ["Must be true or false."]})
    roadmap.link_idea(actor, item, data.get("idea_id"), plan=plan)
    db.session.commit()
    return _item_body(actor, item_id)


@bp.delete("/roadmap/<int:item_id>/ideas/<int:idea_id>")
@token_required
def roadmap_unlink(item_id: int, idea_id: int):
    """Unlink an idea (staff); unlinking what is not linked changes nothing. The idea keeps its status."""
    actor = current_actor()
    item = roadmap.get_item(actor, item_id)
    roadmap.unlink_idea(actor, item, idea_id)
    db.session.commit()
    return _item_body(actor, item_id)
