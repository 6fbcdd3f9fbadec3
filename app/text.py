"""The one content pipeline for user text: Markdown -> HTML -> nh3 allow-list sanitizer.

User Markdown is rendered once, on write, by `render_markdown()`; the HTML it returns is
the only user-derived HTML the templates ever mark safe. Titles and names are plain text
and are escaped by Jinja; `plain_text()` and `excerpt()` make plain text from Markdown.
"""

import html
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

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


def _align_cells(state) -> None:
    # markdown-it aligns table cells with a style attribute, which the sanitizer drops
    # (and the CSP would block); the allowed `align` attribute says the same thing.
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            style = token.attrs.pop("style", None)
            if isinstance(style, str) and style.startswith("text-align:"):
                token.attrSet("align", style.removeprefix("text-align:"))


def _image_as_text(self, tokens, idx, options, env) -> str:
    # <img> is not allowed (no third-party requests from pages); keep the words the
    # author wrote instead of silently dropping them with the tag.
    return escapeHtml(self.renderInlineAsText(tokens[idx].children or [], options, env))


_markdown.core.ruler.push("align_cells", _align_cells)
_markdown.add_render_rule("image", _image_as_text)

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
    if length < 1:
        return ""
    head = text[: length - 1]
    # Drop the last word only when the cut falls inside it, not when it just ends there.
    inside_word = head[-1:].isalnum() and text[length - 1].isalnum()
    cut = head.rsplit(" ", 1)[0] if inside_word else head
    cut = cut.rstrip(",;:.- ") or head.rstrip()
    return cut + "…"


def normalize_line(value: str | None) -> str:
    """Trim and collapse internal whitespace of a one-line plain-text field (titles, names)."""
    return " ".join((value or "").split())
