"""Admins list members and change their roles; nobody else reaches any admin page."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.moderation import AuditEntry
from app.services import accounts
from tests.factories import make_user


def audit_entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def listed_names(html: str) -> list[str]:
    return re.findall(r'<th scope="row" class="table__title"><a href="/users/\d+">([^<]+)</a>', html)


def test_the_list_shows_members_newest_first_with_email_role_joined_and_state(client, login):
    admin = make_user(role="admin", name="Ada Admin")
    older = make_user(name="Olga Older", email="olga@example.com")
    older.created_at = utcnow() - timedelta(days=30)
    newer = make_user(name="Nina Newer", role="moderator")
    accounts.suspend_user(admin, newer, 5, "Shouting")
    db.session.commit()
    login(admin)
    html = client.get("/admin/users").get_data(as_text=True)
    assert listed_names(html) == ["Nina Newer", "Ada Admin", "Olga Older"]
    assert "olga@example.com" in html
    assert f'href="/users/{older.id}"' in html
    assert "Suspended" in html
    assert "until" in html
    assert re.search(
        rf'id="role-{newer.id}"[^>]*>\s*(<option[^>]*>[^<]*</option>)*?<option value="moderator" selected',
        html,
    )
    # Nobody changes their own role: the admin's own row has no role form.
    assert f'id="role-{admin.id}"' not in html
    assert f'action="/admin/users/{older.id}/role"' in html


def test_search_by_name_or_email_and_filters_by_role_and_suspension(client, login):
    admin = make_user(role="admin", name="Ada Admin")
    make_user(name="Bob Builder", email="bob@builders.test")
    make_user(name="Carla Crafts", email="carla@example.com", role="moderator")
    dana = make_user(name="Dana 100% Real", email="dana@example.com")
    accounts.suspend_user(admin, dana, None, "Spam")
    db.session.commit()
    login(admin)
    assert listed_names(client.get("/admin/users?q=builders").get_data(as_text=True)) == ["Bob Builder"]
    assert listed_names(client.get("/admin/users?q=CARLA").get_data(as_text=True)) == ["Carla Crafts"]
    # Wildcards in the search are taken literally.
    assert listed_names(client.get("/admin/users?q=100%25").get_data(as_text=True)) == ["Dana 100% Real"]
    assert listed_names(client.get("/admin/users?q=_").get_data(as_text=True)) == []
    assert listed_names(client.get("/admin/users?role=moderator").get_data(as_text=True)) == ["Carla Crafts"]
    assert listed_names(client.get("/admin/users?suspended=1").get_data(as_text=True)) == ["Dana 100% Real"]
    assert listed_names(client.get("/admin/users?q=example&role=member").get_data(as_text=True)) == [
        "Dana 100% Real"
    ]


def test_an_expired_suspension_is_not_listed_as_suspended(client, login):
    admin = make_user(role="admin")
    member = make_user(name="Past Suspension")
    accounts.suspend_user(admin, member, 1, "Cool off")
    member.suspended_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(admin)
    assert listed_names(client.get("/admin/users?suspended=1").get_data(as_text=True)) == []


def test_bad_filters_are_refused_clearly(client, login):
    login(make_user(role="admin"))
    response = client.get("/admin/users?role=emperor")
    assert response.status_code == 400
    assert "role" in response.get_data(as_text=True)
    # A bad page number is no error: page 1, with a message (tests/web/test_list_pages.py).
    assert client.get("/admin/users?page=zero").headers["Location"] == "/admin/users"


def test_the_list_pages_by_fifty(client, login):
    admin = make_user(role="admin", commit=False)
    for number in range(55):
        make_user(name=f"Member {number:02d}", commit=False)
    db.session.commit()
    login(admin)
    first = client.get("/admin/users").get_data(as_text=True)
    assert len(listed_names(first)) == 50
    assert "Page 1 of 2" in first
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert len(listed_names(second)) == 6
    assert set(listed_names(first)).isdisjoint(listed_names(second))


def test_the_list_takes_a_fixed_number_of_queries(client, login, count_queries):
    admin = make_user(role="admin", commit=False)
    for _ in range(5):
        make_user(commit=False)
    db.session.commit()
    login(admin)
    with count_queries() as few:
        client.get("/admin/users")
    for _ in range(20):
        make_user(commit=False)
    db.session.commit()
    with count_queries() as many:
        client.get("/admin/users")
    assert len(many) == len(few)


def test_an_admin_changes_a_role_and_the_audit_log_has_it_once(client, login):
    admin = make_user(role="admin")
    member = make_user(name="Maya Member")
    login(admin)
    response = client.post_form(f"/admin/users/{member.id}/role", {"role": "moderator"}, page="/admin/users")
    assert response.status_code == 302
    assert member.role == "moderator"
    assert "Maya Member is now Moderator." in client.get("/admin/users").get_data(as_text=True)
    # The same role again changes nothing and logs nothing.
    client.post_form(f"/admin/users/{member.id}/role", {"role": "moderator"}, page="/admin/users")
    entries = audit_entries("user.change_role")
    assert [(e.actor_id, e.target_id, e.before, e.after) for e in entries] == [
        (admin.id, member.id, "member", "moderator")
    ]
    html = client.get("/admin/audit").get_data(as_text=True)
    assert html.count('<tr data-action="user.change_role">') == 1
    assert "<del>Member</del> → <ins>Moderator</ins>" in html


def test_the_role_form_returns_to_the_filtered_list(client, login):
    admin = make_user(role="admin")
    member = make_user()
    login(admin)
    response = client.post_form(
        f"/admin/users/{member.id}/role",
        {"role": "product_manager", "next": "/admin/users?role=member&page=1"},
        page="/admin/users",
    )
    assert response.headers["Location"] == "/admin/users?role=member&page=1"
    response = client.post_form(
        f"/admin/users/{member.id}/role",
        {"role": "member", "next": "https://evil.test/"},
        page="/admin/users",
    )
    assert response.headers["Location"] == "/admin/users"


def test_an_unknown_role_is_refused_with_a_message(client, login):
    admin = make_user(role="admin")
    member = make_user()
    login(admin)
    client.post_form(f"/admin/users/{member.id}/role", {"role": "emperor"}, page="/admin/users")
    assert member.role == "member"
    assert "Role must be one of" in client.get("/admin/users").get_data(as_text=True)
    assert audit_entries("user.change_role") == []


def test_an_admin_cannot_change_their_own_role(client, login):
    admin = make_user(role="admin")
    login(admin)
    response = client.post_form(f"/admin/users/{admin.id}/role", {"role": "member"}, page="/admin/users")
    assert response.status_code == 403
    assert admin.role == "admin"
    assert audit_entries("user.change_role") == []


ADMIN_PAGES = ["/admin/users", "/admin/audit", "/admin/settings", "/admin/categories"]


@pytest.mark.parametrize("role", ["member", "moderator", "product_manager"])
def test_non_admins_get_403_on_every_admin_page_and_post(client, login, role):
    target = make_user(name="Target Person")
    login(make_user(role=role))
    for path in ADMIN_PAGES:
        if path == "/admin/audit" and role == "moderator":
            continue  # moderators read the moderation part of the log
        assert client.get(path).status_code == 403, path
    token = client.csrf_token("/ideas/new")
    posts = {
        f"/admin/users/{target.id}/role": {"role": "admin"},
        "/admin/settings": {"premoderation_enabled": "y", "premoderation_first_posts": "1"},
    }
    for path, data in posts.items():
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 403, path
    assert target.role == "member"
    assert audit_entries("user.change_role") == []
    assert audit_entries("settings.update") == []


def test_a_suspended_admin_loses_the_admin_pages(client, login):
    admin = make_user(role="admin")
    other_admin = make_user(role="admin")
    accounts.suspend_user(other_admin, admin, 2, "Compromised account")
    db.session.commit()
    login(admin)
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "suspended" in response.get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    member = make_user()
    for path in ADMIN_PAGES:
        response = client.get(path)
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]
    response = client.post(f"/admin/users/{member.id}/role", data={"role": "admin"})
    assert response.status_code in (302, 400)
    assert member.role == "member"


def test_admin_pages_share_a_sub_navigation(client, login):
    login(make_user(role="admin"))
    for path in ADMIN_PAGES:
        html = client.get(path).get_data(as_text=True)
        assert 'aria-label="Admin"' in html, path
        for link in ("/admin/users", "/admin/audit", "/admin/settings", "/admin/categories"):
            assert f'href="{link}"' in html
