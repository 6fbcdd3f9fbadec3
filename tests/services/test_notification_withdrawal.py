"""Notifications about an item that is hidden, deleted or waiting for review are withdrawn from
their reader (list, unread count, opening, digests, the API) and come back when it is restored."""

import pytest
from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.models.notification import Notification
from app.models.user import User
from app.services import comments, follows, ideas, moderation, notifications, prototypes
from app.services.notifications import Recipient, notify
from tests.factories import make_idea, make_user


@pytest.fixture
def people(app) -> dict[str, User]:
    return {
        "ada": make_user(name="Ada Author"),
        "bob": make_user(name="Bob Commenter"),
        "cy": make_user(name="Cy Reader"),
        "mod": make_user("moderator", name="Max Moderator"),
        "pm": make_user("product_manager", name="Pat Manager"),
    }


def shown(user: User) -> list[str]:
    """The messages on the user's notifications page, newest first."""
    db.session.expire_all()
    return [n.message for n in notifications.list_notifications(db.session.get(User, user.id)).items]


def unread(user: User) -> int:
    db.session.expire_all()
    return notifications.unread_count(db.session.get(User, user.id))


def only(user: User) -> Notification:
    [notification] = db.session.scalars(select(Notification).where(Notification.user_id == user.id))
    return notification


@pytest.fixture
def discussion(people):
    """Ada's idea, Bob's comment on it naming Cy: Ada hears of the comment, Cy of the mention."""
    idea = make_idea(people["ada"], "Dark mode for reports")
    comment = comments.add_comment(people["bob"], idea, "Yes! @Cy Reader wanted this too.")
    db.session.commit()
    assert shown(people["ada"]) == ["Bob Commenter commented on your idea “Dark mode for reports”"]
    assert shown(people["cy"]) == ["Bob Commenter mentioned you on “Dark mode for reports”"]
    return idea, comment


# ---- What a notification is about, read from its link ----


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("/ideas/5", ("idea", 5)),
        ("/ideas/5#comment-9", ("comment", 9)),
        ("/prototypes/3", ("prototype", 3)),
        ("/prototypes/3#comment-4", ("comment", 4)),
        ("/launches/2", ("launch", 2)),
        ("/rounds/6", ("round", 6)),
        ("/b/ideas/", ("board", 1)),
        ("/b/no-such-board/", (None, None)),
        ("/roadmap/7", (None, None)),
        ("/ideas/5#discussion", ("idea", 5)),
        ("/ideas/", (None, None)),
        ("/nowhere/5", (None, None)),
        ("/launches/2#comment-4", ("launch", 2)),
    ],
)
def test_the_target_is_read_from_the_link_through_the_sites_routes(app, url, target):
    assert notifications.target_of(url) == target


def test_a_site_url_path_prefix_is_understood(app):
    app.config["SITE_URL"] = "https://cocreate.example/community"
    assert notifications.target_of("/community/ideas/5#comment-9") == ("comment", 9)
    assert notifications.target_of("/community/prototypes/3") == ("prototype", 3)


def test_each_notification_stores_what_it_is_about(people, discussion):
    idea, comment = discussion
    assert (only(people["ada"]).target_type, only(people["ada"]).target_id) == ("comment", comment.id)
    ideas.change_status(people["pm"], idea, "planned")
    db.session.commit()
    status = db.session.scalar(select(Notification).where(Notification.kind == "status"))
    assert (status.user_id, status.target_type, status.target_id) == (people["ada"].id, "idea", idea.id)


# ---- Withdrawn while hidden, back when restored ----


def test_hiding_a_comment_withdraws_its_notifications_and_restoring_brings_them_back(people, discussion):
    _, comment = discussion

    moderation.hide_item(people["mod"], "comment", comment.id, "Off topic")
    db.session.commit()

    assert shown(people["ada"]) == []
    assert unread(people["ada"]) == 0
    assert shown(people["cy"]) == []
    assert unread(people["cy"]) == 0

    moderation.restore_item(people["mod"], "comment", comment.id)
    db.session.commit()

    assert shown(people["ada"]) == ["Bob Commenter commented on your idea “Dark mode for reports”"]
    assert unread(people["ada"]) == 1
    assert unread(people["cy"]) == 1


def test_a_comment_hidden_by_members_flags_withdraws_its_notifications(app, people, discussion):
    _, comment = discussion
    for _ in range(app.config["FLAG_HIDE_THRESHOLD"]):
        moderation.flag_item(make_user(), "comment", comment.id, "spam")
    db.session.commit()

    assert unread(people["ada"]) == 0
    assert unread(people["cy"]) == 0


def test_a_comment_its_author_deletes_withdraws_its_notifications(people, discussion):
    _, comment = discussion

    comments.delete_comment(people["bob"], comment)
    db.session.commit()

    assert shown(people["ada"]) == []
    assert unread(people["cy"]) == 0


def test_a_comment_a_moderator_deletes_is_withdrawn_until_restored(people, discussion):
    _, comment = discussion

    moderation.delete_item(people["mod"], "comment", comment.id, "Spam")
    db.session.commit()
    assert unread(people["ada"]) == 0

    moderation.restore_item(people["mod"], "comment", comment.id)
    db.session.commit()
    assert unread(people["ada"]) == 1


def test_hiding_an_idea_withdraws_what_others_were_told_about_it_and_its_comments(people, discussion):
    idea, _ = discussion
    follows.follow_idea(people["cy"], idea)
    ideas.change_status(people["pm"], idea, "planned")
    db.session.commit()
    assert unread(people["cy"]) == 2  # the mention and the status change

    moderation.hide_item(people["mod"], "idea", idea.id, "Duplicate of an older idea")
    db.session.commit()

    assert shown(people["cy"]) == []
    assert unread(people["cy"]) == 0
    # Its author still sees the hidden idea (and why), so her notifications stay, and one more
    # tells her it is hidden and why.
    assert unread(people["ada"]) == 3

    moderation.restore_item(people["mod"], "idea", idea.id)
    db.session.commit()
    assert unread(people["cy"]) == 2


def test_a_deleted_idea_withdraws_its_notifications_from_its_author_too(people, discussion):
    idea, _ = discussion

    moderation.delete_item(people["mod"], "idea", idea.id)
    db.session.commit()

    assert unread(people["ada"]) == 0
    assert unread(people["cy"]) == 0


def test_hiding_a_prototype_withdraws_its_notifications(people):
    prototype = prototypes.create_prototype(
        people["pm"], "Clickable dark mode", "Try it.", status="published"
    )
    notify(
        [Recipient(people["cy"].id, "status", "A prototype to try")],
        prototypes.prototype_url(prototype),
        None,
    )
    comment = comments.add_prototype_comment(people["bob"], prototype, "Lovely, @Cy Reader look")
    db.session.commit()
    assert unread(people["cy"]) == 2
    assert only(people["pm"]).target_id == comment.id

    moderation.hide_item(people["mod"], "prototype", prototype.id, "Not ready")
    db.session.commit()

    assert shown(people["cy"]) == []
    # Its author shared it, so sees it, hidden, what was said about it, and why it is hidden.
    assert unread(people["pm"]) == 2

    moderation.restore_item(people["mod"], "prototype", prototype.id)
    db.session.commit()
    assert unread(people["cy"]) == 2


def test_a_moderator_still_sees_notifications_about_what_they_can_see(people):
    idea = make_idea(people["mod"], "Keyboard shortcuts")
    comment = comments.add_comment(people["bob"], idea, "Please")
    db.session.commit()

    moderation.hide_item(people["mod"], "comment", comment.id, "Rude")
    db.session.commit()

    assert shown(people["mod"]) == ["Bob Commenter commented on your idea “Keyboard shortcuts”"]


def test_notifications_not_about_an_idea_prototype_or_comment_are_never_withdrawn(people):
    notify([Recipient(people["cy"].id, "launch", "A seat opened")], "/launches/1", None)
    notify([Recipient(people["cy"].id, "status", "About a removed idea")], "/ideas/999999", None)
    db.session.commit()
    assert unread(people["cy"]) == 2


# ---- Opening, marking read, digests ----


def test_a_withdrawn_notification_cannot_be_opened_or_marked_read(people, discussion):
    _, comment = discussion
    notification = only(people["ada"])
    moderation.hide_item(people["mod"], "comment", comment.id, "Off topic")
    db.session.commit()

    with pytest.raises(NotFound):
        notifications.get_notification(people["ada"], notification.id)
    with pytest.raises(NotFound):
        notifications.mark_read(people["ada"], notification.id)
    db.session.rollback()
    assert not db.session.get(Notification, notification.id).is_read


def test_mark_all_read_leaves_withdrawn_ones_to_come_back_unread(people, discussion):
    idea, comment = discussion
    ideas.change_status(people["pm"], idea, "planned")
    moderation.hide_item(people["mod"], "comment", comment.id, "Off topic")
    db.session.commit()

    assert notifications.mark_all_read(db.session.get(User, people["ada"].id)) == 1
    db.session.commit()
    assert unread(people["ada"]) == 0

    moderation.restore_item(people["mod"], "comment", comment.id)
    db.session.commit()
    assert unread(people["ada"]) == 1


def test_the_daily_digest_leaves_out_withdrawn_notifications(app, people, outbox_mail):
    for person in (people["ada"], people["cy"]):
        person.email_notifications = "daily"
    db.session.commit()
    idea = make_idea(people["ada"], "Dark mode for reports")
    hidden = comments.add_comment(people["bob"], idea, "Yes! @Cy Reader wanted this too.")
    comments.add_comment(people["pm"], idea, "We will look at it")
    moderation.hide_item(people["mod"], "comment", hidden.id, "Off topic")
    db.session.commit()

    assert notifications.send_daily_digests() == 1
    db.session.commit()

    # (Bob, who wants email at once, was told at once that his comment is hidden.)
    [digest] = [mail for mail in outbox_mail() if "digest" in mail["Subject"]]
    assert digest["To"] == people["ada"].email
    body = digest.get_content()
    assert "Pat Manager commented on your idea" in body
    assert "Bob Commenter" not in body
    # Cy had only the withdrawn mention: no digest; it waits, not emailed, in case of a restore.
    db.session.expire_all()
    assert only(people["cy"]).emailed_at is None
