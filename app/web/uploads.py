"""Stored images and thumbnails of prototypes and ideas, at /uploads/<name>."""

from flask import Blueprint

from app import uploads
from app.errors import NotFound
from app.services import images
from app.web.support import current_actor

bp = Blueprint("uploads", __name__, url_prefix="/uploads")


@bp.get("/<name>")
def image(name: str):
    """A stored image or thumbnail of a prototype or an idea, for those who may see its owner."""
    if not uploads.is_upload_name(name):
        raise NotFound("No such image.")
    found = images.find_image(current_actor(), name)
    if found is None:
        raise NotFound("No such image.")
    return uploads.send_upload(name, found.content_type, public=found.public)
