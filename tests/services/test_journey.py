"""The idea journey: each kind of step, in order, only what the viewer may see, in fixed queries."""

from datetime import timedelta

from flask_login import AnonymousUserMixin
from sqlalchemy import update

from app.extensions import db
from app.models.base import utcnow
from app.models.idea import Idea, IdeaStatusChange
from app.models.prototype import Prototype
from app.models.roadmap import RoadmapIdea, RoadmapItem
from app.models.user import User
from app.services import ideas, launches, participation, prototypes, roadmap, rounds
from app.services.journey import idea_journey
from tests.factories import make_idea, make_prototype_row, make_user
from tests.services.test_launches import new_launch, outcome_for

DAY = timedelta(days=1)
QUESTIONS = [
    {"kind": "rating", "prompt": "How easy was the checkout?", "required": True},
    {"kind": "nps", "prompt": "Would you recommend it?"},
    {"kind": "text", "prompt": "Anything else?"},
]


def closed_round(pm: User, prototype: Prototype, opened, answers: list[tuple[int, int]], title="Round 1"):
    """A round that ran from `opened` for five days, answered by one new member per (rating, nps)."""
    round_ = rounds.create_round(pm, prototype, title, opened, opened + 5 * DAY, QUESTIONS, now=opened)
    rating_id, nps_id, _ = (question.id for question in round_.questions)
    for rating, nps in answers:
        person = make_user()
        rounds.submit_response(
            person,
            rounds.get_round(person, round_.id),
            {str(rating_id): rating, str(nps_id): nps},
            now=opened + DAY,
        )
    db.session.commit()
    return round_


def completed_launch(pm: User, idea: Idea, starts):
    launch = new_launch(
        pm, status="recruiting", idea_ids=[idea.id], starts_at=starts, ends_at=starts + 14 * DAY
    )
    launches.change_status(pm, launch, "running", start_early=True)
    launches.change_status(pm, launch, "completed", outcome_for(launch))
    db.session.commit()
    return launch


def set_time(model, row_id: int, **values) -> None:
    db.session.execute(update(model).where(model.id == row_id).values(**values))
    db.session.commit()


def journey_for(actor, idea_id: int):
    """The journey as the idea page reads it: the idea from get_idea, author loaded."""
    viewer = actor if actor is not None else AnonymousUserMixin()
    return idea_journey(viewer, ideas.get_idea(viewer, idea_id))


def full_story():
    """An idea that went all the way: status, prototype and round, launch, roadmap, shipped."""
    now = utcnow()
    pm = make_user("product_manager", name="Priya PM")
    author = make_user(name="Sam Author")
    idea = make_idea(author, title="Faster checkout")
    set_time(Idea, idea.id, created_at=now - 60 * DAY)
    change = ideas.change_status(pm, idea, "under_review", "Looking into *this*.")
    db.session.commit()
    set_time(IdeaStatusChange, change.id, created_at=now - 50 * DAY)
    prototype = make_prototype_row(pm, idea_ids=[idea.id])
    set_time(Prototype, prototype.id, published_at=now - 40 * DAY)
    round_ = closed_round(pm, prototype, now - 35 * DAY, [(4, 9), (5, 10), (3, 6), (4, 8)])
    launch = completed_launch(pm, idea, now - 25 * DAY)
    item = roadmap.create_item(pm, "One-page checkout", target="2027 Q1")
    roadmap.link_idea(pm, item, idea.id)
    db.session.commit()
    db.session.execute(
        update(RoadmapIdea).where(RoadmapIdea.roadmap_item_id == item.id).values(created_at=now - 10 * DAY)
    )
    db.session.commit()
    roadmap.change_status(pm, item, "shipped", release_note="Checkout is **one page** now.")
    db.session.commit()
    set_time(RoadmapItem, item.id, shipped_at=now - 2 * DAY)
    return {"pm": pm, "idea": idea, "prototype": prototype, "round": round_, "launch": launch, "item": item}


def test_the_journey_tells_the_whole_story_in_order(app):
    story = full_story()
    member = make_user()
    steps = journey_for(member, story["idea"].id)

    assert [step.kind for step in steps] == [
        "created",
        "status",
        "prototype",
        "round",
        "launch",
        "roadmap",
        "shipped",
        "status",  # planned, when the item was linked (its change is dated now)
        "status",  # shipped, with the item
    ]
    dates = [step.date for step in steps]
    assert dates[:7] == sorted(dates[:7])
    assert dates == sorted(dates)

    created, reviewed, prototype, round_, launch, item, shipped, planned, done = steps
    assert created.title == "Proposed by Sam Author"
    assert (reviewed.title, reviewed.badge, reviewed.badge_tone) == ("Status changed", "Under review", "info")
    assert reviewed.detail == "From “Open”, by Priya PM"
    assert str(reviewed.detail_html).strip() == "<p>Looking into <em>this</em>.</p>"
    assert (planned.badge, done.badge) == ("Planned", "Shipped")
    assert "One-page checkout" in str(done.detail_html)

    assert prototype.title == "One-page checkout"
    assert (prototype.badge, prototype.url) == ("Published", f"/prototypes/{story['prototype'].id}")
    assert prototype.date == story["prototype"].published_at

    assert (round_.title, round_.badge, round_.url) == ("Round 1", "Closed", f"/rounds/{story['round'].id}")
    assert round_.period == (story["round"].opens_at, story["round"].closes_at)
    assert round_.detail == "On “One-page checkout”"
    # Members see the number of responses and the average rating; the NPS stays with staff.
    assert round_.facts == [("Responses", "4"), ("How easy was the checkout?", "4.00 out of 5")]

    assert launch.title == "Weekly summary email pilot"
    assert (launch.badge, launch.badge_tone) == ("Decision: Iterate", "accent")
    assert launch.facts == [("Share of pilot members active in week 4", "29% (target 35%)")]
    assert "subject line mattered most" in str(launch.detail_html)
    assert launch.date == story["launch"].starts_at
    assert launch.url == f"/launches/{story['launch'].id}"

    assert (item.title, item.badge, item.private) == ("One-page checkout", "", False)
    assert item.date == db.session.get(RoadmapIdea, (story["item"].id, story["idea"].id)).created_at
    assert (shipped.badge, shipped.badge_tone) == ("Shipped", "success")
    assert str(shipped.detail_html).strip() == "<p>Checkout is <strong>one page</strong> now.</p>"
    assert shipped.date == story["item"].shipped_at


def test_staff_also_see_the_nps_of_closed_rounds(app):
    story = full_story()
    round_ = next(step for step in journey_for(story["pm"], story["idea"].id) if step.kind == "round")
    # 2 promoters (9, 10), 1 passive (8), 1 detractor (6): (2 - 1) / 4 = +25.
    assert round_.facts == [
        ("Responses", "4"),
        ("How easy was the checkout?", "4.00 out of 5"),
        ("NPS (staff only) · Would you recommend it?", "+25"),
    ]


def test_open_and_scheduled_rounds_show_no_numbers(app):
    pm = make_user("product_manager")
    idea = make_idea()
    prototype = make_prototype_row(pm, idea_ids=[idea.id])
    now = utcnow()
    rounds.create_round(pm, prototype, "Now", now - DAY, now + DAY, QUESTIONS, now=now)
    rounds.create_round(pm, prototype, "Later", now + 2 * DAY, now + 4 * DAY, QUESTIONS, now=now)
    db.session.commit()
    steps = [step for step in journey_for(make_user(), idea.id) if step.kind == "round"]
    assert [(step.title, step.badge, step.facts) for step in steps] == [
        ("Now", "Open", []),
        ("Later", "Scheduled", []),
    ]


def test_an_idea_with_nothing_yet_has_only_its_created_step(app):
    idea = make_idea()
    steps = journey_for(None, idea.id)
    assert [(step.kind, step.date) for step in steps] == [("created", idea.created_at)]


def test_drafts_and_private_items_are_for_staff_only(app):
    pm = make_user("product_manager")
    member = make_user()
    idea = make_idea()
    draft = make_prototype_row(pm, status="draft", idea_ids=[idea.id])
    rounds.create_round(pm, draft, "Draft round", utcnow() - DAY, utcnow() + DAY, QUESTIONS)
    new_launch(pm, idea_ids=[idea.id], title="Secret pilot plan")
    secret = roadmap.create_item(pm, "Enterprise tier", is_public=False)
    roadmap.link_idea(pm, secret, idea.id)
    roadmap.change_status(pm, secret, "shipped", release_note="Private release.")
    public = roadmap.create_item(pm, "Public item", target="2027 Q2")
    roadmap.link_idea(pm, public, idea.id)
    db.session.commit()

    for viewer in (member, None):
        steps = journey_for(viewer, idea.id)
        assert {step.kind for step in steps} == {"created", "status", "roadmap"}
        assert [step.title for step in steps if step.kind == "roadmap"] == ["Public item"]
        assert not any(step.private for step in steps)
        assert all("Enterprise" not in str(step.detail_html) for step in steps)
    assert next(step for step in journey_for(member, idea.id) if step.kind == "roadmap").facts == [
        ("Target", "2027 Q2")
    ]

    staff_steps = journey_for(pm, idea.id)
    private = {(step.kind, step.title) for step in staff_steps if step.private}
    assert private == {
        ("prototype", "One-page checkout"),
        ("round", "Draft round"),
        ("launch", "Secret pilot plan"),
        ("roadmap", "Enterprise tier"),
        ("shipped", "Enterprise tier"),
    }
    draft_step = next(step for step in staff_steps if step.kind == "prototype")
    assert draft_step.badge == "Draft"
    assert draft_step.date == draft.created_at


def test_hidden_and_deleted_prototypes_are_left_out_for_members(app):
    pm = make_user("product_manager")
    idea = make_idea()
    prototype = make_prototype_row(pm, idea_ids=[idea.id])
    assert [step.kind for step in journey_for(make_user(), idea.id)] == ["created", "prototype"]
    set_time(Prototype, prototype.id, deleted_at=utcnow())
    assert [step.kind for step in journey_for(make_user(), idea.id)] == ["created"]
    assert [step.kind for step in journey_for(pm, idea.id)] == ["created"]


def test_rounds_for_a_launch_are_seen_by_its_participants_only(app):
    pm = make_user("product_manager")
    idea = make_idea()
    prototype = make_prototype_row(pm, idea_ids=[idea.id])
    launch = new_launch(pm, status="recruiting")
    now = utcnow()
    rounds.create_round(
        pm,
        prototype,
        "Pilot check-in",
        now - DAY,
        now + DAY,
        QUESTIONS,
        audience="launch",
        launch_id=launch.id,
    )
    db.session.commit()
    member = make_user()
    assert "round" not in [step.kind for step in journey_for(member, idea.id)]
    assert "round" not in [step.kind for step in journey_for(None, idea.id)]
    participation.join_launch(member, launch.id, "")
    db.session.commit()
    round_ = next(step for step in journey_for(member, idea.id) if step.kind == "round")
    assert round_.detail == "On “One-page checkout”, for the participants of a learning launch"
    assert "round" in [step.kind for step in journey_for(pm, idea.id)]


def test_the_journey_takes_the_same_queries_however_long_it_is(app, count_queries):
    pm = make_user("product_manager")
    member = make_user()
    now = utcnow()

    def build(prototype_count: int, rounds_each: int, launch_count: int, item_count: int) -> int:
        idea = make_idea(title="An idea with a journey")
        ideas.change_status(pm, idea, "under_review")
        for number in range(prototype_count):
            prototype = make_prototype_row(pm, idea_ids=[idea.id])
            for round_number in range(rounds_each):
                closed_round(
                    pm, prototype, now - (30 - round_number) * DAY, [(4, 9), (2, 3)], f"Round {round_number}"
                )
            rounds.create_round(pm, prototype, f"Open {number}", now - DAY, now + DAY, QUESTIONS, now=now)
        for number in range(launch_count):
            if number % 2:
                new_launch(pm, status="recruiting", idea_ids=[idea.id], title=f"Pilot number {number}")
            else:
                completed_launch(pm, idea, now - 20 * DAY)
        for number in range(item_count):
            item = roadmap.create_item(pm, f"Item {number}", target="2027 Q1", is_public=number != 1)
            roadmap.link_idea(pm, item, idea.id)
            if number % 2 == 0:
                roadmap.change_status(pm, item, "shipped", release_note=f"Shipped {number}.")
        db.session.commit()
        return idea.id

    small = build(1, 1, 1, 1)
    large = build(3, 2, 3, 3)

    def queries(actor, idea_id: int) -> tuple[int, int]:
        idea = ideas.get_idea(actor, idea_id)
        with count_queries() as statements:
            steps = idea_journey(actor, idea)
        return len(statements), len(steps)

    for actor in (member, pm, AnonymousUserMixin()):
        few, small_steps = queries(actor, small)
        many, large_steps = queries(actor, large)
        assert large_steps > small_steps + 10
        assert few == many
        assert many <= 7


def test_what_the_idea_page_read_already_gives_the_same_journey_with_fewer_queries(app, count_queries):
    story = full_story()
    second = make_prototype_row(story["pm"], idea_ids=[story["idea"].id])
    db.session.commit()
    member = make_user()
    idea = ideas.get_idea(member, story["idea"].id)
    page = ideas.idea_page(member, idea.id)
    shown_prototypes = prototypes.prototypes_for_idea(member, idea.id)
    shown_launches = launches.launches_for_idea(member, idea.id)
    assert {p.id for p in shown_prototypes} == {story["prototype"].id, second.id}
    with count_queries() as alone:
        by_itself = idea_journey(member, idea)
    with count_queries() as shared:
        with_reads = idea_journey(
            member, idea, history=page.history, prototypes=shown_prototypes, launches=shown_launches
        )
    assert with_reads == by_itself
    assert len(shared) == len(alone) - 3


def test_a_launch_that_has_not_started_is_not_dated_in_the_future(app):
    pm = make_user("product_manager")
    idea = make_idea(make_user())
    now = utcnow()
    launch = new_launch(
        pm, status="recruiting", idea_ids=[idea.id], starts_at=now + 10 * DAY, ends_at=now + 24 * DAY
    )
    step = next(step for step in journey_for(pm, idea.id) if step.kind == "launch")
    assert step.date <= utcnow()  # planned, so dated when it was planned
    assert step.period == (launch.starts_at, launch.ends_at)  # the planned dates still show
    launches.change_status(pm, launches.get_launch(pm, launch.id), "running", start_early=True)
    db.session.commit()
    step = next(step for step in journey_for(pm, idea.id) if step.kind == "launch")
    assert step.date.date() == utcnow().date()  # started early: dated when it really started
