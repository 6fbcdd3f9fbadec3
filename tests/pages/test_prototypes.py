"""The prototype page assembler: its discussion and feedback rounds, in a pinned number of queries."""

from flask_login import AnonymousUserMixin

from app.extensions import db
from app.pages import prototypes as prototype_pages
from app.services import comments, prototypes
from tests.factories import make_idea, make_prototype, make_round, make_user
from tests.pages import signed_in


def test_the_prototype_page_runs_the_same_queries_for_few_and_many_comments_and_rounds(app, count_queries):
    staff = make_user("product_manager")
    viewer = make_user()
    prototype = make_prototype(staff, status="published", idea_ids=[make_idea().id])
    comments.add_prototype_comment(viewer, prototype, "Looks good")
    make_round(staff, prototype)
    db.session.commit()

    def queries() -> int:
        signed_in(viewer)
        with count_queries() as statements:
            page = prototype_pages.prototype_page(viewer, prototype.id)
            # Everything the thread shows is loaded already.
            assert all(node.comment.author.display_name for node in page.thread)
        return len(statements)

    few = queries()
    for number in range(5):
        person = make_user()
        prototypes.cast_vote(person, prototype)
        parent = comments.add_prototype_comment(person, prototype, f"Comment {number}")
        comments.add_prototype_comment(viewer, prototype, "A reply", parent_id=parent.id)
        make_round(staff, prototype, title=f"Round {number + 2}")
    db.session.commit()
    many = queries()
    assert (few, many) == (10, 10)  # one of them: which private boards the reader may not see


def test_the_prototype_page_gathers_the_thread_and_the_rounds_the_viewer_may_see(app):
    staff = make_user("product_manager")
    prototype = make_prototype(staff, status="published")
    parent = comments.add_prototype_comment(staff, prototype, "Try the export")
    comments.add_prototype_comment(staff, prototype, "Done", parent_id=parent.id)
    open_round = make_round(staff, prototype, title="Open round")
    make_round(staff, prototype, state="scheduled", title="Later round")
    db.session.commit()

    page = prototype_pages.prototype_page(AnonymousUserMixin(), prototype.id)

    assert [(node.comment.body, [reply.comment.body for reply in node.replies]) for node in page.thread] == [
        ("Try the export", ["Done"])
    ]
    assert open_round.id in [card.round.id for card in page.rounds]
    assert len(prototype_pages.prototype_page(staff, prototype.id).rounds) == 2
