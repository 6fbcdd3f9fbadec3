"""The style sheet: its parts, the one bundle pages link, its caching, and the rules every part keeps."""

import os
import re
import shutil
from pathlib import Path

from app import ROOT, styles

CSS = ROOT / "static" / "css"
COLOUR_LITERAL = re.compile(r"#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color)\(", re.I)
COMMENT = re.compile(r"/\*.*?\*/", re.S)


def stylesheet_url(client) -> str:
    html = client.get("/sign-in").get_data(as_text=True)
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert len(links) == 1, links
    return links[0]


def without_comments(path: Path) -> str:
    return COMMENT.sub("", path.read_text(encoding="utf-8"))


def test_pages_link_one_bundle_at_an_address_that_carries_its_hash(client, app):
    url = stylesheet_url(client)
    digest = app.extensions["styles"].digest
    assert url == f"/assets/styles-{digest}.css"
    assert re.fullmatch(r"[0-9a-f]{16}", digest)


def test_the_bundle_is_served_as_css_and_cached_for_a_year(client):
    response = client.get(stylesheet_url(client))
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    cache = response.headers["Cache-Control"]
    assert "public" in cache
    assert "max-age=31536000" in cache
    assert "immutable" in cache
    assert response.headers["ETag"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_browser_that_has_the_bundle_gets_not_modified(client):
    url = stylesheet_url(client)
    etag = client.get(url).headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_an_old_address_leads_to_the_current_bundle_without_being_cached(client):
    url = stylesheet_url(client)
    response = client.get("/assets/styles-0123456789abcdef.css")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url)
    assert "max-age" not in response.headers["Cache-Control"]


def test_the_bundle_holds_every_part_in_the_listed_order(client):
    text = client.get(stylesheet_url(client)).get_data(as_text=True)
    positions = []
    for name in styles.PARTS:
        part = (CSS / name).read_text(encoding="utf-8")
        assert part in text, name
        positions.append(text.index(f"/* {name} */\n{part}"))
    assert positions == sorted(positions)
    assert styles.PARTS[0] == "tokens.css"


def test_every_css_file_is_a_listed_part():
    on_disk = {path.name for path in CSS.glob("*.css")}
    assert on_disk == set(styles.PARTS)
    assert len(styles.PARTS) == len(on_disk)


def test_the_bundle_fits_the_content_security_policy(client):
    page = client.get("/sign-in")
    csp = page.headers["Content-Security-Policy"]
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    # Same origin: a path on this site, never another host.
    assert stylesheet_url(client).startswith("/assets/")
    bundle = client.get(stylesheet_url(client))
    text = bundle.get_data(as_text=True)
    assert "@import" not in text
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", text), "the styles load nothing from elsewhere"


def test_in_debug_mode_a_changed_part_gives_a_new_address(app, tmp_path):
    static = tmp_path / "static"
    shutil.copytree(CSS, static / "css")
    app.static_folder = str(static)
    app.extensions["styles"] = styles.build(static / "css")
    app.debug = True
    with app.test_request_context():
        before = styles.styles_url()
        part = static / "css" / "components.css"
        part.write_text(part.read_text() + "\n.extra { color: inherit; }\n")
        stat = part.stat()
        os.utime(part, (stat.st_atime, stat.st_mtime + 5))
        after = styles.styles_url()
    assert after != before
    assert ".extra { color: inherit; }" in app.extensions["styles"].text


def test_no_part_uses_important():
    offenders = [path.name for path in CSS.glob("*.css") if "!important" in without_comments(path)]
    assert offenders == [], "fix the selector's specificity instead of !important"


def test_colours_come_only_from_the_tokens():
    offenders = {
        path.name: COLOUR_LITERAL.findall(without_comments(path))
        for path in CSS.glob("*.css")
        if path.name != "tokens.css"
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_every_custom_property_used_is_defined_in_the_tokens():
    tokens = without_comments(CSS / "tokens.css")
    defined = set(re.findall(r"(--[\w-]+)\s*:", tokens))
    used = {name for path in CSS.glob("*.css") for name in re.findall(r"var\((--[\w-]+)", path.read_text())}
    assert used - defined == set()


def test_every_part_closes_each_block_it_opens():
    """A brace left open in one part would swallow the parts after it into a media query."""
    for path in CSS.glob("*.css"):
        depth = 0
        for char in without_comments(path):
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, path.name
        assert depth == 0, path.name
