"""Properties of the content pipeline (app/text.py) and of list pagination, tested with hypothesis.

Whatever a user writes, the HTML the site stores and marks safe holds no script, no event
handler and no javascript:, vbscript: or data: URL. The output is parsed like a browser would
read its tags (html.parser), not matched with regular expressions.
"""

import math
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.errors import BadRequest
from app.services.pagination import MAX_PAGE, MAX_PER_PAGE, Page, page_args
from app.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, excerpt, render_markdown, sanitize_html

PROPERTY = settings(max_examples=200, deadline=None, derandomize=True)

DANGEROUS_SCHEMES = ("javascript", "vbscript", "data")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster", "srcset"}
# Browsers drop C0 controls and spaces around a URL and tabs and newlines inside it.
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f-\x9f]")


# --- strategies ------------------------------------------------------------------------------


@st.composite
def obfuscated_char(draw, char: str) -> str:
    """One character of a URL scheme as an attacker might write it: case, entities, padding."""
    char = draw(st.sampled_from([char.lower(), char.upper()]))
    form = draw(st.sampled_from(["plain", "plain", "decimal", "hex", "padded"]))
    if form == "decimal":
        char = f"&#{ord(char)}" + draw(st.sampled_from([";", ""]))
    elif form == "hex":
        char = f"&#x{ord(char):x}" + draw(st.sampled_from([";", ""]))
    elif form == "padded":
        char = f"&#{ord(char):07d};"
    noise = draw(st.sampled_from(["", "", "", "\t", "\n", "\r", "\x00", "&Tab;", "&NewLine;", "&#9;"]))
    return noise + char


@st.composite
def dangerous_url(draw) -> str:
    scheme = draw(st.sampled_from(DANGEROUS_SCHEMES))
    letters = "".join(draw(obfuscated_char(char)) for char in scheme)
    colon = draw(st.sampled_from([":", ":", "&colon;", "&#58;", "&#x3A;", "&#x3a"]))
    lead = draw(st.sampled_from(["", " ", "\x01", "\x1f", "&#32;", "\u00a0"]))
    payload = draw(
        st.sampled_from(["alert(1)", "text/html;base64,PHNjcmlwdD4=", "msgbox(1)", "//%0aalert(1)"])
    )
    return lead + letters + colon + payload


EVENT_HANDLERS = st.builds(
    lambda name, quote: f"{name}={quote}alert(1){quote}",
    st.sampled_from(["onerror", "onload", "ONCLICK", "onMouseOver", "onfocus", "onanimationstart"]),
    st.sampled_from(['"', "'", ""]),
)


@st.composite
def html_fragment(draw) -> str:
    """A piece of HTML or Markdown that tries to smuggle script in."""
    url = draw(dangerous_url())
    handler = draw(EVENT_HANDLERS)
    tag = draw(st.sampled_from(["a", "img", "svg", "iframe", "p", "div", "body", "input", "math", "td"]))
    return draw(
        st.sampled_from(
            [
                "<script>alert(1)</script>",
                "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
                "<scr<script>ipt>alert(1)</script>",
                f"<{tag} {handler}>x</{tag}>",
                f"<{tag} src=x {handler}/>",
                f'<a href="{url}">x</a>',
                f"<a href='{url}' {handler}>x</a>",
                f"<a href={url}>x</a>",
                f'<img src="{url}">',
                f'<iframe src="{url}"></iframe>',
                f'<form action="{url}"><button formaction="{url}">x</button></form>',
                f'<svg><a xlink:href="{url}">x</a></svg>',
                f"[click]({url})",
                f"[click](<{url}>)",
                f"<{url}>",
                f"![img]({url})",
                f"[ref]\n\n[ref]: {url}",
                f"<style>@import '{url}';</style>",
                "<!-- <script>alert(1)</script> -->",
                f"<math><mtext><table><mglyph><style><img src=x {handler}>",
                "```html\n<script>alert(1)</script>\n```",
                f"`<img src=x {handler}>`",
                f'<noscript><p title="</noscript><img src=x {handler}>">',
            ]
        )
    )


HOSTILE_TEXT = st.lists(st.one_of(html_fragment(), st.text(max_size=30)), max_size=6).map("".join)


# --- checks ----------------------------------------------------------------------------------


class _Tags(HTMLParser):
    """Collects every start tag with its attributes (values unescaped, as a browser reads them)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))


def scheme_of(url: str) -> str:
    cleaned = _IGNORED_IN_URLS.sub("", url).lower()
    scheme, colon, _ = cleaned.partition(":")
    return scheme if colon else ""


def assert_safe(output: str) -> None:
    parser = _Tags()
    parser.feed(output)
    parser.close()
    assert "<script" not in output.lower()
    for tag, attrs in parser.tags:
        assert tag != "script"
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (tag, name)
            if name in URL_ATTRIBUTES and value is not None:
                assert scheme_of(value) not in DANGEROUS_SCHEMES, (tag, name, value)


def test_the_checks_themselves_catch_what_they_look_for():
    with pytest.raises(AssertionError):
        assert_safe('<a href=" J&#x41;vascript&colon;alert(1)">x</a>')
    with pytest.raises(AssertionError):
        assert_safe("<p onclick=alert(1)>x</p>")
    with pytest.raises(AssertionError):
        assert_safe("<svg><script>alert(1)</script></svg>")
    assert_safe('<p><a href="https://example.com/" rel="nofollow ugc noopener">x</a></p>')


# --- the pipeline ------------------------------------------------------------------------------


@PROPERTY
@given(HOSTILE_TEXT)
def test_rendered_markdown_never_carries_script(source):
    assert_safe(render_markdown(source))


@PROPERTY
@given(HOSTILE_TEXT)
def test_the_sanitizer_never_lets_script_through(source):
    assert_safe(sanitize_html(source))


@PROPERTY
@given(st.text(max_size=300))
def test_rendered_arbitrary_text_is_safe_and_sanitizing_it_again_changes_nothing(source):
    output = render_markdown(source)

    assert_safe(output)
    assert sanitize_html(output) == output


@PROPERTY
@given(st.text(max_size=400), st.integers(min_value=0, max_value=300))
def test_an_excerpt_is_never_longer_than_asked(source, length):
    assert len(excerpt(source, length)) <= max(length, 0)


# --- pagination --------------------------------------------------------------------------------

NUMBERISH = st.one_of(
    st.integers(min_value=-5, max_value=2**70).map(str),
    st.sampled_from(["", "0", "01", "1.5", "1e3", " 2", "²", "١", "-0", "+1", "٣", "NaN", str(MAX_PAGE + 1)]),
    st.text(max_size=6),
)


def _page_args_or_error(args: dict, default_per_page: int) -> tuple[int, int] | BadRequest:
    try:
        return page_args(args, default_per_page)
    except BadRequest as error:
        return error


@PROPERTY
@given(
    st.dictionaries(st.sampled_from(["page", "per_page", "sort"]), NUMBERISH, max_size=3),
    st.integers(min_value=1, max_value=MAX_PER_PAGE),
)
def test_page_args_are_in_range_or_a_bad_request(args, default_per_page):
    result = _page_args_or_error(args, default_per_page)
    if isinstance(result, BadRequest):
        assert result.status == 400
        assert "page" in result.message  # names `page` or `per_page`
        return
    page, per_page = result
    assert 1 <= page <= MAX_PAGE
    assert 1 <= per_page <= MAX_PER_PAGE
    assert page == (int(args["page"]) if args.get("page") else 1)
    assert per_page == (int(args["per_page"]) if args.get("per_page") else default_per_page)


@PROPERTY
@given(
    st.integers(min_value=0, max_value=10**7),
    st.integers(min_value=1, max_value=MAX_PER_PAGE),
    st.integers(min_value=1, max_value=10**6),
)
def test_page_counts_agree(total, per_page, page):
    result = Page(items=[], page=page, per_page=per_page, total=total)

    assert result.pages == max(1, math.ceil(total / per_page))
    assert result.has_prev == (page > 1)
    assert result.has_next == (page < result.pages)
    if page <= result.pages:
        # There is a next page exactly when rows remain after this one.
        assert result.has_next == (page * per_page < total)
    # Every row is on one page: the pages hold all of them, and the last one is not empty.
    assert (result.pages - 1) * per_page < max(total, 1) <= result.pages * per_page
