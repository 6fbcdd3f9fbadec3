"""The form for creating and editing prototypes, and how its text fields turn into values."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Optional

from app.forms import with_texts
from app.forms.idea_links import TickedIdeasField, idea_references_field
from app.forms.images import images_field
from app.services.prototypes import (
    IDEAS_MAX,
    LINKS_MAX,
    TEXTS,
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


@with_texts(TEXTS)
class PrototypeForm(FlaskForm):
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
