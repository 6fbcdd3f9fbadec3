"""Comments in the API, as shared/API.md describes them."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.notification import Notification
from app.models.user import User
from app.services import api_tokens, comments
from tests.factories import make_comment, make_idea, make_user

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def auth(user: User) -> dict:
    _, plain = api_tokens.create_token(user, user, "Tests")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def stored_comments() -> int:
    return db.session.scalar(select(func.count(Comment.id)))


def comment_count(idea: Idea) -> int:
    return db.session.scalar(select(Idea.comment_count).where(Idea.id == idea.id))


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    return response.json["error"]


# Listing


def test_anyone_lists_comments_oldest_first_with_every_field(client):
    ann = make_user(name="Ann")
    idea = make_idea()
    first = make_comment(idea, ann, "First *one*")
    second = make_comment(idea, make_user(), "Second", first)
    response = client.get(f"/api/v1/ideas/{idea.id}/comments")
    assert response.status_code == 200
    body = response.json
    assert (body["page"], body["per_page"], body["total"]) == (1, 25, 2)
    assert [item["id"] for item in body["items"]] == [first.id, second.id]
    item = body["items"][0]
    assert set(item) >= {
        "id",
        "body",
        "body_html",
        "author",
        "parent_id",
        "created_at",
        "edited_at",
        "deleted",
    }
    assert item["body"] == "First *one*"
    assert item["body_html"] == "<p>First <em>one</em></p>\n"
    assert item["author"] == {"id": ann.id, "display_name": "Ann", "role": "member"}
    assert item["parent_id"] is None
    assert TIMESTAMP.match(item["created_at"])
    assert item["edited_at"] is None
    assert item["deleted"] is False
    assert body["items"][1]["parent_id"] == first.id


def test_the_list_is_paginated(client):
    idea, ann = make_idea(), make_user()
    ids = [make_comment(idea, ann, f"Comment {n}").id for n in range(3)]
    page = client.get(f"/api/v1/ideas/{idea.id}/comments?page=2&per_page=2").json
    assert (page["page"], page["per_page"], page["total"]) == (2, 2, 3)
    assert [item["id"] for item in page["items"]] == ids[2:]
    assert_error(client.get(f"/api/v1/ideas/{idea.id}/comments?per_page=101"), 400, "bad_request")


def test_listing_an_unknown_idea_is_404(client):
    assert_error(client.get("/api/v1/ideas/999/comments"), 404, "not_found")


@pytest.mark.parametrize("role", ["member", "product_manager", "admin"])
def test_internal_notes_never_appear_in_the_api(client, role):
    idea = make_idea()
    note = comments.add_internal_note(make_user(role="admin"), idea, "Staff only")
    make_comment(idea, make_user(), "Public")
    viewer = make_user(role=role)
    headers = auth(viewer)
    listing = client.get(f"/api/v1/ideas/{idea.id}/comments", headers=headers).json
    assert [item["body"] for item in listing["items"]] == ["Public"]
    assert listing["total"] == 1
    assert_error(
        client.patch(f"/api/v1/comments/{note.id}", json={"body": "x"}, headers=headers), 404, "not_found"
    )
    assert_error(client.delete(f"/api/v1/comments/{note.id}", headers=headers), 404, "not_found")
    response = client.post(
        f"/api/v1/ideas/{idea.id}/comments", json={"body": "Reply", "parent_id": note.id}, headers=headers
    )
    assert_error(response, 422, "validation_error")
    assert note.body == "Staff only"
    assert not note.is_deleted


# Posting


def test_a_member_posts_a_comment(client):
    author, ann = make_user(), make_user(name="Ann")
    idea = make_idea(author)
    response = client.post(
        f"/api/v1/ideas/{idea.id}/comments", json={"body": "Yes **please**"}, headers=auth(ann)
    )
    assert response.status_code == 201
    body = response.json
    assert body["body"] == "Yes **please**"
    assert body["body_html"] == "<p>Yes <strong>please</strong></p>\n"
    assert body["author"]["display_name"] == "Ann"
    assert body["parent_id"] is None
    assert body["deleted"] is False
    assert comment_count(idea) == 1
    assert db.session.scalar(select(Notification.kind).where(Notification.user_id == author.id)) == "comment"


def test_a_reply_and_a_mention(client):
    ann, ada = make_user(), make_user(name="Ada")
    idea = make_idea()
    top = make_comment(idea, ann, "Top")
    response = client.post(
        f"/api/v1/ideas/{idea.id}/comments",
        json={"body": "Right, @Ada?", "parent_id": top.id},
        headers=auth(make_user()),
    )
    assert response.status_code == 201
    assert response.json["parent_id"] == top.id
    assert f'href="/users/{ada.id}"' in response.json["body_html"]
    assert db.session.scalars(select(Notification.kind).where(Notification.user_id == ada.id)).all() == [
        "mention"
    ]
    assert db.session.scalars(select(Notification.kind).where(Notification.user_id == ann.id)).all() == [
        "reply"
    ]


def test_posting_needs_a_token(client):
    idea = make_idea()
    assert_error(client.post(f"/api/v1/ideas/{idea.id}/comments", json={"body": "Hi"}), 401, "unauthorized")
    assert stored_comments() == 0


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({}, "body", "Write something first."),
        ({"body": "   "}, "body", "Write something first."),
        ({"body": "x" * 5_001}, "body", "A comment can have at most 5,000 characters (this one has 5,001)."),
        ({"body": 42}, "body", "The body must be a string of Markdown."),
        ({"body": "Hi", "parent_id": 9_999}, "parent_id", "You can only reply to a comment on this idea."),
        (
            {"body": "Hi", "parent_id": "1"},
            "parent_id",
            "parent_id must be the id of a comment on this idea, or null.",
        ),
        (
            {"body": "Hi", "parent_id": True},
            "parent_id",
            "parent_id must be the id of a comment on this idea, or null.",
        ),
    ],
)
def test_bad_comments_are_422_with_fields_and_nothing_saved(client, payload, field, message):
    idea = make_idea()
    response = client.post(f"/api/v1/ideas/{idea.id}/comments", json=payload, headers=auth(make_user()))
    error = assert_error(response, 422, "validation_error")
    assert error["fields"][field] == [message]
    assert stored_comments() == 0
    assert comment_count(idea) == 0


def test_a_reply_to_a_comment_on_another_idea_is_422(client):
    idea = make_idea()
    elsewhere = make_comment(make_idea(title="Dark mode, please"), make_user(), "On another idea")
    response = client.post(
        f"/api/v1/ideas/{idea.id}/comments",
        json={"body": "Hi", "parent_id": elsewhere.id},
        headers=auth(make_user()),
    )
    assert assert_error(response, 422, "validation_error")["fields"] == {
        "parent_id": ["You can only reply to a comment on this idea."]
    }
    assert stored_comments() == 1


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("not json", "application/json"),
        ("[1, 2]", "application/json"),
        ('"body"', "application/json"),
        ("body=x", "application/x-www-form-urlencoded"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_400(client, data, content_type):
    idea = make_idea()
    response = client.post(
        f"/api/v1/ideas/{idea.id}/comments", data=data, content_type=content_type, headers=auth(make_user())
    )
    assert_error(response, 400, "bad_request")
    assert stored_comments() == 0


def test_locked_idea_is_403_for_members(client):
    idea = make_idea()
    idea.is_locked = True
    db.session.commit()
    response = client.post(
        f"/api/v1/ideas/{idea.id}/comments", json={"body": "Hi"}, headers=auth(make_user())
    )
    assert_error(response, 403, "forbidden")
    assert stored_comments() == 0


def test_merged_idea_is_409(client):
    target = make_idea(title="The idea it went into")
    idea = make_idea()
    idea.status, idea.merged_into_id = "merged", target.id
    db.session.commit()
    response = client.post(
        f"/api/v1/ideas/{idea.id}/comments", json={"body": "Hi"}, headers=auth(make_user())
    )
    assert_error(response, 409, "conflict")
    assert stored_comments() == 0


def test_posting_on_an_unknown_idea_is_404(client):
    assert_error(
        client.post("/api/v1/ideas/999/comments", json={"body": "Hi"}, headers=auth(make_user())),
        404,
        "not_found",
    )


# Editing


def _age(comment: Comment, minutes: int) -> None:
    comment.created_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()


def test_the_author_edits_within_the_window(client):
    ann = make_user()
    comment = make_comment(make_idea(), ann, "Frist")
    _age(comment, 29)
    response = client.patch(f"/api/v1/comments/{comment.id}", json={"body": "First"}, headers=auth(ann))
    assert response.status_code == 200
    assert response.json["body"] == "First"
    assert TIMESTAMP.match(response.json["edited_at"])
    assert comment.body == "First"


def test_the_author_cannot_edit_after_the_window_a_moderator_can(client):
    ann = make_user()
    comment = make_comment(make_idea(), ann, "Original")
    _age(comment, 31)
    response = client.patch(f"/api/v1/comments/{comment.id}", json={"body": "Changed"}, headers=auth(ann))
    assert_error(response, 403, "forbidden")
    assert comment.body == "Original"
    moderator = auth(make_user(role="moderator"))
    response = client.patch(f"/api/v1/comments/{comment.id}", json={"body": "Moderated"}, headers=moderator)
    assert response.status_code == 200
    assert response.json["edited_at"] is not None
    assert comment.body == "Moderated"


def test_others_cannot_edit_and_bad_edits_are_refused(client):
    ann = make_user()
    comment = make_comment(make_idea(), ann, "Mine")
    response = client.patch(
        f"/api/v1/comments/{comment.id}", json={"body": "Yours"}, headers=auth(make_user())
    )
    assert_error(response, 403, "forbidden")
    error = assert_error(
        client.patch(f"/api/v1/comments/{comment.id}", json={"body": ""}, headers=auth(ann)),
        422,
        "validation_error",
    )
    assert error["fields"] == {"body": ["Write something first."]}
    assert_error(
        client.patch(f"/api/v1/comments/{comment.id}", json=["Mine"], headers=auth(ann)), 400, "bad_request"
    )
    assert_error(client.patch(f"/api/v1/comments/{comment.id}", json={"body": "x"}), 401, "unauthorized")
    assert_error(
        client.patch("/api/v1/comments/999", json={"body": "x"}, headers=auth(ann)), 404, "not_found"
    )
    assert comment.body == "Mine"


# Deleting


def test_soft_delete_keeps_the_place_with_an_empty_body(client):
    ann = make_user()
    idea = make_idea()
    top = make_comment(idea, ann, "Regrettable")
    reply = make_comment(idea, make_user(), "Stays", top)
    response = client.delete(f"/api/v1/comments/{top.id}", headers=auth(ann))
    assert response.status_code == 204
    assert response.get_data() == b""
    items = client.get(f"/api/v1/ideas/{idea.id}/comments").json["items"]
    assert [item["id"] for item in items] == [top.id, reply.id]
    assert items[0]["deleted"] is True
    assert items[0]["body"] == ""
    assert items[0]["body_html"] == ""
    assert items[1]["parent_id"] == top.id
    assert items[1]["body"] == "Stays"
    assert comment_count(idea) == 1


def test_only_the_author_or_a_moderator_deletes(client):
    idea = make_idea()
    comment = make_comment(idea, make_user(), "Mine")
    assert_error(client.delete(f"/api/v1/comments/{comment.id}", headers=auth(make_user())), 403, "forbidden")
    assert_error(client.delete(f"/api/v1/comments/{comment.id}"), 401, "unauthorized")
    assert not comment.is_deleted
    assert (
        client.delete(f"/api/v1/comments/{comment.id}", headers=auth(make_user(role="moderator"))).status_code
        == 204
    )
    assert comment.is_deleted
    assert comment_count(idea) == 0
