"""Staff pages narrowed to one board, and the public roadmap's demand over public boards only.

The dashboard, the insights and the roadmap (for staff) take `?board=SLUG` from a "Board" select;
an unknown board says so and shows every board. The staff API takes the same and answers 404.
"""

import csv
import html as html_lib
import io
import re

import pytest

from app.extensions import db
from app.services import boards, insights, roadmap, votes
from tests.factories import ApiCaller, make_idea, make_roadmap_item, make_user

UNKNOWN = "There is no board “nowhere” (or it is not visible to you), so every board is shown."


@pytest.fixture
def admin(app):
    return make_user("admin", name="Ada Admin")


@pytest.fixture
def pm(app):
    return make_user("product_manager", name="Pat PM")


@pytest.fixture
def site(admin, pm):
    """A public idea on the default board and a private board with one idea, both on one item."""
    beta = boards.create_board(admin, "Enterprise beta", visibility="private")
    public = make_idea(title="Export to CSV")
    private = make_idea(title="Export to the data warehouse")
    boards.move_idea(pm, private, beta)
    for person in [make_user() for _ in range(2)]:
        votes.cast_vote(person, private)
    item = make_roadmap_item(pm, "Exports everywhere")
    roadmap.set_ideas(pm, roadmap.get_item(pm, item.id), [public.id, private.id])
    db.session.commit()
    return beta, public, private, item


def text(response, status: int = 200) -> str:
    assert response.status_code == status, response.status_code
    return html_lib.unescape(response.get_data(as_text=True))


def words(page: str) -> str:
    """The page's text without its tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def row_titles(page: str) -> list[str]:
    table = page.split('class="table table--stack staff-table__table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'id="pick-\d+-label">([^<]+)</a>', table)


def board_options(page: str) -> list[str]:
    select = page.split('name="board"', 1)[1].split("</select>", 1)[0]
    return re.findall(r"<option[^>]*>([^<]+)</option>", select)


def selected_board(page: str) -> str:
    select = page.split('name="board"', 1)[1].split("</select>", 1)[0]
    return re.search(r'<option selected value="([^"]*)"', select).group(1)


# ---- The public roadmap ----


def test_the_public_roadmap_counts_the_votes_on_public_boards_only(client, login, pm, site):
    beta, public, private, item = site
    # The public idea's author only; the private idea's author and two voters are left out.
    for viewer in (None, make_user()):
        if viewer is not None:
            login(viewer)
        board = text(client.get("/roadmap"))
        assert "1 person asked for this" in board
        page = text(client.get(f"/roadmap/{item.id}"))
        assert "1 person asked for this" in page
        assert public.title in page
        assert private.title not in page
        assert private.title not in board
    login(pm)
    assert "4 people asked for this" in text(client.get("/roadmap"))
    page = text(client.get(f"/roadmap/{item.id}"))
    assert "4 people asked for this" in page
    assert private.title in page


def test_the_api_gives_the_public_count_to_all_but_the_team(client, site):
    beta, public, private, item = site
    staff = ApiCaller("product_manager")
    member = ApiCaller()
    assert client.get(f"/api/v1/roadmap/{item.id}").get_json()["demand"] == 1
    body = client.get(f"/api/v1/roadmap/{item.id}", headers=member.headers).get_json()
    assert (body["demand"], body["idea_ids"]) == (1, [public.id])
    body = client.get(f"/api/v1/roadmap/{item.id}", headers=staff.headers).get_json()
    assert (body["demand"], body["idea_ids"]) == (4, [public.id, private.id])
    listed = client.get("/api/v1/roadmap").get_json()["items"]
    assert [entry["demand"] for entry in listed] == [1]


def test_the_public_roadmap_follows_a_board_made_public(client, admin, site):
    beta, public, private, item = site
    assert "1 person asked for this" in text(client.get("/roadmap"))
    boards.update_board(admin, beta, {"visibility": "public"})
    db.session.commit()
    board = text(client.get("/roadmap"))
    assert "4 people asked for this" in board
    assert private.title in board


# ---- The roadmap of one board, for staff ----


def test_staff_narrow_the_roadmap_to_one_board(client, login, pm, site):
    beta, public, private, item = site
    only_public = make_roadmap_item(pm, "Only on the default board")
    roadmap.link_idea(pm, roadmap.get_item(pm, only_public.id), public.id)
    db.session.commit()
    login(pm)
    every = text(client.get("/roadmap"))
    assert board_options(every) == ["All boards", "Ideas", "Enterprise beta (private)"]
    narrowed = text(client.get(f"/roadmap?board={beta.slug}"))
    assert "Only on the default board" not in narrowed
    # The private idea's author and its two voters.
    assert "3 people asked for this" in narrowed
    assert public.title not in narrowed.split('class="roadmap-board"', 1)[1]
    assert selected_board(narrowed) == beta.slug


def test_an_unknown_board_on_the_roadmap_says_so_and_shows_every_board(client, login, pm, site):
    beta, public, private, item = site
    login(pm)
    page = text(client.get("/roadmap?board=nowhere"), 422)
    assert UNKNOWN in page
    assert "4 people asked for this" in page


def test_visitors_get_no_board_select_and_the_whole_public_roadmap(client, site):
    beta, public, private, item = site
    page = text(client.get(f"/roadmap?board={beta.slug}"))
    assert 'name="board"' not in page
    assert "1 person asked for this" in page


# ---- The dashboard ----


def test_the_dashboard_narrows_to_one_board(client, login, pm, site):
    beta, public, private, item = site
    login(pm)
    every = text(client.get("/staff"))
    assert sorted(row_titles(every)) == sorted([public.title, private.title])
    assert board_options(every) == ["All boards", "Ideas", "Enterprise beta (private)"]
    narrowed = text(client.get(f"/staff?board={beta.slug}&sort=trending"))
    assert row_titles(narrowed) == [private.title]
    assert "1 idea" in words(narrowed)
    assert "Only the ideas on the board Enterprise beta (private)." in words(narrowed)
    # The sort links and the export keep the board.
    assert f'href="/staff?board={beta.slug}&sort=votes&page=1"' in narrowed
    assert f'href="/staff/ideas.csv?board={beta.slug}&sort=trending"' in narrowed
    assert row_titles(text(client.get("/staff?board=ideas"))) == [public.title]


def test_an_unknown_board_on_the_dashboard_says_so_and_shows_every_board(client, login, pm, site):
    beta, public, private, item = site
    login(pm)
    page = text(client.get("/staff?board=nowhere&sort=trending"), 422)
    assert UNKNOWN in page
    assert sorted(row_titles(page)) == sorted([public.title, private.title])
    # The links on the page let the unknown board go.
    assert "board=nowhere" not in page


def test_the_export_follows_the_board_and_refuses_an_unknown_one(client, login, pm, site):
    beta, public, private, item = site
    login(pm)
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/staff/ideas.csv?board={beta.slug}").get_data(as_text=True)))
    )
    assert [int(row["id"]) for row in rows] == [private.id]
    refused = client.get("/staff/ideas.csv?board=nowhere")
    assert refused.status_code == 404
    assert "No such board" in refused.get_data(as_text=True)


# ---- Insights ----


def test_insights_narrow_to_one_board(client, login, pm, site):
    beta, public, private, item = site
    insights.refresh_figures()
    db.session.commit()
    login(pm)
    every = text(client.get("/staff/insights"))
    assert "Where the 2 ideas are now" in every
    assert re.search(r"4 votes in all", every)
    narrowed = text(client.get(f"/staff/insights?board={beta.slug}"))
    assert "Where the 1 ideas are now" in narrowed
    assert re.search(r"3 votes in all", narrowed)
    assert "statuses and categories of the board Enterprise beta (private) only" in words(narrowed)
    assert f"/staff/ideas.csv?board={beta.slug}" in narrowed


def test_an_unknown_board_on_the_insights_says_so_and_shows_every_board(client, login, pm, site):
    login(pm)
    page = text(client.get("/staff/insights?board=nowhere"), 422)
    assert UNKNOWN in page
    assert "Where the 2 ideas are now" in page


def test_members_may_not_see_the_staff_pages_of_a_board(client, login, site):
    beta, public, private, item = site
    login(make_user())
    assert client.get(f"/staff?board={beta.slug}").status_code == 403
    assert client.get(f"/staff/insights?board={beta.slug}").status_code == 403


# ---- The staff API ----


def test_the_staff_api_narrows_to_a_board_and_refuses_an_unknown_one(client, site):
    beta, public, private, item = site
    staff = ApiCaller("product_manager")
    body = client.get(f"/api/v1/staff/top-ideas?board={beta.slug}", headers=staff.headers).get_json()
    assert ([entry["id"] for entry in body["items"]], body["total"]) == ([private.id], 1)
    body = client.get("/api/v1/staff/top-ideas", headers=staff.headers).get_json()
    assert body["total"] == 2
    refused = client.get("/api/v1/staff/top-ideas?board=nowhere", headers=staff.headers)
    assert refused.status_code == 404
    assert refused.get_json()["error"]["code"] == "not_found"
