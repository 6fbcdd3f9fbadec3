"""The form for creating and editing prototypes, and how its text fields turn into values."""

import re

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.forms.accounts import strip
from app.forms.images import images_field
from app.services.prototypes import (
    DESCRIPTION_MAX,
    IDEAS_MAX,
    LINKS_MAX,
    TITLE_MAX,
    TITLE_MIN,
    LinkInput,
)

# "12", "#12" or a link to the idea page ("/ideas/12", "https://…/ideas/12").
_IDEA_REFERENCE = re.compile(r"^(?:\S*/ideas/|#)?(\d{1,9})/?$")


def parse_links(text: str | None) -> list[LinkInput]:
    """One link per line: the address, then an optional label after a space."""
    links = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line:
            url, _, label = line.partition(" ")
            links.append(LinkInput(url=url, label=label.strip()))
    return links


def format_links(links) -> str:
    return "\n".join(f"{link.url} {link.label}".strip() for link in links)


def parse_idea_ids(text: str | None) -> list[int]:
    """Idea numbers separated by commas or spaces; ValueError names the first one that is not."""
    ids = []
    for token in re.split(r"[\s,;]+", (text or "").strip()):
        if not token:
            continue
        match = _IDEA_REFERENCE.match(token)
        if match is None:
            raise ValueError(token)
        ids.append(int(match.group(1)))
    return ids


class PrototypeForm(FlaskForm):
    title = StringField(
        "Title",
        [
            DataRequired("Give the prototype a title."),
            Length(
                min=TITLE_MIN, max=TITLE_MAX, message=f"Use between {TITLE_MIN} and {TITLE_MAX} characters."
            ),
        ],
        filters=[strip],
        description="What people will try, like “Clickable mock-up of CSV export”.",
    )
    description = TextAreaField(
        "Description",
        [Optional(), Length(max=DESCRIPTION_MAX, message=f"Use at most {DESCRIPTION_MAX:,} characters.")],
        description="What it is, what to try, and what you want to learn. Markdown works.",
    )
    images = images_field("prototype")
    links = TextAreaField(
        "Links",
        [Optional()],
        description=f"Up to {LINKS_MAX}, one per line: the http:// or https:// address, then a label. "
        "For example: https://example.com/demo Clickable demo",
        render_kw={"rows": 3, "autocomplete": "off", "spellcheck": "false"},
    )
    idea_ids = StringField(
        "Linked ideas",
        [Optional()],
        filters=[strip],
        description=f"Up to {IDEAS_MAX} idea numbers, separated by commas, like 12, 15. "
        "Their followers hear when the prototype is published.",
        render_kw={"autocomplete": "off", "inputmode": "numeric"},
    )

    def validate_idea_ids(self, field) -> None:
        try:
            parse_idea_ids(field.data)
        except ValueError as error:
            raise ValidationError(
                f"“{error}” is not an idea number; write numbers separated by commas, like 12, 15."
            ) from None

    def link_inputs(self) -> list[LinkInput]:
        return parse_links(self.links.data)

    def idea_id_list(self) -> list[int]:
        return parse_idea_ids(self.idea_ids.data)
