"""The home page and the API reference."""

from flask import Blueprint, render_template

from app.api import reference
from app.api.openapi import document
from app.pagecache import shared_for_visitors
from app.services import boards, ideas
from app.web.support import current_actor

bp = Blueprint("main", __name__)


@bp.get("/")
@shared_for_visitors
def index():
    actor = current_actor()
    trending = ideas.list_ideas(actor, sort="trending", per_page=5)
    # A site with one board looks as it did before boards: no list of one.
    shown = boards.list_boards(actor)
    if len(shown) < 2:
        shown = []
    return render_template(
        "main/index.html", trending=trending, boards=shown, board_counts=boards.idea_counts(actor, shown)
    )


@bp.get("/developers/api")
def api_reference():
    """The API described for people, from the OpenAPI document the API serves."""
    return render_template(
        "main/api.html", info=document()["info"], groups=reference.groups(), objects=reference.objects()
    )
