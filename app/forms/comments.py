"""Forms for comments and staff-only internal notes.

The service checks the text (one rule for the pages and the API); the forms parse and carry CSRF.
"""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import Optional
from wtforms.widgets import HiddenInput

from app.services.comments import TEXTS

BODY = TEXTS["body"]
MARKDOWN_HINT = f"{BODY.hint} Up to {BODY.high:,} characters."


class CommentForm(FlaskForm):
    body = TextAreaField(BODY.label, description=MARKDOWN_HINT)
    parent_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    # The thread's forms carry a new one each (template global `submission_token()`): the same
    # form posted twice makes one comment (app/idempotency.py).
    submission_token = HiddenField()


class EditCommentForm(FlaskForm):
    body = TextAreaField("Comment", description=MARKDOWN_HINT, render_kw={"data-mentions": ""})


class NoteForm(FlaskForm):
    body = TextAreaField("Internal note", description="Only staff see this. Markdown works.")
    submission_token = HiddenField()
