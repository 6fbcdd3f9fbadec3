"""The roadmap board and item page assemblers, in a pinned number of queries."""

from app.extensions import db
from app.pages import roadmap as roadmap_pages
from app.services import roadmap, votes
from tests.factories import make_idea, make_roadmap_item, make_user
from tests.pages import signed_in


def test_the_board_runs_the_same_queries_for_few_and_many_items(app, count_queries):
    pm = make_user("product_manager")
    viewer = make_user()
    make_roadmap_item(pm, "The first item")

    def queries() -> int:
        signed_in(viewer)
        with count_queries() as statements:
            columns = roadmap_pages.board_page(viewer).columns
            assert [card for cards in columns.values() for card in cards]
        return len(statements)

    few = queries()
    for number in range(6):
        item = make_roadmap_item(
            pm, f"Item number {number}", status=("planned", "in_progress", "shipped")[number % 3]
        )
        for n in range(3):
            idea = make_idea(title=f"Idea {number}-{n} for the board")
            roadmap.link_idea(pm, roadmap.get_item(pm, item.id), idea.id, plan=False)
            votes.cast_vote(make_user(), idea)
        db.session.commit()
    many = queries()
    assert (few, many) == (5, 5)  # one of them: which private boards the reader may not see


def test_the_item_page_runs_the_same_queries_for_few_and_many_ideas(app, count_queries):
    pm = make_user("product_manager")
    item = make_roadmap_item(pm, "CSV export")
    roadmap.link_idea(pm, roadmap.get_item(pm, item.id), make_idea(title="Export to CSV").id, plan=False)
    db.session.commit()

    def queries() -> int:
        signed_in(pm)
        with count_queries() as statements:
            page = roadmap_pages.item_page(pm, item.id, "export")
            assert page.ideas
        return len(statements)

    few = queries()
    for number in range(6):
        idea = make_idea(title=f"Export number {number}")
        roadmap.link_idea(pm, roadmap.get_item(pm, item.id), idea.id, plan=False)
        make_idea(title=f"Export choice {number}")
        votes.cast_vote(make_user(), idea)
    db.session.commit()
    many = queries()
    assert (few, many) == (6, 6)  # one of them: which private boards the reader may not see
