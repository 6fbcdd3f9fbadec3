"""The notifications list, marking read, and email unsubscribe links."""

from flask import Blueprint, render_template, request

from app.extensions import csrf, db
from app.services import notifications

bp = Blueprint("notifications", __name__)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail clients POST here for one-click unsubscribe
def unsubscribe(token: str):
    """GET asks for confirmation (link scanners must not unsubscribe anyone); POST unsubscribes."""
    user = notifications.user_for_unsubscribe(token)
    if request.method == "POST":
        notifications.unsubscribe(token)
        db.session.commit()
        return render_template("notifications/unsubscribed.html", user=user)
    return render_template("notifications/unsubscribe.html", user=user, token=token)
