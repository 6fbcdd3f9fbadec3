"""The page layout's data, read once per request before a page renders."""

from pathlib import PurePosixPath
from typing import Any

from flask import Flask, before_render_template, g, has_request_context
from flask_login import current_user
from jinja2 import Template

from app.pages.layout import Layout, page_layout


def _is_page(template: Template) -> bool:
    """Whether `template` is a whole page (it extends the layout), not a fragment or an email."""
    path = PurePosixPath(template.name or "")
    return path.suffix == ".html" and not any(part.startswith("_") for part in path.parts)


def current_layout() -> Layout:
    """The layout's data for this request, read the first time a page asks."""
    if "layout" not in g:
        g.layout = page_layout(current_user._get_current_object())
    return g.layout


def _add_layout(app: Flask, template: Template, context: dict[str, Any], **extra: Any) -> None:
    # Context processors also run for fragments and emails, which show no header: only pages
    # pay for the layout's queries.
    if has_request_context() and _is_page(template):
        context["layout"] = current_layout()


def init_app(app: Flask) -> None:
    before_render_template.connect(_add_layout, app)
