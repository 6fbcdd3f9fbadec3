"""The linked-ideas fields shared by the prototype, launch and roadmap item forms."""

from wtforms import Field, StringField
from wtforms.validators import Length, Optional

from app.forms.accounts import strip
from app.services.idea_links import QUERY_MAX


class TickedIdeasField(Field):
    """The ticked idea boxes (or the picker's chips): one idea number per value, in order."""

    def __init__(self, label: str = "Linked ideas", **kwargs) -> None:
        super().__init__(label, default=list, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        # The boxes carry the numbers the page wrote; anything else was not a box on it.
        self.data = [
            int(value) for value in valuelist if value.isascii() and value.isdigit() and len(value) < 11
        ]


def idea_references_field(how_many: int | None, why: str) -> StringField:
    """The text field naming more ideas to link: numbers, idea links or exact titles."""
    limit = f"Up to {how_many} ideas in all. " if how_many else ""
    return StringField(
        "Add ideas",
        [Optional(), Length(max=QUERY_MAX * 5, message=f"Use at most {QUERY_MAX * 5:,} characters.")],
        filters=[strip],
        description="Type words from an idea’s title to find it, or its number (like 12) or link; "
        f"separate several with commas. {limit}{why}",
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
