"""The admin form for a webhook: where to send, which events, and whether it is on."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from app import labels
from app.services.webhook_events import EVENTS
from app.services.webhooks import DESCRIPTION_MAX, URL_MAX

DESCRIPTION_MESSAGE = f"Keep the description to {DESCRIPTION_MAX} characters or fewer."


class WebhookForm(FlaskForm):
    # The service checks the address and the events, so its messages land on these fields.
    url = StringField(
        "Payload URL",
        description="Where events are posted as JSON, like https://example.com/hooks/cocreate. "
        "Only public http:// or https:// addresses, without a user name or password.",
        render_kw={"maxlength": URL_MAX, "inputmode": "url", "autocomplete": "off", "spellcheck": "false"},
    )
    description = StringField(
        "Description",
        [Length(max=DESCRIPTION_MAX, message=DESCRIPTION_MESSAGE)],
        description="Optional: what receives these events, for the admins who come after you.",
        render_kw={"maxlength": DESCRIPTION_MAX},
    )
    events = SelectMultipleField(
        "Events",
        choices=[SelectChoice(*pair) for pair in labels.items("webhook_event", EVENTS)],
        validate_choice=False,
    )
    is_active = BooleanField("On: send events to this address", default=True)
