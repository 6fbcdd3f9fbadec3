"""Every redirect to a target the request names stays on the site (app/links.py: local_path).

The routes are those whose views or templates take a `next` (grep `next` in app/web and
templates), and those that send the visitor back to the page they came from (the Referer).
"""

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from app.extensions import db
from app.links import local_path
from app.services import moderation
from tests.factories import PASSWORD, make_idea, make_prototype, make_user

HOSTILE = [
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/%2F%2Fevil.example",
    "/%2Fevil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "/%252F%252Fevil.example",  # encoded twice
    "\t//evil.example",
    " //evil.example",
    " /evil.example",
    "/\t/evil.example",
    "/%09/evil.example",
    "/ideas/\r\nLocation: https://evil.example/",
    "/ideas/%0D%0ALocation:%20https://evil.example/",
    "/\r\n//evil.example",
]

SAFE = "/ideas/?sort=new&q=export%20csv#list"


# ---- Each route that takes `next`: sign someone in, set up, and post (or get) with `target`. ----


def sign_in_page(client, login, target):
    login(make_user())
    return client.get("/sign-in", query_string={"next": target})


def sign_in_form(client, login, target):
    client.application.config["RATELIMIT_SIGNIN_IP"] = "1000 per minute"
    client = client.application.test_client()  # signed out
    user = make_user()
    return client.post_form(
        "/sign-in", {"email": user.email, "password": PASSWORD, "next": target}, page="/sign-in"
    )


def idea_vote(client, login, target):
    idea = make_idea()
    login(make_user())
    return client.post_form(f"/ideas/{idea.id}/vote", {"next": target}, page=f"/ideas/{idea.id}")


def prototype_vote(client, login, target):
    prototype = make_prototype(status="published")
    login(make_user())
    page = f"/prototypes/{prototype.id}"
    return client.post_form(f"{page}/vote", {"next": target}, page=page)


def flag(client, login, target):
    idea = make_idea()
    login(make_user())
    fields = {"target_type": "idea", "target_id": idea.id, "reason": "spam", "note": "", "next": target}
    return client.post_form("/flags", fields, page=f"/ideas/{idea.id}")


def moderation_action(action: str, fields: dict | None = None) -> Callable:
    def post(client, login, target):
        idea = make_idea()
        moderator = make_user("moderator")
        if action == "restore":
            moderation.hide_item(moderator, "idea", idea.id, "Spam and adverts.")
        if action == "dismiss":
            moderation.flag_item(make_user(), "idea", idea.id, "spam", "")
        db.session.commit()
        login(moderator)
        return client.post_form(
            f"/moderation/ideas/{idea.id}/{action}", {**(fields or {}), "next": target}, page="/moderation"
        )

    return post


def merge(client, login, target):
    # No idea named to merge into: the view flashes why and goes back.
    idea = make_idea()
    login(make_user("moderator"))
    return client.post_form(f"/moderation/ideas/{idea.id}/merge", {"target": "", "next": target}, page="/")


def bulk_status(client, login, target):
    idea = make_idea()
    login(make_user("admin"))
    fields = {"idea_ids": idea.id, "status": "planned", "status_note": "", "next": target}
    return client.post_form("/staff/bulk-status", fields, page="/staff")


def change_role(client, login, target):
    member = make_user()
    login(make_user("admin"))
    return client.post_form(
        f"/admin/users/{member.id}/role", {"role": "moderator", "next": target}, page="/admin/users"
    )


NEXT_ROUTES = {
    "sign-in page, signed in": sign_in_page,
    "sign-in form": sign_in_form,
    "idea vote": idea_vote,
    "prototype vote": prototype_vote,
    "flag": flag,
    "hide": moderation_action("hide", {"reason": "Spam and adverts."}),
    "restore": moderation_action("restore"),
    "delete": moderation_action("delete"),
    "dismiss": moderation_action("dismiss"),
    "lock": moderation_action("lock"),
    "pin": moderation_action("pin"),
    "merge": merge,
    "bulk status": bulk_status,
    "change role": change_role,
}


def on_site(location: str) -> bool:
    parts = urlsplit(location)
    return (
        "evil.example" not in location
        and not any(char in location for char in "\\\r\n\t")
        and parts.scheme in ("", "http")
        and parts.netloc in ("", "localhost")
        and (bool(parts.netloc) or (location.startswith("/") and not location.startswith("//")))
    )


def assert_stays_on_site(response) -> str:
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    assert on_site(location), location
    return location


@pytest.mark.parametrize("route", NEXT_ROUTES)
def test_a_hostile_next_never_leaves_the_site(client, login, route):
    # Every variant against one app per route (fresh objects each time): a fresh app per pair is slow.
    answers = {target: NEXT_ROUTES[route](client, login, target) for target in HOSTILE}

    left = {
        target: (response.status_code, response.headers.get("Location"))
        for target, response in answers.items()
        if response.status_code not in (302, 303) or not on_site(response.headers["Location"])
    }
    assert left == {}


@pytest.mark.parametrize("route", NEXT_ROUTES)
def test_a_next_on_this_site_is_followed(client, login, route):
    assert assert_stays_on_site(NEXT_ROUTES[route](client, login, SAFE)) == SAFE


# ---- Routes that send the visitor back where they came from ----


def roadmap_link_without_an_idea(client, login, referrer):
    login(make_user("admin"))
    return client.post_form(
        "/roadmap/link", {"item_id": "", "idea_id": ""}, page="/roadmap", headers={"Referer": referrer}
    )


def vote_refused_by_the_state(client, login, referrer):
    # A Conflict on a form post (app/errors.py) flashes why and goes back.
    from app.services import ideas

    idea = make_idea()
    ideas.change_status(make_user("admin"), idea, "declined", "Not now.")
    db.session.commit()
    login(make_user())
    page = f"/ideas/{idea.id}"
    return client.post_form(f"{page}/vote", {}, page=page, headers={"Referer": referrer})


BACK_ROUTES = {"roadmap link": roadmap_link_without_an_idea, "refused vote": vote_refused_by_the_state}
HOSTILE_REFERRERS = [
    "https://evil.example/ideas/1",
    "http://localhost.evil.example/ideas/1",
    "http://localhost//evil.example/",
    "http://localhost/%2F%2Fevil.example",
    "http://localhost/\\evil.example",
]


@pytest.mark.parametrize("route", BACK_ROUTES)
def test_going_back_never_leaves_the_site(client, login, route):
    for referrer in HOSTILE_REFERRERS:
        assert_stays_on_site(BACK_ROUTES[route](client, login, referrer))


@pytest.mark.parametrize("route", BACK_ROUTES)
def test_going_back_to_a_page_of_this_site_works(client, login, route):
    response = BACK_ROUTES[route](client, login, "http://localhost/ideas/?sort=new")

    assert assert_stays_on_site(response) == "/ideas/?sort=new"


@pytest.mark.parametrize("target", HOSTILE)
def test_local_path_refuses_every_hostile_variant(target):
    assert local_path(target) is None


@pytest.mark.parametrize(
    "target", ["/", SAFE, "/ideas/3#comment-4", "/search?q=a%2Fb", "/ideas?next=http://x"]
)
def test_local_path_keeps_paths_on_this_site(target):
    assert local_path(target) == target
