"""Forms for proposing and editing ideas, changing status, and categories."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app import labels
from app.forms import title_rules
from app.forms.accounts import strip
from app.forms.images import images_field
from app.idempotency import new_token
from app.models.idea import SETTABLE_STATUSES
from app.services.ideas import BODY_MAX, NOTE_MAX, TITLE_MAX, TITLE_MIN


class IdeaForm(FlaskForm):
    title = StringField(
        "Title",
        title_rules("Give your idea a title.", TITLE_MIN, TITLE_MAX),
        filters=[strip],
        description="What do you need? One sentence, like “Export reports to CSV”.",
    )
    body = TextAreaField(
        "Description",
        [Optional(), Length(max=BODY_MAX, message=f"Use at most {BODY_MAX:,} characters.")],
        description="Why it matters to you, and how you work around it today. Markdown works, "
        "and @username mentions someone.",
        render_kw={"data-mentions": ""},
    )
    category = SelectField("Category", choices=[], validate_choice=False)
    images = images_field("idea")
    # Set once the author has seen the similar ideas (the no-JavaScript confirmation step).
    confirmed = HiddenField()
    # New for each rendered form: the same form posted twice makes one idea (app/idempotency.py).
    submission_token = HiddenField(default=new_token)

    def set_categories(self, categories) -> None:
        self.category.choices = [SelectChoice("", "No category")] + [
            SelectChoice(c.slug, c.name) for c in categories
        ]


class StatusForm(FlaskForm):
    status = SelectField(
        "New status",
        choices=[SelectChoice(*pair) for pair in labels.items("idea_status", SETTABLE_STATUSES)],
    )
    status_note = TextAreaField(
        "Public note",
        [Optional(), Length(max=NOTE_MAX, message=f"Use at most {NOTE_MAX:,} characters.")],
        description="Shown in the idea's history and sent to its followers. Required when declining.",
    )


class CategoryForm(FlaskForm):
    name = StringField("Name", [DataRequired("Give the category a name."), Length(max=60)], filters=[strip])
    slug = StringField(
        "Slug",
        [Optional(), Length(max=60)],
        filters=[strip],
        description="Used in links; made from the name if empty.",
    )
    description = TextAreaField("Description", [Optional(), Length(max=300)])
    position = IntegerField("Order", [Optional(), NumberRange(min=0, max=10_000)], default=0)
