"""@mentions by username, and the member suggestions the comment box offers while @ is typed."""

import json
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.notification import Notification
from tests.factories import make_idea, make_user


def mention_kinds(user) -> list[str]:
    return db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)).all()


def comment(client, idea, body: str):
    return client.post_form(f"/ideas/{idea.id}/comments", {"body": body}, page=f"/ideas/{idea.id}")


def test_at_username_mentions_the_member_and_notifies_once(client, login):
    ada = make_user(name="Ada Lovelace", username="ada")
    idea = make_idea()
    login(make_user())
    comment(client, idea, "@ada, could you look at this? Thanks @Ada.")
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert f'<a href="/users/{ada.id}" rel="nofollow ugc noopener">@ada</a>' in page
    assert mention_kinds(ada) == ["mention"]


def test_a_username_wins_over_someone_elses_display_name(client, login):
    sam = make_user(name="Samuel Jones", username="sam")
    other = make_user(name="Sam")
    idea = make_idea()
    login(make_user())
    comment(client, idea, "What do you think, @sam?")
    assert mention_kinds(sam) == ["mention"]
    assert mention_kinds(other) == []


def test_a_full_display_name_still_mentions(client, login):
    grace = make_user(name="Grace Hopper", username="amazing_grace")
    idea = make_idea()
    login(make_user())
    comment(client, idea, "@Grace Hopper knows.")
    assert mention_kinds(grace) == ["mention"]


def test_members_see_and_change_their_username_in_settings(client, login):
    ada = make_user(name="Ada Lovelace", username="ada")
    make_user(username="taken")
    login(ada)
    page = client.get("/account/settings").get_data(as_text=True)
    assert 'value="ada"' in page
    refused = client.post_form("/account/profile", {"display_name": "Ada L", "username": "Taken"})
    assert refused.status_code == 422
    assert "@taken is already someone else’s username" in refused.get_data(as_text=True)
    db.session.refresh(ada)
    assert (ada.display_name, ada.username) == ("Ada Lovelace", "ada")
    bad = client.post_form("/account/profile", {"display_name": "Ada L", "username": "ada lovelace!"})
    assert bad.status_code == 422
    assert "letters a–z, digits and underscores" in bad.get_data(as_text=True)
    ok = client.post_form("/account/profile", {"display_name": "Ada L", "username": "Countess_Ada"})
    assert ok.status_code == 302
    db.session.refresh(ada)
    assert (ada.display_name, ada.username) == ("Ada L", "countess_ada")
    assert "@countess_ada" in client.get(f"/users/{ada.id}").get_data(as_text=True)


@pytest.mark.usefixtures("app")
def test_new_accounts_get_a_username_from_their_display_name():
    from app.services import accounts

    first = accounts.register_user("a1@example.com", "Zoë O'Brien", "correct horse battery")
    second = accounts.register_user("a2@example.com", "Zoe OBrien", "correct horse battery")
    third = accounts.register_user("a3@example.com", "日本語", "correct horse battery")
    db.session.commit()
    assert first.username == "zoe_obrien"
    assert second.username == "zoe_obrien2"
    assert third.username == "member"


# ---- GET /users/suggest ----


def suggest(client, q: str):
    response = client.get("/users/suggest", query_string={"q": q})
    return response, (json.loads(response.get_data(as_text=True)) if response.is_json else None)


def test_suggestions_match_usernames_and_display_names(client, login):
    ada = make_user(name="Ada Lovelace", username="ada", email="ada@example.com")
    adam = make_user(name="Adam Smith", username="asmith")
    make_user(name="Bob", username="bob")
    login(make_user())
    response, data = suggest(client, "ad")
    assert response.status_code == 200
    names = [(item["username"], item["display_name"]) for item in data["users"]]
    assert names == [("ada", "Ada Lovelace"), ("asmith", "Adam Smith")]
    assert data["users"][0]["url"] == f"/users/{ada.id}"
    assert "@example.com" not in response.get_data(as_text=True)
    assert "email" not in data["users"][0]
    # Matching by display name: "smi" is in no username but in Adam Smith's name.
    _, data = suggest(client, "smi")
    assert [item["username"] for item in data["users"]] == ["asmith"]
    assert adam.id == data["users"][0]["id"]


def test_suggestions_leave_out_suspended_and_unverified_accounts(client, login):
    make_user(name="Ada Lovelace", username="ada")
    suspended = make_user(name="Adam Suspended", username="adam")
    suspended.suspended_at = utcnow()
    unverified = make_user(name="Adele Unverified", username="adele")
    unverified.email_verified_at = None
    db.session.commit()
    login(make_user())
    _, data = suggest(client, "ad")
    assert [item["username"] for item in data["users"]] == ["ada"]


def test_suggestions_are_at_most_eight(client, login):
    for number in range(12):
        make_user(name=f"Member {number}", username=f"team{number:02}")
    login(make_user())
    _, data = suggest(client, "team")
    assert len(data["users"]) == 8
    assert data["users"][0]["username"] == "team00"


def test_an_empty_query_suggests_nobody(client, login):
    make_user(username="ada")
    login(make_user())
    _, data = suggest(client, "")
    assert data == {"users": []}


def test_suggestions_need_sign_in(client):
    make_user(name="Ada Lovelace", username="ada")
    response, data = suggest(client, "ad")
    assert response.status_code == 401
    assert "ada" not in response.get_data(as_text=True).lower()


def test_suggestions_are_rate_limited(client, login, app):
    app.config["RATELIMIT_SUGGEST"] = "3 per minute"
    login(make_user())
    codes = [suggest(client, "ad")[0].status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "Retry-After" in suggest(client, "ad")[0].headers


# ---- Mentions in an idea's description ----


def test_an_idea_description_mentions_by_username_and_an_edit_tells_only_the_newly_mentioned(client, login):
    ada = make_user(name="Ada Lovelace", username="ada")
    bob = make_user(name="Bob Builder", username="bob")
    author = make_user()
    login(author)
    client.post_form(
        "/ideas/new",
        {"title": "Dark mode for the dashboard", "body": "As @ada said, eyes hurt.", "confirmed": "1"},
    )
    (notification,) = db.session.scalars(select(Notification).where(Notification.user_id == ada.id)).all()
    assert notification.kind == "mention"
    assert "mentioned you in “Dark mode for the dashboard”" in notification.message
    idea_url = notification.url
    page = client.get(idea_url).get_data(as_text=True)
    assert f'<a href="/users/{ada.id}" rel="nofollow ugc noopener">@ada</a>' in page
    client.post_form(
        f"{idea_url}/edit", {"title": "Dark mode for the dashboard", "body": "As @ada and @bob said."}
    )
    assert mention_kinds(ada) == ["mention"]
    assert mention_kinds(bob) == ["mention"]


def test_the_idea_form_offers_mention_completion(client, login):
    login(make_user())
    page = client.get("/ideas/new").get_data(as_text=True)
    assert re.search(
        r'<textarea [^>]*data-mentions[^>]*name="body"|<textarea [^>]*name="body"[^>]*data-mentions', page
    )
