"""Forms for boards: adding and changing one, who may see a private one, moving an idea."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from app.forms import with_texts
from app.forms.admin import WholeNumberField
from app.services import boards

VISIBILITY_CHOICES = [
    SelectChoice("public", "Public: everyone sees it"),
    SelectChoice("private", "Private: the team and the members you choose"),
]


@with_texts(boards.TEXTS)
class BoardForm(FlaskForm):
    # The service checks the value, so a made-up one gets its message and changes nothing.
    visibility = SelectField("Who sees it", choices=VISIBILITY_CHOICES, validate_choice=False)
    position = WholeNumberField("Order", [Optional(), NumberRange(min=0, max=10_000)], default=0)


class BoardMemberForm(FlaskForm):
    who = StringField(
        "Member",
        [InputRequired("Give the member's email address or @username.")],
        description="Their email address or @username. They are told they were invited.",
    )


class BoardSegmentForm(FlaskForm):
    segment = SelectField("Segment", choices=[], validate_choice=False)


class BoardDomainForm(FlaskForm):
    domain = StringField(
        "Email domain",
        [InputRequired("Give a domain such as example.com.")],
        description="Members whose verified email address ends in @this domain see the board.",
    )


class MoveBoardForm(FlaskForm):
    board = SelectField("Move to board", choices=[], validate_choice=False)

    def set_boards(self, shown, current_id: int) -> None:
        self.board.choices = [
            SelectChoice(board.slug, f"{board.name}{' (private)' if board.is_private else ''}")
            for board in shown
            if board.id != current_id
        ]
