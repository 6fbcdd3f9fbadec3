"""GET /api/v1/me."""

from app.api.auth import current_actor, token_required
from app.api.blueprint import bp
from app.api.schemas import user_json


@bp.get("/me")
@token_required
def me():
    user = current_actor()
    return {**user_json(user), "email": user.email, "email_verified": user.is_email_verified}
