"""The audit log page: admins read every entry newest first, filtered by actor, action and date."""

import re
from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.services import accounts, audit, categories, comments, ideas, moderation
from tests.factories import make_user


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def entry(actor, action: str, when: datetime, target_type="user", target_id=None, **kwargs):
    row = audit.record(actor, action, target_type, target_id, **kwargs)
    row.created_at = when
    return row


def rows(html: str) -> list[str]:
    """The actions listed, top to bottom."""
    return re.findall(r'<tr data-action="([^"]+)">', html)


@pytest.fixture
def log(app):
    """Three people and the site acting over three days in March 2026."""
    admin = make_user(role="admin", name="Ada Admin")
    mod = make_user(role="moderator", name="Mo Moderator")
    member = make_user(name="Mel Member")
    entry(mod, "idea.hide", at(1), "idea", 99, reason="Spam")
    entry(admin, "user.change_role", at(2), "user", member.id, before="member", after="moderator")
    entry(None, "comment.hide", at(3, 9), "comment", 98, reason="3 members flagged it")
    entry(mod, "user.suspend", at(3, 23), "user", member.id, reason="Rude", after="3 days")
    db.session.commit()
    return {"admin": admin, "mod": mod, "member": member}


def test_entries_are_listed_newest_first_with_who_and_what(client, login, log):
    login(log["admin"])
    html = client.get("/admin/audit").get_data(as_text=True)
    assert rows(html) == ["user.suspend", "comment.hide", "user.change_role", "idea.hide"]
    assert "4 entries" in html
    assert "3 Mar 2026, 23:00 UTC" in html
    assert f'<a href="/users/{log["mod"].id}">Mo Moderator</a>' in html
    # The site itself acted on the comment.
    assert '<span class="muted">Cocreate</span>' in html
    assert f'<a href="/users/{log["member"].id}">Mel Member</a>' in html
    assert "<del>Member</del> → <ins>Moderator</ins>" in html
    assert "Rude" in html
    assert "Changed a member&#39;s role" in html
    assert "Suspended a member" in html
    assert "3 members flagged it" in html


def test_filter_by_actor(client, login, log):
    login(log["admin"])
    html = client.get(f"/admin/audit?actor={log['mod'].id}").get_data(as_text=True)
    assert rows(html) == ["user.suspend", "idea.hide"]
    # The menu offers the people who appear in the log, and keeps the choice.
    assert re.search(rf'<option selected value="{log["mod"].id}">Mo Moderator</option>', html) or re.search(
        rf'<option value="{log["mod"].id}" selected>Mo Moderator</option>', html
    )
    assert f'value="{log["member"].id}"' not in html.split('id="actor"')[1].split("</select>")[0]


def test_filter_by_action(client, login, log):
    login(log["admin"])
    html = client.get("/admin/audit?action=user.change_role").get_data(as_text=True)
    assert rows(html) == ["user.change_role"]
    menu = html.split('id="action"')[1].split("</select>")[0]
    # In the order of their labels: "Changed a member's role", "Hid a comment", "Hid an idea", ...
    assert re.findall(r'value="([a-z_.]+)"', menu) == [
        "user.change_role",
        "comment.hide",
        "idea.hide",
        "user.suspend",
    ]


def test_filter_by_dates_includes_the_whole_last_day(client, login, log):
    login(log["admin"])
    assert rows(client.get("/admin/audit?since=2026-03-02&until=2026-03-03").get_data(as_text=True)) == [
        "user.suspend",
        "comment.hide",
        "user.change_role",
    ]
    assert rows(client.get("/admin/audit?until=2026-03-01").get_data(as_text=True)) == ["idea.hide"]
    assert rows(client.get("/admin/audit?since=2026-03-03").get_data(as_text=True)) == [
        "user.suspend",
        "comment.hide",
    ]
    combined = f"/admin/audit?actor={log['mod'].id}&action=idea.hide&since=2026-03-01&until=2026-03-01"
    assert rows(client.get(combined).get_data(as_text=True)) == ["idea.hide"]
    html = client.get("/admin/audit?since=2026-04-01").get_data(as_text=True)
    assert rows(html) == []
    assert "No entries match these filters." in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=yesterday", "Enter a date like 2026-03-12."),
        ("until=2026-02-30", "Enter a date like 2026-03-12."),
        ("since=2026-03-03&until=2026-03-01", "The end date is before the start date."),
        ("actor=someone", "Choose a person from the list."),
    ],
)
def test_bad_filters_get_a_clear_message(client, login, log, query, message):
    login(log["admin"])
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert rows(html) == []


def test_an_actor_id_not_in_the_menu_still_filters(client, login, log):
    login(log["admin"])
    html = client.get(f"/admin/audit?actor={log['member'].id}").get_data(as_text=True)
    assert rows(html) == []
    assert f'value="{log["member"].id}">Member #{log["member"].id}</option>' in html


def test_extreme_dates_do_not_crash(client, login, log):
    login(log["admin"])
    assert client.get("/admin/audit?since=0001-01-01&until=9999-12-31").status_code == 200


def test_targets_link_to_ideas_comments_and_people(client, login):
    admin = make_user(role="admin")
    mod = make_user(role="moderator")
    author = make_user(name="Ann Author")
    idea = ideas.create_idea(author, "Dark mode for the dashboard", "Please")
    comment = comments.add_comment(author, idea, "Buy cheap watches")
    db.session.flush()
    category = categories.create_category(admin, "Reporting")
    moderation.hide_item(mod, "idea", idea.id, "Off topic")
    moderation.hide_item(mod, "comment", comment.id, "Spam")
    accounts.suspend_user(mod, author, 3, "Spam")
    db.session.commit()
    login(admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert f'<a href="/ideas/{idea.id}">Dark mode for the dashboard</a>' in html
    assert (
        f'<a href="/ideas/{idea.id}#comment-{comment.id}">Comment on “Dark mode for the dashboard”</a>'
        in html
    )
    assert f'<a href="/users/{author.id}">Ann Author</a>' in html
    assert f'<a href="/admin/categories/{category.id}">Category “Reporting”</a>' in html


def test_edits_show_the_text_before_and_after_in_a_details_element(client, login):
    admin = make_user(role="admin")
    mod = make_user(role="moderator")
    author = make_user()
    idea = ideas.create_idea(author, "Old title here", "Old body")
    db.session.flush()
    ideas.update_idea(mod, idea, title="New title here", body="New body")
    db.session.commit()
    login(admin)
    html = client.get("/admin/audit?action=idea.edit").get_data(as_text=True)
    details = re.search(r'<details class="audit-diff">(.*?)</details>', html, re.S)
    assert details, "the edit has no expandable text"
    assert "Old title here\n\nOld body" in details.group(1)
    assert "New title here\n\nNew body" in details.group(1)


def test_the_log_pages_by_fifty(client, login):
    admin = make_user(role="admin")
    for day in range(1, 29):
        for hour in range(2):
            entry(admin, "idea.pin", at(day, hour), "idea", None)
    db.session.commit()
    login(admin)
    first = client.get("/admin/audit").get_data(as_text=True)
    assert len(rows(first)) == 50
    assert "Page 1 of 2" in first
    second = client.get("/admin/audit?page=2&action=idea.pin").get_data(as_text=True)
    assert len(rows(second)) == 6
    assert "Page 2 of 2" in second


def test_the_page_takes_a_fixed_number_of_queries(client, login, count_queries):
    admin = make_user(role="admin")
    author = make_user()
    idea = ideas.create_idea(author, "Dark mode for the dashboard", "Please")
    db.session.flush()
    entry(admin, "idea.pin", at(1), "idea", idea.id)
    db.session.commit()
    login(admin)
    with count_queries() as few:
        client.get("/admin/audit")
    for number in range(10):
        other = make_user(role="moderator")
        entry(other, "user.suspend", at(2, number), "user", author.id, reason="x")
        entry(other, "comment.hide", at(2, number), "comment", number + 1)
    db.session.commit()
    with count_queries() as many:
        client.get("/admin/audit")
    assert len(many) == len(few) + 2  # one more query each for comment and user targets


@pytest.mark.parametrize("role", ["member", "product_manager"])
def test_only_admins_and_moderators_read_the_log(client, login, role):
    login(make_user(role=role))
    assert client.get("/admin/audit").status_code == 403
