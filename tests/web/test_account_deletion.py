"""Deleting an account in the browser (the member's own, and an admin's) and downloading its data."""

import json
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.moderation import AuditEntry
from app.models.user import User
from app.services import sessions
from tests.factories import PASSWORD, make_comment, make_idea, make_user

SETTINGS = "/account/settings"
PHRASE = "delete my account"


def reload(user: User) -> User:
    return db.session.scalar(select(User).where(User.id == user.id).execution_options(populate_existing=True))


def delete_section(html: str) -> str:
    return html.split('id="delete"', 1)[1].split("</section>", 1)[0]


def delete(client, confirm: str = PHRASE, password: str = PASSWORD):
    return client.post_form("/account/delete", {"confirm": confirm, "password": password}, page=SETTINGS)


def test_settings_offer_deletion_with_the_password_and_the_download_first(client, login):
    login(make_user())

    html = client.get(SETTINGS).get_data(as_text=True)

    section = delete_section(html)
    assert "Delete my account" in section
    assert 'name="confirm"' in section
    assert 'name="password"' in section
    assert 'href="/account/export"' in section
    assert "Download my data" in html


def test_deleting_signs_out_everywhere_and_keeps_the_posts_unsigned(app, client, login):
    ann = make_user(name="Ann Archer")
    idea = make_idea(ann, "Dark mode for reports", voters=[make_user()])
    make_comment(idea, ann, "Night shifts need it")
    elsewhere = login(ann, app.test_client())
    login(ann)

    response = delete(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Your account is deleted." in home
    assert "Sign out" not in home
    for browser in (client, elsewhere):
        assert browser.get(SETTINGS).status_code == 302
    assert reload(ann).is_deleted
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Ann Archer" not in page
    assert "Deleted member" in page
    assert "Night shifts need it" in page
    assert f'href="/users/{ann.id}"' not in page
    assert '<span class="vote__count">2</span>' in page
    assert client.get(f"/users/{ann.id}").status_code == 404


def test_a_wrong_password_or_phrase_deletes_nothing(client, login):
    ann = make_user()
    login(ann)

    wrong_password = delete(client, password="not my password")
    wrong_phrase = delete(client, confirm="yes")

    assert wrong_password.status_code == wrong_phrase.status_code == 422
    assert "Your password is not correct." in delete_section(wrong_password.get_data(as_text=True))
    assert "Type “delete my account” to confirm." in delete_section(wrong_phrase.get_data(as_text=True))
    assert not reload(ann).is_deleted
    assert client.get(SETTINGS).status_code == 200


def test_the_form_needs_its_csrf_token(client, login):
    ann = make_user()
    login(ann)

    response = client.post("/account/delete", data={"confirm": PHRASE, "password": PASSWORD})

    assert response.status_code == 400
    assert not reload(ann).is_deleted


def passwordless(client, signed_in_with: str, minutes_ago: int) -> User:
    user = make_user()
    user.password_hash = ""
    record = sessions.start_session(user, "Test client", signed_in_with=signed_in_with)
    record.created_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
    return user


def test_without_a_password_a_recent_single_sign_on_confirms(client):
    user = passwordless(client, "github", 2)

    section = delete_section(client.get(SETTINGS).get_data(as_text=True))
    assert 'name="confirm"' in section
    assert 'name="password"' not in section

    assert client.post_form("/account/delete", {"confirm": PHRASE}, page=SETTINGS).status_code == 302
    assert reload(user).is_deleted


def test_without_a_password_an_old_sign_in_is_told_to_sign_in_again(client):
    user = passwordless(client, "github", 30)

    section = delete_section(client.get(SETTINGS).get_data(as_text=True))
    assert "sign in again with your provider" in section
    assert "<form" not in section

    token = client.csrf_token()
    response = client.post(
        "/account/delete", data={"confirm": PHRASE, "csrf_token": token}, headers={"Referer": SETTINGS}
    )
    assert response.status_code == 302
    assert "sign in again with your provider" in client.get(SETTINGS).get_data(as_text=True)
    assert not reload(user).is_deleted


def test_the_only_admin_is_told_why_not(client, login):
    admin = make_user("admin")
    login(admin)

    response = client.post_form(
        "/account/delete",
        {"confirm": PHRASE, "password": PASSWORD},
        page=SETTINGS,
        headers={"Referer": SETTINGS},
    )

    assert response.status_code == 302
    assert "only admin account" in client.get(SETTINGS).get_data(as_text=True)
    assert not reload(admin).is_deleted


def test_download_my_data_is_a_json_file_of_the_account(client, login):
    ann = make_user(name="Ann Archer")
    idea = make_idea(ann, "Dark mode for reports")
    login(ann)

    response = client.get("/account/export")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="account-{ann.id}-data.json"'
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["display_name"] == "Ann Archer"
    assert [i["title"] for i in data["ideas"]] == [idea.title]
    assert [s["device"] for s in data["sessions"]] == ["Unknown browser"]


def test_download_needs_sign_in(client):
    response = client.get("/account/export")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


# An admin deleting a member's account


def test_an_admin_deletes_a_member_by_typing_their_address(client, login):
    admin = make_user("admin")
    ann = make_user(email="ann@example.com", name="Ann Archer")
    login(admin)

    listing = client.get("/admin/users").get_data(as_text=True)
    assert f'href="/admin/users/{ann.id}/delete"' in listing
    assert f'href="/admin/users/{admin.id}/delete"' not in listing
    page = client.get(f"/admin/users/{ann.id}/delete")
    assert page.status_code == 200
    assert "ann@example.com" in page.get_data(as_text=True)

    url = f"/admin/users/{ann.id}/delete"
    wrong = client.post_form(url, {"confirm": PHRASE})
    assert wrong.status_code == 422
    assert "Type “ann@example.com” to confirm." in wrong.get_data(as_text=True)
    assert not reload(ann).is_deleted

    response = client.post_form(url, {"confirm": "ann@example.com"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "The account of Ann Archer is deleted." in listing
    assert "Deleted member" not in listing.split("</form>", 1)[1]
    assert reload(ann).is_deleted
    assert client.get(url).status_code == 404
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "Deleted an account" in audit
    assert f"Member #{ann.id} (deleted)" in audit
    assert "Ann Archer" not in audit
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.delete"))
    assert (entry.actor_id, entry.target_id, entry.reason, entry.before, entry.after) == (
        admin.id,
        ann.id,
        "",
        None,
        None,
    )


def test_only_admins_reach_the_deletion_page(client, login):
    ann = make_user()
    login(make_user("moderator"))

    assert client.get(f"/admin/users/{ann.id}/delete").status_code == 403
    assert (
        client.post_form(f"/admin/users/{ann.id}/delete", {"confirm": ann.email}, page="/").status_code == 403
    )
    assert not reload(ann).is_deleted


def test_an_admin_deletes_their_own_account_from_the_settings(client, login):
    admin = make_user("admin")
    login(admin)

    response = client.get(f"/admin/users/{admin.id}/delete")

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/settings#delete"
