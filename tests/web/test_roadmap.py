"""The roadmap pages: the board, an item, planning, linking ideas, the changelog and its feed."""

import html as html_lib
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.idea import Idea
from app.models.notification import Notification
from app.models.roadmap import RoadmapIdea, RoadmapItem
from app.models.user import User
from app.services import roadmap, votes
from tests.factories import make_idea, make_roadmap_item, make_user

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def pm(app) -> User:
    return make_user("product_manager", name="Pat Manager")


def text_of(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def item_count() -> int:
    return db.session.scalar(select(func.count()).select_from(RoadmapItem))


def links_of(item_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(RoadmapIdea.idea_id)
            .where(RoadmapIdea.roadmap_item_id == item_id)
            .order_by(RoadmapIdea.idea_id)
        )
    )


def status_of(idea_id: int) -> str:
    return db.session.scalar(select(Idea.status).where(Idea.id == idea_id))


def form_data(**fields) -> dict:
    data = {
        "title": "Scheduled reports",
        "description": "Send any report **on a schedule**.",
        "target": "2027 Q1",
        "public": "y",
        "impact": "4",
        "effort": "",
        "status": "planned",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


# ---- The board ----


def test_the_board_shows_three_columns_with_ideas_and_demand(client, pm):
    planned = make_roadmap_item(pm, "Scheduled reports", target="2027 Q1")
    doing = make_roadmap_item(pm, "Dark mode", status="in_progress")
    make_roadmap_item(pm, "CSV export", status="shipped", release_note="Every report has a CSV button.")
    make_roadmap_item(pm, "A cancelled plan", status="cancelled")
    ideas = [make_idea(title=f"Schedule report number {n}") for n in range(5)]
    for idea in ideas:
        roadmap.link_idea(pm, planned, idea.id)
    voter = make_user()
    votes.cast_vote(voter, ideas[0])
    db.session.commit()

    page = text_of(client.get("/roadmap"))
    for heading in ("Planned", "In progress", "Shipped"):
        assert f'id="column-{heading.lower().replace(" ", "_")}"' in page
    assert "Scheduled reports" in page
    assert "Dark mode" in page
    assert "CSV export" in page
    assert "A cancelled plan" not in page
    assert "2027 Q1" in page
    # 5 authors and one more voter.
    assert "6 people asked for this" in page
    assert "and 2 more" in page
    assert "New roadmap item" not in page
    assert "Private" not in page
    assert f"/roadmap/{doing.id}" in page
    assert 'type="application/atom+xml"' in page


def test_empty_columns_say_what_comes_there(client):
    page = text_of(client.get("/roadmap"))
    assert "Nothing planned yet" in page
    assert "Nothing in progress" in page
    assert "Nothing shipped yet" in page


def test_the_roadmap_is_in_the_main_navigation(client):
    assert 'href="/roadmap"' in client.get("/ideas/").get_data(as_text=True)


def test_staff_see_private_items_with_a_badge_and_scores(client, login, pm):
    make_roadmap_item(pm, "Secret partner integration", is_public=False, impact=5, effort=2)
    login(pm)
    page = text_of(client.get("/roadmap"))
    assert "Secret partner integration" in page
    assert "Private" in page
    assert "Impact" in page
    assert "Effort" in page
    assert "New roadmap item" in page


@pytest.mark.parametrize("viewer", ["anonymous", "member", "moderator"])
def test_private_items_are_hidden_from_everyone_else(client, login, pm, viewer):
    public = make_roadmap_item(pm, "A public shipped item", status="shipped", release_note="Public note.")
    private = make_roadmap_item(pm, "Secret partner integration", is_public=False)
    roadmap.change_status(pm, roadmap.get_item(pm, private.id), "shipped", "Secret note.")
    idea = make_idea(title="Sync with our CRM")
    roadmap.link_idea(pm, roadmap.get_item(pm, private.id), idea.id)
    roadmap.link_idea(pm, roadmap.get_item(pm, public.id), idea.id)
    db.session.commit()
    if viewer != "anonymous":
        login(make_user(viewer))

    for url in ("/roadmap", "/changelog", "/changelog.atom", f"/ideas/{idea.id}", "/ideas/?q=CRM"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Secret" not in text_of(response), url
    assert "A public shipped item" in text_of(client.get(f"/ideas/{idea.id}"))
    assert client.get(f"/roadmap/{private.id}").status_code == 404
    assert client.get(f"/roadmap/{public.id}").status_code == 200


def test_the_board_runs_a_fixed_number_of_queries(client, login, pm, count_queries):
    login(make_user())

    def queries() -> int:
        with count_queries() as statements:
            assert client.get("/roadmap").status_code == 200
        return len(statements)

    make_roadmap_item(pm, "The first item")
    few = queries()
    for number in range(8):
        item = make_roadmap_item(
            pm, f"Item number {number}", status=("planned", "in_progress", "shipped")[number % 3]
        )
        for n in range(3):
            idea = make_idea(title=f"Idea {number}-{n} for the board")
            roadmap.link_idea(pm, roadmap.get_item(pm, item.id), idea.id, plan=False)
            votes.cast_vote(make_user(), idea)
        db.session.commit()
    assert queries() == few


# ---- An item's page ----


def test_the_item_page_shows_description_ideas_and_release_note(client, pm):
    item = make_roadmap_item(
        pm,
        "CSV export",
        description="Export **any** report.",
        target="2027 Q1",
        status="shipped",
        release_note="Every report has a *CSV* button.",
    )
    idea = make_idea(title="Export reports to CSV")
    roadmap.link_idea(pm, roadmap.get_item(pm, item.id), idea.id)
    db.session.commit()
    response = client.get(f"/roadmap/{item.id}")
    page = response.get_data(as_text=True)
    assert "<strong>any</strong>" in page
    assert "<em>CSV</em>" in page
    assert "Export reports to CSV" in page
    assert "1 person asked for this" in page
    assert "Change status" not in page
    assert "Unlink" not in page


def test_an_unknown_item_is_404(client):
    assert client.get("/roadmap/999").status_code == 404
    assert client.get(f"/roadmap/{10**20}").status_code == 404


# ---- Planning: staff only ----


def test_members_may_not_use_the_staff_forms(client, login, pm):
    item = make_roadmap_item(pm)
    idea = make_idea()
    login(make_user())
    assert client.get("/roadmap/new").status_code == 403
    assert client.post_form("/roadmap/new", form_data(), page="/roadmap").status_code == 403
    assert client.get(f"/roadmap/{item.id}/edit").status_code == 403
    page = f"/roadmap/{item.id}"
    assert client.post_form(f"/roadmap/{item.id}/edit", form_data(), page=page).status_code == 403
    assert client.post_form(f"/roadmap/{item.id}/status", {"status": "shipped"}, page=page).status_code == 403
    assert client.post_form(f"/roadmap/{item.id}/ideas", {"idea_id": idea.id}, page=page).status_code == 403
    assert item_count() == 1
    assert links_of(item.id) == []
    assert db.session.get(RoadmapItem, item.id).status == "planned"


def test_signing_in_is_needed_to_plan(client):
    response = client.get("/roadmap/new")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_staff_create_an_item(client, login, pm):
    login(pm)
    response = client.post_form("/roadmap/new", form_data(public=None))
    assert response.status_code == 302
    item = db.session.scalar(select(RoadmapItem))
    assert response.headers["Location"].startswith(f"/roadmap/{item.id}")
    assert (item.title, item.target, item.is_public, item.impact, item.effort) == (
        "Scheduled reports",
        "2027 Q1",
        False,
        4,
        None,
    )
    assert "<strong>on a schedule</strong>" in item.description_html


def test_invalid_items_are_shown_with_messages_and_not_saved(client, login, pm):
    login(pm)
    response = client.post_form("/roadmap/new", form_data(title="ab", target="x" * 41, impact="9"))
    assert response.status_code == 422
    page = text_of(response)
    assert "Nothing was saved yet" in page
    assert "The title needs at least 3 characters." in page
    assert "Keep the target to 40 characters or fewer" in page
    assert 'value="ab"' in page
    assert item_count() == 0


def test_staff_edit_an_item(client, login, pm):
    item = make_roadmap_item(pm, target="2027 Q1", impact=3)
    login(pm)
    page = text_of(client.get(f"/roadmap/{item.id}/edit"))
    assert 'value="2027 Q1"' in page
    assert 'name="status"' not in page
    response = client.post_form(
        f"/roadmap/{item.id}/edit", form_data(title="Renamed item", impact="", public="y")
    )
    assert response.status_code == 302
    stored = db.session.get(RoadmapItem, item.id)
    assert (stored.title, stored.impact, stored.status) == ("Renamed item", None, "planned")

    response = client.post_form(f"/roadmap/{item.id}/edit", form_data(title=""))
    assert response.status_code == 422
    assert "The title needs at least 3 characters." in text_of(response)
    assert db.session.get(RoadmapItem, item.id).title == "Renamed item"


# ---- Linking ideas ----


def test_staff_find_and_link_ideas_on_the_item_page(client, login, pm):
    item = make_roadmap_item(pm)
    idea = make_idea(title="Export reports to CSV")
    kept = make_idea(title="Export reports to PDF")
    login(pm)
    page = text_of(client.get(f"/roadmap/{item.id}?q=export"))
    assert "Export reports to CSV" in page
    assert "Export reports to PDF" in page
    assert "Keep its status" in page

    url = f"/roadmap/{item.id}/ideas"
    assert client.post_form(url, {"idea_id": idea.id}, page=f"/roadmap/{item.id}").status_code == 302
    assert client.post_form(url, {"idea_id": idea.id}, page=f"/roadmap/{item.id}").status_code == 302
    client.post_form(url, {"idea_id": kept.id, "keep_status": "1"}, page=f"/roadmap/{item.id}")
    assert links_of(item.id) == [idea.id, kept.id]
    assert (status_of(idea.id), status_of(kept.id)) == ("planned", "open")
    assert "Unlink" in text_of(client.get(f"/roadmap/{item.id}"))

    unlink = f"/roadmap/{item.id}/ideas/{idea.id}/unlink"
    assert client.post_form(unlink, page=f"/roadmap/{item.id}").status_code == 302
    assert client.post_form(unlink, page=f"/roadmap/{item.id}").status_code == 302
    assert links_of(item.id) == [kept.id]


def test_linking_an_unknown_idea_says_so(client, login, pm):
    item = make_roadmap_item(pm)
    login(pm)
    page = f"/roadmap/{item.id}"
    response = client.post_form(f"{page}/ideas", {"idea_id": "9999"}, page=page, headers={"Referer": page})
    assert response.status_code == 302
    assert "There is no idea #9999." in text_of(client.get(page))
    assert links_of(item.id) == []


def test_staff_link_and_unlink_from_the_idea_page(client, login, pm):
    item = make_roadmap_item(pm, "Scheduled reports")
    cancelled = make_roadmap_item(pm, "A cancelled plan", status="cancelled")
    idea = make_idea()
    login(pm)
    page = text_of(client.get(f"/ideas/{idea.id}"))
    assert "Link to a roadmap item" in page
    assert "Scheduled reports" in page
    assert "A cancelled plan" not in page

    response = client.post_form(
        "/roadmap/link", {"item_id": item.id, "idea_id": idea.id}, page=f"/ideas/{idea.id}"
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/ideas/{idea.id}")
    assert links_of(item.id) == [idea.id]
    assert status_of(idea.id) == "planned"
    page = text_of(client.get(f"/ideas/{idea.id}"))
    assert "On the roadmap" in page
    assert f"/roadmap/{item.id}" in page

    response = client.post_form(
        f"/roadmap/{item.id}/ideas/{idea.id}/unlink", {"back": "idea"}, page=f"/ideas/{idea.id}"
    )
    assert response.headers["Location"].startswith(f"/ideas/{idea.id}")
    assert links_of(item.id) == []
    assert links_of(cancelled.id) == []


def test_members_see_the_items_an_idea_is_on_without_staff_forms(client, login, pm):
    item = make_roadmap_item(pm, "Scheduled reports")
    idea = make_idea()
    roadmap.link_idea(pm, roadmap.get_item(pm, item.id), idea.id)
    db.session.commit()
    login(make_user())
    page = text_of(client.get(f"/ideas/{idea.id}"))
    assert "On the roadmap" in page
    assert "Scheduled reports" in page
    assert "Link to a roadmap item" not in page
    assert "Unlink" not in page


# ---- Status changes ----


def test_shipping_from_the_item_page_tells_each_supporter_once(client, login, pm):
    item = make_roadmap_item(pm)
    first, second = make_idea(title="Export reports to CSV"), make_idea(title="Export reports to Excel")
    fan = make_user()
    votes.cast_vote(fan, first)
    votes.cast_vote(fan, second)
    for idea in (first, second):
        roadmap.link_idea(pm, roadmap.get_item(pm, item.id), idea.id)
    db.session.commit()
    before = db.session.scalar(select(func.count()).where(Notification.user_id == fan.id))
    login(pm)

    response = client.post_form(
        f"/roadmap/{item.id}/status",
        {"status": "shipped", "release_note": "Every report has a **CSV** button."},
        page=f"/roadmap/{item.id}",
    )
    assert response.status_code == 302
    new = list(db.session.scalars(select(Notification).where(Notification.user_id == fan.id)))[before:]
    assert len(new) == 1
    assert "Every report has a CSV button." in new[0].message
    assert status_of(first.id) == status_of(second.id) == "shipped"
    assert db.session.scalar(select(func.count()).where(Notification.user_id == pm.id)) == 0
    page = text_of(client.get(f"/roadmap/{item.id}"))
    assert "told once" in page
    assert "Release note" in page

    changelog = text_of(client.get("/changelog"))
    assert "CSV export for every report" in changelog
    assert "Export reports to Excel" in changelog


def test_the_same_status_again_is_refused_with_a_message(client, login, pm):
    item = make_roadmap_item(pm)
    login(pm)
    page = f"/roadmap/{item.id}"
    response = client.post_form(f"{page}/status", {"status": "planned"}, page=page, headers={"Referer": page})
    assert response.status_code == 302
    assert "planned already" in text_of(client.get(page))


# ---- The changelog and its feed ----


def test_the_changelog_lists_shipped_items_newest_first(client, pm):
    make_roadmap_item(pm, "Shipped first", status="shipped", release_note="The first note.")
    make_roadmap_item(pm, "Shipped second", status="shipped", release_note="The second note.")
    make_roadmap_item(pm, "Still planned")
    page = text_of(client.get("/changelog"))
    assert page.index("Shipped second") < page.index("Shipped first")
    assert "The first note." in page
    assert "Still planned" not in page
    assert 'rel="alternate" type="application/atom+xml"' in page
    assert 'href="/changelog.atom"' in page


def test_the_feed_is_atom_with_public_shipped_items_only_even_for_staff(client, login, pm):
    make_roadmap_item(pm, "Shipped first", status="shipped", release_note="The <first> note & more.")
    later = make_roadmap_item(pm, "Shipped second", status="shipped", release_note="The second note.")
    secret = make_roadmap_item(pm, "Secret partner integration", is_public=False)
    roadmap.change_status(pm, roadmap.get_item(pm, secret.id), "shipped", "Secret note.")
    make_roadmap_item(pm, "Still planned")
    idea = make_idea(title="Export <reports> & more")
    roadmap.link_idea(pm, roadmap.get_item(pm, later.id), idea.id)
    db.session.commit()
    login(pm)

    response = client.get("/changelog.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.data)  # noqa: S314 - our own output
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id").text.startswith("http")
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == ["Shipped second", "Shipped first"]
    first = entries[1]
    assert first.find(f"{ATOM}id").text.endswith("/roadmap/1")
    assert first.find(f"{ATOM}content").get("type") == "html"
    assert "The &lt;first&gt; note &amp; more." in first.find(f"{ATOM}content").text
    assert "Export &lt;reports&gt; &amp; more" in entries[0].find(f"{ATOM}content").text
    assert entries[0].find(f"{ATOM}updated").text.endswith("Z")
    assert b"Secret" not in response.data


def test_the_feed_is_valid_when_nothing_shipped(client):
    feed = ET.fromstring(client.get("/changelog.atom").data)  # noqa: S314 - our own output
    assert feed.findall(f"{ATOM}entry") == []
    assert feed.find(f"{ATOM}updated").text
