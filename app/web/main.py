"""The home page."""

from flask import Blueprint, render_template
from flask_login import current_user

from app.services import ideas

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    trending = ideas.list_ideas(current_user._get_current_object(), sort="trending", per_page=5)
    return render_template("main/index.html", trending=trending)
