"""Changing the account's email address: the request in settings, the confirming link sent to
the new address, and the undoing link sent to the old one.

The links show a button first (GET) and act on its POST: mail scanners open links, and must
not change an address by doing so.
"""

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required, logout_user

from app.extensions import db, limiter
from app.forms.account_changes import ChangeEmailForm
from app.forms.accounts import PostForm
from app.services import email_change
from app.web.account import _settings_page
from app.web.support import call_with_form, current_actor

bp = Blueprint("email_change", __name__, url_prefix="/account/email")


def _account_key() -> str:
    return f"change-email:{current_user.get_id() if current_user.is_authenticated else ''}"


@bp.post("")
@login_required
# Each request sends an email to an address the member typed: a few an hour is plenty.
@limiter.limit(lambda: current_app.config["RATELIMIT_RESET"], key_func=_account_key, methods=["POST"])
def request_change():
    form = ChangeEmailForm()
    user = current_actor()
    if form.validate_on_submit():
        ok, email = call_with_form(
            form, email_change.request_email_change, user, form.new_email.data, form.password.data
        )
        if ok:
            db.session.commit()
            flash(
                f"We sent a link to {email}. Your address changes when you open it; "
                f"until then it stays {user.email}.",
                "success",
            )
            return redirect(url_for("account.settings", _anchor="change-email"))
    return _settings_page(422, change_email_form=form)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    change = email_change.read_confirmation(token)
    form = PostForm()
    if form.validate_on_submit():
        email_change.confirm_email_change(token)
        db.session.commit()
        flash(f"Your email address is now {change.new_email}.", "success")
        if current_user.is_authenticated and current_user.id == change.user.id:
            return redirect(url_for("account.settings"))
        return redirect(url_for("main.index"))
    return render_template("account/email_confirm.html", change=change, form=form)


@bp.route("/undo/<token>", methods=["GET", "POST"])
def undo(token: str):
    change = email_change.read_undo(token)
    form = PostForm()
    if form.validate_on_submit():
        signed_in_here = current_user.is_authenticated and current_user.id == change.user.id
        email_change.undo_email_change(token)
        db.session.commit()
        if signed_in_here:
            # This browser's session ended with all the others; its cookies go too.
            session.clear()
            logout_user()
        flash(
            f"Your email address is {change.old_email} again, and every session and API token of "
            "your account has ended. If you did not make the change, choose a new password now.",
            "success",
        )
        return redirect(url_for("auth.forgot_password"))
    return render_template("account/email_undo.html", change=change, form=form)
