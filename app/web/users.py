"""Public member profiles, and the suspension controls moderators see on them."""

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required

from app.errors import error_json, wait_phrase
from app.extensions import db
from app.forms.admin import SuspendForm
from app.pages.profiles import profile_page
from app.permissions import require
from app.ratelimits import hit_read_limit
from app.services import accounts, usernames
from app.templating import format_datetime
from app.web.support import call_with_form, current_actor

bp = Blueprint("users", __name__, url_prefix="/users")


def _profile(user_id: int, suspend_form: SuspendForm | None = None, status: int = 200):
    data = profile_page(current_actor(), user_id)
    body = render_template(
        "users/profile.html",
        profile=data,
        user=data.user,
        suspend_form=suspend_form or SuspendForm(),
    )
    return body, status


@bp.get("/<int:user_id>")
def profile(user_id: int):
    return _profile(user_id)


@bp.post("/<int:user_id>/suspend")
@login_required
def suspend(user_id: int):
    user = accounts.get_user(user_id)
    require(current_actor(), "user.suspend", user)
    form = SuspendForm()
    if form.validate_on_submit():
        ok, _ = call_with_form(
            form, accounts.suspend_user, current_actor(), user, form.duration, form.reason.data
        )
        if ok:
            db.session.commit()
            until = (
                f"until {format_datetime(user.suspended_until)}" if user.suspended_until else "permanently"
            )
            flash(f"{user.display_name} is suspended {until} and signed out everywhere.", "success")
            return redirect(url_for("users.profile", user_id=user.id))
    flash("Nothing was changed: please correct the marked field.", "error")
    return _profile(user_id, suspend_form=form, status=422)


@bp.post("/<int:user_id>/unsuspend")
@login_required
def unsuspend(user_id: int):
    user = accounts.get_user(user_id)
    accounts.unsuspend_user(current_actor(), user)
    db.session.commit()
    flash(f"{user.display_name}'s suspension is lifted.", "success")
    return redirect(url_for("users.profile", user_id=user.id))


@bp.get("/suggest")
def suggest():
    """Members to complete an @mention with (JSON for static/js/mentions.js): signed-in only."""
    actor = current_actor()
    if not actor.is_authenticated:
        return error_json(401, "unauthorized", "Sign in to see member suggestions.")
    wait = hit_read_limit("RATELIMIT_SUGGEST", f"account:{actor.id}")
    if wait:
        message = f"Too many suggestions asked for. Please try again {wait_phrase(wait)}."
        return error_json(429, "rate_limited", message, headers={"Retry-After": str(wait)})
    found = usernames.suggest_members(actor, request.args.get("q", ""))
    return jsonify({"users": [_suggestion(user) for user in found]})


def _suggestion(user) -> dict:
    # Public profile facts only: never the email address.
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "url": url_for("users.profile", user_id=user.id),
    }
