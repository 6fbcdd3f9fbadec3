"""The sitemap (/sitemap.xml) and robots.txt, which names it: what search engines may find.

The sitemap lists the home page, the public boards and the public ideas, as a visitor sees
them whoever asks: never a private board or anything on it. Visitors' copies (search engines
come signed out) are kept until the ideas or the boards change, and shareable by a proxy.
"""

from datetime import UTC, datetime
from xml.sax.saxutils import escape

from flask import Blueprint, Response

from app.links import absolute_url, absolute_urls
from app.pagecache import kept_for_visitors
from app.services import sitemap as sitemap_service
from app.versions import IDEAS_SCOPE

bp = Blueprint("sitemap", __name__)

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
# robots.txt changes only with the site's address: browsers and crawlers may keep it a day.
ROBOTS_MAX_AGE = 24 * 3600


def _url(location: str, changed: datetime | None = None) -> str:
    lastmod = f"<lastmod>{changed.astimezone(UTC).isoformat(timespec='seconds')}</lastmod>" if changed else ""
    return f"<url><loc>{escape(location)}</loc>{lastmod}</url>"


@bp.get("/sitemap.xml")
@kept_for_visitors(IDEAS_SCOPE)
def sitemap():
    entries = sitemap_service.sitemap_entries()
    url = absolute_urls()
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<urlset xmlns="{NAMESPACE}">',
        _url(url("main.index")),
        *(_url(url("boards.detail", slug=board.slug)) for board in entries.boards),
        *(_url(url("ideas.detail", idea_id=idea_id), changed) for idea_id, changed in entries.ideas),
        "</urlset>",
    ]
    return Response("\n".join(lines) + "\n", mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    body = f"User-agent: *\nAllow: /\n\nSitemap: {absolute_url('sitemap.sitemap')}\n"
    response = Response(body, mimetype="text/plain")
    response.cache_control.public = True
    response.cache_control.max_age = ROBOTS_MAX_AGE
    return response
