"""Notifications: who is told about what, in the event's transaction, and which emails go out."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app.errors import Forbidden, Invalid
from app.extensions import db
from app.models.base import utcnow
from app.models.notification import Notification
from app.models.outbox import OutboxMessage
from app.models.user import User
from app.services import comments, notifications
from app.services.notifications import Recipient, notify
from tests.factories import make_idea, make_user


def set_preference(user: User, preference: str) -> None:
    user.email_notifications = preference
    db.session.commit()


def notifications_of(user: User) -> list[Notification]:
    db.session.expire_all()
    stmt = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    return list(db.session.scalars(stmt))


def outbox_count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


def body_of(message) -> str:
    return message.get_content()


def test_a_comment_tells_the_idea_author_once_and_never_the_commenter(app):
    author = make_user(name="Ada")
    commenter = make_user(name="Bob")
    idea = make_idea(author)
    comment = comments.add_comment(commenter, idea, "Yes please")
    db.session.commit()

    [notification] = notifications_of(author)
    assert notification.kind == "comment"
    assert notification.message == "Bob commented on your idea “Export reports to CSV”"
    assert notification.url == f"/ideas/{idea.id}#comment-{comment.id}"
    assert not notification.is_read
    assert notifications_of(commenter) == []

    comments.add_comment(author, idea, "Thanks, noted")  # on one's own idea: nobody to tell
    db.session.commit()
    assert len(notifications_of(author)) == 1
    assert notifications_of(commenter) == []


def test_each_person_is_told_once_per_event_and_the_first_reason_wins(app):
    author = make_user(name="Ada")
    bob = make_user(name="Bob")
    cy = make_user(name="Cy")
    idea = make_idea(author)
    parent = comments.add_comment(bob, idea, "First!")
    db.session.commit()
    # Cy replies to Bob and mentions Ada (the author) and Cy (herself).
    comments.add_comment(cy, idea, "@Ada see what @Bob said; @Cy agrees", parent_id=parent.id)
    db.session.commit()

    assert [n.kind for n in notifications_of(author)] == ["comment", "mention"]
    assert [n.kind for n in notifications_of(bob)] == ["mention"]
    assert notifications_of(cy) == []


def test_notify_skips_the_actor_and_keeps_the_first_entry_per_person(app):
    actor, ann = make_user(), make_user()
    created = notify(
        [
            Recipient(ann.id, "mention", "first"),
            Recipient(actor.id, "comment", "to myself"),
            Recipient(ann.id, "comment", "second"),
        ],
        "/ideas/1",
        actor.id,
    )
    db.session.commit()
    assert len(created) == 1
    [notification] = notifications_of(ann)
    assert (notification.kind, notification.message, notification.actor_id) == ("mention", "first", actor.id)
    assert notifications_of(actor) == []


def test_a_rolled_back_event_leaves_no_notification_and_no_email(app, outbox_mail):
    author = make_user()
    idea = make_idea(author)
    comments.add_comment(make_user(), idea, "This will be undone")
    assert len(notifications_of(author)) == 1  # written in the comment's transaction...
    db.session.rollback()
    assert notifications_of(author) == []  # ...and gone with it
    assert outbox_count() == 0
    assert outbox_mail() == []


def test_immediately_readers_get_an_email_with_the_link_and_a_one_click_unsubscribe(app, client, outbox_mail):
    author = make_user(name="Ada", email="ada@example.com")
    idea = make_idea(author)
    comment = comments.add_comment(make_user(name="Bob"), idea, "Count me in")
    db.session.commit()

    [message] = outbox_mail()
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "[Cocreate] Bob commented on your idea “Export reports to CSV”"
    body = body_of(message)
    site = app.config["SITE_URL"].rstrip("/")
    assert f"{site}/ideas/{idea.id}#comment-{comment.id}" in body
    header = message["List-Unsubscribe"].strip()  # a long header may be folded after the colon
    assert header.startswith("<")
    assert header.endswith(">")
    unsubscribe_url = header[1:-1]
    assert unsubscribe_url.startswith(f"{site}/unsubscribe/")
    assert unsubscribe_url in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # What a mail client does for one-click unsubscribe (RFC 8058): POST, no cookie, no CSRF token.
    response = client.post(urlsplit(unsubscribe_url).path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert db.session.get(User, author.id).email_notifications == "never"

    comments.add_comment(make_user(), idea, "Another one")
    db.session.commit()
    assert len(notifications_of(author)) == 2  # still told on the site
    assert len(outbox_mail()) == 1  # but not by email


def test_email_links_keep_a_site_url_path_prefix_once(app, outbox_mail):
    app.config["SITE_URL"] = "https://cocreate.example/community"
    author = make_user()
    idea = make_idea(author)
    comment = comments.add_comment(make_user(), idea, "Hello")
    db.session.commit()
    [message] = outbox_mail()
    body = body_of(message)
    assert f"https://cocreate.example/community/ideas/{idea.id}#comment-{comment.id}" in body
    assert "/community/community/" not in body
    assert message["List-Unsubscribe"].strip().startswith("<https://cocreate.example/community/unsubscribe/")


def test_daily_readers_get_one_digest_a_day_of_their_unread_notifications(app, outbox_mail):
    author = make_user(name="Ada", email="ada@example.com")
    set_preference(author, "daily")
    idea = make_idea(author, "Dark mode")
    other = make_idea(author, "Offline mode")
    comments.add_comment(make_user(name="Bob"), idea, "Yes")
    comments.add_comment(make_user(name="Cy"), other, "Please")
    comments.add_comment(make_user(name="Dee"), other, "Seen this")
    db.session.commit()
    assert outbox_count() == 0  # nothing at once
    notifications.mark_read(author, notifications_of(author)[-1].id)
    db.session.commit()

    assert notifications.send_daily_digests() == 1
    db.session.commit()
    [digest] = outbox_mail()
    assert digest["To"] == "ada@example.com"
    assert digest["Subject"] == "[Cocreate] Your daily digest: 2 updates"
    body = body_of(digest)
    assert "Bob commented on your idea “Dark mode”" in body
    assert "Cy commented on your idea “Offline mode”" in body
    assert "Dee" not in body  # read already
    assert f"/ideas/{idea.id}#comment-" in body
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest["List-Unsubscribe"].strip()[1:-1] in body

    # Not a second one the same day, even with news waiting.
    comments.add_comment(make_user(name="Eve"), idea, "Later that day")
    db.session.commit()
    assert notifications.send_daily_digests(now=utcnow() + timedelta(hours=12)) == 0
    db.session.commit()
    assert len(outbox_mail()) == 1

    # A day later: a new digest with only what is new.
    assert notifications.send_daily_digests(now=utcnow() + timedelta(hours=25)) == 1
    db.session.commit()
    mails = outbox_mail()
    assert len(mails) == 2
    second = body_of(mails[1])
    assert "Eve commented" in second
    assert "Bob commented" not in second
    assert mails[1]["Subject"] == "[Cocreate] Your daily digest: 1 update"


def test_no_digest_without_unread_news(app, outbox_mail):
    author = make_user()
    set_preference(author, "daily")
    make_idea(author)
    assert notifications.send_daily_digests() == 0
    db.session.commit()
    assert outbox_mail() == []


def test_never_readers_get_no_email(app, outbox_mail):
    author = make_user()
    set_preference(author, "never")
    idea = make_idea(author)
    comments.add_comment(make_user(), idea, "Nice")
    db.session.commit()
    assert len(notifications_of(author)) == 1
    assert notifications.send_daily_digests(now=utcnow() + timedelta(days=2)) == 0
    db.session.commit()
    assert outbox_count() == 0
    assert outbox_mail() == []


def test_the_worker_once_sends_due_digests(app, outbox_mail):
    author = make_user(email="ada@example.com")
    set_preference(author, "daily")
    idea = make_idea(author)
    comments.add_comment(make_user(name="Bob"), idea, "Nice")
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 daily digest(s)." in result.output
    [digest] = outbox_mail()
    assert "Bob commented" in body_of(digest)

    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert "Queued 0 daily digest(s)." in result.output
    assert len(outbox_mail()) == 1


def test_set_email_preference(app):
    user = make_user()
    notifications.set_email_preference(user, user, "daily")
    db.session.commit()
    assert db.session.get(User, user.id).email_notifications == "daily"

    with pytest.raises(Invalid) as error:
        notifications.set_email_preference(user, user, "hourly")
    assert error.value.fields == {"email_notifications": ["Choose immediately, daily digest or never."]}
    with pytest.raises(Forbidden):
        notifications.set_email_preference(make_user(), user, "never")
    db.session.rollback()
    assert db.session.get(User, user.id).email_notifications == "daily"


def test_mark_read_and_mark_all_read_touch_only_the_owners_notifications(app):
    ann, bob = make_user(), make_user()
    actor = make_user()
    for number in range(3):
        notify([Recipient(ann.id, "mention", f"For Ann {number}")], "/ideas/1", actor.id)
    notify([Recipient(bob.id, "mention", "For Bob")], "/ideas/1", actor.id)
    db.session.commit()
    assert notifications.unread_count(ann) == 3

    first = notifications_of(ann)[0]
    with pytest.raises(notifications.NotFound):
        notifications.mark_read(bob, first.id)
    notifications.mark_read(ann, first.id)
    db.session.commit()
    assert notifications.unread_count(ann) == 2

    assert notifications.mark_all_read(ann) == 2
    db.session.commit()
    assert notifications.unread_count(ann) == 0
    assert notifications.unread_count(bob) == 1


def test_list_notifications_newest_first(app):
    ann, actor = make_user(), make_user()
    for number in range(3):
        notify([Recipient(ann.id, "mention", f"Number {number}")], "/ideas/1", actor.id)
    db.session.commit()
    page = notifications.list_notifications(ann, page=1, per_page=2)
    assert [n.message for n in page.items] == ["Number 2", "Number 1"]
    assert page.total == 3


@pytest.mark.postgres
def test_parallel_workers_send_each_digest_once(app, monkeypatch):
    readers = [make_user() for _ in range(3)]
    for reader in readers:
        set_preference(reader, "daily")
        comments.add_comment(make_user(), make_idea(reader), "News")
    db.session.commit()

    holding = threading.Event()
    second_done = threading.Event()
    real_enqueue = notifications.outbox.enqueue_email
    first_thread = []

    def slow_enqueue(*args, **kwargs):
        # The first worker holds its locked readers until the second one has had its go.
        if not first_thread:
            first_thread.append(threading.get_ident())
        if first_thread[0] == threading.get_ident() and not holding.is_set():
            holding.set()
            second_done.wait(timeout=30)
        return real_enqueue(*args, **kwargs)

    def first() -> int:
        with app.app_context():
            sent = notifications.send_daily_digests()
            db.session.commit()
            return sent

    def second() -> int:
        with app.app_context():
            holding.wait(timeout=30)
            try:
                sent = notifications.send_daily_digests()
                db.session.commit()
            finally:
                second_done.set()
            return sent

    monkeypatch.setattr(notifications.outbox, "enqueue_email", slow_enqueue)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [pool.submit(first), pool.submit(second)]
        sent = [future.result() for future in results]

    assert sent == [3, 0]
    assert outbox_count() == 3
    assert second_done.is_set()
