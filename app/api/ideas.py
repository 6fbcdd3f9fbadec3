"""Ideas, categories, votes and similar ideas in the API (shared API.md)."""

from collections.abc import Mapping
from typing import Any

from flask import request

from app.api.auth import current_actor, token_required
from app.api.blueprint import bp
from app.api.parsing import json_object, parse_texts
from app.api.schemas import idea_json, page_json
from app.errors import BadRequest, Invalid
from app.extensions import db
from app.models.idea import STATUSES, Idea
from app.permissions import require
from app.services import boards, ideas, roadmap, votes
from app.services import categories as category_service
from app.services.pagination import page_args

LIST_SORTS = (*ideas.SORTS, "relevance")
_FLAGS = {"": False, "0": False, "false": False, "1": True, "true": True}


def _choice(args: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str | None:
    """An optional query parameter that must be one of `choices`; anything else is a bad request."""
    value = args.get(name) or None
    if value is not None and value not in choices:
        raise BadRequest(f"`{name}` must be one of: {', '.join(choices)}.")
    return value


def _flag(args: Mapping[str, str], name: str) -> bool:
    value = args.get(name, "").lower()
    if value not in _FLAGS:
        raise BadRequest(f"`{name}` must be 1 or 0.")
    return _FLAGS[value]


def _strings(
    data: dict[str, Any], names: tuple[str, ...], errors: dict[str, list[str]], nullable: tuple[str, ...] = ()
) -> dict:
    """The given string fields of `data` (absent ones left out); wrong types go to `errors`."""
    values: dict[str, Any] = {}
    for name in names:
        if name not in data:
            continue
        value = data[name]
        if value is None and name in nullable:
            values[name] = None
        elif isinstance(value, str):
            values[name] = value
        else:
            errors[name] = ["Must be a string" + (" or null." if name in nullable else ".")]
    return values


def _idea_response(actor: Any, idea_id: int, status: int = 200):
    """The idea as the caller sees it, read again after the commit."""
    idea = ideas.get_idea(actor, idea_id, with_images=True)
    items = roadmap.items_for_ideas(actor, [idea.id])[idea.id]
    return idea_json(idea, voted=votes.has_voted(actor, idea), roadmap_items=items, with_images=True), status


@bp.get("/categories")
def list_categories():
    return {
        "items": [
            {"id": category.id, "slug": category.slug, "name": category.name}
            for category in category_service.categories_for(current_actor())
        ]
    }


@bp.get("/ideas")
def list_ideas():
    args = request.args
    actor = current_actor()
    page, per_page = page_args(args)
    result = ideas.list_ideas(
        actor,
        sort=_choice(args, "sort", LIST_SORTS),
        category=args.get("category") or None,
        status=_choice(args, "status", STATUSES),
        mine=_flag(args, "mine"),
        voted=_flag(args, "voted"),
        q=args.get("q"),
        page=page,
        per_page=per_page,
        board=args.get("board") or None,
    )
    on_roadmap = roadmap.items_for_ideas(actor, [idea.id for idea in result.page.items])
    body = page_json(
        result.page,
        lambda idea: idea_json(idea, voted=idea.id in result.voted_ids, roadmap_items=on_roadmap[idea.id]),
    )
    body["sort"] = result.sort
    return body


@bp.post("/ideas")
@token_required
def create_idea():
    actor = current_actor()
    data = json_object()
    errors: dict[str, list[str]] = {}
    fields = {
        **parse_texts(ideas.TEXTS, data, errors),
        **_strings(data, ("category", "board"), errors, ("category", "board")),
    }
    if errors:
        raise Invalid(errors)
    idea = ideas.create_idea(
        actor,
        fields.get("title", ""),
        fields.get("body", ""),
        fields.get("category") or None,
        board=fields.get("board") or None,
    )
    idea_id = idea.id
    db.session.commit()
    body, status = _idea_response(actor, idea_id, 201)
    return body, status, {"Location": body["url"]}


@bp.get("/ideas/similar")
def similar_ideas():
    found = ideas.similar_ideas(current_actor(), request.args.get("q", ""))
    return {
        "items": [
            {"id": idea.id, "title": idea.title, "status": idea.status, "vote_count": idea.vote_count}
            for idea in found
        ]
    }


@bp.get("/ideas/<int:idea_id>")
def get_idea(idea_id: int):
    return _idea_response(current_actor(), idea_id)


@bp.patch("/ideas/<int:idea_id>")
@token_required
def update_idea(idea_id: int):
    actor = current_actor()
    data = json_object()
    errors: dict[str, list[str]] = {}
    fields = {
        **parse_texts(ideas.TEXTS, data, errors, nullable=False),
        **_strings(data, ("category", "status", "status_note", "board"), errors, ("category", "status_note")),
    }
    if errors:
        raise Invalid(errors)
    edits = {name: fields[name] for name in (*ideas.TEXTS.rows, "category") if name in fields}
    if "status_note" in fields and "status" not in fields:
        raise Invalid({"status_note": ["A status note goes with a new status; send `status` too."]})
    if not edits and "status" not in fields and "board" not in fields:
        raise BadRequest("Send at least one of: title, body, category, status, board.")
    idea: Idea = ideas.get_idea(actor, idea_id)
    if "board" in fields:
        # Before the category, so a category of the new board fits.
        require(actor, "idea.move_board")
        boards.move_idea(actor, idea, boards.board_by_slug(actor, fields["board"]))
    if edits:
        if "category" in edits:
            edits["category"] = edits["category"] or None
        ideas.update_idea(actor, idea, **edits)
    if "status" in fields:
        ideas.set_status(actor, idea, fields["status"], fields.get("status_note") or "")
    db.session.commit()
    return _idea_response(actor, idea_id)


@bp.post("/ideas/<int:idea_id>/vote")
@token_required
def cast_vote(idea_id: int):
    actor = current_actor()
    count = votes.cast_vote(actor, ideas.get_idea(actor, idea_id))
    db.session.commit()
    return {"voted": True, "vote_count": count}


@bp.delete("/ideas/<int:idea_id>/vote")
@token_required
def retract_vote(idea_id: int):
    actor = current_actor()
    count = votes.retract_vote(actor, ideas.get_idea(actor, idea_id))
    db.session.commit()
    return {"voted": False, "vote_count": count}
