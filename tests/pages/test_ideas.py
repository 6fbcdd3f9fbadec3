"""The idea list and idea page assemblers: everything the page shows, in a pinned number of queries."""

from flask_login import AnonymousUserMixin

from app.extensions import db
from app.pages import ideas as idea_pages
from app.services import categories, comments, ideas, proxy_votes, roadmap, votes
from tests.factories import make_idea, make_prototype, make_user
from tests.pages import signed_in
from tests.web.test_launches import make_launch

LIST_ARGS = {
    "sort": None,
    "category": None,
    "status": None,
    "mine": False,
    "voted": False,
    "q": None,
    "page": 1,
}


def test_the_idea_list_page_runs_the_same_queries_for_few_and_many_ideas(app, count_queries):
    viewer = make_user()
    admin = make_user("admin")
    make_idea()

    def queries() -> int:
        signed_in(viewer)
        with count_queries() as statements:
            page = idea_pages.idea_list_page(viewer, **LIST_ARGS)
            # Everything a card shows is loaded already.
            assert [idea.author.display_name for idea in page.result.page.items]
        return len(statements)

    few = queries()
    categories.create_category(admin, "Reporting")
    categories.create_category(admin, "Billing")
    for number in range(8):
        idea = make_idea(title=f"Idea number {number}")
        votes.cast_vote(viewer, idea)
        comments.add_comment(viewer, idea, "Me too")
    db.session.commit()
    # Two of them: which private boards the reader may not see, and the boards to filter by.
    assert queries() == few == 7


def test_the_idea_list_page_gives_the_list_and_the_categories(app):
    admin = make_user("admin")
    categories.create_category(admin, "Reporting")
    idea = make_idea()
    db.session.commit()
    page = idea_pages.idea_list_page(AnonymousUserMixin(), **LIST_ARGS)
    assert [shown.id for shown in page.result.page.items] == [idea.id]
    assert [category.name for category in page.categories] == ["Reporting"]


def test_the_idea_page_runs_the_same_queries_for_few_and_many_comments(app, count_queries):
    viewer = make_user("product_manager")
    idea = make_idea()
    comments.add_comment(viewer, idea, "First")
    make_prototype(viewer, status="published", idea_ids=[idea.id])
    make_launch(viewer, idea_ids=[idea.id])
    item = roadmap.create_item(viewer, "Reports", status="planned")
    roadmap.link_idea(viewer, item, idea.id, plan=False)
    db.session.commit()

    def queries() -> int:
        signed_in(viewer)
        with count_queries() as statements:
            page = idea_pages.idea_page(viewer, idea.id)
            # Everything the thread shows is loaded already.
            assert all(node.comment.author.display_name for node in page.thread)
        return len(statements)

    few = queries()
    for person in [make_user() for _ in range(5)]:
        votes.cast_vote(person, idea)
        parent = comments.add_comment(person, idea, f"Comment by {person.display_name}")
        comments.add_comment(viewer, idea, "A reply", parent_id=parent.id)
        comments.add_internal_note(viewer, idea, "Staff note")
        make_prototype(viewer, title=f"Try by {person.display_name}", status="published", idea_ids=[idea.id])
        make_launch(viewer, title=f"Pilot with {person.display_name}", idea_ids=[idea.id])
        other = roadmap.create_item(viewer, f"Item for {person.display_name}", status="planned")
        roadmap.link_idea(viewer, other, idea.id, plan=False)
        proxy_votes.record_vote(viewer, idea, f"asked-{person.id}@example.com", source="sales", note="Call")
    ideas.change_status(viewer, idea, "under_review", "Looking")
    ideas.change_status(viewer, idea, "planned", "Soon")
    db.session.commit()
    assert queries() == few == 15


def test_the_idea_page_gathers_the_thread_sidebar_journey_and_rank(app):
    staff = make_user("product_manager")
    idea = make_idea()
    parent = comments.add_comment(staff, idea, "Which format?")
    comments.add_comment(staff, idea, "CSV", parent_id=parent.id)
    prototype = make_prototype(staff, status="published", idea_ids=[idea.id])
    launch = make_launch(staff, idea_ids=[idea.id])
    db.session.commit()

    page = idea_pages.idea_page(staff, idea.id)

    assert [(node.comment.body, [child.comment.body for child in node.replies]) for node in page.thread] == [
        ("Which format?", ["CSV"])
    ]
    assert [shown.id for shown in page.prototypes] == [prototype.id]
    assert [shown.id for shown in page.launches] == [launch.id]
    assert page.journey
    # Staff always see why the idea ranks where it does; visitors only when the setting says so.
    assert page.rank is not None
    assert idea_pages.idea_page(AnonymousUserMixin(), idea.id).rank is None
