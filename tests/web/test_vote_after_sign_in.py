"""Signed out, Vote (or Follow, or Comment) leads to sign-in or registration; once in, it is done."""

import html as html_lib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.idea import Idea, IdeaFollow, IdeaVote
from app.services import accounts, moderation
from tests.factories import PASSWORD, make_idea, make_user
from tests.web.test_auth import verify_link

TITLE = "Export reports to CSV"
COLON = "(?::|%3A)"  # url_for may leave the colon of "vote:12" as it is


def vote_link(page: str, idea_id: int) -> str:
    """The href of the signed-out Vote control of one idea."""
    match = re.search(rf'<a class="vote__button[^"]*" href="([^"]+intent=vote{COLON}{idea_id}[^"]*)"', page)
    assert match, "no Vote link for signed-out visitors"
    return html_lib.unescape(match.group(1))


def hidden_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    return html_lib.unescape(match.group(1)) if match else None


def sign_in_from(client, link: str, user, **override):
    """Open the sign-in page at `link` and send its form as a person would (hidden fields kept)."""
    page = client.get(link).get_data(as_text=True)
    data = {"email": user.email, "password": PASSWORD}
    for name in ("next", "intent"):
        value = hidden_value(page, name)
        if value is not None:
            data[name] = value
    data.update(override)
    return client.post_form(link, data)


def votes_of(user) -> int:
    return db.session.scalar(select(func.count()).select_from(IdeaVote).where(IdeaVote.user_id == user.id))


def flashes(client) -> str:
    # The message shows on the next page, whichever it is.
    return client.get("/account/settings").get_data(as_text=True)


def test_a_visitor_clicks_vote_on_the_list_signs_in_and_is_back_with_the_vote_counted(client):
    idea = make_idea(title=TITLE)
    member = make_user()
    page = client.get("/ideas/?sort=new").get_data(as_text=True)
    assert f'id="idea-{idea.id}"' in page  # the anchor the visitor comes back to
    link = vote_link(page, idea.id)
    query = parse_qs(urlsplit(link).query)
    assert urlsplit(link).path == "/sign-in"
    assert query["next"] == [f"/ideas/?sort=new#idea-{idea.id}"]

    sign_in_page = client.get(link).get_data(as_text=True)
    assert f"Sign in to vote for “{TITLE}”" in sign_in_page
    # An easy way to join instead, which keeps the vote in mind.
    join = re.search(r'href="(/register\?[^"]+)"', sign_in_page)
    assert join
    assert re.search(rf"intent=vote{COLON}", join.group(1))

    response = sign_in_from(client, link, member)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/?sort=new#idea-{idea.id}"
    assert votes_of(member) == 1
    assert db.session.get(Idea, idea.id).vote_count == 2
    page = client.get("/ideas/?sort=new").get_data(as_text=True)
    assert f"Your vote for “{TITLE}” was counted." in page
    assert re.search(r'class="vote__button is-voted" aria-pressed="true"', page)


def test_vote_from_the_idea_page_returns_to_it(client):
    idea = make_idea(title=TITLE)
    member = make_user()
    link = vote_link(client.get(f"/ideas/{idea.id}").get_data(as_text=True), idea.id)
    response = sign_in_from(client, link, member)
    assert response.headers["Location"] == f"/ideas/{idea.id}"
    assert votes_of(member) == 1


def test_the_signed_out_markup_is_the_same_for_every_visitor_and_holds_no_form_token(app, client):
    idea = make_idea(title=TITLE)
    other = app.test_client()
    first = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert first == other.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert 'name="csrf_token"' not in first
    assert vote_link(first, idea.id)


def test_an_off_site_next_is_refused_and_the_vote_still_lands_on_the_idea(client):
    idea = make_idea(title=TITLE)
    member = make_user()
    for target in ("https://evil.example/", "//evil.example/ideas", "/\\evil.example"):
        client.post_form("/sign-out", page="/account/settings")
        response = sign_in_from(client, f"/sign-in?next={target}&intent=vote:{idea.id}", member)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/ideas/{idea.id}"
    assert votes_of(member) == 1


def test_a_vote_on_a_locked_idea_changes_nothing_and_says_why(client):
    idea = make_idea(title=TITLE)
    link = vote_link(client.get(f"/ideas/{idea.id}").get_data(as_text=True), idea.id)
    moderation.set_locked(make_user(role="moderator"), idea, True)
    db.session.commit()
    member = make_user()
    response = sign_in_from(client, link, member)
    assert response.headers["Location"] == f"/ideas/{idea.id}"
    assert votes_of(member) == 0
    assert db.session.get(Idea, idea.id).vote_count == 1
    page = flashes(client)
    assert f"Your vote for “{TITLE}” was not counted" in page
    assert "This idea is locked" in page


def test_a_suspended_member_is_told_why_the_vote_was_not_counted(client):
    idea = make_idea(title=TITLE)
    member = make_user()
    accounts.suspend_user(make_user(role="moderator"), member, 3, "Spam")
    db.session.commit()
    sign_in_from(client, f"/sign-in?next=/ideas/&intent=vote:{idea.id}", member)
    assert votes_of(member) == 0
    page = flashes(client)
    assert f"Your vote for “{TITLE}” was not counted" in page
    assert "Your account is suspended" in page


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "vote:{id}",
        lambda token: "",
    ],
    ids=["altered-signature", "unsigned", "empty"],
)
def test_a_tampered_intent_is_ignored_and_sign_in_still_works(client, tamper):
    idea = make_idea(title=TITLE)
    member = make_user()
    link = f"/sign-in?next=/ideas/&intent=vote:{idea.id}"
    token = hidden_value(client.get(link).get_data(as_text=True), "intent")
    assert token
    response = sign_in_from(client, link, member, intent=tamper(token).format(id=idea.id))
    assert response.status_code == 302
    assert response.headers["Location"] == "/ideas/"
    assert votes_of(member) == 0
    assert "Welcome back" in flashes(client)


def test_an_intent_that_names_no_visible_idea_is_not_offered(client):
    hidden = make_idea(title="Buy cheap watches here")
    moderation.hide_item(make_user(role="moderator"), "idea", hidden.id, "Spam")
    db.session.commit()
    for intent in (f"vote:{hidden.id}", "vote:99999", "vote:abc", "delete:1", "vote"):
        page = client.get(f"/sign-in?intent={intent}").get_data(as_text=True)
        assert "Sign in to vote" not in page
        assert hidden_value(page, "intent") is None
        assert "watches" not in page


def test_an_old_intent_is_ignored(client, monkeypatch):
    import time

    idea = make_idea(title=TITLE)
    member = make_user()
    link = f"/sign-in?next=/ideas/&intent=vote:{idea.id}"
    page = client.get(link).get_data(as_text=True)
    later = time.time() + 2 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    sign_in_from(client, link, member, intent=hidden_value(page, "intent"))
    assert votes_of(member) == 0


def test_follow_while_signed_out_follows_after_sign_in(client):
    idea = make_idea(title=TITLE)
    member = make_user()
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    pattern = rf'<a class="button[^"]*" href="([^"]+intent=follow{COLON}\d+[^"]*)"[^>]*>Follow<'
    match = re.search(pattern, page)
    assert match, "no Follow link for signed-out visitors"
    response = sign_in_from(client, html_lib.unescape(match.group(1)), member)
    assert response.headers["Location"] == f"/ideas/{idea.id}"
    follow = select(IdeaFollow).where(IdeaFollow.user_id == member.id, IdeaFollow.idea_id == idea.id)
    assert db.session.scalar(follow) is not None
    assert votes_of(member) == 0
    assert f"You follow “{TITLE}”" in flashes(client)


def test_sign_in_to_comment_returns_to_the_comment_box(client):
    idea = make_idea(title=TITLE)
    member = make_user()
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    match = re.search(rf'href="([^"]+intent=comment{COLON}\d+[^"]*)"[^>]*>Sign in to comment<', page)
    assert match
    response = sign_in_from(client, html_lib.unescape(match.group(1)), member)
    assert response.headers["Location"] == f"/ideas/{idea.id}#comment-body"
    assert "Your comment" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)


def test_the_vote_survives_registration_and_is_counted_when_the_address_is_confirmed(client, outbox_mail):
    idea = make_idea(title=TITLE)
    sign_in_page = client.get(f"/sign-in?next=/ideas/%23idea-{idea.id}&intent=vote:{idea.id}")
    join = html_lib.unescape(re.search(r'href="(/register\?[^"]+)"', sign_in_page.get_data(as_text=True))[1])
    page = client.get(join).get_data(as_text=True)
    assert f"Create an account to vote for “{TITLE}”" in page
    data = {"email": "new@example.com", "display_name": "New Person", "password": "a long enough secret"}
    data.update({name: hidden_value(page, name) for name in ("next", "intent")})
    assert "Check your inbox" in client.post_form(join, data).get_data(as_text=True)
    [mail] = outbox_mail()

    other_browser = client.application.test_client()  # the mail may be opened anywhere
    response = other_browser.post_form(verify_link(mail))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/#idea-{idea.id}"
    new = db.session.scalar(select(accounts.User).where(accounts.User.email == "new@example.com"))
    assert votes_of(new) == 1
    page = other_browser.get("/ideas/").get_data(as_text=True)
    assert "Welcome to" in page
    assert f"Your vote for “{TITLE}” was counted." in page


def test_an_unconfirmed_account_gets_a_new_link_that_keeps_the_vote(client, outbox_mail):
    idea = make_idea(title=TITLE)
    fields = {"email": "new@example.com", "display_name": "New", "password": "a long secret"}
    client.post_form("/register", fields)
    outbox_mail()
    link = f"/sign-in?next=/ideas/&intent=vote:{idea.id}"
    page = client.get(link).get_data(as_text=True)
    data = {"email": "new@example.com", "password": "a long secret", "next": "/ideas/"}
    data["intent"] = hidden_value(page, "intent")
    response = client.post_form(link, data)
    assert response.status_code == 302
    # Signed in to read, but the vote waits for the confirmed address.
    assert db.session.get(Idea, idea.id).vote_count == 1
    assert "Please confirm your email address" in client.get("/ideas/").get_data(as_text=True)
    fresh = outbox_mail()[-1]
    response = client.post_form(verify_link(fresh))
    assert response.headers["Location"] == "/ideas/"
    assert db.session.get(Idea, idea.id).vote_count == 2


def test_a_signed_out_visitor_votes_for_a_prototype_after_sign_in(client):
    from app.services import prototypes

    pm = make_user(role="product_manager")
    prototype = prototypes.create_prototype(pm, "Dark mode sketches", "Three palettes.", status="published")
    db.session.commit()
    member = make_user()
    page = client.get(f"/prototypes/{prototype.id}").get_data(as_text=True)
    pattern = rf'<a class="vote__button[^"]*" href="([^"]+intent=prototype-vote{COLON}\d+[^"]*)"'
    match = re.search(pattern, page)
    assert match
    response = sign_in_from(client, html_lib.unescape(match.group(1)), member)
    assert response.headers["Location"] == f"/prototypes/{prototype.id}"
    assert prototypes.has_voted(member, prototype)
    assert "Your vote for “Dark mode sketches” was counted." in flashes(client)
