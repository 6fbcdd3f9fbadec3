"""Forms for flags and moderators' actions.

The services check reasons, notes and states (one rule for the pages and the API, their rows
give the labels and hints here); the forms parse and carry CSRF.
"""

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from app import labels
from app.forms.accounts import strip
from app.services.fields import Text
from app.services.moderation import FLAG_TEXTS, HIDE_TEXTS, SHOWN_REASON_TEXTS

FLAG_REASON_CHOICES = [SelectChoice(*pair) for pair in labels.items("flag_reason")]


def _hint(row: Text) -> str:
    return f"{row.hint} Up to {row.high:,} characters."


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
    note = TextAreaField(FLAG_TEXTS["note"].label, filters=[strip], description=_hint(FLAG_TEXTS["note"]))
    next = HiddenField()


class HideForm(FlaskForm):
    reason = TextAreaField(
        HIDE_TEXTS["reason"].label, filters=[strip], description=_hint(HIDE_TEXTS["reason"])
    )
    next = HiddenField()


class ReasonForm(FlaskForm):
    """Lock or pin an idea: the reason is optional and shown to everyone who reads the idea."""

    reason = StringField(
        SHOWN_REASON_TEXTS["reason"].label,
        filters=[strip],
        description=_hint(SHOWN_REASON_TEXTS["reason"]),
    )
    next = HiddenField()


class MergeForm(FlaskForm):
    target = StringField(
        "Merge into idea",
        filters=[strip],
        description="The number or the link of the idea that stays, like 12 or /ideas/12.",
    )
    next = HiddenField()
