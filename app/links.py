"""Absolute links for things that leave the site (emails, feeds, notifications)."""

from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, **values) -> str:
    """An absolute URL built on SITE_URL, never on the request's Host header.

    Reset links built from the Host header could be pointed at an attacker's site.
    """
    parts = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def site_path(endpoint: str, **values) -> str:
    """The path of a page on this site, also outside a request (services, CLI, seeders)."""
    parts = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind("localhost", script_name=parts.path or "/")
    return adapter.build(endpoint, values)


def absolute_path(path: str) -> str:
    """Make a path from site_path() absolute (it already holds SITE_URL's own path prefix)."""
    parts = urlsplit(current_app.config["SITE_URL"])
    return f"{parts.scheme or 'https'}://{parts.netloc}{path}"
