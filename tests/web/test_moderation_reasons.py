"""What moderators' actions tell people: a hidden post's author hears why, locks and pins carry a
reason readers see, and a merged idea offers nothing to follow."""

import re
from html import unescape

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.notification import Notification
from app.services import comments, merges, moderation
from tests.factories import ApiCaller, make_idea, make_user


def act(client, url: str, data: dict, page: str):
    return client.post_form(url, data, page=page, follow_redirects=True)


def text(html: str) -> str:
    """What a reader sees: the page without its tags, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split()).replace(" :", ":")


def notifications_of(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


@pytest.fixture
def moderator(app):
    return make_user("moderator", name="Mo Moderator")


def test_hiding_an_idea_tells_its_author_why_in_the_app_and_by_email(client, login, moderator, outbox_mail):
    author = make_user(name="Ann Author")
    idea = make_idea(author, "Cheap watches for sale")
    login(moderator)
    reason = "Advertising is not allowed here; see the community rules."
    act(client, f"/moderation/ideas/{idea.id}/hide", {"reason": reason}, page=f"/ideas/{idea.id}")
    assert idea.is_hidden

    (notification,) = notifications_of(author)
    assert "Cheap watches for sale" in notification.message
    assert reason in notification.message
    assert notification.url == f"/ideas/{idea.id}"
    assert notifications_of(moderator) == []
    (mail,) = [m for m in outbox_mail() if m["To"] == author.email]
    assert reason in mail.get_content()

    login(author)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Advertising is not allowed here" in page
    # The link still opens: the author sees their hidden idea and the reason.
    assert "Hidden by a moderator: Advertising" in client.get(notification.url).get_data(as_text=True)


def test_hiding_a_comment_tells_its_author_why(client, login, moderator):
    author = make_user(name="Cy Commenter")
    idea = make_idea(make_user(), "Dark mode for the dashboard")
    comment = comments.add_comment(author, idea, "You are all idiots")
    db.session.commit()
    login(moderator)
    act(
        client,
        f"/moderation/comments/{comment.id}/hide",
        {"reason": "Personal attack"},
        page=f"/ideas/{idea.id}",
    )
    (notification,) = [n for n in notifications_of(author) if n.kind == "moderation"]
    assert "Personal attack" in notification.message
    assert "Dark mode for the dashboard" in notification.message
    assert notification.url == f"/ideas/{idea.id}#comment-{comment.id}"
    login(author)
    assert "Personal attack" in client.get("/notifications").get_data(as_text=True)


def test_a_refused_hide_tells_nobody(client, login, moderator):
    author = make_user()
    idea = make_idea(author)
    login(moderator)
    act(client, f"/moderation/ideas/{idea.id}/hide", {"reason": "  "}, page=f"/ideas/{idea.id}")
    assert not idea.is_hidden
    assert notifications_of(author) == []


def test_a_merged_idea_offers_no_follow(client, login, moderator):
    source = make_idea(make_user(), "Dark theme please")
    target = make_idea(make_user(), "Dark mode for the dashboard")
    merges.merge_ideas(moderator, source.id, target.id)
    db.session.commit()
    reader = make_user()
    login(reader)
    html = client.get(f"/ideas/{source.id}").get_data(as_text=True)
    assert f'action="/ideas/{source.id}/follow"' not in html
    assert ">Follow<" not in html
    # Posting the form anyway is refused with a message, and follows nothing.
    response = client.post_form(
        f"/ideas/{source.id}/follow", {"action": "follow"}, page=f"/ideas/{target.id}"
    )
    assert response.status_code == 403
    assert "merged" in response.get_data(as_text=True)
    # The idea it went into can be followed as ever.
    assert f'action="/ideas/{target.id}/follow"' in client.get(f"/ideas/{target.id}").get_data(as_text=True)


def test_lock_and_pin_reasons_are_shown_to_readers(client, login, moderator):
    idea = make_idea(make_user(), "Dark mode for the dashboard")
    login(moderator)
    page = f"/ideas/{idea.id}"
    html = act(
        client,
        f"/moderation/ideas/{idea.id}/lock",
        {"reason": "Duplicate discussion moved to #12"},
        page=page,
    ).get_data(as_text=True)
    assert "The idea is locked" in html
    act(
        client, f"/moderation/ideas/{idea.id}/pin", {"reason": "The most asked-for idea this year"}, page=page
    )
    assert (idea.lock_reason, idea.pin_reason) == (
        "Duplicate discussion moved to #12",
        "The most asked-for idea this year",
    )

    login(make_user())
    html = text(client.get(page).get_data(as_text=True))
    assert "Locked by the moderators: Duplicate discussion moved to #12. No new comments or votes." in html
    assert "Pinned by the moderators: The most asked-for idea this year" in html

    login(moderator)
    act(client, f"/moderation/ideas/{idea.id}/unlock", {}, page=page)
    act(client, f"/moderation/ideas/{idea.id}/unpin", {}, page=page)
    assert (idea.is_locked, idea.lock_reason, idea.pin_reason) == (False, "", "")
    html = client.get(page).get_data(as_text=True)
    assert "Duplicate discussion moved" not in html
    assert "most asked-for" not in html


def test_lock_and_pin_work_without_a_reason(client, login, moderator):
    idea = make_idea()
    login(moderator)
    act(client, f"/moderation/ideas/{idea.id}/lock", {}, page=f"/ideas/{idea.id}")
    act(client, f"/moderation/ideas/{idea.id}/pin", {}, page=f"/ideas/{idea.id}")
    assert idea.is_locked
    assert idea.pinned_at is not None
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert re.search(r"<strong>Locked:</strong>\s*no new comments or votes", html)


def test_a_lock_reason_that_is_too_long_is_refused_and_locks_nothing(client, login, moderator):
    idea = make_idea()
    login(moderator)
    html = act(
        client, f"/moderation/ideas/{idea.id}/lock", {"reason": "x" * 501}, page=f"/ideas/{idea.id}"
    ).get_data(as_text=True)
    assert "Keep the reason to 500 characters or fewer." in html
    assert not idea.is_locked


def test_the_idea_page_offers_a_reason_field_for_lock_and_pin(client, login, moderator):
    idea = make_idea()
    login(moderator)
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    for action in ("lock", "pin"):
        form = html.split(f'action="/moderation/ideas/{idea.id}/{action}"')[1].split("</form>")[0]
        assert 'name="reason"' in form
        assert "required" not in form.split('name="reason"')[1].split(">")[0]


def test_the_api_locks_with_a_reason_and_shows_it(app, client):
    mod = ApiCaller("moderator")
    idea = make_idea(make_user())
    response = client.post(
        f"/api/v1/ideas/{idea.id}/lock", json={"reason": "Moved to #12"}, headers=mod.headers
    )
    assert response.status_code == 200, response.json
    assert (response.json["locked"], response.json["lock_reason"]) == (True, "Moved to #12")
    reader = ApiCaller()
    body = client.get(f"/api/v1/ideas/{idea.id}", headers=reader.headers).json
    assert body["lock_reason"] == "Moved to #12"
    assert (body["pinned"], body["pin_reason"]) == (False, "")


def test_the_api_refuses_a_reason_that_is_not_text(app, client):
    mod = ApiCaller("moderator")
    idea = make_idea(make_user())
    response = client.post(f"/api/v1/ideas/{idea.id}/lock", json={"reason": 12}, headers=mod.headers)
    assert response.status_code == 422
    assert "reason" in response.json["error"]["fields"]
    db.session.refresh(idea)
    assert not idea.is_locked


def test_locking_without_the_web_changes_nothing_else(app, moderator):
    idea = make_idea()
    moderation.set_locked(moderator, idea, True, reason="  Cooling off  ")
    assert idea.lock_reason == "Cooling off"
