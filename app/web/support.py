"""Helpers shared by the HTML views."""

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import MultipleFileField

from app import uploads
from app.errors import Invalid
from app.extensions import db
from app.links import local_path, referrer_path
from app.uploads import Upload

T = TypeVar("T")


def current_actor():
    """The signed-in user (or the anonymous visitor) as the object services take as `actor`."""
    return current_user._get_current_object()


def csv_response(text: str, filename: str) -> Response:
    """A CSV export as a download that no browser or proxy keeps."""
    return Response(
        text,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


def call_with_form(
    form: FlaskForm, service: Callable[..., T], *args: Any, **kwargs: Any
) -> tuple[bool, T | None]:
    """Call a service; on Invalid, put its messages on the form's fields and undo any change.

    Returns (ok, result). The one place where the web layer turns field errors into form errors.
    """
    try:
        return True, service(*args, **kwargs)
    except Invalid as error:
        db.session.rollback()
        for name, messages in error.fields.items():
            field = form._fields.get(name)
            if field is None:
                form.form_errors.extend(messages)
            else:
                field.errors = [*field.errors, *messages]
        return False, None


def safe_next_url(default_endpoint: str = "main.index", **values: Any) -> str:
    """The `next` target (query or form) if it is a path on this site, else the default page.

    Every redirect to a target the request names goes through here (or safe_referrer()).
    """
    target = request.args.get("next") or request.form.get("next")
    return local_path(target) or url_for(default_endpoint, **values)


def safe_referrer(default_endpoint: str = "main.index", **values: Any) -> str:
    """The page the request came from if it is on this site (as a path), else the default page."""
    return referrer_path() or url_for(default_endpoint, **values)


def allow_large_uploads(bp: Blueprint, endpoints: set[str]) -> None:
    """Let posts to these endpoints of `bp` carry images (8 of 5 MB) past the site-wide size limit."""

    @bp.url_value_preprocessor
    def _allow_large_uploads(endpoint: str | None, values) -> None:
        # URL value preprocessors run before every before_request hook, so the limit is raised
        # before CSRF protection reads the form; everywhere else the site-wide limit stays.
        if endpoint in endpoints and request.method == "POST":
            request.max_content_length = current_app.config["MAX_UPLOAD_REQUEST_LENGTH"]


def chosen_uploads(field: MultipleFileField) -> list[Upload]:
    """The files chosen in `field`; a file over the limit is read only one byte past it (then refused)."""
    return [
        Upload(name=storage.filename, data=storage.stream.read(uploads.MAX_BYTES + 1))
        for storage in _files(field)
    ]


def _files(field: MultipleFileField) -> list[FileStorage]:
    # Only files that came with the request: not the empty part browsers send when no file is
    # chosen, nor the images a form filled from its object holds when no file field was sent.
    return [item for item in field.data or [] if isinstance(item, FileStorage) and item.filename]


FILES_NOT_KEPT = "Files are not kept when the form has a problem: choose the images again."


def files_not_kept(field: MultipleFileField, message: str = FILES_NOT_KEPT) -> None:
    """Browsers cannot fill a file input again, so say so when a form that had files comes back."""
    if _files(field):
        field.errors = [*field.errors, message]


def image_alts(images) -> dict[int, str]:
    """The descriptions an edit form sent for these images (fields alt-<id>), by image id."""
    alts = {}
    for image in images:
        value = request.form.get(f"alt-{image.id}")
        if value is not None:
            alts[image.id] = value
    return alts


def removed_image_ids() -> list[int]:
    """The images an edit form ticked for removal."""
    return sorted({int(value) for value in request.form.getlist("remove_images") if value.isdigit()})
