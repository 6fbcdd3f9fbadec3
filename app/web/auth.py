"""Register, confirm an address, sign in and out, and reset a forgotten password."""

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app import sso_providers, throttle
from app.errors import wait_phrase
from app.extensions import db, limiter
from app.forms.accounts import ForgotPasswordForm, PostForm, RegisterForm, ResetPasswordForm, SignInForm
from app.services import accounts, sessions
from app.web import intents
from app.web.support import call_with_form, current_actor, safe_next_url

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "That email and password do not match an account. Check both and try again."
RESET_SENT = (
    "If an account uses that address, we have sent it a link to reset the password. "
    "The link works once, within the next hour."
)


def _sso_only_message(email: str) -> str:
    domain = email.rsplit("@", 1)[-1].strip().lower()
    labels = [found.label for found in sso_providers.providers()]
    way = f"“Continue with {labels[0]}”" if len(labels) == 1 else "single sign-on"
    return f"Addresses at {domain} sign in with {way}, not with a password."


def _reset_account_key() -> str:
    return "reset:" + accounts.normalize_email(request.form.get("email"))


def begin_session(user, remember: bool = False, signed_in_with: str = "password") -> None:
    """Sign `user` in in this browser with a new server-side session (`signed_in_with`:
    "password", "link" or a provider's name, see app/services/sessions.py).

    The Flask session starts afresh (a new CSRF token: a form token from before no longer
    works), keeping only the messages waiting to be shown.
    """
    flashes = session.get("_flashes")
    session.clear()
    if flashes:
        session["_flashes"] = flashes
    sessions.start_session(user, request.user_agent.string, remember=remember, signed_in_with=signed_in_with)
    db.session.commit()
    login_user(user, remember=remember)


def renew_session(user) -> None:
    """Give this browser a new session key after a security change; a copy of the old one dies."""
    record = user.current_session
    sessions.end_session(record)
    begin_session(
        user,
        remember=bool(record and record.remember),
        signed_in_with=record.signed_in_with if record else "password",
    )


def end_browser_session() -> None:
    """Sign this browser out: its session record ends, then its cookies are cleared."""
    if current_user.is_authenticated:
        sessions.end_session(current_user.current_session)
        db.session.commit()
    session.clear()
    logout_user()  # after clear(): it marks the remember-me cookie for deletion in the session


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTER"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    pending = intents.requested()
    if form.validate_on_submit() and sso_providers.password_refused(form.email.data):
        form.email.errors.append(_sso_only_message(form.email.data))
    elif form.validate_on_submit():
        ok, _ = call_with_form(
            form,
            accounts.request_registration,
            form.email.data,
            form.display_name.data,
            form.password.data,
            after=intents.after_confirming(intents.sent()),
        )
        if ok:
            db.session.commit()
            # The same answer whether or not the address has an account already (the email differs).
            return render_template(
                "auth/check_inbox.html", email=accounts.normalize_email(form.email.data), pending=pending
            )
    return render_template("auth/register.html", form=form, pending=pending)


@bp.route("/verify-email/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    """GET shows a button (mail scanners open links); POST confirms the address and signs in."""
    user = accounts.user_for_verification(token)
    if request.method == "POST":
        accounts.verify_email(token)
        db.session.commit()
        if current_user.is_authenticated:
            end_browser_session()
        begin_session(user, signed_in_with="link")
        flash(
            f"Your address is confirmed. Welcome to {current_app.config['SITE_NAME']}, {user.display_name}!",
            "success",
        )
        # What the new member set out to do before joining (vote, follow, comment), and where.
        after = accounts.after_verification(token)
        intent = intents.read(after.get("intent"))
        intents.carry_out(user, intent)
        return redirect(intents.destination(intent, after.get("next")))
    return render_template("auth/verify_email.html", form=PostForm(), user=user)


def _too_soon(form: SignInForm, seconds: int):
    g.rate_limit_retry_after = seconds  # the Retry-After header says the same (app/ratelimits.py)
    form.form_errors.append(
        f"Too many failed attempts to sign in to this account. Please try again {wait_phrase(seconds)}, "
        "or reset your password to get in at once."
    )
    page = render_template("auth/sign_in.html", form=form, pending=intents.requested())
    return page, 429, {"Retry-After": str(seconds)}


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_SIGNIN_IP"], methods=["POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(safe_next_url())
    form = SignInForm()
    pending = intents.requested()
    if form.validate_on_submit():
        email = form.email.data
        if sso_providers.password_refused(email):
            form.form_errors.append(_sso_only_message(email))
            return render_template("auth/sign_in.html", form=form, pending=pending), 422
        wait = throttle.wait_seconds(email)
        if wait:
            return _too_soon(form, wait)
        user = accounts.authenticate(email, form.password.data)
        if user is None:
            throttle.record_failure(email)
            form.form_errors.append(SIGN_IN_FAILED)
        else:
            throttle.record_success(email)
            intent = intents.sent()  # read before the session starts afresh
            begin_session(user, remember=form.remember.data)
            if user.is_email_verified:
                flash(f"Welcome back, {user.display_name}.", "success")
                intents.carry_out(user, intent)
            else:
                # Signed in to read; the banner on every page offers the link again.
                accounts.send_verification(user, intents.after_confirming(intent))
                db.session.commit()
                flash(
                    f"Welcome, {user.display_name}. Please confirm your email address: we have sent "
                    "you a new link. Until then you can read, but not post, vote or comment.",
                    "info",
                )
            endpoint, values = intents.fallback(intent)
            return redirect(safe_next_url(endpoint, **values))
    return render_template("auth/sign_in.html", form=form, pending=pending)


def _resend_key() -> str:
    return "verify:" + (current_user.get_id() if current_user.is_authenticated else request.remote_addr or "")


@bp.post("/verify-email/resend")
@limiter.limit(lambda: current_app.config["RATELIMIT_RESET"], key_func=_resend_key)
def resend_verification():
    """Send the confirmation link again to the signed-in member (the banner's button)."""
    destination = safe_next_url()
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    user = current_actor()
    if user.is_email_verified:
        flash("Your email address is already confirmed.", "info")
    else:
        accounts.send_verification(user)
        db.session.commit()
        flash(f"We have sent a new link to {user.email}. It works for three days.", "success")
    return redirect(destination)


@bp.post("/sign-out")
def sign_out():
    end_browser_session()
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
            # The link reached the owner's inbox: it always lets them in, whatever failed before.
            throttle.forget_account(user.email)
            if current_user.is_authenticated:
                end_browser_session()
            begin_session(user, signed_in_with="link")
            flash(
                "Your password is changed. Every other session and API token of your account has ended.",
                "success",
            )
            return redirect(url_for("main.index"))
    return render_template("auth/reset_password.html", form=form)
