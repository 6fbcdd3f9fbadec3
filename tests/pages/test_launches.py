"""The launch page assembler, in a pinned number of queries."""

from app.extensions import db
from app.models.user import User
from app.pages import launches as launch_pages
from app.services import launches
from app.services.launches import AssumptionInput
from tests.factories import make_idea, make_participant, make_prototype, make_user
from tests.web.test_launches import START, make_launch


def test_the_launch_page_runs_the_same_queries_for_few_and_many_ideas_and_participants(app, count_queries):
    staff = make_user("product_manager")
    member = make_user()
    ideas = [make_idea(title=f"Idea number {n}") for n in range(4)]
    prototype = make_prototype(author=staff, status="published")
    launch = make_launch(author=staff, capacity=2, idea_ids=[ideas[0].id], prototype_ids=[prototype.id])
    # Full, with a waiting list: the page reads the viewer's place in it.
    for person in (member, make_user(), make_user()):
        make_participant(launch, person)
    staff_id, member_id, launch_id = staff.id, member.id, launch.id
    idea_ids = [idea.id for idea in ideas]

    def queries() -> int:
        # A request starts with an empty session and its signed-in user loaded.
        db.session.expunge_all()
        viewer = db.session.get(User, member_id)
        with count_queries() as statements:
            page = launch_pages.launch_page(viewer, launch_id)
            assert [assumption.statement for assumption in page.launch.assumptions]
        return len(statements)

    few = queries()
    staff = db.session.get(User, staff_id)
    launches.update_launch(
        staff,
        launches.get_launch(staff, launch_id),
        idea_ids=idea_ids,
        assumptions=[AssumptionInput("scale", f"Assumption number {n}") for n in range(8)],
    )
    db.session.commit()
    for _ in range(5):
        make_participant(launches.get_launch(staff, launch_id), make_user())
    many = queries()
    assert (few, many) == (7, 7)  # one of them: which private boards the reader may not see


def test_the_launch_page_gives_the_viewers_place_and_the_next_steps(app):
    staff = make_user("product_manager")
    member = make_user()
    launch = make_launch(author=staff, capacity=1)
    make_participant(launch, make_user())
    make_participant(launch, member)

    page = launch_pages.launch_page(member, launch.id)

    assert (page.my_state, page.my_position) == ("waitlisted", 1)
    assert [move.target for move in page.moves] == ["running", "cancelled"]
    # Planned for 2030: starting now would be early.
    assert page.early_start is not None
    assert page.now < START
