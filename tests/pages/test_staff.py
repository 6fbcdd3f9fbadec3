"""The staff dashboard assembler, in a pinned number of queries."""

from app.extensions import db
from app.pages import staff as staff_pages
from app.services import categories, comments, votes
from app.services.dashboard import Filters
from tests.factories import make_idea, make_user
from tests.pages import signed_in


def test_the_dashboard_runs_the_same_queries_for_few_and_many_ideas(app, count_queries):
    pm = make_user("product_manager")
    admin = make_user("admin")
    categories.create_category(admin, "Reporting")
    make_idea(title="The first idea", category="reporting")

    def queries() -> int:
        signed_in(pm)
        with count_queries() as statements:
            page = staff_pages.dashboard_page(pm, Filters(), 1, 50)
            assert [row.idea.author.display_name for row in page.data.page.items]
        return len(statements)

    few = queries()
    for number in range(8):
        idea = make_idea(title=f"Idea number {number}", category="reporting" if number % 2 else None)
        votes.cast_vote(make_user(), idea)
        comments.add_comment(pm, idea, "Thanks, we are on it.")
    db.session.commit()
    many = queries()
    assert (few, many) == (9, 9)  # one of them: the private boards no visitor sees (public figures)


def test_refused_filters_give_only_the_categories_for_the_form(app, count_queries):
    pm = make_user("product_manager")
    admin = make_user("admin")
    categories.create_category(admin, "Reporting")
    make_idea()
    db.session.commit()

    signed_in(pm)
    with count_queries() as statements:
        page = staff_pages.dashboard_page(pm, None, 1, 50)

    assert page.data is None
    assert [category.name for category in page.categories] == ["Reporting"]
    assert [board.name for board in page.boards.boards] == ["Ideas"]
    assert len(statements) == 2
