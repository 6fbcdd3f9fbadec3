"""The notifications list, marking read, and email unsubscribe links."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.extensions import csrf, db
from app.forms.accounts import PostForm
from app.links import local_path
from app.services import notifications
from app.web.paging import keep_in_range, list_page_args
from app.web.support import current_actor

bp = Blueprint("notifications", __name__)


def _target(notification) -> str:
    # Stored links are paths on this site; anything else goes to the list instead.
    return local_path(notification.url) or url_for("notifications.index")


@bp.get("/notifications")
@login_required
def index():
    page, _ = list_page_args()
    result = notifications.list_notifications(current_actor(), page=page)
    keep_in_range(result, "notification", "notifications")
    return render_template("notifications/index.html", result=result, post_form=PostForm())


@bp.post("/notifications/<int:notification_id>")
@login_required
def open_notification(notification_id: int):
    """Mark the notification read and go to what it is about (the list's entries post here)."""
    notification = notifications.mark_read(current_actor(), notification_id)
    db.session.commit()
    return redirect(_target(notification))


@bp.get("/notifications/<int:notification_id>")
@login_required
def notification_target(notification_id: int):
    """Go to what the notification is about without marking it read: a GET changes nothing.

    Kept so that links to this address from before still lead somewhere; emails link to the
    target itself.
    """
    return redirect(_target(notifications.get_notification(current_actor(), notification_id)))


@bp.post("/notifications/read-all")
@login_required
def read_all():
    count = notifications.mark_all_read(current_actor())
    db.session.commit()
    if count:
        flash(f"Marked {count} notification{'s' if count != 1 else ''} as read.", "success")
    else:
        flash("You have no unread notifications.", "info")
    return redirect(url_for("notifications.index"))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail clients POST here for one-click unsubscribe
def unsubscribe(token: str):
    """GET asks for confirmation (link scanners must not unsubscribe anyone); POST unsubscribes.

    POST is RFC 8058's one-click unsubscribe (List-Unsubscribe-Post) as well as the button.
    An expired or forged link changes nothing and says where email settings are.
    """
    if request.method == "POST":
        link = notifications.unsubscribe(token)
        db.session.commit()
    else:
        link = notifications.read_unsubscribe_link(token)
    if link.user is None:
        page = render_template(
            "notifications/unsubscribe_expired.html",
            expired=link.expired,
            days=notifications.unsubscribe_link_days(),
        )
        return page, 410 if link.expired else 404
    if request.method == "POST":
        return render_template("notifications/unsubscribed.html", user=link.user)
    return render_template("notifications/unsubscribe.html", user=link.user, token=token)
