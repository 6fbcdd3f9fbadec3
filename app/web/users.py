"""Public member profiles."""

from flask import Blueprint, render_template

from app.services import accounts

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.get("/<int:user_id>")
def profile(user_id: int):
    user = accounts.get_user(user_id)
    return render_template("users/profile.html", user=user)
