"""Forms for the account's big changes: a new email address, and deleting the account."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField

from app.forms.accounts import EMAIL_RULES, strip
from app.services.account_deletion import CONFIRM_PHRASE


class ChangeEmailForm(FlaskForm):
    new_email = EmailField(
        "New email address",
        EMAIL_RULES,
        filters=[strip],
        description="We send a link there; your address changes once you open it.",
    )
    # Checked by the service, which knows whether the account has a password at all.
    password = PasswordField("Your password")


class DeleteAccountForm(FlaskForm):
    # The service checks both, so a wrong one says why and nothing is deleted.
    confirm = StringField(
        "Confirmation",
        filters=[strip],
        description=f"Type “{CONFIRM_PHRASE}”.",
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField("Your password")


class AdminDeleteAccountForm(FlaskForm):
    confirm = StringField(
        "The member's email address",
        filters=[strip],
        description="Type it to confirm which account goes.",
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
