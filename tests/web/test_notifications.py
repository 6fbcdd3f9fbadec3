"""Notifications in the browser: the bell, the list, marking read, email settings and unsubscribing."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models.notification import Notification
from app.models.user import User
from app.services import comments, ideas, notifications
from tests.factories import make_notification, make_user

BELL = re.compile(r'<a class="bell[^"]*" href="/notifications"[^>]*aria-label="([^"]+)"')


def bell_labels(html: str) -> list[str]:
    return BELL.findall(html)


def is_read(notification_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(Notification, notification_id).is_read


def test_the_bell_shows_the_unread_count_to_its_owner_only(app, client, login):
    ann, bob = make_user(), make_user()
    for number in range(3):
        make_notification(ann, f"Update {number}")
    notifications.mark_read(ann, make_notification(ann, "Seen").id)
    db.session.commit()

    assert bell_labels(client.get("/").get_data(as_text=True)) == []  # visitors have no bell

    login(ann)
    html = client.get("/").get_data(as_text=True)
    # One bell in the menu, one beside the menu button on small screens; CSS shows one.
    assert bell_labels(html) == ["Notifications, 3 unread"] * 2
    assert re.search(r'class="bell__badge" aria-hidden="true">3<', html)

    other = login(bob, app.test_client())
    html = other.get("/").get_data(as_text=True)
    assert bell_labels(html) == ["Notifications"] * 2
    assert "bell__badge" not in html


def test_the_bell_count_costs_one_query_per_page(client, login, count_queries):
    ann = make_user()
    make_notification(ann, "Hello")
    login(ann)
    with count_queries() as statements:
        html = client.get("/account/settings").get_data(as_text=True)
    assert "Notifications, 1 unread" in html
    assert len([sql for sql in statements if "FROM notifications" in sql]) == 1


def test_the_list_shows_newest_first_marks_unread_and_pages_by_25(client, login):
    ann = make_user()
    first = make_notification(ann, "The very first one")
    for number in range(25):
        make_notification(ann, f"Update number {number}")
    notifications.mark_read(ann, first.id)
    db.session.commit()
    login(ann)

    html = client.get("/notifications").get_data(as_text=True)
    assert "25 unread" in html
    assert html.index("Update number 24") < html.index("Update number 23")
    assert "The very first one" not in html  # on page 2
    assert html.count('class="notification notification--unread"') == 25
    assert '<span class="visually-hidden">Unread: </span>Update number 24' in html
    assert 'href="/notifications?page=2"' in html
    assert "Page 1 of 2" in html

    html = client.get("/notifications?page=2").get_data(as_text=True)
    assert "The very first one" in html
    assert "notification--unread" not in html
    assert f'action="/notifications/{first.id}"' in html


def test_the_list_is_only_for_signed_in_people_and_has_an_empty_state(client, login):
    response = client.get("/notifications")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")
    login(make_user())
    html = client.get("/notifications").get_data(as_text=True)
    assert "No notifications yet." in html
    assert "Mark all as read" not in html


def test_opening_a_notification_marks_it_read_and_goes_to_its_target(client, login):
    ann = make_user()
    notification = make_notification(ann, "Look here", url="/ideas/7#comment-3")
    login(ann)
    response = client.post_form(f"/notifications/{notification.id}", page="/notifications")
    assert response.status_code == 302
    assert response.headers["Location"] == "/ideas/7#comment-3"
    assert is_read(notification.id)
    assert "Notifications, " not in client.get("/").get_data(as_text=True)


def test_someone_elses_notification_is_not_found(client, login):
    ann = make_user()
    notification = make_notification(ann, "Private to Ann")
    login(make_user())
    assert client.get(f"/notifications/{notification.id}").status_code == 404
    assert client.get("/notifications/99999").status_code == 404
    assert not is_read(notification.id)
    assert "Private to Ann" not in client.get("/notifications").get_data(as_text=True)


def test_mark_all_as_read(client, login):
    ann, bob = make_user(), make_user()
    mine = [make_notification(ann, f"For Ann {number}") for number in range(3)]
    theirs = make_notification(bob, "For Bob")
    login(ann)

    response = client.post("/notifications/read-all")  # no CSRF token: refused
    assert response.status_code == 400
    assert not is_read(mine[0].id)

    response = client.post_form("/notifications/read-all", page="/notifications", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Marked 3 notifications as read." in html
    assert "You are all caught up." in html
    assert "notification--unread" not in html
    assert all(is_read(n.id) for n in mine)
    assert not is_read(theirs.id)


def test_settings_choose_how_notifications_are_emailed(client, login):
    ann = make_user()
    login(ann)
    html = client.get("/account/settings").get_data(as_text=True)
    assert "Email notifications" in html
    assert re.search(r'<input checked id="email_notifications-0"[^>]*value="immediately"', html)

    response = client.post_form(
        "/account/email-notifications", {"email_notifications": "daily"}, page="/account/settings"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/settings#email"
    assert db.session.get(User, ann.id).email_notifications == "daily"
    html = client.get("/account/settings").get_data(as_text=True)
    assert "Saved: we will email you at most one digest a day." in html
    assert re.search(r'<input checked id="email_notifications-1"[^>]*value="daily"', html)


def test_settings_refuse_an_unknown_email_choice(client, login):
    ann = make_user()
    login(ann)
    response = client.post_form(
        "/account/email-notifications", {"email_notifications": "hourly"}, page="/account/settings"
    )
    assert response.status_code == 422
    assert "Choose immediately, daily digest or never." in response.get_data(as_text=True)
    assert db.session.get(User, ann.id).email_notifications == "immediately"


def test_unsubscribe_asks_first_then_stops_email(client):
    ann = make_user(email="ann@example.com")
    path = f"/unsubscribe/{notifications.unsubscribe_token(ann)}"

    response = client.get(path)  # what a link scanner does
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Stop notification emails?" in html
    assert '<form method="post">' in html
    assert db.session.get(User, ann.id).email_notifications == "immediately"

    response = client.post(path)  # the button; no session and no CSRF token needed
    assert response.status_code == 200
    assert "You are unsubscribed" in response.get_data(as_text=True)
    assert db.session.get(User, ann.id).email_notifications == "never"


def test_a_tampered_unsubscribe_link_is_not_found(client):
    ann = make_user()
    bob = make_user()
    token = notifications.unsubscribe_token(ann)
    forged = notifications.unsubscribe_token(bob).split(".")[0] + "." + token.split(".")[1]
    for bad in (token[:-2] + "xx", forged, "nonsense"):
        assert client.get(f"/unsubscribe/{bad}").status_code == 404
        assert client.post(f"/unsubscribe/{bad}").status_code == 404
    assert {u.email_notifications for u in db.session.scalars(select(User))} == {"immediately"}


def test_a_real_comment_reaches_the_bell_and_the_list(client, login):
    author = make_user(name="Ada")
    idea = ideas.create_idea(author, "Export reports to CSV", "We need CSV.")
    db.session.commit()
    comments.add_comment(make_user(name="Bob"), idea, "Yes please")
    db.session.commit()
    login(author)
    html = client.get("/notifications").get_data(as_text=True)
    assert "Notifications, 1 unread" in html
    assert "Bob commented on your idea “Export reports to CSV”" in html


def test_the_list_names_the_shipped_idea_the_member_voted_for(client, login):
    from app.services import roadmap, votes

    pm = make_user("product_manager")
    voter = make_user()
    idea = ideas.create_idea(make_user(), "Dark mode", "Easier on the eyes.", None)
    votes.cast_vote(voter, idea)
    item = roadmap.create_item(pm, "Themes for everyone")
    roadmap.link_idea(pm, item, idea.id)
    roadmap.change_status(pm, item, "shipped", "Switch it on under Settings.")
    db.session.commit()

    login(voter)
    html = client.get("/notifications").get_data(as_text=True)
    assert "“Dark mode” shipped — you voted for it. Roadmap: “Themes for everyone”." in html
