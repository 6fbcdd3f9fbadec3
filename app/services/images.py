"""The images of an idea or a prototype: checking a change to them, then making it.

Both keep their images in a table of the same shape (PrototypeImage, IdeaImage); the files
themselves go through app/uploads.py. A change is checked whole before anything is written,
so a refused file, description or removal leaves no row and no file behind.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select

from app import uploads
from app.errors import Invalid
from app.extensions import db
from app.models.base import utcnow
from app.models.idea import Idea, IdeaImage
from app.models.prototype import Prototype, PrototypeImage
from app.text import normalize_line
from app.uploads import Upload
from app.visibility import visible_ideas, visible_prototypes

ALT_MAX = 200


@dataclass
class ImageChange:
    """A checked change: the images to remove, new descriptions by image id, and new images."""

    removing: list[Any] = field(default_factory=list)
    alts: dict[int, str] = field(default_factory=dict)
    cleaned: list[uploads.CleanImage] = field(default_factory=list)


def check_image_change(
    images: list[Any],
    owner: str,
    fields: dict[str, list[str]],
    add: list[Upload] | None = None,
    remove_ids: Iterable[int] | None = None,
    alts: dict[int, str] | None = None,
) -> ImageChange:
    """Check adding, removing and describing images of one owner; problems go into `fields`.

    `images` are the owner's current images, `owner` its name in messages ("prototype", "idea").
    """
    change = ImageChange()
    by_id = {image.id: image for image in images}
    gone = f"That image is not one of this {owner}'s images any more."
    for image_id in dict.fromkeys(remove_ids or []):
        if image_id not in by_id:
            fields["remove_images"] = [gone]
            break
        change.removing.append(by_id[image_id])
    change.alts = {image_id: normalize_line(text) for image_id, text in (alts or {}).items()}
    if any(image_id not in by_id for image_id in change.alts):
        fields["image_alts"] = [gone]
    elif any(len(text) > ALT_MAX for text in change.alts.values()):
        fields["image_alts"] = [f"Keep each image description to {ALT_MAX} characters or fewer."]
    if add:
        try:
            kept = len(images) - len(change.removing)
            change.cleaned = uploads.check_uploads(add, already=kept, owner=owner)
        except Invalid as refused:
            fields.update(refused.fields)
    return change


def apply_image_change(images: list[Any], change: ImageChange, make: Callable[..., Any]) -> None:
    """Make a checked change to `images` (the owner's loaded collection).

    `make` builds a row of the owner's image table. Removed images' files are deleted once
    the transaction commits; new files are deleted again if it does not.
    """
    session = db.session()
    for image_id, text in change.alts.items():
        next(image for image in images if image.id == image_id).alt = text
    for image in change.removing:
        images.remove(image)
    doomed = [name for image in change.removing for name in (image.filename, image.thumbnail)]
    uploads.delete_after_commit(session, doomed)
    start = max((image.position for image in images), default=-1) + 1
    for offset, stored in enumerate(uploads.store_images(session, change.cleaned)):
        images.append(
            make(
                filename=stored.filename,
                thumbnail=stored.thumbnail,
                content_type=stored.content_type,
                width=stored.width,
                height=stored.height,
                position=start + offset,
                created_at=utcnow(),
            )
        )


# Each kind of image: its table, its owner's table, the column joining them, the owner's visibility.
_KINDS = (
    (PrototypeImage, Prototype, PrototypeImage.prototype_id, visible_prototypes),
    (IdeaImage, Idea, IdeaImage.idea_id, visible_ideas),
)


@dataclass(frozen=True)
class FoundImage:
    content_type: str
    # Whether a signed-out visitor may see its owner too (then shared caches may keep it).
    public: bool


def find_image(actor: Any, name: str) -> FoundImage | None:
    """The image stored under `name` (full size or thumbnail), if `actor` may see its idea or prototype."""
    for image, owner, owner_id, visible in _KINDS:
        row = db.session.execute(
            select(image.content_type, visible(None).label("public"))
            .join(owner, owner.id == owner_id)
            .where(or_(image.filename == name, image.thumbnail == name), visible(actor))
        ).first()
        if row is not None:
            return FoundImage(row.content_type, bool(row.public))
    return None
