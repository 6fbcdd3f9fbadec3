"""The form staff record a customer's vote with, on the idea page."""

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField
from wtforms.fields.choices import SelectChoice

from app import labels
from app.forms import marks, text_field
from app.services.proxy_votes import TEXTS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RecordVoteForm(FlaskForm):
    """Checked by the service, which reports every problem at once (app/services/proxy_votes.py)."""

    email = EmailField(
        "Customer's email",
        [marks(high=254, required=True)],
        filters=[_strip],
        description="Their account, or a new one: it is opened unconfirmed and they get an invitation.",
    )
    name = text_field(TEXTS["name"], check=False)
    source = SelectField(
        "Where you heard it",
        choices=[SelectChoice(*pair) for pair in labels.items("vote_source")],
        validate_choice=False,
    )
    note = text_field(TEXTS["note"], check=False)

    def __init__(self, *args, **kwargs):
        # Its ids stay apart from the other forms' on the idea page.
        super().__init__(*args, prefix="record", **kwargs)
