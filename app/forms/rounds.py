"""Forms for feedback rounds: creating and editing a round, and reading a member's answers."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.forms.accounts import strip
from app.models.prototype import QUESTION_KINDS, RoundQuestion
from app.services.rounds import KIND_LABELS, PROMPT_MAX, QUESTIONS_MAX

QUESTION_ROWS = 8  # rows on a new form; "More question rows" adds MORE_ROWS at a time
MORE_ROWS = 4
MAX_ROWS = QUESTIONS_MAX + 8  # blank rows are ignored, so a full form may hold a few
AUDIENCE_CHOICES = [
    SelectChoice("everyone", "Everyone with an account"),
    SelectChoice("launch", "The participants of a learning launch"),
]


class QuestionRowForm(Form):
    """One question row; a row without a question and without options is ignored."""

    prompt = StringField("Question", [Optional(), Length(max=PROMPT_MAX)], filters=[strip])
    kind = SelectField(
        "Kind", choices=[SelectChoice(kind, KIND_LABELS[kind]) for kind in QUESTION_KINDS], default="rating"
    )
    options = TextAreaField("Options, one per line", [Optional()], description="Only for choice questions.")
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


class RoundForm(FlaskForm):
    # Checked by the service (3–120 characters), which reports every problem of the form at once.
    title = StringField(
        "Title",
        filters=[strip],
        description="People see it in the invitation, like “Round 2: the new checkout”.",
    )
    opens_on = DateField("Opens on", [InputRequired("Give the opening date.")])
    opens_time = TimeField("at (UTC)", [InputRequired("Give the opening time.")])
    closes_on = DateField("Closes on", [InputRequired("Give the closing date.")])
    closes_time = TimeField("at (UTC)", [InputRequired("Give the closing time.")])
    audience = RadioField("Who is asked", choices=AUDIENCE_CHOICES, default="everyone")
    # Choices are the launches that are recruiting or running, set by the view.
    launch_id = SelectField(
        "Which launch", coerce=int, choices=[], validate_choice=False, validators=[Optional()]
    )
    # No min_entries: WTForms renumbers posted rows, and padding them would copy posted values.
    questions = FieldList(FormField(QuestionRowForm), max_entries=MAX_ROWS)

    def chosen_launch(self) -> int | None:
        """The launch picked for the audience "launch", None otherwise."""
        return self.launch_id.data if self.audience.data == "launch" and self.launch_id.data else None

    def set_window(self, opens_at: datetime, closes_at: datetime) -> None:
        self.opens_on.data, self.opens_time.data = opens_at.date(), opens_at.time().replace(second=0)
        self.closes_on.data, self.closes_time.data = closes_at.date(), closes_at.time().replace(second=0)

    def opens_at(self) -> datetime | None:
        return _combine(self.opens_on.data, self.opens_time.data)

    def closes_at(self) -> datetime | None:
        return _combine(self.closes_on.data, self.closes_time.data)

    def set_questions(self, questions: list[RoundQuestion]) -> None:
        """Fill the rows from existing questions, with a few empty rows after them."""
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
        self.add_rows(max(QUESTION_ROWS - len(questions), 2))

    def pad_rows(self) -> None:
        """At least QUESTION_ROWS rows to fill in."""
        self.add_rows(QUESTION_ROWS - len(self.questions.entries))

    def add_rows(self, count: int = MORE_ROWS) -> None:
        for _ in range(min(count, MAX_ROWS - len(self.questions.entries))):
            self.questions.append_entry()

    def filled_questions(self) -> tuple[list[dict[str, Any]], list[int]]:
        """The questions of the rows that are not blank, and the row number of each."""
        rows = [index for index, entry in enumerate(self.questions.entries) if not entry.form.is_blank()]
        return [self.questions.entries[index].form.as_question() for index in rows], rows

    def show_errors(self, fields: Mapping[str, list[str]], rows: list[int]) -> None:
        """Put a service's field errors (`questions.<n>.<part>` for questions) on the form's fields."""
        names = {
            "title": self.title,
            "audience": self.audience,
            "launch_id": self.launch_id,
            "opens_at": self.opens_on,
            "closes_at": self.closes_on,
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


def _combine(day, moment) -> datetime | None:
    if day is None or moment is None:
        return None
    return datetime.combine(day, moment, tzinfo=UTC)


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
