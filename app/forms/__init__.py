"""Flask-WTF forms, one module per feature.

Forms coerce types and give the browser its hints; the rules and their messages belong to the
services. A text field of a feature's `FieldTable` (app/services/fields.py) is checked on the
form by its very row, so the form says what the service would, beside the form's other
problems; what only the service can check comes back through `call_with_form`.
"""

from typing import Any

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, StopValidation

from app.services.fields import FieldTable, Text


def title_rules(required: str, low: int, high: int) -> list:
    """A title's checks: present, then a message for too short and another for too long.

    The too-long message gives the length, since the title comes back whole to be shortened.
    """
    return [
        DataRequired(required),
        Length(min=low, message=f"Use between {low} and {high} characters."),
        RowRule(Text("title", "Title", high=high, called="the title")),
    ]


class RowRule:
    """A form field checked by its table row: the service's rule and message, and the browser's hints."""

    def __init__(self, row: Text) -> None:
        self.row = row
        self.field_flags = {"maxlength": row.high, **({"required": True} if row.required else {})}

    def __call__(self, form: Any, field: Any) -> None:
        problems: dict[str, list[str]] = {}
        self.row.check(field.data, problems)
        if problems:
            raise StopValidation(problems[self.row.name][0])


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def text_field(row: Text, **render_kw: Any):
    """The form input of a table row: it strips the text and checks it by the row."""
    kind = TextAreaField if row.markdown or row.lines or row.rows else StringField
    if row.rows:
        render_kw.setdefault("rows", row.rows)
    return kind(
        row.label,
        [RowRule(row)],
        filters=[_strip],
        description=row.hint,
        render_kw=render_kw or None,
    )


def with_texts(table: FieldTable, **render_kw: dict[str, Any]):
    """A class decorator giving a form one input per row of `table` (extra render_kw by name).

    A field the class declares itself stays as declared.
    """

    def decorate(form_class):
        for row in table:
            if row.name not in vars(form_class):
                setattr(form_class, row.name, text_field(row, **render_kw.get(row.name, {})))
        return form_class

    return decorate
