"""Forms for flags and moderators' actions.

The services check reasons, notes and states (one rule for the pages and the API); the forms
parse and carry CSRF.
"""

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from app import labels
from app.forms.accounts import strip
from app.services.moderation import NOTE_MAX, REASON_MAX

FLAG_REASON_CHOICES = [SelectChoice(*pair) for pair in labels.items("flag_reason")]


class FlagForm(FlaskForm):
    target_type = HiddenField()
    target_id = HiddenField()
    # The service checks the choice, so a bad value gets its message and changes nothing.
    reason = RadioField(
        "Why should a moderator look at this?", choices=FLAG_REASON_CHOICES, validate_choice=False
    )
    duplicate_of = StringField(
        "Which idea does it duplicate?",
        filters=[strip],
        description="Its number or its link, like 12 or /ideas/12.",
    )
    note = TextAreaField(
        "Note for the moderators",
        filters=[strip],
        description=f"Required for “{labels.label('flag_reason', 'other')}”. Up to {NOTE_MAX:,} characters.",
    )
    next = HiddenField()


class HideForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        filters=[strip],
        description=f"The author reads it; nobody else sees the item. Up to {REASON_MAX} characters.",
    )
    next = HiddenField()


class ReasonForm(FlaskForm):
    """Lock or pin an idea: the reason is optional and shown to everyone who reads the idea."""

    reason = StringField(
        "Reason (optional)",
        filters=[strip],
        description=f"Shown on the idea page. Up to {REASON_MAX} characters.",
    )
    next = HiddenField()


class MergeForm(FlaskForm):
    target = StringField(
        "Merge into idea",
        filters=[strip],
        description="The number or the link of the idea that stays, like 12 or /ideas/12.",
    )
    next = HiddenField()
