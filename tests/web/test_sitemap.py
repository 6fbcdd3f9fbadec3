"""The sitemap lists the home page, the public boards and the public ideas, and nothing private;
robots.txt names it; visitors' copies are kept until the ideas or the boards change."""

import re
from xml.etree import ElementTree as ET

from app.extensions import db
from app.services import boards, ideas, merges, moderation
from app.services import sitemap as sitemap_service
from tests.factories import make_board, make_idea, make_user

NAMESPACE = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def listed(client) -> dict[str, str | None]:
    """The sitemap's URLs (as paths) and their last-modified times."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.get_data())  # noqa: S314 - our own output
    return {
        re.sub(r"^https?://[^/]+", "", entry.findtext("s:loc", namespaces=NAMESPACE)): entry.findtext(
            "s:lastmod", namespaces=NAMESPACE
        )
        for entry in root.findall("s:url", NAMESPACE)
    }


def test_the_sitemap_lists_the_home_page_public_boards_and_public_ideas(client, login):
    admin = make_user("admin")
    make_board("Mobile app", slug="mobile", admin=admin)
    secret = make_board("Enterprise beta", "private", slug="enterprise-beta", admin=admin)
    insider = make_user()
    boards.grant_member(admin, secret, insider)
    shown = make_idea(title="Export reports to CSV")
    on_mobile = ideas.create_idea(make_user(), "Offline mode on the phone", board="mobile")
    private = ideas.create_idea(insider, "Audit trail for the beta", board="enterprise-beta")
    hidden = make_idea(title="Buy cheap watches here")
    merged = make_idea(title="CSV export, again")
    db.session.commit()
    moderation.hide_item(make_user("moderator"), "idea", hidden.id, "Spam")
    merges.merge_ideas(admin, merged.id, shown.id)
    db.session.commit()

    found = listed(client)

    assert list(found)[:3] == ["/", "/b/ideas/", "/b/mobile/"]
    assert {f"/ideas/{shown.id}", f"/ideas/{on_mobile.id}"} <= set(found)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", found[f"/ideas/{shown.id}"])
    for gone in ("/b/enterprise-beta/", f"/ideas/{private.id}", f"/ideas/{hidden.id}", f"/ideas/{merged.id}"):
        assert gone not in found
    # Whoever asks, the sitemap is what a visitor sees: the insider's copy has no private page either.
    login(insider)
    assert listed(client) == found


def test_the_sitemap_stops_at_its_limit_with_the_newest_ideas(app):
    made = [make_idea(title=f"Idea number {n}") for n in range(4)]
    entries = sitemap_service.sitemap_entries(limit=3)
    assert [idea_id for idea_id, _ in entries.ideas] == [made[3].id, made[2].id]
    assert sitemap_service.MAX_URLS == 50_000


def test_visitors_copy_is_kept_and_shareable_until_an_idea_changes(client):
    first = make_idea(title="Export reports to CSV")
    response = client.get("/sitemap.xml")
    assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=30"
    assert "Set-Cookie" not in response.headers
    etag = response.headers["ETag"]
    assert client.get("/sitemap.xml").headers["X-Page-Cache"] == "hit"
    assert client.get("/sitemap.xml", headers={"If-None-Match": etag}).status_code == 304

    later = make_idea(title="Dark mode everywhere")

    response = client.get("/sitemap.xml", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert f"/ideas/{later.id}</loc>" in response.get_data(as_text=True)
    assert f"/ideas/{first.id}</loc>" in response.get_data(as_text=True)


def test_a_board_made_private_leaves_the_sitemap_at_once(client):
    admin = make_user("admin")
    board = make_board("Enterprise beta", slug="enterprise-beta", admin=admin)
    idea = ideas.create_idea(make_user(), "Audit trail for the beta", board="enterprise-beta")
    db.session.commit()
    assert f"/ideas/{idea.id}" in listed(client)

    boards.update_board(admin, board, {"visibility": "private"})
    db.session.commit()

    found = listed(client)
    assert f"/ideas/{idea.id}" not in found
    assert "/b/enterprise-beta/" not in found


def test_robots_txt_names_the_sitemap(app, client):
    app.config["SITE_URL"] = "https://ideas.example.com"
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert "Sitemap: https://ideas.example.com/sitemap.xml" in response.get_data(as_text=True).splitlines()
    assert "public" in response.headers["Cache-Control"]
