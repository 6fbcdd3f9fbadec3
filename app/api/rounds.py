"""Feedback rounds in the API (shared API.md): create, read, edit, answer, results."""

from typing import Any

from app.api.auth import current_actor, token_required
from app.api.blueprint import bp
from app.api.parsing import json_object, parse_time
from app.api.schemas import round_json, round_response_json, round_results_json
from app.errors import BadRequest, Invalid
from app.extensions import db
from app.services import prototypes, round_results, rounds


def _round_body(actor: Any, round_id: int, status: int = 200):
    """The round as the caller sees it, read again after the commit."""
    page = rounds.round_page(actor, round_id)
    body = round_json(page.round, page.state)
    body["my_response"] = round_response_json(page.response, page.answers) if page.response else None
    return body, status


@bp.post("/prototypes/<int:prototype_id>/rounds")
@token_required
def rounds_create(prototype_id: int):
    actor = current_actor()
    data = json_object()
    prototype = prototypes.get_prototype(actor, prototype_id, with_parts=False)
    errors: dict[str, list[str]] = {}
    opens_at = parse_time(data.get("opens_at"), "opens_at", errors)
    closes_at = parse_time(data.get("closes_at"), "closes_at", errors)
    if errors:
        raise Invalid(errors)
    round_ = rounds.create_round(
        actor,
        prototype,
        data.get("title"),
        opens_at,
        closes_at,
        data.get("questions"),
        audience=data.get("audience", "everyone"),
        launch_id=data.get("launch_id"),
    )
    round_id = round_.id
    db.session.commit()
    return _round_body(actor, round_id, 201)


@bp.get("/rounds/<int:round_id>")
def rounds_get(round_id: int):
    return _round_body(current_actor(), round_id)


@bp.patch("/rounds/<int:round_id>")
@token_required
def rounds_update(round_id: int):
    """Change `title`, `opens_at`, `closes_at` or `questions` (staff; questions only before any answer)."""
    actor = current_actor()
    data = json_object()
    known = ("title", "opens_at", "closes_at", "questions")
    if not any(name in data for name in known):
        raise BadRequest(f"Send at least one of: {', '.join(known)}.")
    round_ = rounds.get_round(actor, round_id)
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    for name in ("opens_at", "closes_at"):
        if name in data:
            changes[name] = parse_time(data.get(name), name, errors)
    if errors:
        raise Invalid(errors)
    for name in ("title", "questions"):
        if name in data:
            changes[name] = data[name]
    rounds.update_round(actor, round_, **changes)
    db.session.commit()
    return _round_body(actor, round_id)


@bp.post("/rounds/<int:round_id>/responses")
@token_required
def rounds_respond(round_id: int):
    """Answer a round: 201 the first time, 200 when replacing one's own answers."""
    actor = current_actor()
    data = json_object()
    round_ = rounds.get_round(actor, round_id)
    _, created = rounds.submit_response(actor, round_, data.get("answers"))
    db.session.commit()
    response, answers = rounds.my_response(actor, round_id)
    return round_response_json(response, answers), 201 if created else 200


@bp.get("/rounds/<int:round_id>/results")
@token_required
def rounds_results(round_id: int):
    return round_results_json(round_results.round_results(current_actor(), round_id))
