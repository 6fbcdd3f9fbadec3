"""GET and PATCH /api/v1/me: the caller's own account."""

from app.api.auth import current_actor, token_required
from app.api.blueprint import bp
from app.api.parsing import json_object
from app.api.schemas import user_json
from app.errors import BadRequest, Invalid
from app.extensions import db
from app.services import accounts

EDITABLE = ("display_name", "username")


def me_json(user) -> dict:
    return {**user_json(user), "email": user.email, "email_verified": user.is_email_verified}


@bp.get("/me")
@token_required
def me():
    return me_json(current_actor())


@bp.patch("/me")
@token_required
def update_me():
    """Change the display name and the @mention username; what is not sent stays."""
    user = current_actor()
    data = json_object()
    errors = {
        name: ["Must be a string."] for name in EDITABLE if name in data and not isinstance(data[name], str)
    }
    if errors:
        raise Invalid(errors)
    if not any(name in data for name in EDITABLE):
        raise BadRequest("Send at least one of: display_name, username.")
    accounts.update_profile(user, user, data.get("display_name", user.display_name), data.get("username"))
    db.session.commit()
    return me_json(user)
