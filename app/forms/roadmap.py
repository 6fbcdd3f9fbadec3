"""Forms for the roadmap (staff): an item, its status, and linking ideas."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from app import labels
from app.forms import title_rules
from app.forms.accounts import strip
from app.forms.idea_links import TickedIdeasField, idea_references_field
from app.models.roadmap import RoadmapItem
from app.services.roadmap import (
    DESCRIPTION_MAX,
    RELEASE_NOTE_MAX,
    STATUSES,
    TARGET_MAX,
    TITLE_MAX,
    TITLE_MIN,
)


def _score(value: str | int | None) -> int | None:
    """A 1–5 select's value: blank means not set."""
    if value in (None, ""):
        return None
    return int(value)


def _scale(label: str, description: str) -> SelectField:
    return SelectField(
        label,
        choices=[SelectChoice("", "Not set")]
        + [SelectChoice(str(n), text) for n, text in labels.items("score")],
        coerce=_score,
        description=description,
    )


class RoadmapItemForm(FlaskForm):
    title = StringField(
        "Title",
        title_rules("Give the item a title.", TITLE_MIN, TITLE_MAX),
        filters=[strip],
        description="What customers will get, like “CSV export for every report”.",
    )
    description = TextAreaField(
        "Description",
        [Optional(), Length(max=DESCRIPTION_MAX, message=f"Use at most {DESCRIPTION_MAX:,} characters.")],
        description="What it is and why. Markdown works.",
        render_kw={"rows": 6},
    )
    target = StringField(
        "Target",
        [Optional(), Length(max=TARGET_MAX, message=f"Use at most {TARGET_MAX} characters.")],
        filters=[strip],
        description="Optional, free text like “2027 Q1” or “Spring”.",
    )
    public = BooleanField(
        "Show on the public roadmap",
        default=True,
        description="Private items are seen by staff only; supporters then hear about their ideas, "
        "never about the item.",
    )
    impact = _scale("Impact", "How much it helps customers (staff only).")
    effort = _scale("Effort", "How much work it is (staff only).")
    linked_ideas = TickedIdeasField()
    idea_ids = idea_references_field(
        None, "Open ideas move to the item’s status, and everyone who supports one hears when it moves."
    )
    # Only when creating: later changes go through the status form, which tells supporters.
    status = SelectField(
        "Status",
        choices=[SelectChoice(*pair) for pair in labels.items("roadmap_status", STATUSES)],
        default="planned",
        description="Later changes are made on the item’s page.",
    )

    def fill(self, item: RoadmapItem, idea_ids: list[int]) -> None:
        """Show an item's current values."""
        self.linked_ideas.data = idea_ids
        self.title.data = item.title
        self.description.data = item.description
        self.target.data = item.target
        self.public.data = item.is_public
        self.impact.data = item.impact
        self.effort.data = item.effort

    def values(self) -> dict:
        """The keyword arguments of create_item / update_item (without status and linked ideas)."""
        return {
            "title": self.title.data,
            "description": self.description.data or "",
            "target": self.target.data or "",
            "is_public": bool(self.public.data),
            "impact": self.impact.data,
            "effort": self.effort.data,
        }


class StatusForm(FlaskForm):
    status = SelectField(
        "New status", choices=[SelectChoice(*pair) for pair in labels.items("roadmap_status", STATUSES)]
    )
    release_note = TextAreaField(
        "Release note",
        [Optional(), Length(max=RELEASE_NOTE_MAX, message=f"Use at most {RELEASE_NOTE_MAX:,} characters.")],
        description="Optional; shown on the changelog once shipped. Markdown works. Everyone who voted "
        "for or follows a linked idea is told once, with this note.",
        render_kw={"rows": 4},
    )
