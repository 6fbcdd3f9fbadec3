"""The file field that adds images to an idea or a prototype."""

from wtforms import MultipleFileField

from app.uploads import MAX_IMAGES

IMAGE_TYPES = "image/png,image/jpeg,image/webp"


def images_field(owner: str) -> MultipleFileField:
    """A field for up to MAX_IMAGES images of one `owner` ("prototype", "idea"); checked by the service."""
    return MultipleFileField(
        "Add images",
        description=f"PNG, JPEG or WebP, up to 5 MB each and {MAX_IMAGES} per {owner}. "
        "Only the pixels are kept: camera and location data are removed.",
        render_kw={"accept": IMAGE_TYPES},
    )
