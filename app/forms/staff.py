"""Forms of the staff pages: the dashboard's filters, bulk status changes and customer segments."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, StopValidation

from app import labels
from app.forms import row_rule, with_texts
from app.forms.admin import DayField, _ClearParseError
from app.models.idea import SETTABLE_STATUSES
from app.services import dashboard
from app.services.ideas import STATUS_NOTE
from app.services.segments import EMAILS_MAX, TEXTS, WEIGHT_MESSAGE

# Query strings say 1 for on; "0", "false" and nothing say off.
OFF = ("", "0", "false", "off")


def board_label(board) -> str:
    """A board's name in a select, saying whether only some see it or it is archived."""
    notes = [
        note for note, applies in (("private", board.is_private), ("archived", board.is_archived)) if applies
    ]
    return f"{board.name} ({', '.join(notes)})" if notes else board.name


class BoardSelect:
    """A "Board" select narrowing a staff page to one board; the page checks the slug against the
    boards the viewer may see (app/services/board_filter.py): an unknown one narrows nothing."""

    board = SelectField("Board", choices=[], validate_choice=False, default="")

    def set_boards(self, boards) -> None:
        """Offer every board the viewer may see (`boards`, a BoardChoice); an unknown one is let go."""
        self.board.choices = [SelectChoice("", "All boards")] + [
            SelectChoice(board.slug, board_label(board)) for board in boards.boards
        ]
        if boards.board is not None:
            self.board.data = boards.board.slug
        elif boards.problem:
            self.board.data = ""


class DashboardFilterForm(BoardSelect, FlaskForm):
    """The dashboard's filters, read from the query string (the CSV export reads the same)."""

    class Meta:
        csrf = False

    category = SelectField("Category", choices=[], validate_choice=False, default="")
    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Any status")]
        + [SelectChoice(*pair) for pair in labels.items("idea_status", dashboard.FILTER_STATUSES)],
        default="",
        validate_choice=False,
    )
    created_from = DayField("Proposed from", name="from")
    created_to = DayField("Proposed until", name="to")
    unlinked = BooleanField("Not on the roadmap", false_values=OFF)
    unanswered = BooleanField("No staff response yet", false_values=OFF)
    weighted = BooleanField("Weigh votes by segment", false_values=OFF)
    sort = HiddenField("Sort")

    def set_categories(self, categories) -> None:
        self.category.choices = [SelectChoice("", "All categories")] + [
            SelectChoice(category.slug, category.name) for category in categories
        ]

    def validate_status(self, field) -> None:
        if field.data and field.data not in dashboard.FILTER_STATUSES:
            raise StopValidation("Choose a status from the list.")

    def validate_sort(self, field) -> None:
        if field.data and field.data not in dashboard.SORTS:
            raise StopValidation(f"Sort by one of: {', '.join(dashboard.SORTS)}.")

    def validate_created_to(self, field) -> None:
        if field.data and self.created_from.data and field.data < self.created_from.data:
            raise StopValidation("The end date is before the start date.")

    @property
    def filters(self) -> dashboard.Filters:
        return dashboard.Filters(
            category=self.category.data or None,
            board=(self.board.data or "").strip() or None,
            status=self.status.data or None,
            created_from=self.created_from.data,
            created_to=self.created_to.data,
            unlinked=bool(self.unlinked.data),
            unanswered=bool(self.unanswered.data),
            sort=self.sort.data or "votes",
            weighted=bool(self.weighted.data),
        )


class BoardFilterForm(BoardSelect, FlaskForm):
    """The "Board" select of the insights and the roadmap (staff), read from the query string."""

    class Meta:
        csrf = False


class BulkStatusForm(FlaskForm):
    # The service checks the status, so a made-up value gets its message and changes nothing.
    status = SelectField(
        "New status",
        choices=[SelectChoice(*pair) for pair in labels.items("idea_status", SETTABLE_STATUSES)],
        validate_choice=False,
        # The dashboard's filters have a "status" field too.
        id="bulk-status",
    )
    status_note = TextAreaField(
        "Public note",
        [row_rule(STATUS_NOTE)],
        description="Shown in each idea's history and sent to its followers. Required when declining.",
        id="bulk-status-note",
    )


class WeightField(_ClearParseError, FloatField):
    invalid_message = WEIGHT_MESSAGE

    def _value(self) -> str:
        # 3, not 3.0; what was typed stays as typed.
        if self.raw_data:
            return str(self.raw_data[0])
        return f"{self.data:g}" if isinstance(self.data, int | float) else ""


def _strip(value):
    return value.strip() if isinstance(value, str) else value


@with_texts(TEXTS)
class SegmentForm(FlaskForm):
    weight = WeightField(
        "Weight",
        [InputRequired(WEIGHT_MESSAGE)],
        default=1.0,
        description="What one member's vote counts for when votes are weighed: 1 as any vote, 3 as three.",
        render_kw={"inputmode": "decimal"},
    )


class SegmentMembersForm(FlaskForm):
    emails = TextAreaField(
        "Email addresses",
        [DataRequired("Enter one or more email addresses.")],
        description=f"One a line, or separated by commas; up to {EMAILS_MAX} at a time. "
        "Members without an account are listed so you can invite them.",
    )
