"""Hidden, restored and deleted items, from each role's point of view, everywhere they could show.

Pages, lists, search, similar ideas, profiles and the API use the same rule: moderators and the
author see a hidden idea or comment; anonymous visitors, other members and product managers do not.
Comment counts follow what the public sees.
"""

from dataclasses import dataclass

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from app.errors import Conflict, NotFound
from app.extensions import db
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.moderation import AuditEntry
from app.models.user import User
from app.services import api_tokens, comments, ideas, moderation, profiles
from tests.factories import make_comment, make_idea, make_user

TITLE = "Zebra crossing sounds for blind pedestrians"
SEES_HIDDEN = {
    "anonymous": False,
    "member": False,
    "author": True,
    "pm": False,
    "moderator": True,
    "admin": True,
}


@dataclass
class Viewer:
    actor: object
    client: object
    headers: dict


def _viewer(app, login, user: User | None) -> Viewer:
    client = app.test_client()
    if user is None:
        return Viewer(AnonymousUserMixin(), client, {})
    login(user, client)
    _, plain = api_tokens.create_token(user, user, "Tests")
    db.session.commit()
    return Viewer(user, client, {"Authorization": f"Bearer {plain}"})


@pytest.fixture
def people(app):
    return {
        "author": make_user(name="Ada Author"),
        "member": make_user(name="Mo Member"),
        "pm": make_user("product_manager", name="Pat Manager"),
        "moderator": make_user("moderator", name="Max Moderator"),
        "admin": make_user("admin", name="Alex Admin"),
    }


@pytest.fixture
def viewers(app, login, people):
    found = {"anonymous": _viewer(app, login, None)}
    for role, user in people.items():
        found[role] = _viewer(app, login, user)
    return found


def comment_count(idea_id: int) -> int:
    return db.session.scalar(select(Idea.comment_count).where(Idea.id == idea_id))


def counted_comments(idea_id: int) -> int:
    """What the count should be: public comments that are not deleted, hidden or pending."""
    return db.session.scalar(
        select(func.count(Comment.id)).where(
            Comment.idea_id == idea_id,
            Comment.is_internal.is_(False),
            Comment.deleted_at.is_(None),
            Comment.hidden_at.is_(None),
            Comment.is_pending.is_(False),
        )
    )


def assert_counts(idea_id: int, expected: int) -> None:
    assert comment_count(idea_id) == counted_comments(idea_id) == expected


def everywhere(viewer: Viewer, idea_id: int, author_id: int) -> dict[str, bool]:
    """Where `viewer` finds the idea: each page, list, search and API answer."""
    actor, client, headers = viewer.actor, viewer.client, viewer.headers
    found = {}
    page = client.get(f"/ideas/{idea_id}")
    assert page.status_code in (200, 404)
    found["page"] = page.status_code == 200
    found["list page"] = TITLE in client.get("/ideas/").get_data(as_text=True)
    found["search page"] = TITLE in client.get("/ideas/?q=zebra").get_data(as_text=True)
    found["similar fragment"] = TITLE in client.get("/ideas/similar?q=zebra crossing").get_data(as_text=True)
    found["profile page"] = TITLE in client.get(f"/users/{author_id}").get_data(as_text=True)
    db.session.expire_all()
    found["list_ideas"] = idea_id in [i.id for i in ideas.list_ideas(actor).page.items]
    found["search"] = idea_id in [i.id for i in ideas.list_ideas(actor, q="zebra").page.items]
    found["similar_ideas"] = idea_id in [i.id for i in ideas.similar_ideas(actor, "zebra crossing")]
    found["profile"] = idea_id in [i.id for i in profiles.profile_page(actor, author_id).ideas]
    response = client.get(f"/api/v1/ideas/{idea_id}", headers=headers)
    assert response.status_code in (200, 404)
    found["api idea"] = response.status_code == 200
    found["api comments"] = (
        client.get(f"/api/v1/ideas/{idea_id}/comments", headers=headers).status_code == 200
    )
    found["api list"] = idea_id in [
        i["id"] for i in client.get("/api/v1/ideas", headers=headers).json["items"]
    ]
    found["api search"] = idea_id in [
        i["id"] for i in client.get("/api/v1/ideas?q=zebra", headers=headers).json["items"]
    ]
    found["api similar"] = idea_id in [
        i["id"] for i in client.get("/api/v1/ideas/similar?q=zebra crossing", headers=headers).json["items"]
    ]
    return found


# Ideas


@pytest.mark.parametrize("role", list(SEES_HIDDEN))
def test_a_hidden_idea_from_each_point_of_view(app, people, viewers, role):
    author = people["author"]
    idea = make_idea(author, TITLE)
    assert set(everywhere(viewers[role], idea.id, author.id).values()) == {True}

    moderation.hide_item(people["moderator"], "idea", idea.id, "Advertising")
    db.session.commit()
    seen = everywhere(viewers[role], idea.id, author.id)
    assert seen == dict.fromkeys(seen, SEES_HIDDEN[role]), seen

    moderation.restore_item(people["moderator"], "idea", idea.id)
    db.session.commit()
    assert set(everywhere(viewers[role], idea.id, author.id).values()) == {True}


@pytest.mark.parametrize("role", list(SEES_HIDDEN))
def test_get_idea_refuses_a_hidden_idea_to_those_who_may_not_see_it(app, people, viewers, role):
    idea = make_idea(people["author"], TITLE)
    moderation.hide_item(people["moderator"], "idea", idea.id, "Advertising")
    db.session.commit()
    if SEES_HIDDEN[role]:
        assert ideas.get_idea(viewers[role].actor, idea.id).hidden_reason == "Advertising"
    else:
        with pytest.raises(NotFound):
            ideas.get_idea(viewers[role].actor, idea.id)


def test_the_author_reads_why_their_idea_is_hidden(app, people, viewers):
    idea = make_idea(people["author"], TITLE)
    moderation.hide_item(people["moderator"], "idea", idea.id, "Please remove the shop link")
    db.session.commit()
    page = viewers["author"].client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Please remove the shop link" in page


@pytest.mark.parametrize("role", list(SEES_HIDDEN))
def test_a_deleted_idea_is_gone_from_lists_for_everyone(app, people, viewers, role):
    author = people["author"]
    idea = make_idea(author, TITLE)
    moderation.delete_item(people["moderator"], "idea", idea.id, "Duplicate spam")
    db.session.commit()
    seen = everywhere(viewers[role], idea.id, author.id)
    # Moderators can open it (to restore it); nobody finds it in a list, a search or the suggestions.
    for where in ("list page", "search page", "similar fragment", "list_ideas", "search", "similar_ideas"):
        assert seen[where] is False, where
    for where in ("api list", "api search", "api similar"):
        assert seen[where] is False, where
    assert seen["page"] is (role in ("moderator", "admin"))
    assert seen["api idea"] is (role in ("moderator", "admin"))


def test_restoring_a_deleted_idea_brings_it_back(app, people, viewers):
    author = people["author"]
    idea = make_idea(author, TITLE)
    moderation.delete_item(people["moderator"], "idea", idea.id, "Mistake")
    db.session.commit()
    moderation.restore_item(people["moderator"], "idea", idea.id)
    db.session.commit()
    assert set(everywhere(viewers["anonymous"], idea.id, author.id).values()) == {True}


def test_restoring_a_visible_item_is_a_conflict(app, people):
    idea = make_idea(people["author"], TITLE)
    with pytest.raises(Conflict):
        moderation.restore_item(people["moderator"], "idea", idea.id)
    db.session.rollback()
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_a_hidden_idea_keeps_its_votes_and_comments(app, people):
    idea = make_idea(people["author"], TITLE)
    make_comment(idea, people["member"], "A fine idea")
    moderation.hide_item(people["moderator"], "idea", idea.id, "Off topic")
    moderation.restore_item(people["moderator"], "idea", idea.id)
    db.session.commit()
    stored = db.session.get(Idea, idea.id)
    assert (stored.vote_count, stored.comment_count) == (1, 1)


# Comments


@pytest.mark.parametrize("role", list(SEES_HIDDEN))
def test_a_hidden_comment_from_each_point_of_view(app, people, viewers, role):
    idea = make_idea(people["member"], "A visible idea about maps")
    comment = make_comment(idea, people["author"], "Visit my shop for cheap maps")
    moderation.hide_item(people["moderator"], "comment", comment.id, "Advertising")
    db.session.commit()
    viewer = viewers[role]
    expected = SEES_HIDDEN[role]

    in_page = [c.id for c in ideas.idea_page(viewer.actor, idea.id).comments]
    assert (comment.id in in_page) is expected
    in_list = [c.id for c in comments.list_comments(viewer.actor, idea).items]
    assert (comment.id in in_list) is expected
    in_profile = [c.id for c, _ in profiles.profile_page(viewer.actor, people["author"].id).comments]
    assert (comment.id in in_profile) is expected
    page = viewer.client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert ("cheap maps" in page) is expected
    api = viewer.client.get(f"/api/v1/ideas/{idea.id}/comments", headers=viewer.headers)
    assert api.status_code == 200
    assert (comment.id in [c["id"] for c in api.json["items"]]) is expected
    if expected:
        assert comments.get_comment(viewer.actor, comment.id).id == comment.id
    else:
        with pytest.raises(NotFound):
            comments.get_comment(viewer.actor, comment.id)
    if viewer.headers and not expected:
        response = viewer.client.patch(
            f"/api/v1/comments/{comment.id}", json={"body": "Edited"}, headers=viewer.headers
        )
        assert response.status_code == 404
        assert (
            viewer.client.delete(f"/api/v1/comments/{comment.id}", headers=viewer.headers).status_code == 404
        )


def test_comments_of_a_hidden_idea_are_404_in_the_api(app, people, viewers):
    idea = make_idea(people["author"], TITLE)
    comment = make_comment(idea, people["member"], "Hello there")
    moderation.hide_item(people["moderator"], "idea", idea.id, "Spam")
    db.session.commit()
    member = viewers["member"]
    assert member.client.get(f"/api/v1/ideas/{idea.id}/comments", headers=member.headers).status_code == 404
    response = member.client.patch(
        f"/api/v1/comments/{comment.id}", json={"body": "x"}, headers=member.headers
    )
    assert response.status_code == 404
    # The comment's own author cannot reach it through a hidden idea either.
    with pytest.raises(NotFound):
        comments.get_comment(people["member"], comment.id)


def test_comment_counts_follow_hide_restore_delete_and_pending(app, people):
    moderator = people["moderator"]
    idea = make_idea(people["author"], TITLE)
    first = make_comment(idea, people["member"], "First")
    second = make_comment(idea, people["member"], "Second")
    third = make_comment(idea, people["pm"], "Third")
    comments.add_internal_note(people["pm"], idea, "Staff note")
    db.session.commit()
    assert_counts(idea.id, 3)

    moderation.hide_item(moderator, "comment", first.id, "Rude")
    db.session.commit()
    assert_counts(idea.id, 2)
    # Hiding what is hidden already, or deleting it, counts nothing twice.
    moderation.hide_item(moderator, "comment", first.id, "Rude, and then some")
    db.session.commit()
    assert_counts(idea.id, 2)
    comments.delete_comment(people["member"], db.session.get(Comment, first.id))
    db.session.commit()
    assert_counts(idea.id, 2)
    moderation.restore_item(moderator, "comment", first.id)
    db.session.commit()
    assert_counts(idea.id, 3)

    comments.delete_comment(people["member"], db.session.get(Comment, second.id))
    db.session.commit()
    assert_counts(idea.id, 2)
    moderation.hide_item(moderator, "comment", second.id, "Deleted and rude")
    db.session.commit()
    assert_counts(idea.id, 2)
    moderation.restore_item(moderator, "comment", second.id)
    db.session.commit()
    assert_counts(idea.id, 3)

    moderation.delete_item(moderator, "comment", third.id, "Off topic")
    db.session.commit()
    assert_counts(idea.id, 2)
    with pytest.raises(Conflict):
        moderation.delete_item(moderator, "comment", third.id)
    db.session.rollback()
    moderation.restore_item(moderator, "comment", third.id)
    db.session.commit()
    assert_counts(idea.id, 3)

    pending = make_comment(idea, people["member"], "Waiting")
    db.session.execute(Comment.__table__.update().where(Comment.id == pending.id).values(is_pending=True))
    ideas.touch_comment_count(idea.id, -1)  # as if it had been held when posted
    db.session.commit()
    assert_counts(idea.id, 3)
    moderation.restore_item(moderator, "comment", pending.id)
    db.session.commit()
    assert_counts(idea.id, 4)


def test_the_api_comment_count_matches_the_visible_thread(app, people, viewers):
    idea = make_idea(people["author"], TITLE)
    make_comment(idea, people["member"], "Kept")
    hidden = make_comment(idea, people["member"], "Hidden")
    moderation.hide_item(people["moderator"], "comment", hidden.id, "Rude")
    db.session.commit()
    anonymous = viewers["anonymous"].client
    assert anonymous.get(f"/api/v1/ideas/{idea.id}").json["comment_count"] == 1
    assert anonymous.get(f"/api/v1/ideas/{idea.id}/comments").json["total"] == 1
