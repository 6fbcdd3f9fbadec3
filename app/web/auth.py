"""Register, sign in and out, and reset a forgotten password."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from app.extensions import db, limiter
from app.forms.accounts import ForgotPasswordForm, PostForm, RegisterForm, ResetPasswordForm, SignInForm
from app.services import accounts
from app.web.support import call_with_form, safe_next_url

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "That email and password do not match an account. Check both and try again."
RESET_SENT = (
    "If an account uses that address, we have sent it a link to reset the password. "
    "The link works once, within the next hour."
)


def _signin_account_key() -> str:
    return "sign-in:" + accounts.normalize_email(request.form.get("email"))


def _reset_account_key() -> str:
    return "reset:" + accounts.normalize_email(request.form.get("email"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTER"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        ok, user = call_with_form(
            form, accounts.register_user, form.email.data, form.display_name.data, form.password.data
        )
        if ok:
            db.session.commit()
            login_user(user)
            flash(f"Welcome to {current_app.config['SITE_NAME']}, {user.display_name}!", "success")
            return redirect(safe_next_url())
    return render_template("auth/register.html", form=form)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_SIGNIN_IP"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_SIGNIN_ACCOUNT"], key_func=_signin_account_key, methods=["POST"]
)
def sign_in():
    if current_user.is_authenticated:
        return redirect(safe_next_url())
    form = SignInForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(SIGN_IN_FAILED)
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.display_name}.", "success")
            return redirect(safe_next_url())
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out():
    form = PostForm()
    if form.validate_on_submit():
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for("main.index"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_RESET"], methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_RESET"], key_func=_reset_account_key, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        flash(RESET_SENT, "info")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if accounts.usable_reset_token(token) is None:
        return render_template("auth/reset_invalid.html"), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        ok, user = call_with_form(form, accounts.reset_password, token, form.password.data)
        if ok:
            db.session.commit()
            logout_user()
            login_user(user)
            flash("Your password is changed, and every other session is signed out.", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/reset_password.html", form=form)
