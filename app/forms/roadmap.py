"""Forms for the roadmap (staff): an item, its status, and linking ideas."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

from app import labels
from app.forms import text_field, with_texts
from app.forms.idea_links import TickedIdeasField, idea_references_field
from app.models.roadmap import RoadmapItem
from app.services.roadmap import (
    STATUSES,
    TEXTS,
)

# The item form's texts; the release note is written when the status changes.
ITEM_TEXTS = TEXTS.without("release_note")


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


@with_texts(ITEM_TEXTS)
class RoadmapItemForm(FlaskForm):
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
        self.fill_texts(item)
        self.public.data = item.is_public
        self.impact.data = item.impact
        self.effort.data = item.effort

    def values(self) -> dict:
        """The keyword arguments of create_item / update_item (without status and linked ideas)."""
        return {
            **self.texts(),
            "is_public": bool(self.public.data),
            "impact": self.impact.data,
            "effort": self.effort.data,
        }


class StatusForm(FlaskForm):
    status = SelectField(
        "New status", choices=[SelectChoice(*pair) for pair in labels.items("roadmap_status", STATUSES)]
    )
    release_note = text_field(TEXTS["release_note"])
