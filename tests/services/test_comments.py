"""Comments on ideas: threads, validation, notifications, mentions, edits, soft deletes and notes."""

import threading
from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from app.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea, IdeaFollow
from app.models.notification import Notification
from app.models.user import User
from app.services import comments, mentions
from app.services.ideas import idea_page
from tests.factories import make_comment, make_idea, make_user


def comment_count(idea: Idea) -> int:
    return db.session.scalar(select(Idea.comment_count).where(Idea.id == idea.id))


def stored_comments() -> int:
    return db.session.scalar(select(func.count(Comment.id)))


def inbox(user: User) -> list[tuple[str, str]]:
    rows = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    return [(n.kind, n.url) for n in rows]


def age(comment: Comment, minutes: int) -> None:
    comment.created_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()


# Posting and threads


def test_a_comment_is_stored_rendered_counted_and_the_commenter_follows(app):
    idea, ann = make_idea(), make_user()
    comment = make_comment(idea, ann, "I need **this** <script>alert(1)</script>")
    assert comment.body == "I need **this** <script>alert(1)</script>"
    assert "<strong>this</strong>" in comment.body_html
    assert "<script>" not in comment.body_html
    assert comment_count(idea) == 1
    assert db.session.get(IdeaFollow, (idea.id, ann.id)) is not None


def test_replies_nest_two_and_more_levels_deep(app):
    idea, ann, bob = make_idea(), make_user(), make_user()
    top = make_comment(idea, ann, "Top")
    reply = make_comment(idea, bob, "Reply", top)
    deeper = make_comment(idea, ann, "Reply to the reply", reply)
    other = make_comment(idea, bob, "Another top")
    thread = comments.build_thread(idea_page(ann, idea.id).comments)
    assert [node.comment.id for node in thread] == [top.id, other.id]
    assert thread[0].replies[0].comment.id == reply.id
    assert thread[0].replies[0].depth == 1
    assert thread[0].replies[0].replies[0].comment.id == deeper.id
    assert thread[0].replies[0].replies[0].depth == 2
    assert comment_count(idea) == 4


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write something first."),
        ("  \n\t ", "Write something first."),
        ("x" * 5_001, "A comment can have at most 5,000 characters (this one has 5,001)."),
    ],
)
def test_bad_bodies_are_refused_with_a_clear_message_and_nothing_saved(app, body, message):
    idea, ann = make_idea(), make_user()
    with pytest.raises(Invalid) as refused:
        comments.add_comment(ann, idea, body)
    db.session.rollback()
    assert refused.value.fields == {"body": [message]}
    assert stored_comments() == 0
    assert comment_count(idea) == 0


def test_the_longest_allowed_body_counts_line_breaks_once(app):
    idea = make_idea()
    # A browser sends CRLF; 4,998 letters and two line breaks are 5,000 characters.
    comment = make_comment(idea, make_user(), "a" * 2_499 + "\r\n\r\n" + "b" * 2_499)
    assert len(comment.body) == 5_000


def test_nul_characters_are_dropped(app):
    comment = make_comment(make_idea(), make_user(), "nul\x00 here")
    assert comment.body == "nul here"


def _parents(idea: Idea) -> dict:
    other_idea = make_idea(title="Dark mode for the dashboard")
    elsewhere = make_comment(other_idea, make_user(), "On another idea")
    note = comments.add_internal_note(make_user(role="product_manager"), idea, "Staff only")
    writer = make_user()
    gone = make_comment(idea, writer, "Soon deleted")
    comments.delete_comment(writer, gone)
    db.session.commit()
    return {"unknown": 9_999, "other idea": elsewhere.id, "internal note": note.id, "deleted": gone.id}


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("unknown", "You can only reply to a comment on this idea."),
        ("other idea", "You can only reply to a comment on this idea."),
        ("internal note", "You can only reply to a comment on this idea."),
        ("deleted", "That comment was deleted, so it takes no more replies."),
    ],
)
def test_replies_only_to_live_public_comments_on_the_same_idea(app, which, message):
    idea = make_idea()
    parent_id = _parents(idea)[which]
    before, count = stored_comments(), comment_count(idea)
    with pytest.raises(Invalid) as refused:
        comments.add_comment(make_user(), idea, "A reply", parent_id)
    db.session.rollback()
    assert refused.value.fields == {"parent_id": [message]}
    assert stored_comments() == before
    assert comment_count(idea) == count


def test_every_problem_is_named_at_once(app):
    idea = make_idea()
    with pytest.raises(Invalid) as refused:
        comments.add_comment(make_user(), idea, " ", 9_999)
    assert set(refused.value.fields) == {"body", "parent_id"}


def test_locked_ideas_take_comments_from_moderators_only(app):
    idea = make_idea()
    idea.is_locked = True
    db.session.commit()
    with pytest.raises(Forbidden):
        comments.add_comment(make_user(), idea, "Let me in")
    db.session.rollback()
    assert stored_comments() == 0
    make_comment(idea, make_user(role="moderator"), "Locked because it is a duplicate.")
    assert comment_count(idea) == 1


def test_merged_ideas_take_no_comments(app):
    idea = make_idea()
    idea.status = "merged"
    db.session.commit()
    with pytest.raises(Conflict, match="merged"):
        comments.add_comment(make_user(), idea, "Hello?")
    assert stored_comments() == 0


def test_anonymous_visitors_cannot_comment(app):
    with pytest.raises(Unauthorized):
        comments.add_comment(AnonymousUserMixin(), make_idea(), "Hi")


# Notifications


def test_a_comment_tells_the_ideas_author_but_never_the_commenter(app):
    author, ann = make_user(), make_user(name="Ann")
    idea = make_idea(author)
    comment = make_comment(idea, ann, "Yes please")
    assert inbox(author) == [("comment", f"/ideas/{idea.id}#comment-{comment.id}")]
    assert inbox(ann) == []
    make_comment(idea, author, "Thanks!")
    assert inbox(author) == [("comment", f"/ideas/{idea.id}#comment-{comment.id}")]


def test_a_reply_tells_the_parents_author_and_the_ideas_author(app):
    author, ann, bob = make_user(), make_user(), make_user()
    idea = make_idea(author)
    top = make_comment(idea, ann, "First")
    reply = make_comment(idea, bob, "Agreed", top)
    assert inbox(ann) == [("reply", f"/ideas/{idea.id}#comment-{reply.id}")]
    assert [kind for kind, _ in inbox(author)] == ["comment", "comment"]
    assert inbox(bob) == []


def test_a_mention_tells_the_mentioned_once(app):
    idea = make_idea()
    ada = make_user(name="Ada Lovelace")
    comment = make_comment(idea, make_user(), "@Ada Lovelace what do you think? Ping @ada lovelace.")
    assert inbox(ada) == [("mention", f"/ideas/{idea.id}#comment-{comment.id}")]


def test_one_notification_per_person_even_when_author_parent_and_mentioned(app):
    ada, bob = make_user(name="Ada"), make_user(name="Bob")
    idea = make_idea(ada)
    top = make_comment(idea, ada, "My own idea, my own comment")
    make_comment(idea, bob, "@Ada sure, and @Bob agrees with himself", top)
    assert len(inbox(ada)) == 1
    assert inbox(ada)[0][0] == "mention"
    assert inbox(bob) == []


def test_mentioning_yourself_tells_nobody(app):
    ada = make_user(name="Ada")
    make_comment(make_idea(ada), ada, "Note to self, @Ada")
    assert inbox(ada) == []


# Mentions


def test_mentions_link_to_profiles(app):
    ada, sam = make_user(name="Ada Lovelace"), make_user(name="Sam")
    comment = make_comment(make_idea(), make_user(), "Ask @Ada Lovelace's team, or @Sam.")
    assert f'<a href="/users/{ada.id}" rel="nofollow ugc noopener">@Ada Lovelace</a>' in comment.body_html
    assert f'<a href="/users/{sam.id}" rel="nofollow ugc noopener">@Sam</a>.' in comment.body_html
    assert comment.body == "Ask @Ada Lovelace's team, or @Sam."


def test_the_longest_matching_name_wins(app):
    make_user(name="Ada")
    full = make_user(name="Ada Lovelace")
    _, mentioned = mentions.find_mentions("Hi @Ada Lovelace")
    assert mentioned == [full]


@pytest.mark.parametrize(
    "body",
    [
        "`@Ada` in code",
        "```\n@Ada in a code block\n```",
        "write to ada@example.com",
        "see https://mastodon.social/@Ada",
        "not a mention: \\@Ada",
        "@Adam is someone else",
    ],
)
def test_no_mention_in_code_emails_urls_or_other_names(app, body):
    make_user(name="Ada")
    linked, mentioned = mentions.find_mentions(body)
    assert mentioned == []
    assert linked == body


def test_a_name_two_people_share_links_nobody(app):
    make_user(name="Sam")
    make_user(name="sam")
    comment = make_comment(make_idea(), make_user(), "@Sam hello")
    assert "<a " not in comment.body_html
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "mention")) == 0


def test_markdown_in_a_name_is_shown_as_written(app):
    user = make_user(name="_x_")
    comment = make_comment(make_idea(), make_user(), "@_x_ hi")
    assert f'<a href="/users/{user.id}" rel="nofollow ugc noopener">@_x_</a>' in comment.body_html


# Editing


def test_the_author_can_edit_within_the_window(app):
    ann = make_user()
    comment = make_comment(make_idea(), ann, "Frist")
    age(comment, 29)
    comments.edit_comment(ann, comment, "First *edit*")
    db.session.commit()
    assert comment.body == "First *edit*"
    assert "<em>edit</em>" in comment.body_html
    assert comment.edited_at is not None


def test_the_author_cannot_edit_after_the_window_but_a_moderator_can(app):
    ann, moderator = make_user(), make_user(role="moderator")
    comment = make_comment(make_idea(), ann, "Original")
    age(comment, 31)
    with pytest.raises(Forbidden):
        comments.edit_comment(ann, comment, "Changed")
    db.session.rollback()
    assert comment.body == "Original"
    assert comment.edited_at is None
    comments.edit_comment(moderator, comment, "Moderated")
    db.session.commit()
    assert comment.body == "Moderated"
    assert comment.edited_at is not None


def test_others_cannot_edit(app):
    comment = make_comment(make_idea(), make_user(), "Mine")
    with pytest.raises(Forbidden):
        comments.edit_comment(make_user(), comment, "Yours")


def test_an_edit_to_the_same_text_is_not_marked_edited(app):
    ann = make_user()
    comment = make_comment(make_idea(), ann, "Same")
    comments.edit_comment(ann, comment, "  Same  ")
    assert comment.edited_at is None


def test_an_edit_is_validated_like_a_new_comment(app):
    ann = make_user()
    comment = make_comment(make_idea(), ann, "Keep me")
    with pytest.raises(Invalid, match="Write something first"):
        comments.edit_comment(ann, comment, "  ")
    db.session.rollback()
    assert comment.body == "Keep me"


def test_an_edit_tells_only_people_it_mentions_for_the_first_time(app):
    ann, ada, bob = make_user(), make_user(name="Ada"), make_user(name="Bob")
    comment = make_comment(make_idea(ann), ann, "cc @Ada")
    comments.edit_comment(ann, comment, "cc @Ada and @Bob")
    db.session.commit()
    assert [kind for kind, _ in inbox(ada)] == ["mention"]
    assert [kind for kind, _ in inbox(bob)] == ["mention"]


# Deleting


def test_soft_delete_keeps_the_place_and_replies_and_lowers_the_count(app):
    ann, bob = make_user(), make_user()
    idea = make_idea()
    top = make_comment(idea, ann, "Soon gone")
    reply = make_comment(idea, bob, "Still here", top)
    comments.delete_comment(ann, top)
    db.session.commit()
    assert top.is_deleted
    assert comment_count(idea) == 1
    thread = comments.build_thread(idea_page(bob, idea.id).comments)
    assert thread[0].comment.id == top.id
    assert thread[0].replies[0].comment.id == reply.id


def test_only_the_author_or_a_moderator_deletes_and_only_once(app):
    ann = make_user()
    idea = make_idea()
    comment = make_comment(idea, ann, "Mine")
    with pytest.raises(Forbidden):
        comments.delete_comment(make_user(), comment)
    db.session.rollback()
    comments.delete_comment(make_user(role="moderator"), comment)
    db.session.commit()
    with pytest.raises(Forbidden):
        comments.delete_comment(ann, comment)
    db.session.rollback()
    assert comment_count(idea) == 0


def test_a_stale_second_delete_does_not_count_twice(app):
    ann = make_user()
    idea = make_idea()
    make_comment(idea, ann, "Keep")
    comment = make_comment(idea, ann, "Twice")
    stale = Comment(id=comment.id, idea_id=idea.id, author_id=ann.id, is_internal=False, deleted_at=None)
    comments.delete_comment(ann, comment)
    db.session.commit()
    # Another request loaded the comment before the first delete was committed.
    comments.delete_comment(ann, stale)
    db.session.commit()
    assert comment_count(idea) == 1


@pytest.mark.postgres
def test_parallel_deletes_lower_the_count_once(app):
    ann = make_user()
    idea = make_idea()
    make_comment(idea, ann, "Keep")
    comment_id = make_comment(idea, ann, "Delete me").id
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def delete() -> None:
        with app.app_context():
            try:
                actor = db.session.get(User, ann.id)
                comment = db.session.get(Comment, comment_id)
                barrier.wait()
                comments.delete_comment(actor, comment)
                db.session.commit()
            except BaseException as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=delete) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert comment_count(idea) == 1


# Internal notes


def test_internal_notes_are_for_staff_uncounted_and_silent(app):
    author = make_user()
    idea = make_idea(author)
    with pytest.raises(Forbidden):
        comments.add_internal_note(make_user(), idea, "Sneaky")
    with pytest.raises(Forbidden):
        comments.add_internal_note(make_user(role="moderator"), idea, "Sneaky")
    db.session.rollback()
    pm = make_user(role="product_manager", name="Pat")
    note = comments.add_internal_note(pm, idea, "Talk to @Pat about it")
    db.session.commit()
    assert note.is_internal
    assert comment_count(idea) == 0
    assert inbox(author) == []
    comments.delete_comment(pm, note)
    db.session.commit()
    assert comment_count(idea) == 0


@pytest.mark.parametrize(
    ("role", "sees"), [("member", False), ("moderator", False), ("product_manager", True), ("admin", True)]
)
def test_internal_notes_are_shown_to_staff_only(app, role, sees):
    idea = make_idea()
    note = comments.add_internal_note(make_user(role="admin"), idea, "Staff only")
    make_comment(idea, make_user(), "Public")
    db.session.commit()
    viewer = make_user(role=role)
    page = idea_page(viewer, idea.id)
    assert [c.body for c in page.comments] == ["Public"]
    assert [c.body for c in page.internal_notes] == (["Staff only"] if sees else [])
    if sees:
        assert comments.get_comment(viewer, note.id) == note
    else:
        with pytest.raises(NotFound):
            comments.get_comment(viewer, note.id)
    with pytest.raises(NotFound):
        comments.get_comment(viewer, note.id, include_internal=False)
    assert [c.body for c in comments.list_comments(viewer, idea).items] == ["Public"]
