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
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app import labels
from app.forms import title_rules
from app.forms.accounts import strip
from app.forms.idea_links import TickedIdeasField, idea_references_field
from app.models.launch import ASSUMPTION_KINDS, DECISIONS, Launch, LaunchAssumption
from app.services.launches import (
    ASSUMPTIONS_MAX,
    CAPACITY_MAX,
    DESCRIPTION_MAX,
    ELIGIBILITY_MAX,
    HYPOTHESIS_MAX,
    HYPOTHESIS_MIN,
    LINKS_MAX,
    METRIC_MAX,
    METRIC_MIN,
    METRIC_VALUE_MAX,
    SCREENING_MAX,
    STATEMENT_MAX,
    STATEMENT_MIN,
    SUMMARY_MAX,
    SUMMARY_MIN,
    TITLE_MAX,
    TITLE_MIN,
    AssumptionInput,
)
from app.services.participation import ANSWER_MAX, MESSAGE_MAX, MESSAGE_MIN

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
    statement = StringField(
        "We assume that…",
        [
            Optional(),
            Length(
                min=STATEMENT_MIN,
                max=STATEMENT_MAX,
                message=f"Use between {STATEMENT_MIN} and {STATEMENT_MAX} characters.",
            ),
        ],
        filters=[strip],
    )

    def is_blank(self) -> bool:
        return not (self.statement.data or "").strip()


class LaunchForm(FlaskForm):
    title = StringField(
        "Title",
        title_rules("Give the launch a title.", TITLE_MIN, TITLE_MAX),
        filters=[strip],
        description="What people will sign up for, like “Four weeks of weekly summary emails”.",
    )
    hypothesis = TextAreaField(
        "Hypothesis",
        [
            DataRequired("State the hypothesis."),
            Length(
                min=HYPOTHESIS_MIN,
                max=HYPOTHESIS_MAX,
                message=f"Use between {HYPOTHESIS_MIN} and {HYPOTHESIS_MAX:,} characters.",
            ),
        ],
        filters=[strip],
        description="“We believe … will …”, like "
        "“We believe a weekly summary email will bring back lapsed users.”",
        render_kw={"rows": 3},
    )
    description = TextAreaField(
        "What participants will do",
        [Optional(), Length(max=DESCRIPTION_MAX, message=f"Use at most {DESCRIPTION_MAX:,} characters.")],
        description="The steps, the time it takes, what they get. Markdown works.",
    )
    success_metric = StringField(
        "Success metric",
        [
            DataRequired("Name the metric that tells success."),
            Length(
                min=METRIC_MIN,
                max=METRIC_MAX,
                message=f"Use between {METRIC_MIN} and {METRIC_MAX} characters.",
            ),
        ],
        filters=[strip],
        description="What you will measure, like “share of participants active in week 4”.",
    )
    metric_baseline = StringField(
        "Baseline",
        [Optional(), Length(max=METRIC_VALUE_MAX, message=f"Use at most {METRIC_VALUE_MAX} characters.")],
        filters=[strip],
        description="Where it stands today, like “22%”.",
    )
    metric_target = StringField(
        "Target",
        [Optional(), Length(max=METRIC_VALUE_MAX, message=f"Use at most {METRIC_VALUE_MAX} characters.")],
        filters=[strip],
        description="What counts as success, like “35%”.",
    )
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
    eligibility = TextAreaField(
        "Who can take part",
        [Optional(), Length(max=ELIGIBILITY_MAX, message=f"Use at most {ELIGIBILITY_MAX:,} characters.")],
        filters=[strip],
        description="Optional, like “Teams that send reports to finance every month”.",
        render_kw={"rows": 2},
    )
    screening_question = StringField(
        "Screening question",
        [Optional(), Length(max=SCREENING_MAX, message=f"Use at most {SCREENING_MAX} characters.")],
        filters=[strip],
        description="Optional. Everyone who joins must answer it; "
        "you see the answers in the participant list.",
    )
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
        for name in (
            "title",
            "hypothesis",
            "description",
            "success_metric",
            "metric_baseline",
            "metric_target",
            "capacity",
            "eligibility",
            "screening_question",
        ):
            getattr(self, name).data = getattr(launch, name)
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
            "title": self.title.data,
            "hypothesis": self.hypothesis.data,
            "description": self.description.data or "",
            "success_metric": self.success_metric.data,
            "metric_baseline": self.metric_baseline.data or "",
            "metric_target": self.metric_target.data or "",
            "capacity": self.capacity.data,
            "starts_at": self.starts_at(),
            "ends_at": self.ends_at(),
            "eligibility": self.eligibility.data or "",
            "screening_question": self.screening_question.data or "",
            "assumptions": self.assumption_inputs(),
            "prototype_ids": parse_numbers(self.prototype_ids.data, "prototypes"),
        }


class JoinForm(FlaskForm):
    screening_answer = TextAreaField(
        "Your answer",
        [Optional(), Length(max=ANSWER_MAX, message=f"Use at most {ANSWER_MAX:,} characters.")],
        render_kw={"rows": 3, "maxlength": ANSWER_MAX},
    )


class MessageForm(FlaskForm):
    message = TextAreaField(
        "Message",
        [
            DataRequired("Write the message."),
            Length(
                min=MESSAGE_MIN,
                max=MESSAGE_MAX,
                message=f"Use between {MESSAGE_MIN} and {MESSAGE_MAX:,} characters.",
            ),
        ],
        description="Everyone enrolled gets it as a notification, and by email unless they turned email off.",
        render_kw={"rows": 4},
    )


class OutcomeForm(FlaskForm):
    """The outcome; each assumption's result comes as `result-<assumption id>` (see results())."""

    metric_actual = StringField(
        "Measured result",
        [Optional(), Length(max=METRIC_VALUE_MAX, message=f"Use at most {METRIC_VALUE_MAX} characters.")],
        filters=[strip],
    )
    # Checked by the service, which reports every problem of the form at once.
    decision = RadioField(
        "Decision",
        choices=[SelectChoice(*pair) for pair in labels.items("decision", DECISIONS)],
        validate_choice=False,
    )
    summary = TextAreaField(
        "What the launch taught",
        [Optional(), Length(max=SUMMARY_MAX, message=f"Use at most {SUMMARY_MAX:,} characters.")],
        description=f"At least {SUMMARY_MIN} characters: what happened, what surprised you, what comes next. "
        "Markdown works. Participants and followers of the linked ideas read it.",
        render_kw={"rows": 6},
    )


def outcome_results(formdata, assumptions: list[LaunchAssumption]) -> dict[int, str]:
    """The result chosen for each assumption (`result-<id>`); unanswered ones are left out."""
    results = {}
    for assumption in assumptions:
        value = (formdata.get(f"result-{assumption.id}") or "").strip()
        if value:
            results[assumption.id] = value
    return results
