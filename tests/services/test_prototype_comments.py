"""Comments on prototypes: the same threads, notifications and moderation as on ideas."""

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from app.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.notification import Notification
from app.models.prototype import Prototype
from app.models.user import User
from app.services import comments, moderation, prototypes
from tests.factories import make_comment, make_idea, make_prototype, make_user


def comment_count(prototype: Prototype) -> int:
    return db.session.scalar(select(Prototype.comment_count).where(Prototype.id == prototype.id))


def inbox(user: User) -> list[tuple[str, str]]:
    rows = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    return [(n.kind, n.url) for n in rows]


def test_a_comment_is_stored_rendered_counted_and_its_author_told(app):
    author, ann = make_user("product_manager"), make_user()
    prototype = make_prototype(author=author)
    comment = make_comment(prototype, ann, "I like **this**")
    assert comment.prototype_id == prototype.id
    assert comment.idea_id is None
    assert "<strong>this</strong>" in comment.body_html
    assert comment_count(prototype) == 1
    assert inbox(author) == [("comment", f"/prototypes/{prototype.id}#comment-{comment.id}")]
    assert inbox(ann) == []


def test_replies_nest_and_are_listed_oldest_first(app):
    prototype, ann, bob = make_prototype(), make_user(), make_user()
    top = make_comment(prototype, ann, "Top")
    reply = make_comment(prototype, bob, "Reply", top)
    page = prototypes.prototype_page(ann, prototype.id)
    thread = comments.build_thread(page.comments)
    assert [node.comment.id for node in thread] == [top.id]
    assert thread[0].replies[0].comment.id == reply.id
    listed = comments.list_prototype_comments(AnonymousUserMixin(), prototype)
    assert [c.id for c in listed.items] == [top.id, reply.id]
    assert comment_count(prototype) == 2
    assert inbox(ann) == [("reply", f"/prototypes/{prototype.id}#comment-{reply.id}")]


def test_one_notification_per_person_and_never_the_actor(app):
    author = make_user("product_manager", name="Petra Maker")
    prototype = make_prototype(author=author)
    ann = make_user(name="Ann Able")
    top = make_comment(prototype, ann, "First")
    db.session.execute(Notification.__table__.delete())
    db.session.commit()
    # Ann is replied to and mentioned; Petra is the author and mentioned; the actor mentions herself.
    bob = make_user(name="Bob Baker")
    make_comment(prototype, bob, "@Ann Able and @Petra Maker, see @Bob Baker", top)
    assert [kind for kind, _ in inbox(ann)] == ["mention"]
    assert [kind for kind, _ in inbox(author)] == ["mention"]
    assert inbox(bob) == []


def test_a_reply_must_be_to_a_comment_on_this_prototype(app):
    prototype, other, ann = make_prototype(), make_prototype(), make_user()
    elsewhere = make_comment(other, ann, "Elsewhere")
    idea = make_idea()
    on_idea = comments.add_comment(ann, idea, "On an idea")
    db.session.commit()
    for parent in (elsewhere, on_idea):
        with pytest.raises(Invalid) as error:
            comments.add_prototype_comment(ann, prototype, "Reply", parent.id)
        assert "parent_id" in error.value.fields
        db.session.rollback()
    # Nor may an idea comment reply to a prototype comment.
    with pytest.raises(Invalid):
        comments.add_comment(ann, idea, "Reply", elsewhere.id)


def test_an_empty_comment_is_refused(app):
    prototype = make_prototype()
    with pytest.raises(Invalid) as error:
        comments.add_prototype_comment(make_user(), prototype, "  ")
    assert error.value.fields == {"body": ["Write something first."]}


def test_archived_prototypes_take_no_comments(app):
    author = make_user("product_manager")
    prototype = make_prototype(author=author)
    prototypes.change_status(author, prototype, "archived")
    db.session.commit()
    with pytest.raises(Conflict, match="archived; it takes no new comments"):
        comments.add_prototype_comment(make_user(), prototype, "Hi")


def test_drafts_are_not_found_for_members_and_take_no_comments(app):
    author = make_user("product_manager")
    prototype = make_prototype(status="draft", author=author)
    with pytest.raises(NotFound):
        prototypes.get_prototype(make_user(), prototype.id)
    with pytest.raises(Conflict):
        comments.add_prototype_comment(author, prototype, "Hi")


def test_anonymous_and_suspended_people_cannot_comment(app):
    prototype, suspended = make_prototype(), make_user()
    suspended.suspended_at = utcnow()
    db.session.commit()
    with pytest.raises(Unauthorized):
        comments.add_prototype_comment(AnonymousUserMixin(), prototype, "Hi")
    with pytest.raises(Forbidden):
        comments.add_prototype_comment(suspended, prototype, "Hi")


def test_deleting_a_comment_lowers_the_prototypes_count_once(app):
    prototype, ann = make_prototype(), make_user()
    idea = make_idea()
    comment = make_comment(prototype, ann, "Soon gone")
    comments.add_comment(ann, idea, "Stays")
    db.session.commit()
    comments.delete_comment(ann, comment)
    db.session.commit()
    assert comment_count(prototype) == 0
    assert db.session.get(Comment, comment.id).is_deleted
    assert db.session.scalar(select(type(idea).comment_count).where(type(idea).id == idea.id)) == 1


def test_hiding_and_restoring_keeps_the_count_right(app):
    prototype, ann, mod = make_prototype(), make_user(), make_user("moderator")
    comment = make_comment(prototype, ann, "Borderline")
    moderation.hide_item(mod, "comment", comment.id, "Off topic")
    db.session.commit()
    assert comment_count(prototype) == 0
    # Its author still sees it, with the reason; others do not.
    assert comments.get_comment(ann, comment.id).is_hidden
    with pytest.raises(NotFound):
        comments.get_comment(make_user(), comment.id)
    moderation.restore_item(mod, "comment", comment.id)
    db.session.commit()
    assert comment_count(prototype) == 1


def test_flags_on_prototype_comments_reach_the_queue(app):
    prototype, ann, mod = make_prototype(), make_user(), make_user("moderator")
    comment = make_comment(prototype, ann, "Buy cheap watches")
    moderation.flag_item(make_user(), "comment", comment.id, "spam")
    db.session.commit()
    (item,) = moderation.review_queue(mod)
    assert item.target.id == comment.id
    assert item.idea is None
    assert item.prototype.id == prototype.id


def test_editing_a_comment_tells_the_newly_mentioned(app):
    prototype, ann = make_prototype(), make_user()
    cat = make_user(name="Cat Cole")
    comment = make_comment(prototype, ann, "Hello")
    comments.edit_comment(ann, comment, "Hello @Cat Cole")
    db.session.commit()
    assert inbox(cat) == [("mention", f"/prototypes/{prototype.id}#comment-{comment.id}")]
