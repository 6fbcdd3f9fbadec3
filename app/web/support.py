"""Helpers shared by the HTML views."""

from collections.abc import Callable
from typing import Any, TypeVar

from flask import request, url_for
from flask_wtf import FlaskForm

from app.errors import Invalid
from app.extensions import db
from app.links import local_path, referrer_path

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


def safe_next_url(default_endpoint: str = "main.index", **values: Any) -> str:
    """The `next` target (query or form) if it is a path on this site, else the default page.

    Every redirect to a target the request names goes through here (or safe_referrer()).
    """
    target = request.args.get("next") or request.form.get("next")
    return local_path(target) or url_for(default_endpoint, **values)


def safe_referrer(default_endpoint: str = "main.index", **values: Any) -> str:
    """The page the request came from if it is on this site (as a path), else the default page."""
    return referrer_path() or url_for(default_endpoint, **values)
