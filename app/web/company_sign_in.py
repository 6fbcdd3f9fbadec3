"""GET /auth/sso: sign in with a token signed by the company's own app (docs/sso.md)."""

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request
from flask_login import current_user

from app.extensions import db, limiter
from app.links import local_path
from app.services import company_tokens
from app.web.auth import begin_session, end_browser_session

log = logging.getLogger(__name__)

bp = Blueprint("company_sign_in", __name__)


def _not_valid(reason: str):
    log.info("company sign-in refused: %s", reason)
    db.session.rollback()
    return render_template("auth/sso_invalid.html"), 400


@bp.get("/auth/sso")
@limiter.limit(lambda: current_app.config["RATELIMIT_SIGNIN_IP"])
def sign_in():
    target = request.args.get("next")
    destination = local_path(target) if target else "/"
    if destination is None:
        return _not_valid("next is not a path on this site")
    try:
        user = company_tokens.sign_in(request.args.get("token", ""))
    except company_tokens.InvalidSignInToken as error:
        return _not_valid(error.reason)
    db.session.commit()
    if current_user.is_authenticated:
        end_browser_session()
    begin_session(user, signed_in_with=company_tokens.PROVIDER_SESSION)
    flash(f"Welcome, {user.display_name}.", "success")
    return redirect(destination)
