"""Forms for learning launches: planning one (staff), joining, messaging participants, the outcome."""

import re
from datetime import UTC, date, datetime, time

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from app import labels
from app.forms import row_rule, with_texts
from app.forms.accounts import strip
from app.forms.idea_links import TickedIdeasField, idea_references_field
from app.models.launch import ASSUMPTION_KINDS, DECISIONS, Launch, LaunchAssumption
from app.services.launches import (
    ASSUMPTIONS_MAX,
    CAPACITY_MAX,
    LINKS_MAX,
    OUTCOME_TEXTS,
    STATEMENT,
    TEXTS,
    AssumptionInput,
)
from app.services.participation import ANSWER, MESSAGE

ASSUMPTION_ROWS = 6  # rows on a new form; blank rows are ignored


def parse_numbers(text: str | None, section: str) -> list[int]:
    """Numbers separated by commas or spaces: "12", "#12" or a link like "/<section>/12".

    ValueError names the first part that is not one.
    """
    reference = re.compile(rf"^(?:\S*/{section}/|#)?(\d{{1,9}})/?$")
    numbers = []
    for token in re.split(r"[\s,;]+", (text or "").strip()):
        if not token:
            continue
        match = reference.match(token)
        if match is None:
            raise ValueError(token)
        numbers.append(int(match.group(1)))
    return numbers


def utc_midnight(day: date | None) -> datetime | None:
    """A date from an <input type="date">, as the start of that day in UTC."""
    return datetime.combine(day, time.min, tzinfo=UTC) if day is not None else None


class AssumptionRowForm(Form):
    """One assumption row; a row without a statement is ignored."""

    kind = SelectField(
        "Kind",
        choices=[SelectChoice(*pair) for pair in labels.items("assumption_kind", ASSUMPTION_KINDS)],
        default="value",
    )
    # A blank row is skipped, so the row's check applies only to what is written.
    statement = StringField(
        "We assume that…", [Optional(), row_rule(STATEMENT, required=False)], filters=[strip]
    )

    def is_blank(self) -> bool:
        return not (self.statement.data or "").strip()


@with_texts(TEXTS)
class LaunchForm(FlaskForm):
    capacity = IntegerField(
        "Seats",
        [
            InputRequired("Say how many people can take part, like 12."),
            NumberRange(min=1, max=CAPACITY_MAX, message=f"Between 1 and {CAPACITY_MAX:,} people."),
        ],
        description="People who join after that go on a waitlist, in the order they join.",
        render_kw={"min": 1, "max": CAPACITY_MAX, "inputmode": "numeric"},
    )
    starts_on = DateField("Starts on", [InputRequired("Give the start date.")])
    ends_on = DateField("Ends on", [InputRequired("Give the end date.")])
    # No min_entries: WTForms renumbers posted rows, and padding them would copy posted values.
    assumptions = FieldList(FormField(AssumptionRowForm), max_entries=ASSUMPTIONS_MAX)
    linked_ideas = TickedIdeasField()
    idea_ids = idea_references_field(
        LINKS_MAX, "Their followers hear when recruiting opens and what the launch found."
    )
    prototype_ids = StringField(
        "Linked prototypes",
        [Optional()],
        filters=[strip],
        description=f"Up to {LINKS_MAX} prototype numbers, like 3. "
        "Check-in rounds run on a linked prototype.",
        render_kw={"autocomplete": "off"},
    )

    def validate_ends_on(self, field) -> None:
        if self.starts_on.data and field.data and field.data <= self.starts_on.data:
            raise ValidationError("The launch must end after it starts.")

    def validate_prototype_ids(self, field) -> None:
        try:
            parse_numbers(field.data, "prototypes")
        except ValueError as error:
            raise ValidationError(
                f"“{error}” is not a prototype number; write numbers separated by commas, like 3, 7."
            ) from None

    def fill(self, launch: Launch, idea_ids: list[int], prototype_ids: list[int]) -> None:
        """Show a launch's current values."""
        self.fill_texts(launch)
        self.capacity.data = launch.capacity
        self.starts_on.data = launch.starts_at.date()
        self.ends_on.data = launch.ends_at.date()
        self.linked_ideas.data = idea_ids
        self.prototype_ids.data = ", ".join(str(number) for number in prototype_ids)
        self.set_assumptions(launch.assumptions)

    def set_assumptions(self, assumptions: list[LaunchAssumption]) -> None:
        while len(self.assumptions.entries):
            self.assumptions.pop_entry()
        for assumption in assumptions:
            self.assumptions.append_entry({"kind": assumption.kind, "statement": assumption.statement})
        self.pad_rows()

    def pad_rows(self) -> None:
        """ASSUMPTION_ROWS rows at least, and one empty row after the filled ones while there is room."""
        filled = sum(1 for entry in self.assumptions.entries if not entry.form.is_blank())
        wanted = min(max(ASSUMPTION_ROWS, filled + 1), ASSUMPTIONS_MAX)
        while len(self.assumptions.entries) < wanted:
            self.assumptions.append_entry()

    def assumption_inputs(self) -> list[AssumptionInput]:
        return [
            AssumptionInput(entry.form.kind.data, entry.form.statement.data or "")
            for entry in self.assumptions.entries
            if not entry.form.is_blank()
        ]

    def starts_at(self) -> datetime | None:
        return utc_midnight(self.starts_on.data)

    def ends_at(self) -> datetime | None:
        return utc_midnight(self.ends_on.data)

    def values(self) -> dict:
        """The keyword arguments of create_launch / update_launch, but the linked ideas."""
        return {
            **self.texts(),
            "capacity": self.capacity.data,
            "starts_at": self.starts_at(),
            "ends_at": self.ends_at(),
            "assumptions": self.assumption_inputs(),
            "prototype_ids": parse_numbers(self.prototype_ids.data, "prototypes"),
        }


@with_texts(ANSWER)
class JoinForm(FlaskForm):
    pass


@with_texts(MESSAGE)
class MessageForm(FlaskForm):
    pass


# Checked by the service, which reports every problem of the outcome at once.
@with_texts(OUTCOME_TEXTS, check=False)
class OutcomeForm(FlaskForm):
    """The outcome; each assumption's result comes as `result-<assumption id>` (see results())."""

    decision = RadioField(
        "Decision",
        choices=[SelectChoice(*pair) for pair in labels.items("decision", DECISIONS)],
        validate_choice=False,
    )


def outcome_results(formdata, assumptions: list[LaunchAssumption]) -> dict[int, str]:
    """The result chosen for each assumption (`result-<id>`); unanswered ones are left out."""
    results = {}
    for assumption in assumptions:
        value = (formdata.get(f"result-{assumption.id}") or "").strip()
        if value:
            results[assumption.id] = value
    return results
