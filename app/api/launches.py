"""Learning launches in the API (shared API.md): plan, move on, record the outcome, join and leave.

Bodies are checked for types here (a wrong type is a 422 naming the field, never a 500);
the rules on values, states and capacity live in app/services/launches.py and participation.py.
"""

from typing import Any

from flask import request

from app.api.auth import current_actor, token_required
from app.api.blueprint import bp
from app.api.parsing import json_object, parse_texts, parse_time
from app.api.schemas import launch_json, launch_participant_json, launch_place_json, page_json
from app.errors import BadRequest, Invalid
from app.extensions import db
from app.models.launch import LAUNCH_STATUSES
from app.permissions import require
from app.services import launch_pages, launches, participation
from app.services.launches import AssumptionInput, OutcomeInput
from app.services.pagination import Page, page_args

TIMES = ("starts_at", "ends_at")
ID_LISTS = {"idea_ids": "idea", "prototype_ids": "prototype"}
EDITABLE = (*launches.TEXTS.rows, "capacity", *TIMES, "assumptions", *ID_LISTS)
RESULTS_HINT = (
    'Give each assumption\'s result as {"<assumption id>": "confirmed" | "refuted" | "inconclusive"}.'
)


def _assumptions(value: Any) -> list[AssumptionInput] | None:
    """`[{"kind", "statement"}, ...]` (null: none); None when the shape is wrong."""
    if value is None:
        return []
    if not isinstance(value, list):
        return None
    items = []
    for item in value:
        if not isinstance(item, dict):
            return None
        kind, statement = item.get("kind"), item.get("statement")
        if not isinstance(kind, str) or not isinstance(statement, str):
            return None
        items.append(AssumptionInput(kind=kind, statement=statement))
    return items


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    """The known launch fields of `data`, checked for type; wrong types are field errors (422).

    Values the service checks itself (capacity, the ids inside a list) pass through as given.
    """
    errors: dict[str, list[str]] = {}
    values = parse_texts(launches.TEXTS, data, errors)
    if "status" in data:
        if isinstance(data["status"], str):
            values["status"] = data["status"]
        else:
            errors["status"] = ["Must be a string."]
    if "capacity" in data:
        values["capacity"] = data["capacity"]
    for name in TIMES:
        if name in data:
            values[name] = parse_time(data[name], name, errors)
    for name, label in ID_LISTS.items():
        if name in data:
            ids = data[name]
            if ids is None:
                values[name] = []
            elif isinstance(ids, list):
                values[name] = ids
            else:
                errors[name] = [f"Must be a list of {label} ids (whole numbers)."]
    if "assumptions" in data:
        assumptions = _assumptions(data["assumptions"])
        if assumptions is None:
            errors["assumptions"] = ['Must be a list of {"kind": "value", "statement": "…"} objects.']
        else:
            values["assumptions"] = assumptions
    if errors:
        raise Invalid(errors)
    return values


def _outcome(value: Any) -> OutcomeInput:
    """The `outcome` object of a PATCH; see launches_update for its shape."""
    if not isinstance(value, dict):
        raise Invalid(
            {"outcome": ['Must be an object: {"decision", "summary", "metric_actual", "results"}.']}
        )
    return OutcomeInput(
        decision=value.get("decision"),
        summary=value.get("summary"),
        metric_actual=value.get("metric_actual"),
        results=_results(value.get("results")),
    )


def _results(value: Any) -> dict[int, Any]:
    """Assumption results as a map from assumption id to result, or a list of {"id", "result"}."""
    if value is None:
        return {}
    results: dict[int, Any] = {}
    if isinstance(value, dict):
        for key, result in value.items():
            if not (key.isascii() and key.isdigit()):
                raise Invalid({"results": [RESULTS_HINT]})
            results[int(key)] = result
        return results
    if isinstance(value, list):
        for item in value:
            ident = item.get("id") if isinstance(item, dict) else None
            if isinstance(ident, bool) or not isinstance(ident, int):
                raise Invalid({"results": [RESULTS_HINT]})
            results[ident] = item.get("result")
        return results
    raise Invalid({"results": [RESULTS_HINT]})


def _launch_body(actor: Any, launch_id: int, status: int = 200):
    """The launch as the caller sees it, read again after the commit."""
    launch = launches.get_launch(actor, launch_id)
    ideas, prototypes = launches.linked_ids(actor, [launch.id])
    mine = participation.my_participation(actor, launch.id)
    body = launch_json(
        launch,
        my_state=mine.state if mine else None,
        my_position=mine.position if mine else None,
        idea_ids=ideas[launch.id],
        prototype_ids=prototypes[launch.id],
    )
    return body, status


def _place_body(actor: Any, launch_id: int, place: participation.Place) -> dict:
    """The caller's place with the launch's counts as they are after the commit."""
    launch = launches.get_launch(actor, launch_id, with_parts=False)
    return launch_place_json(launch, place)


@bp.get("/launches")
def launches_list():
    """Launches the caller may see, recruiting first; `?status=` filters. Items carry no assumptions."""
    actor = current_actor()
    page, per_page = page_args(request.args)
    status = request.args.get("status") or None
    if status is not None and status not in LAUNCH_STATUSES:
        raise BadRequest(f"`status` must be one of: {', '.join(LAUNCH_STATUSES)}.")
    result = launch_pages.list_launches(actor, status=status, page=page, per_page=per_page)
    ideas, prototypes = launches.linked_ids(actor, [row.launch.id for row in result.items])
    return page_json(
        result,
        lambda row: launch_json(
            row.launch,
            my_state=row.my_state,
            my_position=row.my_position,
            idea_ids=ideas[row.launch.id],
            prototype_ids=prototypes[row.launch.id],
            with_assumptions=False,
        ),
    )


@bp.post("/launches")
@token_required
def launches_create():
    """Plan a launch (staff): the fields of the Launch object; `assumptions` as [{"kind", "statement"}].

    `status` is draft (the default) or recruiting.
    """
    actor = current_actor()
    require(actor, "launch.create")
    fields = _fields(json_object())
    launch = launches.create_launch(
        actor,
        **{name: fields[name] for name in launches.TEXTS.rows if name in fields},
        capacity=fields.get("capacity"),
        starts_at=fields.get("starts_at"),
        ends_at=fields.get("ends_at"),
        assumptions=fields.get("assumptions", ()),
        idea_ids=fields.get("idea_ids", ()),
        prototype_ids=fields.get("prototype_ids", ()),
        status=fields.get("status", "draft"),
    )
    launch_id = launch.id
    db.session.commit()
    body, status = _launch_body(actor, launch_id, 201)
    return body, status, {"Location": body["url"]}


@bp.get("/launches/<int:launch_id>")
def launches_get(launch_id: int):
    return _launch_body(current_actor(), launch_id)


@bp.patch("/launches/<int:launch_id>")
@token_required
def launches_update(launch_id: int):
    """Edit a launch, move it on and record its outcome (staff), all or nothing.

    Field changes apply first, then `status` (sending the status it has changes nothing), then
    an `outcome` on its own corrects a completed launch's outcome. Completing needs
    `"outcome": {"decision": "scale" | "iterate" | "stop", "summary", "metric_actual",
    "results": {"<assumption id>": "confirmed" | "refuted" | "inconclusive"}}` with a result for
    every assumption (a list of `{"id", "result"}` is taken too). Errors in the outcome name its
    keys: `decision`, `summary`, `metric_actual`, `results`.
    """
    actor = current_actor()
    launch = launches.get_launch(actor, launch_id)
    # A completed launch's outcome may still be corrected: the services refuse what is final.
    require(actor, "launch.edit", launch, state=False)
    data = json_object()
    fields = _fields(data)
    edits = {name: fields[name] for name in EDITABLE if name in fields}
    if not edits and "status" not in fields and "outcome" not in data:
        raise BadRequest(f"Send at least one of: {', '.join((*EDITABLE, 'status', 'outcome'))}.")
    outcome = _outcome(data["outcome"]) if data.get("outcome") is not None else None
    if edits:
        participation.update_launch(actor, launch, **edits)
    completed_now = False
    if "status" in fields and fields["status"] != launch.status:
        completed_now = fields["status"] == "completed"
        launches.change_status(actor, launch, fields["status"], outcome if completed_now else None)
    if outcome is not None and not completed_now:
        launches.record_outcome(actor, launch, outcome)
    db.session.commit()
    return _launch_body(actor, launch_id)


@bp.post("/launches/<int:launch_id>/join")
@token_required
def launches_join(launch_id: int):
    """Join a recruiting launch; the optional body `{"screening_answer"}` answers its question.

    Joining again changes nothing and answers the same place.
    """
    actor = current_actor()
    data = json_object() if request.get_data() else {}
    answer = data.get("screening_answer")
    if answer is not None and not isinstance(answer, str):
        raise Invalid({"screening_answer": ["Must be a string."]})
    place = participation.join_launch(actor, launch_id, answer or "")
    db.session.commit()
    return _place_body(actor, launch_id, place)


@bp.delete("/launches/<int:launch_id>/join")
@token_required
def launches_leave(launch_id: int):
    """Withdraw from a launch; a freed seat goes to the first member on the waitlist."""
    actor = current_actor()
    place = participation.withdraw(actor, launch_id)
    db.session.commit()
    return _place_body(actor, launch_id, place)


@bp.get("/launches/<int:launch_id>/participants")
@token_required
def launches_participants(launch_id: int):
    """Who joined (staff): enrolled, then the waitlist in order, then withdrawn; paginated."""
    actor = current_actor()
    page, per_page = page_args(request.args)
    launch = launches.get_launch(actor, launch_id, with_parts=False)
    rows = participation.participants(actor, launch)
    start = (page - 1) * per_page
    result = Page(items=rows[start : start + per_page], page=page, per_page=per_page, total=len(rows))
    return page_json(result, launch_participant_json)
