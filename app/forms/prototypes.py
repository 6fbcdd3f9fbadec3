"""The form for creating and editing prototypes, and how its text fields turn into values."""

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.forms import title_rules
from app.forms.accounts import strip
from app.forms.idea_links import TickedIdeasField, idea_references_field
from app.forms.images import images_field
from app.services.prototypes import (
    DESCRIPTION_MAX,
    IDEAS_MAX,
    LINKS_MAX,
    TITLE_MAX,
    TITLE_MIN,
    LinkInput,
)


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
    images = images_field("prototype")
    links = TextAreaField(
        "Links",
        [Optional()],
        description=f"Up to {LINKS_MAX}, one per line: the http:// or https:// address, then a label. "
        "For example: https://example.com/demo Clickable demo",
        render_kw={"rows": 3, "autocomplete": "off", "spellcheck": "false"},
    )
    linked_ideas = TickedIdeasField()
    idea_ids = idea_references_field(IDEAS_MAX, "Their followers hear when the prototype is published.")

    def link_inputs(self) -> list[LinkInput]:
        return parse_links(self.links.data)
