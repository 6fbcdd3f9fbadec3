"""The fields of a feature, written once: the rules, the messages and what forms and the API make of them.

A feature lists its text fields in a `FieldTable` of `Text` rows. The service checks values with
`table.check()` (the rows are the allow-list too); forms build their inputs from the rows and
check each by its row (app/forms: `with_texts`, `text_field`), the API takes them from a body
(app/api/parsing.py: `parse_texts`) and answers them (app/api/schemas.py: `texts_json`), and the
OpenAPI document describes them (app/api/openapi_schemas.py: `text_schemas`). A new optional text
field is one row.

Each check returns the cleaned value and, on a problem, puts the message under the field's name in
`fields`, so a service can report every problem of a form at once.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from app.errors import Invalid
from app.text import normalize_line, render_markdown

NOT_HERE = "This field can't be changed here."


def _too_long(label: str, high: int, length: int, message: str = "") -> str:
    if message:
        return message.format(high=high, length=length)
    return f"Keep {label} to {high:,} characters or fewer (it has {length:,})."


@dataclass(frozen=True)
class Text:
    """One text field: its limits, its messages, its form label and hint.

    `low` > 0 makes it required (`missing` is said when it is shorter). `markdown` keeps line
    breaks, and `html` stores the sanitized HTML beside it in `<name>_html`; `lines` keeps line
    breaks in a plain text. `label` is the form's label; `hint` the form's help text and the API's
    description.
    """

    name: str
    label: str
    high: int
    low: int = 0
    missing: str = ""
    markdown: bool = False
    html: bool = False
    lines: bool = False
    hint: str = ""
    rows: int = 0
    # How a too-long message names it: "Keep the title to 120 characters or fewer".
    called: str = "it"
    # When set, a value that is not text is refused with this; otherwise it counts as empty.
    not_text: str | None = None
    # A too-long message of its own, with {high} and {length}: "A comment can have at most {high:,} …".
    too_long: str = ""

    @property
    def required(self) -> bool:
        return self.low > 0

    def check(self, value: Any, fields: dict[str, list[str]]) -> str:
        """The value cleaned (a one-line text's spaces folded, line breaks kept otherwise); a problem
        goes under the field's name in `fields`. Null is empty; another non-text is refused with
        `not_text` when set, and counts as empty otherwise."""
        if self.not_text is not None and value is not None and not isinstance(value, str):
            fields[self.name] = [self.not_text]
            return ""
        if not isinstance(value, str):
            text = ""
        elif self.markdown or self.lines:
            text = value.strip()
        else:
            text = normalize_line(value)
        if len(text) < self.low:
            fields[self.name] = [self.missing]
        elif len(text) > self.high:
            fields[self.name] = [_too_long(self.called, self.high, len(text), self.too_long)]
        return text


class FieldTable:
    """A feature's text fields in order: the rules and the allow-list of what may be set."""

    def __init__(self, *rows: Text) -> None:
        self.rows = {row.name: row for row in rows}

    def __getitem__(self, name: str) -> Text:
        return self.rows[name]

    def __iter__(self) -> Iterator[Text]:
        return iter(self.rows.values())

    def __contains__(self, name: object) -> bool:
        return name in self.rows

    def without(self, *names: str) -> "FieldTable":
        """The same rows but these (for a form that sets them elsewhere)."""
        return FieldTable(*(row for name, row in self.rows.items() if name not in names))

    def check(self, given: Mapping[str, Any], fields: dict[str, list[str]]) -> dict[str, Any]:
        """The given values checked, with the HTML of Markdown fields; problems go to `fields`.

        A name the table does not hold is refused: the table is the allow-list.
        """
        values: dict[str, Any] = {}
        for name, value in given.items():
            row = self.rows.get(name)
            if row is None:
                fields[name] = [NOT_HERE]
                continue
            values[name] = row.check(value, fields)
            if row.html:
                values[f"{name}_html"] = render_markdown(values[name])
        return values

    def check_all(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Like `check`, raising Invalid with every problem at once."""
        fields: dict[str, list[str]] = {}
        values = self.check(given, fields)
        if fields:
            raise Invalid(fields)
        return values

    def defaults(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """`given` with every field of the table, the ones left out as empty text (for a new object)."""
        return {row.name: given.get(row.name, "") for row in self} | dict(given)
