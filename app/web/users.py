"""Public member profiles."""

from flask import Blueprint, render_template
from flask_login import current_user

from app.services.profiles import profile_page

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.get("/<int:user_id>")
def profile(user_id: int):
    data = profile_page(current_user._get_current_object(), user_id)
    return render_template("users/profile.html", profile=data, user=data.user)
