"""Links: absolute ones for things that leave the site, and the check that a redirect stays on it."""

from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from flask import current_app, request


def absolute_url(endpoint: str, **values) -> str:
    """An absolute URL built on SITE_URL, never on the request's Host header.

    Reset links built from the Host header could be pointed at an attacker's site.
    """
    return absolute_urls()(endpoint, **values)


def absolute_urls() -> Callable[..., str]:
    """`absolute_url` for many links at once (a sitemap): SITE_URL is read once."""
    parts = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )

    def build(endpoint: str, **values) -> str:
        return adapter.build(endpoint, values, force_external=True)

    return build


def site_path(endpoint: str, **values) -> str:
    """The path of a page on this site, also outside a request (services, CLI, seeders)."""
    parts = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind("localhost", script_name=parts.path or "/")
    return adapter.build(endpoint, values)


def absolute_path(path: str) -> str:
    """Make a path from site_path() absolute (it already holds SITE_URL's own path prefix)."""
    parts = urlsplit(current_app.config["SITE_URL"])
    return f"{parts.scheme or 'https'}://{parts.netloc}{path}"


def local_path(target: str | None) -> str | None:
    """`target` when a redirect to it stays on this site (a path like /ideas/3?page=2), else None.

    Browsers read `//host`, `/\\host` and `\\\\host` as other sites and drop tabs, line breaks and
    leading spaces before they do; servers and proxies may decode `%2F` and `%5C` on the way. So
    the target, and each percent-decoding of it, must start with one slash that no slash or
    backslash follows, and hold no backslash and no control character anywhere.
    """
    if not target:
        return None
    text = target
    for _ in range(4):  # percent-encoded, and encoded again
        if not text.startswith("/") or text.startswith("//") or "\\" in text:
            return None
        if any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in text):
            return None
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return None
        decoded = unquote(text)
        if decoded == text:
            return target
        text = decoded
    return None


def referrer_path() -> str | None:
    """The page this request came from, as a path, when it is a page of this site; else None."""
    referrer = request.referrer or ""
    own = request.host_url  # scheme and host, ending in a slash
    if referrer.startswith(own):
        referrer = "/" + referrer[len(own) :]
    return local_path(referrer)
