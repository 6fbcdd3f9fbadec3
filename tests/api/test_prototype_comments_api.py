"""Comments on prototypes in the API (as for ideas), and on the prototype page."""

from sqlalchemy import func, select

from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.prototype import Prototype
from app.models.user import User
from app.services import api_tokens, comments, prototypes
from tests.factories import make_prototype, make_user


def auth(user: User) -> dict:
    _, plain = api_tokens.create_token(user, user, "Tests")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def stored_comments() -> int:
    return db.session.scalar(select(func.count(Comment.id)))


def comment_count(prototype: Prototype) -> int:
    return db.session.scalar(select(Prototype.comment_count).where(Prototype.id == prototype.id))


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"]["code"] == code
    return response.json["error"]


def test_anyone_lists_a_prototypes_comments_oldest_first(client):
    prototype, ann = make_prototype(), make_user(name="Ann")
    first = comments.add_prototype_comment(ann, prototype, "First")
    second = comments.add_prototype_comment(make_user(), prototype, "Second", first.id)
    db.session.commit()
    response = client.get(f"/api/v1/prototypes/{prototype.id}/comments")
    assert response.status_code == 200
    items = response.json["items"]
    assert [c["id"] for c in items] == [first.id, second.id]
    assert items[0]["body"] == "First"
    assert items[0]["author"]["display_name"] == "Ann"
    assert items[1]["parent_id"] == first.id


def test_a_member_posts_and_replies(client):
    prototype, ann = make_prototype(), make_user()
    headers = auth(ann)
    response = client.post(
        f"/api/v1/prototypes/{prototype.id}/comments", json={"body": "Nice"}, headers=headers
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    top = response.json
    assert top["body"] == "Nice"
    assert top["parent_id"] is None
    assert top["deleted"] is False
    reply = client.post(
        f"/api/v1/prototypes/{prototype.id}/comments",
        json={"body": "Agreed", "parent_id": top["id"]},
        headers=auth(make_user()),
    )
    assert reply.status_code == 201
    assert reply.json["parent_id"] == top["id"]
    assert comment_count(prototype) == 2


def test_posting_needs_a_token(client):
    prototype = make_prototype()
    response = client.post(f"/api/v1/prototypes/{prototype.id}/comments", json={"body": "Hi"})
    assert_error(response, 401, "unauthorized")


def test_suspended_members_get_403(client):
    prototype, ann = make_prototype(), make_user()
    headers = auth(ann)
    ann.suspended_at = utcnow()
    db.session.commit()
    response = client.post(
        f"/api/v1/prototypes/{prototype.id}/comments", json={"body": "Hi"}, headers=headers
    )
    assert_error(response, 403, "forbidden")
    assert stored_comments() == 0


def test_archived_prototypes_are_409(client):
    author = make_user("product_manager")
    prototype = make_prototype(author=author)
    prototypes.change_status(author, prototype, "archived")
    db.session.commit()
    response = client.post(
        f"/api/v1/prototypes/{prototype.id}/comments", json={"body": "Hi"}, headers=auth(make_user())
    )
    assert_error(response, 409, "conflict")
    assert stored_comments() == 0


def test_validation_errors_are_422(client):
    prototype = make_prototype()
    headers = auth(make_user())
    url = f"/api/v1/prototypes/{prototype.id}/comments"
    error = assert_error(client.post(url, json={"body": " "}, headers=headers), 422, "validation_error")
    assert error["fields"] == {"body": ["Write something first."]}
    error = assert_error(
        client.post(url, json={"body": "Hi", "parent_id": 999}, headers=headers), 422, "validation_error"
    )
    assert "parent_id" in error["fields"]
    assert stored_comments() == 0


def test_drafts_and_unknown_prototypes_are_404_for_members(client):
    draft = make_prototype(status="draft")
    headers = auth(make_user())
    assert_error(client.get(f"/api/v1/prototypes/{draft.id}/comments"), 404, "not_found")
    response = client.post(f"/api/v1/prototypes/{draft.id}/comments", json={"body": "Hi"}, headers=headers)
    assert_error(response, 404, "not_found")
    assert_error(client.get("/api/v1/prototypes/999/comments"), 404, "not_found")


def test_deleting_through_the_api_lowers_the_prototypes_count(client):
    prototype, ann = make_prototype(), make_user()
    comment = comments.add_prototype_comment(ann, prototype, "Soon gone")
    db.session.commit()
    assert client.delete(f"/api/v1/comments/{comment.id}", headers=auth(ann)).status_code == 204
    assert comment_count(prototype) == 0


# The prototype page


def test_the_page_shows_the_discussion_and_a_member_comments(client, login):
    prototype, ann = make_prototype(), make_user()
    login(ann)
    page = f"/prototypes/{prototype.id}"
    html = client.get(page).get_data(as_text=True)
    assert 'id="discussion"' in html
    assert "0 comments" in html
    response = client.post_form(f"/prototypes/{prototype.id}/comments", {"body": "Looks **good**"}, page=page)
    assert response.status_code == 302
    comment = db.session.scalar(select(Comment))
    assert response.headers["Location"].endswith(f"/prototypes/{prototype.id}#comment-{comment.id}")
    html = client.get(page).get_data(as_text=True)
    assert "<strong>good</strong>" in html
    assert "1 comment" in html
    reply = client.post_form(
        f"/prototypes/{prototype.id}/comments", {"body": "", "parent_id": comment.id}, page=page
    )
    assert reply.status_code == 422
    assert comment_count(prototype) == 1


def test_signed_out_visitors_are_asked_to_sign_in(client):
    prototype = make_prototype()
    html = client.get(f"/prototypes/{prototype.id}").get_data(as_text=True)
    assert "Sign in to comment" in html
    response = client.post_form(f"/prototypes/{prototype.id}/comments", {"body": "Hi"}, page="/sign-in")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
    assert stored_comments() == 0


def test_a_flagged_prototype_comment_shows_in_the_queue(client, login):
    from app.services import moderation

    prototype, mod = make_prototype(), make_user("moderator")
    comment = comments.add_prototype_comment(make_user(), prototype, "Buy cheap watches")
    db.session.commit()
    moderation.flag_item(make_user(), "comment", comment.id, "spam")
    db.session.commit()
    item = client.get("/api/v1/moderation/queue", headers=auth(mod)).json["items"][0]
    assert item["idea"] is None
    assert item["prototype"]["id"] == prototype.id
    login(mod)
    html = client.get("/moderation").get_data(as_text=True)
    assert f"/prototypes/{prototype.id}#comment-{comment.id}" in html
