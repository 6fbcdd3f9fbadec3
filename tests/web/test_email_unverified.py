"""A member whose address is not confirmed may sign in and read, but not write, on pages and in the API."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.idea import Idea, IdeaVote
from app.models.user import User
from tests.factories import make_api_token, make_idea, make_user

UNVERIFIED_CODE = "email_unverified"


@pytest.fixture
def unverified(app):
    user = make_user(name="Una Confirmed", email="una@example.com")
    user.email_verified_at = None
    db.session.commit()
    return user


def test_the_banner_tells_why_and_offers_the_link_again(client, login, unverified, outbox_mail):
    login(unverified)
    idea = make_idea(title="Offline mode for the app")
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Offline mode for the app" in page  # reading works
    assert "Please confirm your email address." in page
    assert "una@example.com" in page
    page_path = f"/ideas/{idea.id}"
    response = client.post_form("/verify-email/resend", {"next": page_path}, page=page_path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/{idea.id}"
    [mail] = outbox_mail()
    assert mail["To"] == "una@example.com"
    assert "/verify-email/" in mail.get_content()
    page = client.get(page_path).get_data(as_text=True)
    assert "We have sent a new link to una@example.com" in page


def test_a_verified_member_sees_no_banner(client, login):
    login(make_user())
    assert "Please confirm your email address." not in client.get("/").get_data(as_text=True)


def test_asking_for_the_link_again_is_rate_limited(app, client, login, unverified, outbox_mail):
    app.config["RATELIMIT_RESET"] = "2 per hour"
    login(unverified)
    for _ in range(2):
        assert client.post_form("/verify-email/resend", page="/").status_code == 302
    assert client.post_form("/verify-email/resend", page="/").status_code == 429
    assert len(outbox_mail()) == 2


def test_voting_and_posting_from_the_pages_are_refused_with_the_reason(client, login, unverified):
    idea = make_idea(title="Offline mode for the app")
    login(unverified)
    response = client.post_form(f"/ideas/{idea.id}/vote", page=f"/ideas/{idea.id}", follow_redirects=True)
    assert "Please confirm your email address first" in response.get_data(as_text=True)
    votes = select(func.count(IdeaVote.idea_id)).where(IdeaVote.user_id == unverified.id)
    assert db.session.scalar(votes) == 0
    data = {"title": "A brand new idea here", "body": "With a body that is long enough to post."}
    response = client.post_form("/ideas/new", data, follow_redirects=True)
    assert "Please confirm your email address first" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Idea.id)).where(Idea.author_id == unverified.id)) == 0


def test_the_api_reads_but_answers_403_email_unverified_on_writes(client, unverified):
    token = make_api_token(unverified)
    headers = {"Authorization": f"Bearer {token}"}
    idea = make_idea(title="Offline mode for the app")
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.json["email_verified"] is False
    assert client.get(f"/api/v1/ideas/{idea.id}", headers=headers).status_code == 200
    writes = [
        ("post", "/api/v1/ideas", {"title": "A brand new idea here", "body": "Long enough body text."}),
        ("post", f"/api/v1/ideas/{idea.id}/vote", None),
        ("post", f"/api/v1/ideas/{idea.id}/comments", {"body": "I would use this every day."}),
    ]
    for method, path, body in writes:
        response = getattr(client, method)(path, headers=headers, json=body)
        assert response.status_code == 403, path
        assert response.json["error"]["code"] == UNVERIFIED_CODE
        assert "confirm your email address" in response.json["error"]["message"]
    assert db.session.scalar(select(func.count(Idea.id))) == 1
    assert db.session.get(Idea, idea.id).vote_count == 1


def test_once_confirmed_the_member_may_write(client, unverified):
    unverified.email_verified_at = db.session.get(User, make_user().id).email_verified_at
    db.session.commit()
    token = make_api_token(unverified)
    idea = make_idea(title="Offline mode for the app")
    response = client.post(f"/api/v1/ideas/{idea.id}/vote", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 201)
    assert db.session.get(Idea, idea.id).vote_count == 2
