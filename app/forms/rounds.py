"""Forms for feedback rounds: creating and editing a round, and reading a member's answers."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from app import labels
from app.forms import marks, with_texts
from app.forms.accounts import strip
from app.models.round import QUESTION_KINDS, RoundQuestion
from app.services.rounds import CHOICE_KINDS, PROMPT_MAX, QUESTIONS_MAX, TEXTS
from app.services.timezones import DEFAULT_ZONE, local_to_utc, utc_to_local, zone_or_default

ROW_PLACEHOLDER = "__index__"  # the row number in the script's template for a new question

AUDIENCE_CHOICES = [
    SelectChoice("everyone", "Everyone with an account"),
    SelectChoice("launch", "The participants of a learning launch"),
]


class LocalTimeField(DateTimeLocalField):
    """A `datetime-local` input: a wall-clock time, without a zone (the form's time zone says which)."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, format="%Y-%m-%dT%H:%M", **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Give a date and a time, like 2030-01-15 09:00.") from error


class QuestionRowForm(Form):
    """One question row; a row without a question and without options is ignored."""

    # Checked by the service with the other questions; the form marks the limit for the counter.
    prompt = StringField("Question", [Optional(), marks(high=PROMPT_MAX)], filters=[strip])
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(*pair) for pair in labels.items("question_kind", QUESTION_KINDS)],
        default="rating",
    )
    options = TextAreaField("Options, one per line", [Optional()])
    required = BooleanField("An answer is required")

    def is_blank(self) -> bool:
        return not (self.prompt.data or "").strip() and not (self.options.data or "").strip()

    def as_question(self) -> dict[str, Any]:
        lines = [line.strip() for line in (self.options.data or "").splitlines()]
        options = [line for line in lines if line]
        return {
            "kind": self.kind.data,
            "prompt": self.prompt.data or "",
            "required": bool(self.required.data),
            "options": options or None,
        }


# The title is checked by the service, which reports every problem of the form at once.
@with_texts(TEXTS, check=False)
class RoundForm(FlaskForm):
    opens_at = LocalTimeField("Opens", validators=[InputRequired("Give the opening date and time.")])
    closes_at = LocalTimeField("Closes", validators=[InputRequired("Give the closing date and time.")])
    # The browser's IANA zone, filled in by static/js/rounds.js; UTC without the script.
    time_zone = HiddenField(default=DEFAULT_ZONE)
    audience = RadioField("Who is asked", choices=AUDIENCE_CHOICES, default="everyone")
    # Choices are the launches that are recruiting or running, set by the view.
    launch_id = SelectField(
        "Which launch", coerce=int, choices=[], validate_choice=False, validators=[Optional()]
    )
    # For the template: the kinds that take options, the most rows, the new row's placeholder.
    CHOICE_ONLY = " ".join(CHOICE_KINDS)
    QUESTIONS_MAX = QUESTIONS_MAX
    ROW_PLACEHOLDER = ROW_PLACEHOLDER
    # No min_entries: WTForms renumbers posted rows, and padding them would copy posted values.
    questions = FieldList(FormField(QuestionRowForm), max_entries=QUESTIONS_MAX)

    def chosen_launch(self) -> int | None:
        """The launch picked for the audience "launch", None otherwise."""
        return self.launch_id.data if self.audience.data == "launch" and self.launch_id.data else None

    def zone(self) -> ZoneInfo:
        """The zone the times are shown in: the one sent, when it is one, else UTC."""
        return zone_or_default(self.time_zone.data)

    def set_window(self, opens_at: datetime, closes_at: datetime) -> None:
        """Show two stored moments as wall-clock times in the form's zone."""
        zone = self.zone()
        self.opens_at.data = utc_to_local(opens_at, zone).replace(second=0, microsecond=0)
        self.closes_at.data = utc_to_local(closes_at, zone).replace(second=0, microsecond=0)

    def moment(self, field: LocalTimeField) -> str:
        """The UTC moment a time field shows (`2030-01-15T14:00:00Z`), for the script; "" without one."""
        if field.data is None:
            return ""
        return f"{local_to_utc(field.data, self.zone(), field.name, {}).astimezone(UTC):%Y-%m-%dT%H:%M:%S}Z"

    def set_questions(self, questions: list[RoundQuestion]) -> None:
        """One row for each existing question (one empty row when there are none)."""
        while len(self.questions.entries):
            self.questions.pop_entry()
        for question in questions:
            self.questions.append_entry(
                {
                    "prompt": question.prompt,
                    "kind": question.kind,
                    "options": "\n".join(question.options or []),
                    "required": question.required,
                }
            )
        self.keep_one_row()

    def keep_one_row(self) -> None:
        """A round starts with one question: an empty form shows one row to fill in."""
        if not self.questions.entries:
            self.questions.append_entry()

    def add_question(self) -> None:
        """One more (empty) question row, up to the most a round may have."""
        if len(self.questions.entries) < QUESTIONS_MAX:
            self.questions.append_entry()

    def remove_question(self, number: str) -> None:
        """Take out the row sent as `questions-<number>-…`; the others keep their names and values."""
        self.questions.entries = [
            entry for entry in self.questions.entries if self.row_number(entry) != number
        ]
        self.keep_one_row()

    @staticmethod
    def row_number(entry: Any) -> str:
        """The number in a row's field names (`questions-3` → "3"); rows keep it when others go."""
        return entry.name.rsplit("-", 1)[-1]

    @staticmethod
    def blank_row() -> QuestionRowForm:
        """An empty row named `questions-__index__-…`: the script's template for a new question."""
        return QuestionRowForm(prefix=f"questions-{ROW_PLACEHOLDER}-")

    def filled_questions(self) -> tuple[list[dict[str, Any]], list[int]]:
        """The questions of the rows that are not blank, and the row number of each."""
        rows = [index for index, entry in enumerate(self.questions.entries) if not entry.form.is_blank()]
        return [self.questions.entries[index].form.as_question() for index in rows], rows

    def has_errors(self) -> bool:
        """Whether any message shows: WTForms caches `errors`, so messages put on fields later count too."""
        fields = [field for name, field in self._fields.items() if name != "questions"]
        fields += [field for entry in self.questions.entries for field in entry.form]
        return bool(self.form_errors) or any(field.errors for field in fields)

    def show_errors(self, fields: Mapping[str, list[str]], rows: list[int]) -> None:
        """Put a service's field errors (`questions.<n>.<part>` for questions) on the form's fields."""
        names = {
            "title": self.title,
            "audience": self.audience,
            "launch_id": self.launch_id,
            "opens_at": self.opens_at,
            "closes_at": self.closes_at,
            "time_zone": self.time_zone,
        }
        for name, messages in fields.items():
            target = names.get(name)
            parts = name.split(".")
            numbered = len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(rows)
            if parts[0] == "questions" and numbered:
                row = self.questions.entries[rows[int(parts[1])]].form
                target = row._fields.get(parts[2]) if len(parts) == 3 else row.prompt
            if target is None:
                self.form_errors.extend(messages)
            elif not target.errors:  # the form's own message about a field comes first
                target.errors = list(messages)


def answers_from_form(questions: list[RoundQuestion], formdata: Mapping[str, Any]) -> dict[str, Any]:
    """A member's answers from the answer form, keyed by question id; unanswered questions are left out.

    Whole numbers become ints; anything else is passed on as typed so the service refuses it clearly.
    """
    answers: dict[str, Any] = {}
    for question in questions:
        name = f"q{question.id}"
        if question.kind == "multi":
            chosen = formdata.getlist(name)
            if chosen:
                answers[str(question.id)] = chosen
            continue
        raw = (formdata.get(name) or "").strip()
        if not raw:
            continue
        if question.kind in ("rating", "nps") and raw.isascii() and raw.isdigit():
            answers[str(question.id)] = int(raw)
        else:
            answers[str(question.id)] = formdata.get(name) if question.kind == "text" else raw
    return answers
