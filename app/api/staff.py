"""The staff dashboard in the API: ranked ideas with recent votes, segments and roadmap links,
over every board or one (`?board=SLUG`)."""

from collections.abc import Mapping
from datetime import date

from flask import request

from app.api.auth import current_actor, token_required
from app.api.blueprint import bp
from app.api.schemas import staff_idea_json
from app.errors import BadRequest
from app.permissions import require
from app.services import dashboard
from app.services.pagination import page_args
from app.services.votes import voted_idea_ids

_FLAGS = {"": False, "0": False, "false": False, "1": True, "true": True}


def _choice(args: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str | None:
    value = args.get(name) or None
    if value is not None and value not in choices:
        raise BadRequest(f"`{name}` must be one of: {', '.join(choices)}.")
    return value


def _flag(args: Mapping[str, str], name: str) -> bool:
    value = args.get(name, "").lower()
    if value not in _FLAGS:
        raise BadRequest(f"`{name}` must be 1 or 0.")
    return _FLAGS[value]


def _day(args: Mapping[str, str], name: str) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"`{name}` must be a date like 2026-03-12 (YYYY-MM-DD).") from None


@bp.get("/staff/top-ideas")
@token_required
def top_ideas():
    actor = current_actor()
    require(actor, "dashboard.view")
    args = request.args
    page, per_page = page_args(args)
    filters = dashboard.Filters(
        category=args.get("category") or None,
        # A board the caller may not see, or none by that slug: 404 (the service checks).
        board=(args.get("board") or "").strip().lower() or None,
        status=_choice(args, "status", dashboard.FILTER_STATUSES),
        created_from=_day(args, "from"),
        created_to=_day(args, "to"),
        unlinked=_flag(args, "unlinked"),
        unanswered=_flag(args, "unanswered"),
        sort=_choice(args, "sort", dashboard.SORTS) or "votes",
        weighted=_flag(args, "weighted"),
    )
    result = dashboard.top_ideas(actor, filters, page, per_page)
    voted = voted_idea_ids(actor, [row.idea.id for row in result.items])
    return {
        "items": [staff_idea_json(row, result.segments, row.idea.id in voted) for row in result.items],
        "page": result.page,
        "per_page": result.per_page,
        "total": result.total,
        "sort": filters.sort,
        "weighted": filters.weighing,
        "segments": [
            {"id": segment.id, "name": segment.name, "weight": segment.weight} for segment in result.segments
        ],
    }
