"""The admin form for a webhook: where to send, which events, and whether it is on."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice

from app import labels
from app.forms import with_texts
from app.services.webhook_events import EVENTS
from app.services.webhooks import TEXTS, URL_MAX


@with_texts(TEXTS)
class WebhookForm(FlaskForm):
    # The service checks the address and the events, so its messages land on these fields.
    url = StringField(
        "Payload URL",
        description="Where events are posted as JSON, like https://example.com/hooks/cocreate. "
        "Only public http:// or https:// addresses, without a user name or password.",
        render_kw={"maxlength": URL_MAX, "inputmode": "url", "autocomplete": "off", "spellcheck": "false"},
    )
    events = SelectMultipleField(
        "Events",
        choices=[SelectChoice(*pair) for pair in labels.items("webhook_event", EVENTS)],
        validate_choice=False,
    )
    is_active = BooleanField("On: send events to this address", default=True)
