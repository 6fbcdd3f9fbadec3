"""Prototypes and their votes in the API (shared API.md)."""

from typing import Any

from flask import request

from app.api.auth import current_actor, token_required
from app.api.blueprint import bp
from app.api.parsing import json_object, parse_texts
from app.api.schemas import page_json, prototype_json
from app.errors import BadRequest, Invalid
from app.extensions import db
from app.models.prototype import PROTOTYPE_STATUSES
from app.permissions import require
from app.services import prototypes
from app.services.pagination import page_args
from app.services.prototypes import LinkInput

EDITABLE = (*prototypes.TEXTS.rows, "idea_ids", "links")


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    """The known fields of `data`, checked for type; wrong types are field errors (422)."""
    errors: dict[str, list[str]] = {}
    values = parse_texts(prototypes.TEXTS, data, errors)
    if "status" in data:
        if isinstance(data["status"], str):
            values["status"] = data["status"]
        else:
            errors["status"] = ["Must be a string."]
    if "idea_ids" in data:
        ids = data["idea_ids"]
        if ids is None:
            values["idea_ids"] = []
        elif isinstance(ids, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            values["idea_ids"] = ids
        else:
            errors["idea_ids"] = ["Must be a list of idea ids (whole numbers)."]
    if "links" in data:
        links = _links(data["links"])
        if links is None:
            errors["links"] = ['Must be a list of {"url": "https://…", "label": "…"} objects.']
        else:
            values["links"] = links
    if errors:
        raise Invalid(errors)
    return values


def _links(value: Any) -> list[LinkInput] | None:
    if value is None:
        return []
    if not isinstance(value, list):
        return None
    links = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            return None
        label = item.get("label") or ""
        if not isinstance(label, str):
            return None
        links.append(LinkInput(url=item["url"], label=label))
    return links


def _prototype_response(actor: Any, prototype_id: int, status: int = 200):
    """The prototype as the caller sees it, read again after the commit."""
    prototype = prototypes.get_prototype(actor, prototype_id)
    ideas = prototypes.linked_idea_ids(actor, [prototype.id])[prototype.id]
    body = prototype_json(prototype, voted=prototypes.has_voted(actor, prototype), idea_ids=ideas)
    return body, status


@bp.get("/prototypes")
def list_prototypes():
    page, per_page = page_args(request.args)
    status = request.args.get("status") or None
    if status is not None and status not in PROTOTYPE_STATUSES:
        raise BadRequest(f"`status` must be one of: {', '.join(PROTOTYPE_STATUSES)}.")
    result = prototypes.list_prototypes(current_actor(), status=status, page=page, per_page=per_page)
    return page_json(
        result.page,
        lambda item: prototype_json(
            item, voted=item.id in result.voted_ids, idea_ids=result.idea_ids.get(item.id, [])
        ),
    )


@bp.post("/prototypes")
@token_required
def create_prototype():
    actor = current_actor()
    fields = _fields(json_object())
    prototype = prototypes.create_prototype(
        actor,
        **{name: fields.get(name, "") for name in prototypes.TEXTS.rows},
        idea_ids=fields.get("idea_ids"),
        links=fields.get("links"),
        status=fields.get("status", "draft"),
    )
    prototype_id = prototype.id
    db.session.commit()
    body, status = _prototype_response(actor, prototype_id, 201)
    return body, status, {"Location": body["url"]}


@bp.get("/prototypes/<int:prototype_id>")
def get_prototype(prototype_id: int):
    return _prototype_response(current_actor(), prototype_id)


@bp.patch("/prototypes/<int:prototype_id>")
@token_required
def update_prototype(prototype_id: int):
    actor = current_actor()
    prototype = prototypes.get_prototype(actor, prototype_id)
    require(actor, "prototype.edit", prototype)
    fields = _fields(json_object())
    edits = {name: fields[name] for name in EDITABLE if name in fields}
    if not edits and "status" not in fields:
        raise BadRequest(f"Send at least one of: {', '.join((*EDITABLE, 'status'))}.")
    if edits:
        prototypes.update_prototype(actor, prototype, **edits)
    # Sending the status it already has changes nothing (a PATCH may repeat the whole object).
    if "status" in fields and fields["status"] != prototype.status:
        prototypes.change_status(actor, prototype, fields["status"])
    db.session.commit()
    return _prototype_response(actor, prototype_id)


@bp.post("/prototypes/<int:prototype_id>/vote")
@token_required
def cast_prototype_vote(prototype_id: int):
    actor = current_actor()
    count = prototypes.cast_vote(actor, prototypes.get_prototype(actor, prototype_id, with_parts=False))
    db.session.commit()
    return {"voted": True, "vote_count": count}


@bp.delete("/prototypes/<int:prototype_id>/vote")
@token_required
def retract_prototype_vote(prototype_id: int):
    actor = current_actor()
    count = prototypes.retract_vote(actor, prototypes.get_prototype(actor, prototype_id, with_parts=False))
    db.session.commit()
    return {"voted": False, "vote_count": count}
