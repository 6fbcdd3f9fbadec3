"""The account settings page: profile, password, email notifications, API tokens and sessions."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.extensions import db
from app.forms.account_changes import ChangeEmailForm, DeleteAccountForm
from app.forms.accounts import (
    EMAIL_PREFERENCE_HINTS,
    ChangePasswordForm,
    EmailPreferenceForm,
    ProfileForm,
    SignOutEverywhereForm,
    TokenForm,
)
from app.services import account_deletion, accounts, api_tokens, identities, notifications, sessions
from app.sso_providers import provider_labels
from app.web.auth import end_browser_session, renew_session
from app.web.support import call_with_form, current_actor

bp = Blueprint("account", __name__, url_prefix="/account")

_EMAIL_SAVED = {
    "immediately": "Saved: we will email you about each notification as it happens.",
    "daily": "Saved: we will email you at most one digest a day.",
    "never": "Saved: we will not email you about notifications.",
}


def _settings_page(status: int = 200, new_token: dict | None = None, **forms):
    user = current_actor()
    if status == 422:
        # The form with the problem may be far down the page; say so at the top.
        flash("Nothing was changed: please correct the marked field below.", "error")
    forms.setdefault("profile_form", ProfileForm(obj=user, formdata=None))
    forms.setdefault("password_form", ChangePasswordForm(formdata=None))
    forms.setdefault(
        "email_form",
        EmailPreferenceForm(formdata=None, data={"email_notifications": user.email_notifications}),
    )
    forms.setdefault("token_form", TokenForm(formdata=None))
    forms.setdefault("everywhere_form", SignOutEverywhereForm(formdata=None))
    # The sections of app/web/email_change.py and app/web/account_data.py.
    forms.setdefault("change_email_form", ChangeEmailForm(formdata=None))
    forms.setdefault("delete_form", DeleteAccountForm(formdata=None))
    return (
        render_template(
            "account/settings.html",
            tokens=api_tokens.list_tokens(user),
            sessions=sessions.list_sessions(user),
            current_session_id=user.current_session.id if user.current_session else None,
            device_label=sessions.device_label,
            new_token=new_token,
            email_hints=EMAIL_PREFERENCE_HINTS,
            delete_confirmation=account_deletion.how_to_confirm(user),
            linked_identities=identities.identities_of(user),
            provider_labels=provider_labels(),
            **forms,
        ),
        status,
    )


@bp.get("/settings")
@login_required
def settings():
    return _settings_page()


@bp.post("/profile")
@login_required
def update_profile():
    form = ProfileForm()
    user = current_actor()
    if form.validate_on_submit():
        # A post without the username field (an older page) leaves the username as it is.
        username = form.username.data if "username" in request.form else None
        ok, _ = call_with_form(form, accounts.update_profile, user, user, form.display_name.data, username)
        if ok:
            db.session.commit()
            flash("Your profile is saved.", "success")
            return redirect(url_for("account.settings"))
    return _settings_page(422, profile_form=form)


@bp.post("/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    user = current_actor()
    if form.validate_on_submit():
        revoke = bool(form.revoke_tokens.data)
        ok, _ = call_with_form(
            form, accounts.change_password, user, form.current_password.data, form.new_password.data, revoke
        )
        if ok:
            db.session.commit()
            renew_session(user)
            tokens = " and your API tokens are revoked" if revoke else ""
            flash(f"Your password is changed. Other devices are signed out{tokens}.", "success")
            return redirect(url_for("account.settings"))
    return _settings_page(422, password_form=form)


@bp.post("/email-notifications")
@login_required
def update_email_notifications():
    form = EmailPreferenceForm()
    user = current_actor()
    if form.validate_on_submit():
        ok, _ = call_with_form(
            form, notifications.set_email_preference, user, user, form.email_notifications.data
        )
        if ok:
            db.session.commit()
            flash(_EMAIL_SAVED[user.email_notifications], "success")
            return redirect(url_for("account.settings", _anchor="email"))
    return _settings_page(422, email_form=form)


@bp.post("/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    form = SignOutEverywhereForm()
    user = current_actor()
    if not form.validate_on_submit():
        return redirect(url_for("account.settings", _anchor="sessions"))
    revoke = bool(form.revoke_tokens.data)
    accounts.sign_out_everywhere(user, user, revoke_tokens=revoke)
    db.session.commit()
    end_browser_session()
    tokens = " Your API tokens are revoked too." if revoke else ""
    flash(f"You are signed out on every browser and device, this one included.{tokens}", "success")
    return redirect(url_for("auth.sign_in"))


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    user = current_actor()
    if user.current_session is not None and session_id == user.current_session.id:
        end_browser_session()
        flash("You are signed out.", "info")
        return redirect(url_for("main.index"))
    sessions.end_other_session(user, session_id)
    db.session.commit()
    flash("That session has ended: the device it was on is signed out.", "success")
    return redirect(url_for("account.settings", _anchor="sessions"))


@bp.post("/tokens")
@login_required
def create_token():
    form = TokenForm()
    user = current_actor()
    if form.validate_on_submit():
        ok, result = call_with_form(
            form, api_tokens.create_token, user, user, form.name.data, form.expiry_days()
        )
        if ok:
            db.session.commit()
            # Shown once, in this response only: it is never stored in plain text anywhere.
            return _settings_page(200, new_token={"name": result[0].name, "token": result[1]})
    return _settings_page(422, token_form=form)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    api_tokens.revoke_token(current_actor(), token_id)
    db.session.commit()
    flash("The token is revoked; requests that use it are now refused.", "success")
    return redirect(url_for("account.settings", _anchor="tokens"))
