"""Helpers shared by the HTML views."""

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import request, url_for
from flask_wtf import FlaskForm

from app.errors import Invalid
from app.extensions import db

T = TypeVar("T")


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


def safe_next_url(default_endpoint: str = "main.index") -> str:
    """The `next` target if it is a path on this site, else the default page."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and "\\" not in target and not parts.netloc:
        return target
    return url_for(default_endpoint)
