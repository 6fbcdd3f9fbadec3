"""Pre-moderation: admins turn it on; first posts and link-heavy posts of young accounts wait for review."""

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from app.errors import Forbidden, Invalid, NotFound, Unauthorized
from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.moderation import AuditEntry
from app.models.notification import Notification
from app.models.user import User
from app.services import api_tokens, comments, ideas, moderation, settings
from tests.factories import make_comment, make_idea, make_user


@pytest.fixture
def admin(app) -> User:
    return make_user("admin")


@pytest.fixture
def moderator(app) -> User:
    return make_user("moderator")


@pytest.fixture
def premoderation(app, admin):
    settings.update_settings(admin, premoderation_enabled=True)
    db.session.commit()


def aged(user: User, days: int) -> User:
    user.created_at = utcnow() - timedelta(days=days)
    db.session.commit()
    return user


def seasoned(days: int = 30) -> User:
    """A member past the first-posts rule (their first posts were approved long ago)."""
    user = aged(make_user(), days)
    settings_now = settings.get_settings()
    for n in range(settings_now["premoderation_first_posts"]):
        idea = Idea(title=f"Old idea {n}", author_id=user.id, created_at=user.created_at)
        db.session.add(idea)
    db.session.commit()
    return user


def comment_count(idea_id: int) -> int:
    return db.session.scalar(select(Idea.comment_count).where(Idea.id == idea_id))


def inbox(user: User) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)))


# Settings


def test_off_by_default(app):
    assert settings.get_settings() == {
        "premoderation_enabled": False,
        "premoderation_first_posts": 3,
        "premoderation_max_links": 2,
        "ranking_explanations_public": False,
    }
    newcomer = make_user()
    idea = make_idea(newcomer, body="https://a.example https://b.example https://c.example")
    assert not idea.is_pending
    assert not make_comment(idea, newcomer).is_pending


def test_only_admins_change_settings_and_each_change_is_audited(app, admin, moderator):
    for actor in (moderator, make_user("product_manager"), make_user()):
        with pytest.raises(Forbidden):
            settings.update_settings(actor, premoderation_enabled=True)
    with pytest.raises(Unauthorized):
        settings.update_settings(AnonymousUserMixin(), premoderation_enabled=True)
    db.session.rollback()
    assert settings.get_settings()["premoderation_enabled"] is False

    values = settings.update_settings(admin, premoderation_enabled=True, premoderation_first_posts=5)
    db.session.commit()
    assert values["premoderation_enabled"] is True
    assert settings.get_settings()["premoderation_first_posts"] == 5
    entries = {
        e.reason: (e.actor_id, e.before, e.after)
        for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "settings.update"))
    }
    assert entries == {
        "premoderation_enabled": (admin.id, "False", "True"),
        "premoderation_first_posts": (admin.id, "3", "5"),
    }
    # Setting what is set already changes nothing and logs nothing.
    settings.update_settings(admin, premoderation_enabled=True)
    db.session.commit()
    assert db.session.query(AuditEntry).count() == 2


@pytest.mark.parametrize(
    "change",
    [
        {"premoderation_enabled": "yes"},
        {"premoderation_enabled": 1},
        {"premoderation_first_posts": -1},
        {"premoderation_first_posts": 101},
        {"premoderation_first_posts": True},
        {"premoderation_max_links": "2"},
        {"something_else": 1},
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(app, admin, change):
    with pytest.raises(Invalid) as refused:
        settings.update_settings(admin, **{"premoderation_enabled": True, **change})
    assert set(refused.value.fields) == set(change)
    db.session.rollback()
    assert settings.get_settings()["premoderation_enabled"] is False
    assert db.session.query(AuditEntry).count() == 0


def test_turning_it_off_again_lets_posts_through(app, admin, premoderation):
    assert make_idea(make_user()).is_pending
    settings.update_settings(admin, premoderation_enabled=False)
    db.session.commit()
    assert not make_idea(make_user(), "Another idea to read").is_pending


# Which posts wait


def test_posts_wait_until_the_first_ones_are_approved_ideas_and_comments_together(
    app, moderator, premoderation
):
    newcomer = make_user()
    first = make_idea(newcomer)
    second = make_comment(first, newcomer)
    third = make_idea(newcomer, "A third post of mine")
    # Posts still waiting earn no trust: the next one waits too.
    assert [first.is_pending, second.is_pending, third.is_pending] == [True, True, True]
    assert make_comment(third, newcomer).is_pending
    for kind, post in (("idea", first), ("comment", second), ("idea", third)):
        moderation.restore_item(moderator, kind, post.id)
    db.session.commit()
    # Three approved posts: from now on posts appear at once.
    assert not make_comment(third, newcomer, "Now I am trusted").is_pending


def test_the_number_of_first_posts_is_a_setting(app, admin, premoderation):
    settings.update_settings(admin, premoderation_first_posts=1)
    db.session.commit()
    newcomer = make_user()
    first = make_idea(newcomer)
    assert first.is_pending
    moderation.restore_item(admin, "idea", first.id)
    db.session.commit()
    assert not make_idea(newcomer, "My second idea here").is_pending
    settings.update_settings(admin, premoderation_first_posts=0)
    db.session.commit()
    assert not make_idea(make_user(), "Straight through").is_pending


@pytest.mark.parametrize(
    ("body", "pending"),
    [
        ("See https://a.example and https://b.example", False),
        ("See https://a.example, https://b.example and http://c.example", True),
        ("See https://www.a.example and https://www.b.example", False),
        ("See www.a.example, www.b.example and www.c.example", True),
        ("[one](https://a.example) [two](https://b.example)", False),
        ("No links at all", False),
    ],
)
def test_links_from_a_young_account_wait(app, premoderation, body, pending):
    young = seasoned(days=2)
    idea = make_idea(young, "A post with links", body)
    assert idea.is_pending is pending
    assert make_comment(make_idea(make_user("moderator")), young, body).is_pending is pending


def test_links_from_an_older_account_do_not_wait(app, premoderation):
    veteran = seasoned(days=8)
    body = "https://a.example https://b.example https://c.example https://d.example"
    assert not make_idea(veteran, "Plenty of links", body).is_pending


def test_the_link_limit_is_a_setting(app, admin, premoderation):
    settings.update_settings(admin, premoderation_max_links=0)
    db.session.commit()
    assert make_idea(seasoned(days=1), "One link", "https://a.example").is_pending


@pytest.mark.parametrize("role", ["moderator", "product_manager", "admin"])
def test_staff_and_moderators_never_wait(app, premoderation, role):
    user = make_user(role)
    body = "https://a.example https://b.example https://c.example"
    idea = make_idea(user, "Staff idea with links", body)
    assert not idea.is_pending
    assert not make_comment(idea, user, body).is_pending


# Who sees a pending post


def test_a_pending_idea_is_seen_by_its_author_and_moderators_only(app, client, premoderation, moderator):
    author = make_user()
    idea = make_idea(author, "Pending zebra idea")
    for viewer in (AnonymousUserMixin(), make_user(), make_user("product_manager")):
        with pytest.raises(NotFound):
            ideas.get_idea(viewer, idea.id)
        assert idea.id not in [i.id for i in ideas.list_ideas(viewer).page.items]
        assert idea.id not in [i.id for i in ideas.list_ideas(viewer, q="zebra").page.items]
        assert idea.id not in [i.id for i in ideas.similar_ideas(viewer, "zebra idea")]
    for viewer in (author, moderator, make_user("admin")):
        assert ideas.get_idea(viewer, idea.id).is_pending
        assert idea.id in [i.id for i in ideas.list_ideas(viewer).page.items]
    assert client.get(f"/api/v1/ideas/{idea.id}").status_code == 404
    assert client.get(f"/ideas/{idea.id}").status_code == 404
    user = make_user()
    _, plain = api_tokens.create_token(user, user, "Tests")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get(f"/api/v1/ideas/{idea.id}", headers=headers).status_code == 404
    _, plain = api_tokens.create_token(author, author, "Tests")
    db.session.commit()
    assert (
        client.get(f"/api/v1/ideas/{idea.id}", headers={"Authorization": f"Bearer {plain}"}).status_code
        == 200
    )


def test_a_pending_comment_is_seen_by_its_author_and_moderators_only(app, premoderation, moderator):
    idea = make_idea(make_user("product_manager"), "An idea by staff")
    author = make_user()
    comment = make_comment(idea, author, "My very first comment")
    assert comment.is_pending
    assert comment_count(idea.id) == 0
    for viewer in (AnonymousUserMixin(), make_user(), make_user("product_manager")):
        assert comment.id not in [c.id for c in ideas.idea_page(viewer, idea.id).comments]
        with pytest.raises(NotFound):
            comments.get_comment(viewer, comment.id)
    for viewer in (author, moderator):
        assert comment.id in [c.id for c in ideas.idea_page(viewer, idea.id).comments]


def test_approving_shows_counts_and_announces_a_pending_comment(app, premoderation, moderator):
    idea_author = make_user("product_manager")
    idea = make_idea(idea_author, "An idea by staff")
    mentioned = make_user(name="Grace Hopper")
    comment = make_comment(idea, make_user(), "Agreed, @Grace Hopper")
    assert comment.is_pending
    assert (inbox(idea_author), inbox(mentioned)) == ([], [])

    moderation.restore_item(moderator, "comment", comment.id)
    db.session.commit()
    assert not db.session.get(Comment, comment.id).is_pending
    assert comment_count(idea.id) == 1
    assert inbox(idea_author) == ["comment"]
    assert inbox(mentioned) == ["mention"]
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "comment.restore"))
    assert (entry.actor_id, entry.target_id) == (moderator.id, comment.id)


def test_approving_a_pending_idea_shows_it_to_everyone(app, premoderation, moderator):
    idea = make_idea(make_user())
    moderation.restore_item(moderator, "idea", idea.id)
    db.session.commit()
    assert ideas.get_idea(AnonymousUserMixin(), idea.id).id == idea.id
    assert idea.id in [i.id for i in ideas.list_ideas(AnonymousUserMixin()).page.items]


def test_pending_posts_wait_in_the_queue(app, premoderation, moderator):
    author = make_user()
    idea = make_idea(author)
    comment = make_comment(idea, author)
    queue = moderation.review_queue(moderator)
    assert [(item.target_type, item.target.id, item.is_pending) for item in queue] == [
        ("idea", idea.id, True),
        ("comment", comment.id, True),
    ]
    assert all(item.flags == [] for item in queue)
    assert moderation.waiting_count(moderator) == 2
    moderation.restore_item(moderator, "idea", idea.id)
    db.session.commit()
    assert moderation.waiting_count(moderator) == 1


def test_hiding_a_pending_post_rejects_it(app, premoderation, moderator):
    author = make_user()
    idea = make_idea(author)
    moderation.hide_item(moderator, "idea", idea.id, "Advertising")
    db.session.commit()
    stored = db.session.get(Idea, idea.id)
    assert (stored.is_pending, stored.is_hidden) == (False, True)
    assert moderation.review_queue(moderator) == []
    with pytest.raises(NotFound):
        ideas.get_idea(make_user(), idea.id)
