"""The caller's notifications in the API."""

from flask import request

from app.api.auth import current_actor, token_required
from app.api.blueprint import bp
from app.api.schemas import notification_json, page_json
from app.extensions import db
from app.services import notifications
from app.services.pagination import page_args


@bp.get("/notifications")
@token_required
def list_notifications():
    """The caller's notifications, newest first, paginated."""
    page, per_page = page_args(request.args)
    result = notifications.list_notifications(current_actor(), page=page, per_page=per_page)
    return page_json(result, notification_json)


@bp.post("/notifications/read-all")
@token_required
def read_all_notifications():
    """Mark every notification of the caller read."""
    notifications.mark_all_read(current_actor())
    db.session.commit()
    return "", 204
