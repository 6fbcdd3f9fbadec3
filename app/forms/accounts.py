"""Forms for signing up, signing in, passwords, the profile, email notifications and API tokens."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from app.forms import Checked, with_texts
from app.passwords import MIN_LENGTH, password_problems
from app.services.accounts import NAME_MAX, email_problems, name_problems
from app.services.api_tokens import DEFAULT_EXPIRY_DAYS, EXPIRY_CHOICES
from app.services.api_tokens import TEXTS as TOKEN_TEXTS


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


# The services' own checks, so the form says what the service would.
EMAIL_RULES = [Checked(email_problems, required=True)]
NEW_PASSWORD_RULES = [Checked(password_problems, required=True)]
NAME_RULES = [Checked(name_problems, required=True, high=NAME_MAX)]


class PostForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that post."""


class RegisterForm(FlaskForm):
    email = EmailField("Email", EMAIL_RULES, filters=[strip])
    display_name = StringField(
        "Display name", NAME_RULES, filters=[strip], description="Shown next to your ideas and comments."
    )
    password = PasswordField(
        "Password",
        NEW_PASSWORD_RULES,
        description=f"At least {MIN_LENGTH} characters. Common passwords are refused.",
    )


class SignInForm(FlaskForm):
    email = EmailField("Email", [DataRequired("Enter your email address.")], filters=[strip])
    password = PasswordField("Password", [DataRequired("Enter your password.")])
    remember = BooleanField("Keep me signed in for 30 days")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", EMAIL_RULES, filters=[strip])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password", NEW_PASSWORD_RULES, description=f"At least {MIN_LENGTH} characters."
    )


REVOKE_TOKENS_LABEL = "Also revoke all my API tokens"


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", [DataRequired("Enter your current password.")])
    new_password = PasswordField(
        "New password",
        NEW_PASSWORD_RULES,
        description="Changing it signs you out on every other device.",
    )
    revoke_tokens = BooleanField(
        REVOKE_TOKENS_LABEL,
        default=True,
        description="Do this if you think someone else knew your password: tools using them will stop.",
    )


class SignOutEverywhereForm(FlaskForm):
    revoke_tokens = BooleanField(REVOKE_TOKENS_LABEL, default=True)


class ProfileForm(FlaskForm):
    display_name = StringField("Display name", NAME_RULES, filters=[strip])
    # Checked by the service (app/services/usernames.py), which owns the rule and its messages.
    username = StringField(
        "Username",
        filters=[strip],
        description="Others mention you by writing @ and your username. Letters a–z, digits and underscores.",
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )


@with_texts(TOKEN_TEXTS)
class TokenForm(FlaskForm):
    # The service checks the value; "" means the token works until revoked.
    expires_in_days = SelectField(
        "Expires",
        choices=[
            SelectChoice(str(days or ""), f"In {days} days" if days else "Never (until revoked)")
            for days in EXPIRY_CHOICES
        ],
        default=str(DEFAULT_EXPIRY_DAYS),
        validate_choice=False,
    )

    def expiry_days(self) -> int | None:
        """The chosen lifetime in days, None for "until revoked"; the service refuses bad values."""
        value = (self.expires_in_days.data or "").strip()
        if not value:
            return None
        return int(value) if value.isdigit() and len(value) < 6 else -1


EMAIL_PREFERENCE_CHOICES = [
    SelectChoice("immediately", "Immediately"),
    SelectChoice("daily", "Daily digest"),
    SelectChoice("never", "No emails"),
]
EMAIL_PREFERENCE_HINTS = {
    "immediately": "One email for each notification, as it happens.",
    "daily": "At most one email a day, listing what you have not read yet.",
    "never": "Notifications only appear here on the site.",
}


class EmailPreferenceForm(FlaskForm):
    # The service checks the choice, so a bad value gets its message and changes nothing.
    email_notifications = RadioField(
        "Email me about notifications", choices=EMAIL_PREFERENCE_CHOICES, validate_choice=False
    )
