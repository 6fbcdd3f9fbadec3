"""Forms for the admin pages (roles, the audit log filters, site settings) and for suspensions."""

from datetime import UTC, date, datetime, time, timedelta

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, StopValidation

from app import labels
from app.forms import text_field
from app.services.accounts import SUSPENSION_DAYS_MAX, SUSPENSION_TEXTS
from app.services.audit import action_label
from app.services.settings import LIMITS


class _ClearParseError:
    """A field whose unparsable input gets one clear message (and no second one from its validators).

    A blank input is simply no value, for `Optional`/`InputRequired` to judge.
    """

    invalid_message = "Enter a valid value."

    def process_formdata(self, valuelist):
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            super().process_formdata([str(valuelist[0]).strip()])
        except ValueError:
            self.data = None
            raise ValueError(self.invalid_message) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()
        super().pre_validate(form)


class WholeNumberField(_ClearParseError, IntegerField):
    def __init__(self, label=None, validators=None, invalid_message="Enter a whole number.", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message


class DayField(_ClearParseError, DateField):
    invalid_message = "Enter a date like 2026-03-12."


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(*pair) for pair in labels.items("role")]


class RoleForm(FlaskForm):
    # The service checks the role, so a made-up value gets its message and changes nothing.
    role = SelectField("Role", choices=role_choices(), validate_choice=False)


DAYS_MESSAGE = f"Suspend for 1 to {SUSPENSION_DAYS_MAX:,} days, or permanently."


class SuspendForm(FlaskForm):
    days = WholeNumberField(
        "Days",
        invalid_message=DAYS_MESSAGE,
        render_kw={"min": 1, "max": SUSPENSION_DAYS_MAX},
    )
    permanently = BooleanField("Permanently")
    reason = text_field(SUSPENSION_TEXTS["reason"])

    def validate_days(self, field) -> None:
        if self.permanently.data and field.data is not None:
            raise StopValidation("Give a number of days or choose permanently, not both.")
        if not self.permanently.data and field.data is None:
            raise StopValidation("Enter a number of days, or choose permanently.")
        if field.data is not None and not 1 <= field.data <= SUSPENSION_DAYS_MAX:
            raise StopValidation(DAYS_MESSAGE)

    @property
    def duration(self) -> int | None:
        """Days for the service: None means permanently."""
        return None if self.permanently.data else self.days.data


class AuditFilterForm(FlaskForm):
    """The audit log's filters, read from the query string."""

    class Meta:
        csrf = False

    actor = SelectField("Who", choices=[], validate_choice=False)
    action = SelectField("Action", choices=[], validate_choice=False)
    since = DayField("From", description="UTC")
    until = DayField("To", description="UTC, including that day")

    def set_choices(self, actors, actions) -> None:
        self.actor.choices = [SelectChoice("", "Anyone")] + [
            SelectChoice(str(user.id), user.display_name) for user in actors
        ]
        chosen = (self.actor.data or "").strip()
        if chosen.isdigit() and chosen not in {choice.value for choice in self.actor.choices}:
            # An id typed into the address: keep it visible as the current choice.
            self.actor.choices.append(SelectChoice(chosen, f"Member #{chosen}"))
        self.action.choices = [SelectChoice("", "Any action")] + [
            SelectChoice(action, action_label(action)) for action in actions
        ]

    def validate_actor(self, field) -> None:
        value = (field.data or "").strip()
        if value and not value.isdigit():
            raise StopValidation("Choose a person from the list.")

    def validate_action(self, field) -> None:
        if len(field.data or "") > 40:
            raise StopValidation("Choose an action from the list.")

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise StopValidation("The end date is before the start date.")

    @property
    def actor_id(self) -> int | None:
        value = (self.actor.data or "").strip()
        return int(value) if value.isdigit() else None

    @staticmethod
    def start_of(day: date | None) -> datetime | None:
        return datetime.combine(day, time.min, tzinfo=UTC) if day else None

    @property
    def since_at(self) -> datetime | None:
        return self.start_of(self.since.data)

    @property
    def until_at(self) -> datetime | None:
        """The end of the chosen day: entries before the next midnight, UTC."""
        if self.until.data is None or self.until.data == date.max:
            return None
        return self.start_of(self.until.data + timedelta(days=1))


def _number_field(label: str, key: str, description: str) -> WholeNumberField:
    low, high = LIMITS[key]
    message = f"Use a whole number from {low} to {high}."
    return WholeNumberField(
        label,
        [InputRequired(message), NumberRange(min=low, max=high, message=message)],
        invalid_message=message,
        description=description,
        render_kw={"min": low, "max": high},
    )


class SettingsForm(FlaskForm):
    premoderation_enabled = BooleanField("Hold these posts for review (pre-moderation on)")
    premoderation_first_posts = _number_field(
        "First posts held per account",
        "premoderation_first_posts",
        "How many of an account's first ideas and comments wait for review. 0 holds none.",
    )
    premoderation_max_links = _number_field(
        "Links allowed from new accounts",
        "premoderation_max_links",
        "A post with more links than this, from an account younger than a week, waits for review.",
    )
    ranking_explanations_public = BooleanField(
        "Everyone can open “Why this rank?” on an idea",
        description="Off: only product managers and admins see how an idea's trending score is made.",
    )
