"""The caller's account as a whole: DELETE /api/v1/me and GET /api/v1/me/export."""

from flask import jsonify

from app.api.auth import current_actor, token_required
from app.api.blueprint import bp
from app.api.parsing import json_object
from app.edges import request_json
from app.extensions import db
from app.services import account_deletion, data_export


@bp.delete("/me")
@token_required
def delete_me():
    """Delete the caller's account: `{"confirm": "delete my account"}`; its tokens stop working."""
    # No body at all is a missing confirmation (422), like an empty object.
    body = json_object() if request_json() is not None else {}
    user = current_actor()
    account_deletion.delete_account(user, user, body.get("confirm"))
    db.session.commit()
    return "", 204


@bp.get("/me/export")
@token_required
def export_me():
    """Everything the caller's account wrote or did, as one JSON document to keep."""
    user = current_actor()
    response = jsonify(data_export.export_account(user))
    response.headers["Content-Disposition"] = f'attachment; filename="{data_export.export_filename(user)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
