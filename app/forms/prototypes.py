"""The form for creating and editing prototypes, and how its text fields turn into values."""

import re

from flask_wtf import FlaskForm
from wtforms import MultipleFileField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from app.forms import title_rules
from app.forms.accounts import strip
from app.services.prototypes import (
    DESCRIPTION_MAX,
    IDEAS_MAX,
    LINKS_MAX,
    TITLE_MAX,
    TITLE_MIN,
    LinkInput,
)
from app.uploads import MAX_IMAGES

# "12", "#12" or a link to the idea page ("/ideas/12", "https://…/ideas/12").
_IDEA_REFERENCE = re.compile(r"^(?:\S*/ideas/|#)?(\d{1,9})/?$")
IMAGE_TYPES = "image/png,image/jpeg,image/webp"


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
        title_rules("Give the prototype a title.", TITLE_MIN, TITLE_MAX),
        filters=[strip],
        description="What people will try, like “Clickable mock-up of CSV export”.",
    )
    description = TextAreaField(
        "Description",
        [Optional(), Length(max=DESCRIPTION_MAX, message=f"Use at most {DESCRIPTION_MAX:,} characters.")],
        description="What it is, what to try, and what you want to learn. Markdown works.",
    )
    images = MultipleFileField(
        "Add images",
        description=f"PNG, JPEG or WebP, up to 5 MB each and {MAX_IMAGES} per prototype. "
        "Only the pixels are kept: camera and location data are removed.",
        render_kw={"accept": IMAGE_TYPES},
    )
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
