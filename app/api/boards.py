"""Boards and who may see a private one, in the API (shared API.md, "Boards")."""

from typing import Any

from flask import request

from app.api.auth import current_actor, token_required
from app.api.blueprint import bp
from app.api.parsing import json_object
from app.api.schemas import board_json, user_json
from app.errors import BadRequest, Invalid
from app.extensions import db
from app.permissions import require
from app.services import accounts, boards

_TEXTS = ("name", "slug", "description", "visibility")
_FLAGS = ("archived", "default")


def _board_response(actor: Any, slug: str, status: int = 200):
    board = boards.board_by_slug(actor, slug)
    return board_json(board, boards.idea_counts(actor, [board]).get(board.id, 0)), status


def _fields(data: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """The board fields of a body, each of its type; anything else is a 422 naming it."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name in _TEXTS and name in allowed:
            if isinstance(value, str):
                values[name] = value
            elif value is None and name == "description":
                values[name] = ""
            else:
                errors[name] = ["Must be a string."]
        elif name == "position" and name in allowed:
            values[name] = value
        elif name in _FLAGS and name in allowed:
            if isinstance(value, bool):
                values[name] = value
            else:
                errors[name] = ["Must be true or false."]
        else:
            errors[name] = [f"Unknown field; boards take: {', '.join(allowed)}."]
    if errors:
        raise Invalid(errors)
    return values


@bp.get("/boards")
def list_boards():
    actor = current_actor()
    archived = request.args.get("archived", "") in ("1", "true")
    shown = boards.list_boards(actor, with_archived=archived)
    counts = boards.idea_counts(actor, shown)
    items = [board_json(board, counts.get(board.id, 0)) for board in shown]
    return {"items": items, "total": len(items)}


@bp.get("/boards/<slug>")
def get_board(slug: str):
    return _board_response(current_actor(), slug)


@bp.post("/boards")
@token_required
def create_board():
    actor = current_actor()
    require(actor, "board.manage")
    values = _fields(json_object(), ("slug", "name", "description", "visibility", "position"))
    board = boards.create_board(
        actor,
        values.get("name", ""),
        values.get("slug", ""),
        values.get("description", ""),
        values.get("visibility", "public"),
        values.get("position"),
    )
    slug = board.slug
    db.session.commit()
    body, status = _board_response(actor, slug, 201)
    return body, status, {"Location": body["url"]}


@bp.patch("/boards/<slug>")
@token_required
def update_board(slug: str):
    actor = current_actor()
    require(actor, "board.manage")
    values = _fields(json_object(), ("slug", "name", "description", "visibility", "position", *_FLAGS))
    if not values:
        raise BadRequest(
            "Send at least one of: name, slug, description, visibility, position, archived, default."
        )
    board = boards.board_by_slug(actor, slug)
    boards.update_board(actor, board, values)
    new_slug = board.slug
    db.session.commit()
    return _board_response(actor, new_slug)


def _user_id(data: dict[str, Any]) -> int:
    value = data.get("user_id")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid({"user_id": ["Give the member's id, a whole number."]})
    return value


@bp.post("/boards/<slug>/access")
@token_required
def grant_access(slug: str):
    actor = current_actor()
    require(actor, "board.manage")
    board = boards.board_by_slug(actor, slug)
    user = accounts.get_user(_user_id(json_object()))
    granted = boards.grant_member(actor, board, user)
    body = {"board": board.slug, "user": user_json(user), "access": True, "granted": granted}
    db.session.commit()
    return body


@bp.delete("/boards/<slug>/access/<int:user_id>")
@token_required
def revoke_access(slug: str, user_id: int):
    actor = current_actor()
    require(actor, "board.manage")
    board = boards.board_by_slug(actor, slug)
    revoked = boards.revoke_member(actor, board, user_id)
    body = {"board": board.slug, "user_id": user_id, "access": False, "revoked": revoked}
    db.session.commit()
    return body
