"""Uploaded images: checked from their bytes, re-encoded to bare pixels, stored and served.

An upload is accepted only when Pillow reads it as PNG, JPEG or WebP from its bytes (never
from its name or the browser's content type), it is at most MAX_BYTES long and MAX_PIXELS
large, and it decodes completely. It is then drawn into a brand-new image and saved again
in the same format, so no metadata (EXIF, ICC profiles, text chunks, JPEG comments) and no
trailing bytes (a ZIP or HTML payload of a polyglot) survive: what is stored is pixels only.

Files are written under UPLOAD_DIR with random names. They follow the database transaction:
a file written for rows that are rolled back is deleted again, and a file whose row is
deleted goes away only once that deletion is committed.
"""

import io
import re
import secrets
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flask import Response, current_app, send_file
from PIL import ExifTags, Image, ImageOps
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.errors import Invalid, NotFound

MAX_BYTES = 5 * 1024 * 1024
MAX_IMAGES = 8
# Pixels an image may have; past this, decoding one upload would take hundreds of megabytes.
MAX_PIXELS = 40_000_000
THUMBNAIL_SIZE = (480, 320)

# Pillow's own guard warns above this and refuses above twice this; we refuse above it.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# Pillow format -> (content type, file extension)
FORMATS = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "WEBP": ("image/webp", "webp"),
}
CONTENT_TYPES = {extension: content_type for content_type, extension in FORMATS.values()}

NOT_AN_IMAGE = "That file is not a PNG, JPEG or WebP image."
TOO_MANY_BYTES = "Images can be at most 5 MB."
TOO_MANY_PIXELS = "That image is too large in pixels to be safe to open."

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}\.(png|jpg|webp)$")
# Uploads get new names when replaced, so browsers may keep them for a year.
CACHE_SECONDS = 365 * 24 * 3600

_WRITTEN = "uploads_written"  # session.info: files to delete unless the transaction commits
_DOOMED = "uploads_doomed"  # session.info: files to delete once the transaction commits


class ImageRefused(Exception):
    """An upload that is not an image we keep; `message` says why, for the person who sent it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: the name the sender gave it (for messages only) and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class CleanImage:
    """An image re-encoded to pixels only, with its thumbnail, ready to store."""

    format: str
    width: int
    height: int
    data: bytes
    thumbnail: bytes

    @property
    def content_type(self) -> str:
        return FORMATS[self.format][0]

    @property
    def extension(self) -> str:
        return FORMATS[self.format][1]


@dataclass(frozen=True)
class StoredImage:
    filename: str
    thumbnail: str
    content_type: str
    width: int
    height: int


def _open(data: bytes, formats: Iterable[str]) -> Image.Image:
    image = Image.open(io.BytesIO(data), formats=list(formats))
    if image.format not in FORMATS:
        raise ImageRefused(NOT_AN_IMAGE)
    if image.width * image.height > MAX_PIXELS:
        raise ImageRefused(TOO_MANY_PIXELS)
    return image


def _decode(data: bytes) -> Image.Image:
    """The first frame of the image in `data`, fully decoded; ImageRefused when it is not one we take."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = _open(data, FORMATS)
            image_format = probe.format
            probe.verify()
            # verify() leaves the image unusable; open again and decode every pixel.
            image = _open(data, [image_format])
            image.load()
        except ImageRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRefused(TOO_MANY_PIXELS) from None
        except Exception:  # any decoder failure means "not an image we can read"
            raise ImageRefused(NOT_AN_IMAGE) from None
    return image


def _pixel_mode(image: Image.Image) -> str:
    """The mode to keep the pixels in: JPEG is RGB; PNG keeps grey, and PNG and WebP keep alpha."""
    if image.format == "JPEG":
        return "RGB"
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    if (
        image.format == "PNG"
        and image.mode in ("L", "LA", "RGB", "RGBA")
        and not (image.mode in ("L", "RGB") and has_alpha)
    ):
        return image.mode
    return "RGBA" if has_alpha else "RGB"


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as the camera's EXIF orientation says (EXIF itself is dropped later)."""
    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:  # unreadable EXIF: keep the pixels as they are
        return image
    return ImageOps.exif_transpose(image) if orientation in range(2, 9) else image


def _thumbnail(image: Image.Image) -> Image.Image:
    """The image shrunk to fit THUMBNAIL_SIZE (never enlarged)."""
    ratio = min(THUMBNAIL_SIZE[0] / image.width, THUMBNAIL_SIZE[1] / image.height, 1)
    if ratio == 1:
        return image
    size = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encode(image: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    if image_format == "JPEG":
        image.save(out, "JPEG", quality=88, optimize=True)
    elif image_format == "WEBP":
        image.save(out, "WEBP", quality=88, method=4)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def clean_image(data: bytes) -> CleanImage:
    """Check one upload and re-encode it to pixels only, in memory; ImageRefused says why not."""
    # The length first: nothing larger than the limit is ever handed to a decoder.
    if len(data) > MAX_BYTES:
        raise ImageRefused(TOO_MANY_BYTES)
    if not data:
        raise ImageRefused(NOT_AN_IMAGE)
    image = _decode(data)
    image_format = image.format
    mode = _pixel_mode(image)
    steps = [image]
    try:
        source = _upright(image)
        steps.append(source)
        if source.mode != mode:
            source = source.convert(mode)
            steps.append(source)
        # A new image has no info of its own: no EXIF, ICC profile, text chunk or comment to copy.
        pixels = Image.new(mode, source.size)
        pixels.paste(source)
    except Exception:  # modes Pillow cannot convert are refused, not crashed on
        raise ImageRefused(NOT_AN_IMAGE) from None
    finally:
        for step in steps:
            step.close()  # frees the decoded pixels at once; large images are large
    return CleanImage(
        format=image_format,
        width=pixels.width,
        height=pixels.height,
        data=_encode(pixels, image_format),
        thumbnail=_encode(_thumbnail(pixels), image_format),
    )


def too_many_images(owner: str) -> str:
    """The message for more than MAX_IMAGES images on one `owner` ("prototype", "idea")."""
    article = "An" if owner[:1] in "aeiou" else "A"
    return f"{article} {owner} can have at most {MAX_IMAGES} images."


def check_uploads(
    uploads: list[Upload], already: int = 0, field: str = "images", owner: str = "prototype"
) -> list[CleanImage]:
    """Check and re-encode every upload (nothing is written); Invalid names each refused file."""
    if already + len(uploads) > MAX_IMAGES:
        left = MAX_IMAGES - already
        detail = f" This one has {already}; you can add {left} more." if already and left > 0 else ""
        raise Invalid({field: [too_many_images(owner) + detail]})
    cleaned, errors = [], []
    for upload in uploads:
        try:
            cleaned.append(clean_image(upload.data))
        except ImageRefused as refused:
            name = " ".join(upload.name.split())[:80]
            errors.append(f"{name}: {refused.message}" if name else refused.message)
    if errors:
        raise Invalid({field: errors})
    return cleaned


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _random_name(extension: str) -> str:
    return f"{secrets.token_urlsafe(24)}.{extension}"


def _write(folder: Path, name: str, data: bytes) -> None:
    # "x": never overwrite an existing file, however unlikely a name collision is.
    with open(folder / name, "xb") as file:
        file.write(data)


def store_images(session: Session, images: list[CleanImage]) -> list[StoredImage]:
    """Write the images and their thumbnails under random names.

    The files are tied to `session`'s transaction: if it does not commit, they are deleted.
    """
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    session.connection()  # begins the transaction whose end decides whether the files stay
    written = session.info.setdefault(_WRITTEN, [])
    stored = []
    for image in images:
        filename, thumbnail = _random_name(image.extension), _random_name(image.extension)
        for name, data in ((filename, image.data), (thumbnail, image.thumbnail)):
            written.append(folder / name)
            _write(folder, name, data)
        stored.append(StoredImage(filename, thumbnail, image.content_type, image.width, image.height))
    return stored


def delete_after_commit(session: Session, names: Iterable[str]) -> None:
    """Delete these stored files once `session` commits (a rollback keeps them)."""
    folder = upload_dir()
    session.info.setdefault(_DOOMED, []).extend(folder / name for name in names)


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    _remove(session.info.pop(_DOOMED, []))


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    # The outermost transaction ended without a commit (rollback, or a session closed unused).
    if transaction.parent is None and not transaction.nested:
        _remove(session.info.pop(_WRITTEN, []))
        session.info.pop(_DOOMED, None)


def is_upload_name(name: str) -> bool:
    return bool(NAME_PATTERN.match(name))


def send_upload(name: str, content_type: str, public: bool) -> Response:
    """Serve a stored file as an inline image that browsers never sniff as anything else.

    `public` allows shared caches; images of drafts stay in the viewer's own cache only.
    """
    path = upload_dir() / name
    if not is_upload_name(name) or not path.is_file():
        raise NotFound("No such image.")
    response = send_file(path, mimetype=content_type, conditional=True, etag=True, max_age=CACHE_SECONDS)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    scope = "public" if public else "private"
    response.headers["Cache-Control"] = f"{scope}, max-age={CACHE_SECONDS}, immutable"
    return response
