"""Admins change the site settings; pre-moderation then holds new members' first posts."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.idea import Idea
from app.models.moderation import AuditEntry
from app.models.setting import SiteSetting
from app.services import settings
from tests.factories import make_user

ON = {"premoderation_enabled": "y", "premoderation_first_posts": "1", "premoderation_max_links": "2"}


def stored_settings() -> dict:
    return {row.key: row.value for row in db.session.scalars(select(SiteSetting))}


def test_the_page_shows_the_defaults(client, login):
    login(make_user(role="admin"))
    html = client.get("/admin/settings").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="premoderation_enabled"', html)
    assert not re.search(r'<input[^>]*checked[^>]*id="premoderation_enabled"', html)
    assert re.search(
        r'id="premoderation_first_posts"[^>]*value="3"|value="3"[^>]*id="premoderation_first_posts"', html
    )
    assert re.search(
        r'id="premoderation_max_links"[^>]*value="2"|value="2"[^>]*id="premoderation_max_links"', html
    )
    assert "<dt>Pre-moderation</dt><dd>Off</dd>" in html


def test_an_admin_turns_pre_moderation_on_and_it_is_audited(client, login):
    admin = make_user(role="admin")
    login(admin)
    response = client.post_form("/admin/settings", ON)
    assert response.status_code == 302
    assert settings.get_settings() == {
        "premoderation_enabled": True,
        "premoderation_first_posts": 1,
        "premoderation_max_links": 2,
        "ranking_explanations_public": False,
    }
    html = client.get("/admin/settings").get_data(as_text=True)
    assert "Settings saved." in html
    assert "<dt>Pre-moderation</dt><dd><strong>On</strong></dd>" in html
    assert re.search(r'<input[^>]*checked[^>]*id="premoderation_enabled"', html)
    entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "settings.update")))
    # Only the two values that changed are logged.
    assert sorted((e.reason, e.before, e.after) for e in entries) == [
        ("premoderation_enabled", "False", "True"),
        ("premoderation_first_posts", "3", "1"),
    ]
    audit_page = client.get("/admin/audit").get_data(as_text=True)
    assert "Pre-moderation: first posts held" in audit_page
    assert "<del>Off</del> → <ins>On</ins>" in audit_page
    # Unticking the box turns it off again.
    client.post_form("/admin/settings", {"premoderation_first_posts": "1", "premoderation_max_links": "2"})
    assert settings.get_settings()["premoderation_enabled"] is False


def test_saving_the_same_values_says_nothing_changed(client, login):
    login(make_user(role="admin"))
    client.post_form("/admin/settings", {"premoderation_first_posts": "3", "premoderation_max_links": "2"})
    assert "Nothing changed." in client.get("/admin/settings").get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry)) is None


@pytest.mark.parametrize(
    "data",
    [
        {"premoderation_first_posts": "-1", "premoderation_max_links": "2"},
        {"premoderation_first_posts": "101", "premoderation_max_links": "2"},
        {"premoderation_first_posts": "three", "premoderation_max_links": "2"},
        {"premoderation_first_posts": "1.5", "premoderation_max_links": "2"},
        {"premoderation_first_posts": "", "premoderation_max_links": "2"},
        {"premoderation_first_posts": "3", "premoderation_max_links": "lots"},
    ],
)
def test_bad_values_get_a_clear_message_and_change_nothing(client, login, data):
    login(make_user(role="admin"))
    response = client.post_form("/admin/settings", {"premoderation_enabled": "y", **data})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Use a whole number from 0 to 100." in html
    assert html.count("Use a whole number from 0 to 100.") == 1
    assert "Nothing was changed" in html
    assert stored_settings() == {}
    assert settings.get_settings()["premoderation_enabled"] is False
    assert db.session.scalar(select(AuditEntry)) is None


def test_with_pre_moderation_a_new_members_first_post_waits_for_review(app, client, login):
    admin = make_user(role="admin")
    login(admin)
    client.post_form("/admin/settings", ON)

    newcomer = make_user(name="New Comer")
    author = login(newcomer, app.test_client())
    response = author.post_form("/ideas/new", {"title": "A calendar view for tasks", "body": "Please"})
    assert response.status_code == 302
    idea = db.session.scalar(select(Idea).where(Idea.title == "A calendar view for tasks"))
    assert idea.is_pending

    # Others do not see it, on the list or at its address.
    reader = login(make_user(), app.test_client())
    assert "A calendar view for tasks" not in reader.get("/ideas/").get_data(as_text=True)
    assert reader.get(f"/ideas/{idea.id}").status_code == 404
    assert "A calendar view for tasks" not in app.test_client().get("/ideas/").get_data(as_text=True)

    # Its author sees it, with a note that it waits for review.
    assert "A calendar view for tasks" in author.get("/ideas/").get_data(as_text=True)
    page = author.get(f"/ideas/{idea.id}")
    assert page.status_code == 200
    assert "Waiting for a moderator" in page.get_data(as_text=True)

    # Once a moderator approves it, the account is past its first N (here 1) posts.
    moderator = login(make_user(role="moderator"), app.test_client())
    moderator.post_form(f"/moderation/ideas/{idea.id}/restore", page=f"/ideas/{idea.id}")
    assert not idea.is_pending
    author.post_form("/ideas/new", {"title": "Keyboard shortcuts everywhere", "body": "Please"})
    second = db.session.scalar(select(Idea).where(Idea.title == "Keyboard shortcuts everywhere"))
    assert not second.is_pending
    assert "Keyboard shortcuts everywhere" in reader.get("/ideas/").get_data(as_text=True)


def test_without_pre_moderation_first_posts_show_at_once(app, client, login):
    newcomer = make_user()
    author = login(newcomer, app.test_client())
    author.post_form("/ideas/new", {"title": "A calendar view for tasks", "body": "Please"})
    idea = db.session.scalar(select(Idea))
    assert not idea.is_pending
    assert "A calendar view for tasks" in client.get("/ideas/").get_data(as_text=True)
