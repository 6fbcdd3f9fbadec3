"""Suspensions from the profile page: who may suspend whom, what a suspended member can still do."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea, IdeaFollow, IdeaVote
from app.models.moderation import AuditEntry
from app.services import accounts, api_tokens
from tests.factories import PASSWORD, make_idea, make_user

BANNER = "You can read, but not post, vote, flag or join."
REFUSAL = "you can read but not post, vote, flag or join"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def suspend(client, user, **data):
    return client.post_form(f"/users/{user.id}/suspend", data, page=f"/users/{user.id}")


def test_a_moderator_suspends_a_member_for_some_days_from_the_profile(client, login):
    moderator = make_user(role="moderator", name="Mo Derator")
    member = make_user(name="Sam Spammer")
    login(moderator)
    page = client.get(f"/users/{member.id}").get_data(as_text=True)
    assert f'action="/users/{member.id}/suspend"' in page
    response = suspend(client, member, days="7", reason="Posting the same link everywhere.")
    assert response.status_code == 302
    assert member.is_suspended
    assert timedelta(days=6, hours=23) < member.suspended_until - utcnow() <= timedelta(days=7)
    assert member.suspension_reason == "Posting the same link everywhere."
    html = client.get(f"/users/{member.id}").get_data(as_text=True)
    assert "Sam Spammer is suspended until" in html
    assert re.search(
        r"Suspended until \d+ \w+ \d{4}, \d\d:\d\d UTC</strong>: Posting the same link everywhere\.", html
    )
    assert f'action="/users/{member.id}/unsuspend"' in html
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.suspend"))
    assert (entry.actor_id, entry.target_id, entry.reason, entry.after) == (
        moderator.id,
        member.id,
        "Posting the same link everywhere.",
        "7 days",
    )


@pytest.mark.parametrize("role", ["member", "moderator", "product_manager", "admin"])
def test_an_admin_suspends_anyone_permanently(client, login, role):
    admin = make_user(role="admin")
    target = make_user(role=role)
    login(admin)
    suspend(client, target, permanently="y", reason="Repeated abuse")
    assert target.is_suspended
    assert target.suspended_until is None
    assert "Suspended permanently</strong>: Repeated abuse" in client.get(f"/users/{target.id}").get_data(
        as_text=True
    )


@pytest.mark.parametrize("role", ["admin", "product_manager", "moderator"])
def test_a_moderator_cannot_suspend_staff_or_other_moderators(client, login, role):
    moderator = make_user(role="moderator")
    target = make_user(role=role)
    login(moderator)
    assert f'action="/users/{target.id}/suspend"' not in client.get(f"/users/{target.id}").get_data(
        as_text=True
    )
    response = suspend(client, target, days="3", reason="No")
    assert response.status_code == 403
    assert not target.is_suspended
    assert count(AuditEntry) == 0


@pytest.mark.parametrize("role", ["member", "product_manager"])
def test_members_and_product_managers_cannot_suspend(client, login, role):
    target = make_user()
    login(make_user(role=role))
    assert "/suspend" not in client.get(f"/users/{target.id}").get_data(as_text=True)
    assert suspend(client, target, days="3", reason="No").status_code == 403
    assert not target.is_suspended


def test_nobody_suspends_themself(client, login):
    admin = make_user(role="admin")
    login(admin)
    assert "/suspend" not in client.get(f"/users/{admin.id}").get_data(as_text=True)
    assert suspend(client, admin, days="3", reason="Oops").status_code == 403
    assert not admin.is_suspended


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "No length"}, "Enter a number of days, or choose permanently."),
        ({"days": "0", "reason": "Zero"}, "Suspend for 1 to 3,650 days, or permanently."),
        ({"days": "3651", "reason": "Too long"}, "Suspend for 1 to 3,650 days, or permanently."),
        ({"days": "two", "reason": "Words"}, "Suspend for 1 to 3,650 days, or permanently."),
        ({"days": "3", "permanently": "y", "reason": "Both"}, "not both"),
        ({"days": "3", "reason": "   "}, "Give a reason; the member will read it."),
        ({"days": "3", "reason": "x" * 501}, "Keep the reason to 500 characters or fewer."),
    ],
)
def test_bad_suspension_input_gets_a_clear_message_and_changes_nothing(client, login, data, message):
    moderator = make_user(role="moderator")
    member = make_user()
    login(moderator)
    response = suspend(client, member, **data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert not member.is_suspended
    assert member.suspended_at is None
    assert count(AuditEntry) == 0


def test_suspension_signs_the_member_out_and_leaves_them_read_only(app, client, login):
    moderator = make_user(role="moderator")
    member = make_user(email="sam@example.com", name="Sam")
    idea = make_idea(title="Export reports to CSV")
    login(member)
    assert client.get("/account/settings").status_code == 200
    mod_client = login(moderator, app.test_client())
    suspend(mod_client, member, days="3", reason="Cooling off")

    # The old session cookie no longer signs anyone in.
    response = client.get("/account/settings")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]

    response = client.post_form("/sign-in", {"email": "sam@example.com", "password": PASSWORD})
    assert response.status_code == 302

    # Reading works, with the banner on every page.
    for path in ("/", "/ideas/", f"/ideas/{idea.id}", f"/users/{member.id}", "/account/settings"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert BANNER in response.get_data(as_text=True), path
        assert "Cooling off" in response.get_data(as_text=True), path

    ideas_before, votes_before, comments_before, follows_before = (
        count(Idea),
        count(IdeaVote),
        count(Comment),
        count(IdeaFollow),
    )
    token = client.csrf_token("/ideas/")
    writes = {
        "/ideas/new": {"title": "A brand new idea", "body": "Please"},
        f"/ideas/{idea.id}/vote": {"intent": "add"},
        f"/ideas/{idea.id}/comments": {"body": "Me too"},
        f"/ideas/{idea.id}/follow": {},
    }
    for path, data in writes.items():
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 403, path
        html = response.get_data(as_text=True)
        assert REFUSAL in html, path
        assert "Cooling off" in html, path
    assert (count(Idea), count(IdeaVote), count(Comment), count(IdeaFollow)) == (
        ideas_before,
        votes_before,
        comments_before,
        follows_before,
    )


def test_a_suspension_revokes_the_api_token_of_the_member(client):
    moderator = make_user(role="moderator")
    member = make_user()
    _, plain = api_tokens.create_token(None, member, "Script")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    accounts.suspend_user(moderator, member, None, "Bot spam")
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    response = client.post("/api/v1/ideas", json={"title": "Posted by a script"}, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert count(Idea) == 0


def test_a_suspension_of_some_days_expires(client, login):
    moderator = make_user(role="moderator")
    member = make_user()
    idea = make_idea()
    accounts.suspend_user(moderator, member, 2, "Short break")
    db.session.commit()
    login(member)
    assert BANNER in client.get("/ideas/").get_data(as_text=True)
    member.suspended_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert BANNER not in client.get("/ideas/").get_data(as_text=True)
    response = client.post_form(
        f"/ideas/{idea.id}/comments", {"body": "Back again"}, page=f"/ideas/{idea.id}"
    )
    assert response.status_code == 302
    assert count(Comment) == 1


def test_unsuspend_lifts_the_suspension_at_once(app, client, login):
    moderator = make_user(role="moderator")
    member = make_user(name="Sam")
    accounts.suspend_user(moderator, member, None, "Mistake")
    db.session.commit()
    login(member)
    mod_client = login(moderator, app.test_client())
    response = mod_client.post_form(f"/users/{member.id}/unsuspend", page=f"/users/{member.id}")
    assert response.status_code == 302
    assert not member.is_suspended
    assert "Sam&#39;s suspension is lifted." in mod_client.get(f"/users/{member.id}").get_data(as_text=True)
    # Lifting keeps the member signed in (only suspending signs out) and the banner is gone.
    html = client.get("/ideas/").get_data(as_text=True)
    assert BANNER not in html
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "user.unsuspend"
    # Unsuspending someone who is not suspended says so and changes nothing.
    response = mod_client.post_form(f"/users/{member.id}/unsuspend", page=f"/users/{member.id}")
    assert response.status_code == 302
    assert "This member is not suspended." in mod_client.get(f"/users/{member.id}").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "user.unsuspend")) == 1


def test_a_moderator_cannot_unsuspend_an_admin_suspended_by_an_admin(client, login):
    admin = make_user(role="admin")
    other_admin = make_user(role="admin")
    accounts.suspend_user(admin, other_admin, 3, "Compromised")
    db.session.commit()
    login(make_user(role="moderator"))
    response = client.post_form(f"/users/{other_admin.id}/unsuspend", page="/ideas/")
    assert response.status_code == 403
    assert other_admin.is_suspended


def test_the_suspension_shows_to_moderators_and_the_member_only(app, client, login):
    moderator = make_user(role="moderator")
    member = make_user()
    accounts.suspend_user(moderator, member, None, "Private reason")
    db.session.commit()
    assert "Private reason" not in client.get(f"/users/{member.id}").get_data(as_text=True)
    login(make_user())
    assert "Private reason" not in client.get(f"/users/{member.id}").get_data(as_text=True)
    login(member)
    html = client.get(f"/users/{member.id}").get_data(as_text=True)
    assert "Suspended permanently</strong>: Private reason" in html
    assert "/suspend" not in html
    login(moderator)
    assert "Suspended permanently</strong>: Private reason" in client.get(f"/users/{member.id}").get_data(
        as_text=True
    )


def test_the_banner_names_the_end_and_the_reason(client, login):
    moderator = make_user(role="moderator")
    member = make_user()
    accounts.suspend_user(moderator, member, 3, "Spam links")
    db.session.commit()
    login(member)
    html = client.get("/").get_data(as_text=True)
    until = f"{member.suspended_until:%-d %b %Y, %H:%M} UTC"
    assert f"Your account is suspended until {until}</strong>: Spam links." in html
    assert BANNER in html
    login(make_user())
    assert BANNER not in client.get("/").get_data(as_text=True)
