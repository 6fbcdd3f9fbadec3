"""The one content pipeline for user text: Markdown -> HTML -> nh3 allow-list sanitizer.

User Markdown is rendered once, on write, by `render_markdown()`; the HTML it returns is
the only user-derived HTML the templates ever mark safe. Titles and names are plain text
and are escaped by Jinja; `plain_text()` and `excerpt()` make plain text from Markdown.
"""

import html
import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

# CommonMark with raw HTML off (it is escaped, not passed through), plus tables,
# strikethrough and bare-URL linking.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
_markdown.enable(["table", "strikethrough", "linkify"])

_code_class = re.compile(r"^language-[\w+-]{1,30}$")


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "code" and attribute == "class":
        return value if _code_class.match(value) else None
    return value


def sanitize_html(html: str) -> str:
    """Keep only the allowed tags, attributes and URL schemes; links get rel=nofollow ugc noopener."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        attribute_filter=_keep_attribute,
        strip_comments=True,
    )


def render_markdown(source: str | None) -> str:
    """Render user Markdown to sanitized HTML, safe to mark safe in templates."""
    if not source:
        return ""
    return sanitize_html(_markdown.render(source))


def plain_text(source: str | None) -> str:
    """The readable text of user Markdown, with every tag removed and whitespace collapsed."""
    if not source:
        return ""
    text = nh3.clean(_markdown.render(source), tags=set(), attributes={})
    return " ".join(html.unescape(text).split())


def excerpt(source: str | None, length: int = 200) -> str:
    """A plain-text excerpt of at most `length` characters, cut at a word boundary."""
    text = plain_text(source)
    if len(text) <= length:
        return text
    cut = text[: length - 1].rsplit(" ", 1)[0].rstrip(",;:.-")
    return cut + "…"


def normalize_line(value: str | None) -> str:
    """Trim and collapse internal whitespace of a one-line plain-text field (titles, names)."""
    return " ".join((value or "").split())
