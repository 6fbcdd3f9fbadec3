"""Opening a notification marks it read by POST (with a CSRF token); a GET changes nothing and
only ever redirects to a path on this site."""

import re

import pytest

from app.extensions import db
from app.models.notification import Notification
from app.services import comments, moderation, notifications
from tests.factories import make_idea, make_notification, make_user


def is_read(notification_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(Notification, notification_id).is_read


def test_a_get_goes_to_the_target_and_changes_nothing(client, login):
    ann = make_user()
    notification = make_notification(ann, url="/ideas/7#comment-3")
    login(ann)

    response = client.get(f"/notifications/{notification.id}")

    assert response.status_code == 302
    assert response.headers["Location"] == "/ideas/7#comment-3"
    assert not is_read(notification.id)
    assert "Notifications, 1 unread" in client.get("/").get_data(as_text=True)


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(client, login):
    ann = make_user()
    notification = make_notification(ann, url="/ideas/7#comment-3")
    login(ann)

    response = client.post(f"/notifications/{notification.id}")

    assert response.status_code == 400
    assert not is_read(notification.id)


def test_the_list_opens_each_notification_by_posting_and_that_marks_it_read(client, login):
    ann = make_user()
    notification = make_notification(ann, url="/ideas/7#comment-3")
    login(ann)
    html = client.get("/notifications").get_data(as_text=True)

    form = re.search(
        rf'<form class="notification__form" method="post" action="/notifications/{notification.id}">'
        r'\s*<input id="csrf_token" name="csrf_token" type="hidden" value="[^"]+">'
        r'\s*<button type="submit" class="notification__link">',
        html,
    )
    assert form is not None
    assert f'href="/notifications/{notification.id}"' not in html

    response = client.post_form(f"/notifications/{notification.id}", page="/notifications")

    assert response.status_code == 302
    assert response.headers["Location"] == "/ideas/7#comment-3"
    assert is_read(notification.id)
    assert "Notifications, " not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "stored",
    [
        "//evil.example/phish",
        "/\\evil.example/phish",
        "https://evil.example/phish",
        "/\t/evil.example/phish",
        "/%2F%2Fevil.example/phish",
        "javascript:alert(1)",
        "ideas/7",
    ],
)
def test_a_stored_link_off_this_site_leads_to_the_list_instead(client, login, stored):
    ann = make_user()
    notification = make_notification(ann, url=stored)
    login(ann)

    assert client.get(f"/notifications/{notification.id}").headers["Location"] == "/notifications"
    response = client.post_form(f"/notifications/{notification.id}", page="/notifications")
    assert response.headers["Location"] == "/notifications"


def test_someone_elses_missing_or_withdrawn_notifications_are_not_found(client, login):
    ann, bob = make_user(name="Ann Author"), make_user(name="Bob")
    idea = make_idea(ann)
    comment = comments.add_comment(bob, idea, "Hello")
    db.session.commit()
    [about_comment] = notifications.list_notifications(ann).items
    moderation.hide_item(make_user("moderator"), "comment", comment.id, "Spam")
    db.session.commit()
    theirs = make_notification(bob, url="/ideas/7#comment-3")
    login(ann)

    for notification_id in (theirs.id, about_comment.id, 99999):
        assert client.get(f"/notifications/{notification_id}").status_code == 404
        response = client.post_form(f"/notifications/{notification_id}", page="/notifications")
        assert response.status_code == 404
    assert not is_read(theirs.id)
    assert not is_read(about_comment.id)
    assert "Bob commented" not in client.get("/notifications").get_data(as_text=True)
