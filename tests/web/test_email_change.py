"""Changing the email address in the browser: the settings form, the confirming and the undoing link."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models.user import User
from tests.factories import PASSWORD, make_api_token, make_user

SETTINGS = "/account/settings"


def reload(user: User) -> User:
    return db.session.scalar(select(User).where(User.id == user.id).execution_options(populate_existing=True))


def link(mail, kind: str) -> str:
    return re.search(rf"http://127\.0\.0\.1:5000(/account/email/{kind}/\S+)", mail.get_content()).group(1)


def ask(client, new_email: str = "new@example.com", password: str = PASSWORD):
    return client.post_form("/account/email", {"new_email": new_email, "password": password}, page=SETTINGS)


def test_settings_offer_the_change_with_the_current_address(client, login):
    login(make_user(email="ann@example.com"))

    html = client.get(SETTINGS).get_data(as_text=True)

    assert 'id="change-email"' in html
    assert "Your address is <strong>ann@example.com</strong>" in html
    assert 'action="/account/email"' in html
    assert 'name="password"' in html.split('id="change-email"')[1].split("</section>")[0]


def test_the_whole_change_from_settings_to_the_new_address(client, login, outbox_mail):
    ann = make_user(email="ann@example.com")
    login(ann)

    response = ask(client)
    assert response.status_code == 302
    assert "We sent a link to new@example.com" in client.get(SETTINGS).get_data(as_text=True)
    [mail] = outbox_mail()
    assert mail["To"] == "new@example.com"
    assert reload(ann).email == "ann@example.com"

    confirm = link(mail, "confirm")
    page = client.get(confirm)  # a mail scanner opening the link changes nothing
    assert "Use new@example.com" in page.get_data(as_text=True)
    assert reload(ann).email == "ann@example.com"

    response = client.post_form(confirm)
    assert response.status_code == 302
    assert response.headers["Location"] == SETTINGS
    assert reload(ann).email == "new@example.com"
    assert "Your email address is now new@example.com" in client.get(SETTINGS).get_data(as_text=True)
    [notice] = outbox_mail()[1:]
    assert notice["To"] == "ann@example.com"
    assert "/account/email/undo/" in notice.get_content()


def test_a_refused_request_says_why_and_sends_nothing(client, login, outbox_mail):
    ann = make_user(email="ann@example.com")
    make_user(email="taken@example.com")
    login(ann)

    wrong = ask(client, password="not my password")
    taken = ask(client, "taken@example.com")
    invalid = ask(client, "no-at-sign")

    assert wrong.status_code == taken.status_code == invalid.status_code == 422
    assert "Your password is not correct." in wrong.get_data(as_text=True)
    assert "Another account uses this email address already." in taken.get_data(as_text=True)
    assert "Enter a valid email address" in invalid.get_data(as_text=True)
    assert outbox_mail() == []
    assert reload(ann).email == "ann@example.com"


def test_the_form_needs_its_csrf_token(client, login, outbox_mail):
    login(make_user())

    response = client.post("/account/email", data={"new_email": "new@example.com", "password": PASSWORD})

    assert response.status_code == 400
    assert outbox_mail() == []


def test_requests_are_limited(client, login, outbox_mail):
    login(make_user())

    answers = [ask(client, f"new{n}@example.com").status_code for n in range(6)]

    assert answers == [302] * 5 + [429]
    assert len(outbox_mail()) == 5


def test_a_used_or_altered_link_gets_a_clear_page(client, login, outbox_mail):
    ann = make_user(email="ann@example.com")
    login(ann)
    ask(client)
    confirm = link(outbox_mail()[0], "confirm")
    client.post_form(confirm)

    used = client.get(confirm)
    altered = client.get(confirm[:-3] + "xyz")

    assert used.status_code == altered.status_code == 409
    assert "This link was used already" in used.get_data(as_text=True)
    assert "This link is not valid" in altered.get_data(as_text=True)


def test_the_undo_link_puts_the_address_back_and_signs_out_everywhere(app, client, login, outbox_mail):
    ann = make_user(email="ann@example.com")
    token = make_api_token(ann)
    elsewhere = login(ann, app.test_client())
    login(ann)
    ask(client)
    client.post_form(link(outbox_mail()[0], "confirm"))
    undo = link(outbox_mail()[1], "undo")

    page = client.get(undo)
    assert "Put ann@example.com back" in page.get_data(as_text=True)
    assert reload(ann).email == "new@example.com"

    response = client.post_form(undo)

    assert response.status_code == 302
    assert response.headers["Location"] == "/forgot-password"
    assert reload(ann).email == "ann@example.com"
    page = client.get("/forgot-password").get_data(as_text=True)
    assert "Your email address is ann@example.com again" in page
    for browser in (client, elsewhere):
        assert browser.get(SETTINGS).status_code == 302  # signed out
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_the_undo_link_works_signed_out_too(client, login, outbox_mail):
    ann = make_user(email="ann@example.com")
    login(ann)
    ask(client)
    client.post_form(link(outbox_mail()[0], "confirm"))
    undo = link(outbox_mail()[1], "undo")
    client.post_form("/sign-out", page=SETTINGS)

    assert client.post_form(undo).status_code == 302
    assert reload(ann).email == "ann@example.com"
    again = client.get(undo)
    assert again.status_code == 409
    assert "This change was undone already" in again.get_data(as_text=True)
