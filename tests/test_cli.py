"""The operator CLI: users, tokens and demo content."""

from sqlalchemy import func, select

from app.demo import BOARD_IDEAS, DEMO_PASSWORD, DEMO_USERS, EXTRA_MEMBERS, IDEAS
from app.extensions import db
from app.models.idea import Idea
from app.models.user import User
from app.passwords import verify_password


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_users_create(app):
    result = run(
        app, "users", "create", "Ops@Example.com", "--password", "a long admin secret", "--role", "admin"
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert user.email == "ops@example.com"
    assert user.role == "admin"
    assert user.display_name == "Ops"
    assert verify_password(user.password_hash, "a long admin secret")


def test_users_create_refuses_bad_input_and_saves_nothing(app):
    result = run(app, "users", "create", "ops@example.com", "--password", "short")
    assert result.exit_code != 0
    assert "Use at least 10 characters" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0
    result = run(app, "users", "create", "ops@example.com", "--password", "a long secret", "--role", "king")
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_users_set_role(app):
    run(app, "users", "create", "ops@example.com", "--password", "a long admin secret")
    result = run(app, "users", "set-role", "ops@example.com", "moderator")
    assert result.exit_code == 0
    assert db.session.scalar(select(User.role)) == "moderator"
    assert run(app, "users", "set-role", "ghost@example.com", "admin").exit_code != 0


def test_tokens_create_prints_a_working_token_last(app, client):
    run(app, "users", "create", "ops@example.com", "--password", "a long admin secret")
    result = run(app, "tokens", "create", "ops@example.com", "--name", "Ops script")
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json["email"] == "ops@example.com"
    assert run(app, "tokens", "create", "ghost@example.com").exit_code != 0


def test_seed_demo_fills_an_empty_database_once(app, client):
    result = run(app, "seed-demo")
    assert result.exit_code == 0, result.output
    assert "admin@example.com" in result.output
    assert DEMO_PASSWORD in result.output
    assert db.session.scalar(select(func.count(User.id))) == len(DEMO_USERS) + len(EXTRA_MEMBERS)
    # And one merged duplicate, and the other boards' ideas.
    assert db.session.scalar(select(func.count(Idea.id))) == len(IDEAS) + 1 + len(BOARD_IDEAS)
    assert "Export reports to CSV" in client.get("/ideas/?q=export").get_data(as_text=True)
    # The private beta board is for the Enterprise segment and Mia: a visitor finds nothing of it.
    assert "Audit trail export" not in client.get("/ideas/?q=audit").get_data(as_text=True)
    assert client.get("/b/enterprise-beta/").status_code == 404
    again = run(app, "seed-demo", "--if-empty")
    assert again.exit_code == 0
    assert "no demo data added" in again.output
    assert db.session.scalar(select(func.count(User.id))) == len(DEMO_USERS) + len(EXTRA_MEMBERS)
    assert run(app, "seed-demo").exit_code != 0
    signed_in = client.post_form("/sign-in", {"email": "admin@example.com", "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302


def test_seed_demo_leaves_work_for_moderators(app):
    from app.services import moderation

    run(app, "seed-demo")
    moderator = db.session.scalar(select(User).where(User.email == "mod@example.com"))
    queue = moderation.review_queue(moderator)
    assert [item.target_type for item in queue] == ["comment"]
    assert len(queue[0].flags) == 2
    merged = db.session.scalar(select(Idea).where(Idea.title == "CSV download of reports"))
    assert merged.status == "merged"


def test_seed_demo_adds_a_recruiting_launch_with_a_waitlist_and_a_completed_one(app):
    from app.models.launch import Launch

    run(app, "seed-demo")
    recruiting, completed = db.session.scalars(select(Launch).order_by(Launch.id))
    assert recruiting.status == "recruiting"
    assert recruiting.screening_question
    assert (recruiting.capacity, recruiting.enrolled_count, recruiting.waitlist_count) == (3, 3, 2)
    assert completed.status == "completed"
    assert completed.decision in ("iterate", "scale")
    assert completed.metric_actual
    assert completed.outcome_summary_html


def test_seed_demo_fills_the_roadmap_segments_and_the_dashboard(app):
    from datetime import timedelta

    from app.demo import ROADMAP, SEGMENTS
    from app.models.base import utcnow
    from app.models.idea import IdeaVote
    from app.models.roadmap import RoadmapIdea, RoadmapItem
    from app.models.segment import Segment, UserSegment
    from app.services import ideas, roadmap
    from app.services.journey import idea_journey

    run(app, "seed-demo")
    items = list(db.session.scalars(select(RoadmapItem).order_by(RoadmapItem.id)))
    assert len(items) == len(ROADMAP) == 6
    assert sorted(item.status for item in items) == sorted(
        ["planned", "planned", "planned", "in_progress", "shipped", "shipped"]
    )
    assert [(item.status, item.title) for item in items if not item.is_public] == [
        ("planned", "Custom fields: enterprise pilot")
    ]
    assert all(item.release_note_html and item.shipped_at for item in items if item.status == "shipped")
    assert db.session.scalar(select(func.count()).select_from(RoadmapIdea)) == 6
    assert all(roadmap.demand([item.id])[item.id] > 0 for item in items)

    weights = dict(db.session.execute(select(Segment.name, Segment.weight)).all())
    assert weights == {"Enterprise": 3, "Pro plan": 2, "Free plan": 1, "Small team": 1}
    assert db.session.scalar(select(func.count()).select_from(UserSegment)) == sum(
        len(people) for *_, people in SEGMENTS
    )

    # Some open ideas had a first answer from staff, some are still waiting.
    answered = [
        idea.first_staff_response_at is not None
        for idea in db.session.scalars(select(Idea).where(Idea.status == "open"))
    ]
    assert any(answered)
    assert not all(answered)
    assert all(
        idea.first_staff_response_at >= idea.created_at
        for idea in db.session.scalars(select(Idea).where(Idea.first_staff_response_at.is_not(None)))
    )

    # Votes spread over the weeks: some in the last 30 days, some before.
    month_ago = utcnow() - timedelta(days=30)
    recent = db.session.scalar(
        select(func.count()).select_from(IdeaVote).where(IdeaVote.created_at >= month_ago)
    )
    older = db.session.scalar(
        select(func.count()).select_from(IdeaVote).where(IdeaVote.created_at < month_ago)
    )
    assert recent > 20
    assert older > 20

    # Dark mode went all the way, and a member sees each step of it.
    member = db.session.scalar(select(User).where(User.email == "member@example.com"))
    dark = db.session.scalar(select(Idea).where(Idea.title == "Dark mode"))
    steps = idea_journey(member, ideas.get_idea(member, dark.id))
    kinds = [step.kind for step in steps]
    for before, after in [
        ("created", "status"),
        ("status", "prototype"),
        ("prototype", "round"),
        ("round", "launch"),
        ("launch", "roadmap"),
        ("roadmap", "shipped"),
    ]:
        assert kinds.index(before) < kinds.index(after)
    round_ = next(step for step in steps if step.kind == "round")
    assert (round_.badge, round_.facts[0]) == ("Closed", ("Responses", "7"))
    assert next(step for step in steps if step.kind == "launch").badge == "Decision: Iterate"
    assert dark.status == "shipped"
    assert [step.date for step in steps] == sorted(step.date for step in steps)
