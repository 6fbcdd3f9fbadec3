"""Comments on the idea page: posting, threads, edits, deletes, mentions, refusals and staff notes."""

import html as html_lib
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.notification import Notification
from app.services import comments
from tests.factories import make_comment, make_idea, make_user


def stored_comments() -> int:
    return db.session.scalar(select(func.count(Comment.id)))


def comment_count(idea: Idea) -> int:
    return db.session.scalar(select(Idea.comment_count).where(Idea.id == idea.id))


def page_of(client, idea: Idea) -> str:
    response = client.get(f"/ideas/{idea.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


class _Comments(HTMLParser):
    """For each comment on a page, the comment it sits inside (None at the top level)."""

    def __init__(self):
        super().__init__()
        self.stack: list[int | None] = []
        self.parents: dict[int, int | None] = {}

    def handle_starttag(self, tag, attrs):
        if tag != "li":
            return
        match = re.fullmatch(r"comment-(\d+)", dict(attrs).get("id") or "")
        if match:
            comment_id = int(match.group(1))
            enclosing = [i for i in self.stack if i is not None]
            self.parents[comment_id] = enclosing[-1] if enclosing else None
        self.stack.append(int(match.group(1)) if match else None)

    def handle_endtag(self, tag):
        if tag == "li":
            self.stack.pop()


def nesting(page: str) -> dict[int, int | None]:
    parser = _Comments()
    parser.feed(page)
    return parser.parents


def comment_html(page: str, comment: Comment) -> str:
    """The markup of one comment, up to its replies."""
    start = page.index(f'id="comment-{comment.id}"')
    end = page.find("comment-thread--replies", start)
    return page[start : end if end != -1 else None]


# Reading


def test_threads_two_and_more_levels_deep_render_nested(client):
    idea, ann, bob = make_idea(), make_user(), make_user()
    top = make_comment(idea, ann, "Top level")
    reply = make_comment(idea, bob, "A reply", top)
    deeper = make_comment(idea, ann, "A reply to the reply", reply)
    deepest = make_comment(idea, bob, "Three levels down", deeper)
    parents = nesting(page_of(client, idea))
    assert parents[top.id] is None
    assert parents[reply.id] == top.id
    assert parents[deeper.id] == reply.id
    assert parents[deepest.id] == deeper.id


def test_each_comment_has_a_permalink_anchor(client):
    idea = make_idea()
    comment = make_comment(idea, make_user(), "Link me")
    page = page_of(client, idea)
    assert f'id="comment-{comment.id}"' in page
    assert f'href="/ideas/{idea.id}#comment-{comment.id}"' in page


def test_signed_out_visitors_see_a_sign_in_link_instead_of_the_form(client):
    idea = make_idea()
    make_comment(idea, make_user(), "Visible to all")
    page = page_of(client, idea)
    assert "Visible to all" in page
    # Back to the comment box once signed in (tests/web/test_vote_after_sign_in.py follows it through).
    assert f'href="/sign-in?next=/ideas/{idea.id}%23comment-body&amp;intent=comment:{idea.id}"' in page
    assert "Sign in to comment" in page
    assert 'name="body"' not in page
    assert ">Reply<" not in page


def test_a_signed_out_post_asks_to_sign_in_first(client):
    idea = make_idea()
    response = client.post_form(f"/ideas/{idea.id}/comments", {"body": "Hi"}, page=f"/ideas/{idea.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sign-in?next=/ideas/{idea.id}"
    assert stored_comments() == 0


def test_the_idea_page_runs_the_same_queries_for_few_and_many_comments(client, login, count_queries):
    idea, ann, pm = make_idea(), make_user(), make_user(role="product_manager")
    parent = make_comment(idea, ann, "One")
    make_comment(idea, ann, "Two", parent)
    comments.add_internal_note(pm, idea, "Note one")
    db.session.commit()
    login(pm)
    with count_queries() as few:
        page_of(client, idea)
    for number in range(10):
        parent = make_comment(idea, make_user(), f"More {number}", parent)
        comments.add_internal_note(pm, idea, f"Note {number}")
    db.session.commit()
    with count_queries() as many:
        page_of(client, idea)
    assert len(many) == len(few)


# Posting


def test_a_member_comments_and_lands_on_the_comment(client, login):
    author = make_user()
    idea = make_idea(author)
    login(make_user(name="Ann"))
    response = client.post_form(
        f"/ideas/{idea.id}/comments", {"body": "Yes, **monthly** please"}, page=f"/ideas/{idea.id}"
    )
    comment = db.session.scalar(select(Comment))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/{idea.id}#comment-{comment.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your comment is posted." in page
    assert "Yes, <strong>monthly</strong> please" in page
    assert "1 comment" in page
    assert comment_count(idea) == 1
    notice = db.session.scalar(select(Notification).where(Notification.user_id == author.id))
    assert notice.kind == "comment"
    assert notice.url == f"/ideas/{idea.id}#comment-{comment.id}"


def test_reply_without_javascript_posts_the_parent(client, login):
    ann, bob = make_user(name="Ann"), make_user(name="Bob")
    idea = make_idea()
    top = make_comment(idea, ann, "Top")
    login(bob)
    page = page_of(client, idea)
    # The reply form sits in a <details> that opens without JavaScript.
    assert "<summary" in page
    assert f'name="parent_id" value="{top.id}"' in page
    response = client.post_form(
        f"/ideas/{idea.id}/comments", {"body": "Replying", "parent_id": str(top.id)}, page=f"/ideas/{idea.id}"
    )
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == top.id))
    assert response.headers["Location"] == f"/ideas/{idea.id}#comment-{reply.id}"
    assert nesting(page_of(client, idea))[reply.id] == top.id
    assert db.session.scalar(select(Notification.kind).where(Notification.user_id == ann.id)) == "reply"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write something first."),
        ("   ", "Write something first."),
        ("x" * 5_001, "A comment can have at most 5,000 characters (this one has 5,001)."),
    ],
)
def test_bad_comments_are_refused_clearly_and_nothing_is_saved(client, login, body, message):
    idea = make_idea()
    login(make_user())
    response = client.post_form(f"/ideas/{idea.id}/comments", {"body": body}, page=f"/ideas/{idea.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was posted" in page
    assert message in page
    assert 'aria-invalid="true"' in page
    assert stored_comments() == 0
    assert comment_count(idea) == 0


def test_a_refused_comment_keeps_its_text(client, login):
    idea = make_idea()
    login(make_user())
    text = "Long thoughts <b>here</b> " + "x" * 5_000
    page = client.post_form(f"/ideas/{idea.id}/comments", {"body": text}, page=f"/ideas/{idea.id}").get_data(
        as_text=True
    )
    assert html_lib.escape(text, quote=False) in page


@pytest.mark.parametrize("which", ["unknown", "other idea", "not a number"])
def test_replies_to_comments_elsewhere_are_refused(client, login, which):
    idea = make_idea()
    elsewhere = make_comment(make_idea(title="Dark mode, please"), make_user(), "On another idea")
    parent_id = {"unknown": "9999", "other idea": str(elsewhere.id), "not a number": "abc"}[which]
    login(make_user())
    response = client.post_form(
        f"/ideas/{idea.id}/comments", {"body": "Replying", "parent_id": parent_id}, page=f"/ideas/{idea.id}"
    )
    assert response.status_code == 422
    assert "You can only reply to a comment on this idea." in response.get_data(as_text=True)
    assert stored_comments() == 1
    assert comment_count(idea) == 0


def test_a_refused_reply_opens_again_under_its_comment(client, login):
    idea = make_idea()
    top = make_comment(idea, make_user(), "Top")
    login(make_user())
    page = client.post_form(
        f"/ideas/{idea.id}/comments", {"body": " ", "parent_id": str(top.id)}, page=f"/ideas/{idea.id}"
    ).get_data(as_text=True)
    assert re.search(r'<details class="comment__reply" open>\s*<summary[^>]*>Reply</summary>', page)
    assert f'id="reply-{top.id}-error"' in page


def test_a_post_without_the_csrf_token_is_refused(client, login):
    idea = make_idea()
    login(make_user())
    response = client.post(f"/ideas/{idea.id}/comments", data={"body": "Forged"})
    assert response.status_code == 400
    assert stored_comments() == 0


def test_locked_ideas_refuse_members_with_403(client, login):
    idea = make_idea()
    idea.is_locked = True
    db.session.commit()
    login(make_user())
    page = page_of(client, idea)
    assert "only moderators can comment" in page
    assert f'action="/ideas/{idea.id}/comments"' not in page
    response = client.post_form(f"/ideas/{idea.id}/comments", {"body": "Let me in"}, page=f"/ideas/{idea.id}")
    assert response.status_code == 403
    assert stored_comments() == 0


def test_moderators_still_comment_on_locked_ideas(client, login):
    idea = make_idea()
    idea.is_locked = True
    db.session.commit()
    login(make_user(role="moderator"))
    assert f'action="/ideas/{idea.id}/comments"' in page_of(client, idea)
    response = client.post_form(f"/ideas/{idea.id}/comments", {"body": "Locked: duplicate."}, page="/")
    assert response.status_code == 302
    assert comment_count(idea) == 1


def test_merged_ideas_say_where_the_discussion_went(client, login):
    target = make_idea(title="The idea it went into")
    idea = make_idea()
    idea.status, idea.merged_into_id = "merged", target.id
    db.session.commit()
    login(make_user())
    page = page_of(client, idea)
    assert "takes no new comments" in page
    assert 'name="body"' not in page
    response = client.post_form(
        f"/ideas/{idea.id}/comments",
        {"body": "Hello?"},
        page=f"/ideas/{idea.id}",
        headers={"Referer": f"/ideas/{idea.id}"},
    )
    assert response.status_code == 302
    assert "merged into another one" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert stored_comments() == 0


# Mentions


def test_mentions_link_to_the_profile_and_notify_once(client, login):
    ada = make_user(name="Ada Lovelace")
    idea = make_idea()
    login(make_user())
    client.post_form(
        f"/ideas/{idea.id}/comments",
        {"body": "@Ada Lovelace, see this. Right, @Ada Lovelace?"},
        page=f"/ideas/{idea.id}",
    )
    page = page_of(client, idea)
    assert f'<a href="/users/{ada.id}" rel="nofollow ugc noopener">@Ada Lovelace</a>' in page
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == ada.id)).all()
    assert kinds == ["mention"]


# Editing


def _edit(client, comment: Comment, body: str):
    return client.post_form(f"/comments/{comment.id}/edit", {"body": body})


def test_the_author_edits_within_the_window_and_edited_shows(client, login):
    ann = make_user()
    idea = make_idea()
    comment = make_comment(idea, ann, "Frist")
    comment.created_at = utcnow() - timedelta(minutes=29)
    db.session.commit()
    login(ann)
    assert f'href="/comments/{comment.id}/edit"' in page_of(client, idea)
    form = client.get(f"/comments/{comment.id}/edit").get_data(as_text=True)
    assert "Frist" in form
    assert "You can change your comment until" in form
    response = _edit(client, comment, "First")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/{idea.id}#comment-{comment.id}"
    assert comment.body == "First"
    assert "· edited" in comment_html(page_of(client, idea), comment)


def test_the_author_cannot_edit_after_the_window(client, login):
    ann = make_user()
    idea = make_idea()
    comment = make_comment(idea, ann, "Original")
    comment.created_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    login(ann)
    assert f'href="/comments/{comment.id}/edit"' not in page_of(client, idea)
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403
    assert _edit(client, comment, "Changed").status_code == 403
    assert comment.body == "Original"
    assert comment.edited_at is None


def test_a_moderator_edits_any_time_and_edited_shows(client, login):
    idea = make_idea()
    comment = make_comment(idea, make_user(), "Rude words")
    comment.created_at = utcnow() - timedelta(days=3)
    db.session.commit()
    login(make_user(role="moderator"))
    assert f'href="/comments/{comment.id}/edit"' in page_of(client, idea)
    assert _edit(client, comment, "Kind words").status_code == 302
    block = comment_html(page_of(client, idea), comment)
    assert "Kind words" in block
    assert "· edited" in block


def test_other_members_cannot_edit(client, login):
    idea = make_idea()
    comment = make_comment(idea, make_user(), "Mine")
    login(make_user())
    assert f'href="/comments/{comment.id}/edit"' not in page_of(client, idea)
    assert _edit(client, comment, "Yours").status_code == 403
    assert comment.body == "Mine"


def test_an_empty_edit_is_refused_and_changes_nothing(client, login):
    ann = make_user()
    comment = make_comment(make_idea(), ann, "Keep me")
    login(ann)
    response = _edit(client, comment, "  ")
    assert response.status_code == 422
    assert "Write something first." in response.get_data(as_text=True)
    assert comment.body == "Keep me"
    assert comment.edited_at is None


def test_a_moderators_refused_edit_says_why(client, login):
    comment = make_comment(make_idea(), make_user(name="Ann"), "Keep me")
    login(make_user(role="moderator"))
    response = _edit(client, comment, "x" * 5_001)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Edit comment by Ann" in page
    assert "A comment can have at most 5,000 characters" in page
    assert comment.body == "Keep me"


# Deleting


def test_delete_keeps_the_thread_shape_and_lowers_the_count(client, login):
    ann, bob = make_user(name="Ann"), make_user()
    idea = make_idea()
    top = make_comment(idea, ann, "Regrettable words")
    reply = make_comment(idea, bob, "A reply that stays", top)
    login(ann)
    page = page_of(client, idea)
    assert re.search(rf'action="/comments/{top.id}/delete"[^>]*data-confirm="[^"]+"', page)
    response = client.post_form(f"/comments/{top.id}/delete", page=f"/ideas/{idea.id}")
    assert response.headers["Location"] == f"/ideas/{idea.id}#comment-{top.id}"
    page = page_of(client, idea)
    assert "Regrettable words" not in page
    assert "[deleted]" in comment_html(page, top)
    assert nesting(page)[reply.id] == top.id
    assert "A reply that stays" in page
    assert "1 comment" in page
    assert comment_count(idea) == 1


def test_others_cannot_delete(client, login):
    idea = make_idea()
    comment = make_comment(idea, make_user(), "Mine")
    login(make_user())
    assert f'action="/comments/{comment.id}/delete"' not in page_of(client, idea)
    response = client.post_form(f"/comments/{comment.id}/delete", page=f"/ideas/{idea.id}")
    assert response.status_code == 403
    assert not comment.is_deleted
    assert comment_count(idea) == 1


def test_a_moderator_deletes_any_comment(client, login):
    idea = make_idea()
    comment = make_comment(idea, make_user(), "Spam spam spam")
    login(make_user(role="moderator"))
    client.post_form(f"/comments/{comment.id}/delete", page=f"/ideas/{idea.id}")
    assert comment.is_deleted
    assert "Spam spam spam" not in page_of(client, idea)


# Internal notes


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_internal_notes_are_invisible_to_non_staff(client, login, role):
    idea = make_idea()
    comments.add_internal_note(make_user(role="admin"), idea, "Customer X asked for this")
    db.session.commit()
    login(make_user(role=role))
    page = page_of(client, idea)
    assert "Customer X asked for this" not in page
    assert "Internal notes" not in page
    response = client.post_form(f"/ideas/{idea.id}/notes", {"body": "Sneaky"}, page=f"/ideas/{idea.id}")
    assert response.status_code == 403
    assert stored_comments() == 1


def test_internal_notes_are_invisible_to_visitors(client):
    idea = make_idea()
    note = comments.add_internal_note(make_user(role="admin"), idea, "Customer X asked for this")
    db.session.commit()
    assert "Customer X asked for this" not in page_of(client, idea)
    assert client.get(f"/comments/{note.id}/edit").status_code == 302  # to sign in


@pytest.mark.parametrize("role", ["product_manager", "admin"])
def test_staff_add_and_read_internal_notes(client, login, role):
    author = make_user()
    idea = make_idea(author)
    login(make_user(role=role))
    assert "Only staff see this" in page_of(client, idea)
    response = client.post_form(
        f"/ideas/{idea.id}/notes", {"body": "Customer X asked for this"}, page=f"/ideas/{idea.id}"
    )
    assert response.headers["Location"] == f"/ideas/{idea.id}#internal-notes"
    page = page_of(client, idea)
    assert "Customer X asked for this" in page
    assert "0 comments" in page
    assert comment_count(idea) == 0
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_an_empty_internal_note_is_refused(client, login):
    idea = make_idea()
    login(make_user(role="product_manager"))
    response = client.post_form(f"/ideas/{idea.id}/notes", {"body": ""}, page=f"/ideas/{idea.id}")
    assert response.status_code == 422
    assert 'id="note-body-error"' in response.get_data(as_text=True)
    assert stored_comments() == 0


def test_staff_edit_their_notes_members_cannot_reach_them(client, login):
    pm = make_user(role="product_manager")
    idea = make_idea()
    note = comments.add_internal_note(pm, idea, "Draft note")
    db.session.commit()
    login(make_user())
    assert client.get(f"/comments/{note.id}/edit").status_code == 404
    login(pm)
    response = client.post_form(f"/comments/{note.id}/edit", {"body": "Final note"})
    assert response.headers["Location"] == f"/ideas/{idea.id}#internal-notes"
    assert note.body == "Final note"
