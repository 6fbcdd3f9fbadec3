"""Flask-WTF forms, one module per feature.

Forms coerce types and give the browser its hints; the rules and their messages belong to the
services. A text field of a feature's `FieldTable` (app/services/fields.py) is checked on the
form by its very row, so the form says what the service would, beside the form's other
problems; what only the service can check comes back through `call_with_form`.
"""

from collections.abc import Callable
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
        row_rule(Text("title", "Title", high=high, called="the title")),
    ]


class Checked:
    """A form field checked by the service's own rule: the same check, the same message.

    `problems` maps the value to the reasons it is refused (none: it is fine). `required` and
    `high` are the browser's hints (the required mark, the character counter).
    """

    def __init__(self, problems: Callable[[Any], list[str]], *, required: bool = False, high: int = 0):
        self.problems = problems
        self.field_flags = {
            **({"maxlength": high} if high else {}),
            **({"required": True} if required else {}),
        }

    def __call__(self, form: Any, field: Any) -> None:
        found = self.problems(field.data if field.data is not None else "")
        if found:
            raise StopValidation(found[0])


def row_rule(row: Text, required: bool | None = None) -> Checked:
    """A form field checked by its table row; `required` False leaves out the browser's required mark."""

    def problems(value: Any) -> list[str]:
        found: dict[str, list[str]] = {}
        row.check(value, found)
        return found.get(row.name, [])

    return Checked(problems, required=row.required if required is None else required, high=row.high)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _no_problems(value: Any) -> list[str]:
    return []


def marks(high: int = 0, required: bool = False) -> Checked:
    """The browser's hints alone (the counter's limit, the required mark), for a field the service checks."""
    return Checked(_no_problems, required=required, high=high)


def text_field(row: Text, check: bool = True, **render_kw: Any):
    """The form input of a table row: it strips the text and checks it by the row.

    With `check` False the form only marks the limits, and the service, called with every field,
    reports all the problems of the form at once.
    """
    kind = TextAreaField if row.markdown or row.lines or row.rows else StringField
    if row.rows:
        render_kw.setdefault("rows", row.rows)
    rule = row_rule(row) if check else marks(row.high, row.required)
    return kind(
        row.label,
        [rule],
        filters=[_strip],
        description=row.hint,
        render_kw=render_kw or None,
    )


def with_texts(table: FieldTable, check: bool = True, **render_kw: dict[str, Any]):
    """A class decorator giving a form one input per row of `table` (extra render_kw by name).

    `check` as for `text_field`.
    A field the class declares itself stays as declared. The form also gets `texts()`, the rows'
    values as the service's keywords, and `fill_texts(obj)`, to show an object's values.
    """

    def texts(form) -> dict[str, str]:
        return {row.name: form[row.name].data or "" for row in table}

    def fill_texts(form, obj: Any) -> None:
        for row in table:
            form[row.name].data = getattr(obj, row.name)

    def decorate(form_class):
        for row in table:
            if row.name not in vars(form_class):
                setattr(form_class, row.name, text_field(row, check, **render_kw.get(row.name, {})))
        form_class.texts = texts
        form_class.fill_texts = fill_texts
        return form_class

    return decorate
