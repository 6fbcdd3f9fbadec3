"""Comments in the API: list and post on an idea or a prototype, edit and delete one.

Internal notes never appear.
"""

from flask import request

from app.api.auth import current_actor, token_required
from app.api.blueprint import bp
from app.api.parsing import json_object
from app.api.schemas import comment_json, page_json
from app.errors import Invalid
from app.extensions import db
from app.services import comments as comment_service
from app.services import ideas, prototypes
from app.services.pagination import page_args


def _body(data: dict) -> str:
    body = data.get("body")
    if body is not None and not isinstance(body, str):
        raise Invalid({"body": [comment_service.TEXTS["body"].not_text]})
    return body or ""


def _parent_id(data: dict) -> int | None:
    parent_id = data.get("parent_id")
    # bool is an int in Python, but `true` is no comment id.
    if parent_id is not None and (not isinstance(parent_id, int) or isinstance(parent_id, bool)):
        raise Invalid({"parent_id": ["parent_id must be the id of a comment on this idea, or null."]})
    return parent_id


@bp.get("/ideas/<int:idea_id>/comments", endpoint="comments_list")
def list_idea_comments(idea_id: int):
    page, per_page = page_args(request.args)
    idea = ideas.get_idea(current_actor(), idea_id)
    result = comment_service.list_comments(current_actor(), idea, page, per_page)
    return page_json(result, comment_json)


@bp.post("/ideas/<int:idea_id>/comments", endpoint="comments_create")
@token_required
def create_idea_comment(idea_id: int):
    data = json_object()
    body, parent_id = _body(data), _parent_id(data)
    idea = ideas.get_idea(current_actor(), idea_id)
    comment = comment_service.add_comment(current_actor(), idea, body, parent_id)
    payload = comment_json(comment)  # before the commit expires the loaded author
    db.session.commit()
    return payload, 201


@bp.get("/prototypes/<int:prototype_id>/comments", endpoint="prototype_comments_list")
def list_prototype_comments(prototype_id: int):
    page, per_page = page_args(request.args)
    prototype = prototypes.get_prototype(current_actor(), prototype_id, with_parts=False)
    result = comment_service.list_prototype_comments(current_actor(), prototype, page, per_page)
    return page_json(result, comment_json)


@bp.post("/prototypes/<int:prototype_id>/comments", endpoint="prototype_comments_create")
@token_required
def create_prototype_comment(prototype_id: int):
    data = json_object()
    body, parent_id = _body(data), _parent_id(data)
    prototype = prototypes.get_prototype(current_actor(), prototype_id, with_parts=False)
    comment = comment_service.add_prototype_comment(current_actor(), prototype, body, parent_id)
    payload = comment_json(comment)  # before the commit expires the loaded author
    db.session.commit()
    return payload, 201


@bp.patch("/comments/<int:comment_id>", endpoint="comments_update")
@token_required
def update_comment(comment_id: int):
    data = json_object()
    body = _body(data)
    comment = comment_service.get_comment(current_actor(), comment_id, include_internal=False)
    comment_service.edit_comment(current_actor(), comment, body)
    payload = comment_json(comment)  # before the commit expires the loaded author
    db.session.commit()
    return payload


@bp.delete("/comments/<int:comment_id>", endpoint="comments_delete")
@token_required
def delete_comment(comment_id: int):
    comment = comment_service.get_comment(current_actor(), comment_id, include_internal=False)
    comment_service.delete_comment(current_actor(), comment)
    db.session.commit()
    return "", 204
