"""Sign in through an OpenID Connect provider, GitHub or Google, and link or unlink them in settings."""

import logging

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from app import sso_providers
from app.errors import DomainError
from app.extensions import db, limiter
from app.links import local_path
from app.services import identities
from app.web.auth import begin_session, end_browser_session
from app.web.support import current_actor

log = logging.getLogger(__name__)

bp = Blueprint("oidc", __name__, url_prefix="/auth/oidc")

# What the callback should do once the provider sends the browser back (kept in the session).
AFTER = "sso_after"


def _provider(key: str) -> sso_providers.Provider:
    found = sso_providers.provider(key)
    if found is None:
        abort(404)
    return found


def _start(found: sso_providers.Provider, after: dict):
    session[AFTER] = after
    callback = url_for("oidc.callback", provider=found.key, _external=True)
    try:
        return sso_providers.authorize_redirect(found, callback)
    except sso_providers.SIGN_IN_FAULTS as error:
        log.warning("could not reach %s to start a sign-in: %s", found.label, error)
        flash(f"{found.label} could not be reached just now. Please try again in a moment.", "error")
        return redirect(url_for("auth.sign_in"))


@bp.get("/<provider>/login")
@limiter.limit(lambda: current_app.config["RATELIMIT_SIGNIN_IP"])
def login(provider: str):
    found = _provider(provider)
    return _start(found, {"next": local_path(request.args.get("next")) or "", "link": None})


@bp.get("/<provider>/link")
@login_required
def link(provider: str):
    """Start linking the provider to the signed-in account (a settings link).

    A link, not a form: browsers hold a form's redirects to the Content-Security-Policy's
    form-action, which allows this site only. The link carries the session's CSRF token instead.
    """
    found = _provider(provider)
    try:
        validate_csrf(request.args.get("csrf_token", ""))
    except ValidationError:
        return _refuse("That link has expired. Please use the button in your settings again.", True)
    return _start(found, {"next": "", "link": current_actor().id})


def _refuse(message: str, linking: bool):
    db.session.rollback()
    flash(message, "error")
    if linking:
        return redirect(url_for("account.settings", _anchor="sign-in-methods"))
    return redirect(url_for("auth.sign_in"))


@bp.get("/<provider>/callback")
@limiter.limit(lambda: current_app.config["RATELIMIT_SIGNIN_IP"])
def callback(provider: str):
    found = _provider(provider)
    after = session.pop(AFTER, None) or {}
    link_user_id = after.get("link")
    linking = link_user_id is not None
    if request.args.get("error"):
        log.info("%s refused the sign-in: %s", found.label, request.args.get("error"))
        return _refuse(f"{found.label} did not sign you in. Nothing was changed.", linking)
    try:
        person = sso_providers.person_from_callback(found)
    except sso_providers.SIGN_IN_FAULTS as error:
        log.warning("sign-in through %s failed: %s: %s", found.label, type(error).__name__, error)
        return _refuse(
            f"Signing in with {found.label} did not work: the answer could not be checked. "
            "Please try again from the start.",
            linking,
        )
    if not sso_providers.domain_allowed(found, person.email):
        return _refuse(
            f"{found.label} sign-in is for addresses at {', '.join(found.allowed_domains)} only. "
            "Sign in with your password or ask the site's team.",
            linking,
        )
    if linking:
        return _finish_link(found, person, link_user_id)
    try:
        user = identities.sign_in_identity(
            found.key, found.label, person.subject, person.email, person.name, person.email_verified
        )
    except DomainError as error:
        return _refuse(error.message, linking)
    db.session.commit()
    if current_user.is_authenticated:
        end_browser_session()
    begin_session(user, signed_in_with=found.key)
    if user.is_email_verified:
        flash(f"Welcome, {user.display_name}.", "success")
    else:
        flash(
            f"Welcome, {user.display_name}. Please confirm your email address: we have sent you a "
            "link. Until then you can read, but not post, vote or comment.",
            "info",
        )
    return redirect(local_path(after.get("next")) or url_for("main.index"))


def _finish_link(found: sso_providers.Provider, person: sso_providers.Person, user_id: int):
    if not current_user.is_authenticated or current_actor().id != user_id:
        return _refuse("Sign in again, then link the account from your settings.", False)
    try:
        identities.link_identity(current_actor(), found.key, found.label, person.subject, person.email)
    except DomainError as error:
        return _refuse(error.message, True)
    db.session.commit()
    flash(f"{found.label} is linked: you can sign in with it from now on.", "success")
    return redirect(url_for("account.settings", _anchor="sign-in-methods"))


@bp.post("/identities/<int:identity_id>/unlink")
@login_required
def unlink(identity_id: int):
    try:
        identities.unlink_identity(current_actor(), identity_id)
    except DomainError as error:
        return _refuse(error.message, True)
    db.session.commit()
    flash("That sign-in method is unlinked from your account.", "success")
    return redirect(url_for("account.settings", _anchor="sign-in-methods"))
