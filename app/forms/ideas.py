"""Forms for proposing and editing ideas, changing status, and categories."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from app import labels
from app.forms import text_field, with_texts
from app.forms.images import images_field
from app.idempotency import new_token
from app.models.idea import SETTABLE_STATUSES
from app.services import categories
from app.services.ideas import STATUS_NOTE, TEXTS


@with_texts(TEXTS, body={"data-mentions": ""})
class IdeaForm(FlaskForm):
    category = SelectField("Category", choices=[], validate_choice=False)
    images = images_field("idea")
    # Set once the author has seen the similar ideas (the no-JavaScript confirmation step).
    confirmed = HiddenField()
    # New for each rendered form: the same form posted twice makes one idea (app/idempotency.py).
    submission_token = HiddenField(default=new_token)

    board = SelectField("Board", choices=[], validate_choice=False)

    # The boards set_boards() offered, if it was asked: categories of other boards are left out.
    open_board_ids: set[int] | None = None

    def set_categories(self, categories, boards_by_id=None) -> None:
        """Categories to choose from, but those of boards the form does not offer; with several
        boards, one limited to a board says which."""
        if self.open_board_ids is not None:
            categories = [c for c in categories if c.board_id is None or c.board_id in self.open_board_ids]

        def label(category) -> str:
            if boards_by_id and category.board_id in boards_by_id:
                return f"{category.name} ({boards_by_id[category.board_id].name} only)"
            return category.name

        self.category.choices = [SelectChoice("", "No category")] + [
            SelectChoice(c.slug, label(c)) for c in categories
        ]

    def set_boards(self, open_boards) -> None:
        """The boards an idea may go to (the field is left out of the page when there is one)."""
        self.open_board_ids = {board.id for board in open_boards}
        self.board.choices = [
            SelectChoice(board.slug, f"{board.name}{' (private)' if board.is_private else ''}")
            for board in open_boards
        ]


class StatusForm(FlaskForm):
    status = SelectField(
        "New status",
        choices=[SelectChoice(*pair) for pair in labels.items("idea_status", SETTABLE_STATUSES)],
    )
    status_note = text_field(STATUS_NOTE)


@with_texts(categories.TEXTS)
class CategoryForm(FlaskForm):
    position = IntegerField("Order", [Optional(), NumberRange(min=0, max=10_000)], default=0)
