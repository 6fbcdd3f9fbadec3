"""Bearer-token authentication for the API; the session cookie is ignored here."""

from collections.abc import Callable
from functools import wraps

from flask import g, request
from flask_login import AnonymousUserMixin

from app.api.blueprint import bp
from app.errors import Unauthorized
from app.extensions import db
from app.services import api_tokens


@bp.before_request
def authenticate() -> None:
    """Resolve `Authorization: Bearer <token>` into g.api_user (anonymous when absent)."""
    g.api_user = AnonymousUserMixin()
    header = request.headers.get("Authorization", "")
    if not header:
        return
    scheme, _, token = header.partition(" ")
    user = api_tokens.user_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise Unauthorized("The API token is missing, unknown or revoked.")
    db.session.commit()  # keeps the token's last-used time
    g.api_user = user


def current_actor():
    """The caller: the token's user, or an anonymous user."""
    return g.api_user


def token_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not g.api_user.is_authenticated:
            raise Unauthorized("This endpoint needs an API token: Authorization: Bearer <token>.")
        return view(*args, **kwargs)

    return wrapper
