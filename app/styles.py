"""The style sheet: the parts in static/css joined in one fixed order, served as one cacheable file.

Pages link `styles_url()`, an address that carries a hash of the content: a browser keeps the
file for a year and asks again only when a part changes (the address changes with it). The file
comes from this site, so the Content-Security-Policy's `style-src 'self'` allows it.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, current_app, redirect, request, url_for

# The order is the cascade: design tokens, then the base and the shared components, then one
# file per feature. A new part is added here, and only here.
PARTS = (
    "tokens.css",
    "base.css",
    "site.css",
    "components.css",
    "forms.css",
    "pages.css",
    "accounts.css",
    "ideas.css",
    "comments.css",
    "notifications.css",
    "admin.css",
    "moderation.css",
    "prototypes.css",
    "rounds.css",
    "launches.css",
    "roadmap.css",
    "staff.css",
    "api.css",
    "pickers.css",
)
ONE_YEAR = 365 * 24 * 60 * 60


@dataclass(frozen=True)
class Bundle:
    text: str
    digest: str
    stamp: tuple[float, ...]


def _stamp(folder: Path) -> tuple[float, ...]:
    return tuple((folder / name).stat().st_mtime for name in PARTS)


def build(folder: Path) -> Bundle:
    """Join the parts in PARTS order, each headed by its file name."""
    text = "".join(f"/* {name} */\n{(folder / name).read_text(encoding='utf-8')}\n" for name in PARTS)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return Bundle(text, digest, _stamp(folder))


def current_bundle() -> Bundle:
    """The bundle, built once; in debug mode built again whenever a part changes."""
    app = current_app
    folder = Path(app.static_folder) / "css"
    bundle = app.extensions["styles"]
    if app.debug and bundle.stamp != _stamp(folder):
        bundle = app.extensions["styles"] = build(folder)
    return bundle


def styles_url() -> str:
    """The address of the current bundle (a template global; base.html links it)."""
    return url_for("styles", digest=current_bundle().digest)


def serve(digest: str) -> Response:
    """The bundle, cacheable for a year; 304 when the browser has it; an old address redirects."""
    bundle = current_bundle()
    if digest != bundle.digest:
        # A page cached before the styles changed: send it to the current file, without caching the detour.
        response = redirect(url_for("styles", digest=bundle.digest))
        response.headers["Cache-Control"] = "no-cache"
        return response
    response = Response(bundle.text, mimetype="text/css")
    response.set_etag(bundle.digest)
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    """Build the bundle once and add its route and the `styles_url` template global."""
    folder = Path(app.static_folder) / "css"
    app.extensions["styles"] = build(folder)
    app.add_url_rule("/assets/styles-<digest>.css", "styles", serve, methods=["GET"])
    app.add_template_global(styles_url, "styles_url")
