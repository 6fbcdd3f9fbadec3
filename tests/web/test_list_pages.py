"""Page numbers and sorts in list addresses: a bad or too large one gets a page that exists and
a message saying why, never an error page or an empty list that contradicts its own count."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from app.extensions import db
from app.services import ideas
from tests.factories import make_user

EMPTY = "there are no {} here."
# Every paginated list page, who may open it, and what page 99999 of it says.
LISTS = [
    ("/ideas/", None, EMPTY.format("ideas")),
    ("/prototypes/", None, EMPTY.format("prototypes")),
    ("/launches/", None, EMPTY.format("learning launches")),
    ("/changelog", None, EMPTY.format("releases")),
    ("/notifications", "member", EMPTY.format("notifications")),
    ("/admin/users", "admin", "1 member on 1 page. Here is the last page."),
    ("/admin/audit", "admin", EMPTY.format("entries")),
    ("/staff", "product_manager", EMPTY.format("ideas")),
]


def flashes(html: str) -> list[str]:
    return re.findall(r'<p class="flash flash--\w+">(.*?)</p>', html, re.S)


def make_ideas(count: int) -> None:
    author = make_user()
    for number in range(count):
        ideas.create_idea(author, f"Idea number {number} for the list", "Body.", None)
    db.session.commit()


def test_a_page_past_the_end_sends_to_the_last_page_and_says_so(client):
    make_ideas(18)
    response = client.get("/ideas/?page=99999&sort=new")
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/ideas/"
    assert parse_qs(target.query) == {"sort": ["new"]}  # page 1, the filters kept

    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert flashes(html) == ["Page 99999 is past the end: 18 ideas on 1 page. Here is the last page."]
    assert "No ideas here yet" not in html
    assert html.count('class="card card--item card--idea"') == 18
    assert "18 ideas" in html


def test_past_the_end_of_several_pages_lands_on_the_last_one(client):
    make_ideas(30)
    response = client.get("/ideas/?page=7", follow_redirects=True)
    assert response.request.args["page"] == "2"
    html = response.get_data(as_text=True)
    assert flashes(html) == ["Page 7 is past the end: 30 ideas on 2 pages. Here is the last page."]
    assert "Page 2 of 2" in html


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "²"])
def test_a_page_that_is_no_page_number_shows_page_one_and_says_pages_start_at_1(client, page):
    make_ideas(2)
    response = client.get(f"/ideas/?page={page}&sort=top")
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["Location"]).query) == {"sort": ["top"]}
    followed = client.get(response.headers["Location"])
    assert followed.status_code == 200
    html = followed.get_data(as_text=True)
    assert flashes(html) == ["Pages start at 1. Here is page 1."]
    assert html.count('class="card card--item card--idea"') == 2


def test_a_huge_page_number_is_past_the_end_too(client):
    make_ideas(1)
    html = client.get("/ideas/?page=99999999999999999999", follow_redirects=True).get_data(as_text=True)
    assert flashes(html) == [
        "Page 99999999999999999999 is past the end: 1 idea on 1 page. Here is the last page."
    ]


@pytest.mark.parametrize(("path", "role", "says"), LISTS)
def test_every_list_answers_bad_and_past_the_end_pages_alike(client, login, path, role, says):
    if role:
        login(make_user(role))
    past = client.get(f"{path}?page=99999")
    assert past.status_code == 302
    assert urlsplit(past.headers["Location"]).path == path
    html = client.get(past.headers["Location"]).get_data(as_text=True)
    assert flashes(html) == [f"Page 99999 is past the end: {says}"]

    bad = client.get(f"{path}?page=0")
    assert bad.status_code == 302
    followed = client.get(bad.headers["Location"])
    assert followed.status_code == 200
    assert "Pages start at 1. Here is page 1." in flashes(followed.get_data(as_text=True))


@pytest.mark.parametrize("sort", ["bogus", "relevance", ""])
def test_an_unknown_sort_falls_back_to_trending(client, sort):
    make_ideas(2)
    response = client.get(f"/ideas/?sort={sort}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'<option value="trending" selected>Trending</option>', html)
    assert html.count('class="card card--item card--idea"') == 2


def test_an_unknown_status_filter_shows_every_status(client):
    make_ideas(2)
    response = client.get("/ideas/?status=bogus")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('class="card card--item card--idea"') == 2


def test_the_api_keeps_refusing_bad_list_parameters(client):
    for query in ("page=0", "page=abc", "sort=bogus"):
        response = client.get(f"/api/v1/ideas?{query}")
        assert response.status_code == 400
        assert response.json["error"]["code"] == "bad_request"


def test_a_segments_member_list_answers_past_the_end_pages_too(client, login):
    from app.services import segments

    admin = make_user("admin")
    segment = segments.create_segment(admin, "Enterprise", 2, "")
    db.session.commit()
    login(admin)
    url = f"/admin/segments/{segment.id}"
    html = client.get(f"{url}?page=500", follow_redirects=True).get_data(as_text=True)
    assert flashes(html) == ["Page 500 is past the end: there are no members here."]
    assert "Pages start at 1. Here is page 1." in flashes(
        client.get(f"{url}?page=x", follow_redirects=True).get_data(as_text=True)
    )
