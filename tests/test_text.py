"""The content pipeline: user Markdown -> HTML -> nh3 sanitizer, and the plain-text helpers."""

import html
import re
from html.parser import HTMLParser

import pytest

from app.text import excerpt, normalize_line, plain_text, render_markdown, sanitize_html

FORBIDDEN_ELEMENTS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "style", "link", "meta",
    "base", "img", "image", "svg", "math", "form", "input", "button", "textarea", "select",
    "video", "audio", "source", "noscript", "template", "xmp", "title",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster", "data"}
SAFE_SCHEMES = {"http", "https", "mailto"}
# What a browser ignores inside a URL before it reads the scheme: whitespace and C0 controls.
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")

XSS_PAYLOADS = [
    # Script tags in many spellings.
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script src=//evil.example/x.js></script>",
    "<script/src=//evil.example/x.js>",
    "<script\n>alert(1)</script\n>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script>alert(1)",
    "text <script\talert(1)",
    # Event handlers on images, SVG and allowed tags.
    "<img src=x onerror=alert(1)>",
    '<IMG SRC="javascript:alert(1)">',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<a href="https://example.com" onclick="alert(1)">x</a>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="  JaVaScRiPt:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="https://example.com" style="position:fixed;inset:0">x</a>',
    '<p onmouseover="alert(1)">hover</p>',
    "<strong onfocus=alert(1) tabindex=1 autofocus>x</strong>",
    '<body onload="alert(1)">',
    "<details open ontoggle=alert(1)>",
    # Embedding elements, styles and forms.
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>">',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="width: expression(alert(1))">x</div>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<input onfocus=alert(1) autofocus>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    # Markdown links and images with dangerous schemes.
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1)  )",
    "[click](<javascript:alert(1)>)",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](<java\tscript:alert(1)>)",
    "[click](<java\nscript:alert(1)>)",
    "[click](java&#x09;script:alert(1))",
    "[click](<\x01javascript:alert(1)>)",
    "[click](<\x00javascript:alert(1)>)",
    "[click](%6Aavascript:alert(1))",
    '[click](https://example.com "title" onclick="alert(1)")',
    '[click](https://example.com"onmouseover="alert(1))',
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    '![x](https://example.com/a.png "title" onerror="alert(1)")',
    "[![x](javascript:alert(1))](javascript:alert(2))",
    # Autolinks and bare URLs.
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "javascript:alert(1)",
    "www.example.com/<script>alert(1)</script>",
    "https://example.com/?q=<img src=x onerror=alert(1)>",
    # Reference-style and nested link tricks.
    "[click][x]\n\n[x]: javascript:alert(1)",
    "[click][x]\n\n[x]: <java\tscript:alert(1)>",
    "[[click](javascript:alert(1))](https://example.com)",
    "[a](https://example.com)(javascript:alert(1))",
    "[a]( https://example.com ) [b](javascript:alert(1))",
    "[<img src=x onerror=alert(1)>](https://example.com)",
    # Comments, unclosed tags and mutation-XSS classics.
    "<!--><script>alert(1)</script>-->",
    "<!-- --!><img src=x onerror=alert(1)> -->",
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "<img src=x onerror=alert(1)//",
    '<a href="javascript:alert(1)',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<xmp><p title="</xmp><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    # Raw HTML hidden in Markdown constructs.
    "```html\n<script>alert(1)</script>\n```",
    '```python" onmouseover="alert(1)\nx = 1\n```',
    "`<img src=x onerror=alert(1)>`",
    "> <script>alert(1)</script>",
    "- <iframe src=javascript:alert(1)>",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
]


class _Collector(HTMLParser):
    """Every element with its attributes, as a browser-like tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag.lower(), {name.lower(): value or "" for name, value in attrs}))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def _elements(markup: str) -> list[tuple[str, dict[str, str]]]:
    collector = _Collector()
    collector.feed(markup)
    collector.close()
    return collector.elements


def _scheme(url: str) -> str | None:
    """The scheme a browser would read from `url`, or None for a relative URL."""
    cleaned = _IGNORED_IN_URL.sub("", html.unescape(url)).lower()
    match = _SCHEME.match(cleaned)
    return match.group(1) if match else None


def _assert_safe(markup: str) -> None:
    for tag, attrs in _elements(markup):
        assert tag not in FORBIDDEN_ELEMENTS, f"<{tag}> survived in {markup!r}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler {name} survived in {markup!r}"
            assert name != "style", f"style attribute survived in {markup!r}"
            if name in URL_ATTRIBUTES:
                scheme = _scheme(value)
                assert scheme is None or scheme in SAFE_SCHEMES, f"{name}={value!r} survived"


def test_the_corpus_is_large_enough():
    assert len(set(XSS_PAYLOADS)) >= 40


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_rendered_markdown_carries_no_script(payload):
    _assert_safe(render_markdown(payload))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitizer_alone_removes_script_from_raw_html(payload):
    # The sanitizer is the last line of defence should Markdown ever pass raw HTML through.
    _assert_safe(sanitize_html(payload))


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<p style="color:red" onclick="x()">x</p>',
    ],
)
def test_the_checker_catches_unsafe_markup(markup):
    with pytest.raises(AssertionError):
        _assert_safe(markup)


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        (" JaVa\tScRipt:alert(1)", "javascript"),
        ("&#106;avascript:alert(1)", "javascript"),
        ("\x01java\nscript:alert(1)", "javascript"),
        ("https://example.com", "https"),
        ("/ideas/1", None),
        ("java%09script:alert(1)", None),
    ],
)
def test_the_checker_reads_schemes_like_a_browser(url, scheme):
    assert _scheme(url) == scheme


def test_raw_html_is_shown_as_text_not_dropped():
    rendered = render_markdown("Use <b>bold</b> & <script>alert(1)</script>")
    assert "&lt;b&gt;bold&lt;/b&gt;" in rendered
    assert "&lt;script&gt;" in rendered
    assert "&amp;" in rendered


def test_dangerous_markdown_link_is_not_a_link():
    rendered = render_markdown("[click](javascript:alert(1))")
    assert all(tag != "a" or "href" not in attrs for tag, attrs in _elements(rendered))
    assert "click" in plain_text("[click](javascript:alert(1))")


# What a user would notice: formatting works.


def test_bold_italic_and_strikethrough_render():
    rendered = render_markdown("**bold** *italic* ~~gone~~")
    assert "<strong>bold</strong>" in rendered
    assert "<em>italic</em>" in rendered
    assert "<s>gone</s>" in rendered or "<del>gone</del>" in rendered


def test_lists_render():
    rendered = render_markdown("- one\n- two\n\n3. three\n4. four")
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in rendered
    assert '<ol start="3">' in rendered
    assert "<li>four</li>" in rendered


def test_headings_quotes_and_rules_render():
    rendered = render_markdown("# Title\n\n> quoted\n\n---\n\nline  \nbreak")
    assert "<h1>Title</h1>" in rendered
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in rendered
    assert "<hr>" in rendered
    assert "<br>" in rendered


def test_code_blocks_keep_their_text_escaped():
    rendered = render_markdown("```\nif a < b and c > d:\n    print('<hi>')\n```\n\nInline `x < 1`.")
    assert "<pre><code>if a &lt; b and c &gt; d:\n    print('&lt;hi&gt;')\n</code></pre>" in rendered
    assert "<code>x &lt; 1</code>" in rendered


def test_code_language_class_survives_and_other_classes_do_not():
    assert '<code class="language-python">' in render_markdown("```python\nx = 1\n```")
    assert 'class="' not in sanitize_html('<code class="evil">x</code>')
    assert 'class="' not in sanitize_html('<code class="language-python evil">x</code>')
    assert 'class="' not in sanitize_html('<p class="language-python">x</p>')


def test_tables_render_with_alignment():
    rendered = render_markdown("| Left | Right | Centre |\n|:--|--:|:-:|\n| a | 1 | x |")
    assert "<table>" in rendered
    assert "<th>Left</th>" in rendered or '<th align="left">Left</th>' in rendered
    assert '<th align="right">Right</th>' in rendered
    assert '<td align="right">1</td>' in rendered
    assert '<td align="center">x</td>' in rendered


def test_bare_urls_become_links():
    rendered = render_markdown("See https://example.com/ideas?id=1 and www.example.org today.")
    links = [attrs for tag, attrs in _elements(rendered) if tag == "a"]
    assert [link["href"] for link in links] == ["https://example.com/ideas?id=1", "http://www.example.org"]


def test_every_link_gets_nofollow_ugc_noopener():
    rendered = render_markdown(
        "[a](https://example.com) <https://example.org> https://example.net [m](mailto:a@example.com)"
    )
    links = [attrs for tag, attrs in _elements(rendered) if tag == "a"]
    assert len(links) == 4
    assert all(link["rel"] == "nofollow ugc noopener" for link in links)


def test_a_users_own_rel_is_replaced():
    rendered = sanitize_html('<a href="https://example.com" rel="author">x</a>')
    assert _elements(rendered) == [("a", {"href": "https://example.com", "rel": "nofollow ugc noopener"})]


def test_mailto_links_survive():
    rendered = render_markdown("[write](mailto:team@example.com) or <mailto:help@example.com>")
    hrefs = [attrs.get("href") for tag, attrs in _elements(rendered) if tag == "a"]
    assert hrefs == ["mailto:team@example.com", "mailto:help@example.com"]


def test_link_title_survives():
    rendered = render_markdown('[docs](https://example.com "The docs")')
    assert ("a", {"href": "https://example.com", "title": "The docs", "rel": "nofollow ugc noopener"}) in (
        _elements(rendered)
    )


def test_images_keep_their_alt_text_but_load_nothing():
    rendered = render_markdown("Before ![a *flow* diagram](https://example.com/flow.png) after")
    assert all(tag != "img" for tag, _ in _elements(rendered))
    assert "a flow diagram" in rendered


def test_empty_input_renders_nothing():
    assert render_markdown(None) == ""
    assert render_markdown("") == ""


# Plain-text helpers.


def test_plain_text_strips_markup_and_collapses_whitespace():
    source = "# Title\n\n**Bold**   and *it*\n\n- one\n- two\n\n[link](https://example.com)  `code`"
    assert plain_text(source) == "Title Bold and it one two link code"


def test_plain_text_keeps_characters_a_user_typed():
    assert plain_text("Fish & chips < 5 €, \"quoted\" 'text'") == "Fish & chips < 5 €, \"quoted\" 'text'"


def test_plain_text_of_nothing_is_empty():
    assert plain_text(None) == ""
    assert plain_text("   \n\n  ") == ""


def test_excerpt_returns_short_text_unchanged():
    assert excerpt("A short idea", 200) == "A short idea"
    assert excerpt("exactly ten", 11) == "exactly ten"


@pytest.mark.parametrize(
    ("source", "length", "expected"),
    [
        ("The quick brown fox jumps over the lazy dog", 20, "The quick brown fox…"),
        ("The quick brown fox jumps over the lazy dog", 18, "The quick brown…"),
        ("The quick brown fox jumps over the lazy dog", 16, "The quick brown…"),
        ("The quick brown fox jumps over the lazy dog", 15, "The quick…"),
        ("Ideas, votes, and more words here", 13, "Ideas, votes…"),
        ("**Bold** start of a *longer* text", 16, "Bold start of a…"),
    ],
)
def test_excerpt_cuts_at_a_word_boundary_with_an_ellipsis(source, length, expected):
    assert excerpt(source, length) == expected


@pytest.mark.parametrize("length", [1, 2, 5, 10, 17, 40, 80])
def test_excerpt_never_exceeds_the_length(length):
    source = "Co-creation works best when customers, makers and supporters talk early. " * 3
    result = excerpt(source, length)
    assert len(result) <= length
    assert result.endswith("…")
    assert plain_text(source).startswith(result[:-1])


def test_excerpt_cuts_a_single_long_word_rather_than_returning_nothing():
    assert excerpt("Supercalifragilisticexpialidocious", 10) == "Supercali…"


def test_excerpt_uses_plain_text():
    assert excerpt("# Heading\n\nSome *body* text that goes on", 19) == "Heading Some body…"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  A   new\tidea \n", "A new idea"),
        ("\u00a0Non-breaking\u00a0 spaces\u2003too ", "Non-breaking spaces too"),
        ("single", "single"),
        ("", ""),
        ("   ", ""),
        (None, ""),
    ],
)
def test_normalize_line_trims_and_collapses(value, expected):
    assert normalize_line(value) == expected
