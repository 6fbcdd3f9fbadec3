"""Learning launches: planning, status transitions, joining and the waitlist, outcomes, messages."""

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from app.extensions import db
from app.models.idea import IdeaFollow
from app.models.launch import Launch, LaunchParticipant
from app.models.moderation import AuditEntry
from app.models.notification import Notification
from app.models.outbox import OutboxMessage
from app.models.user import User
from app.services import launch_pages, launches, participation
from app.services.launches import AssumptionInput, OutcomeInput
from tests import factories
from tests.factories import make_idea, make_participant, make_user

STARTS = datetime(2027, 3, 1, tzinfo=UTC)
ENDS = datetime(2027, 3, 29, tzinfo=UTC)


class Anonymous:
    is_authenticated = False
    is_anonymous = True


PILOT = {
    "title": "Weekly summary email pilot",
    "hypothesis": "We believe a weekly summary will bring lapsed members back.",
    "success_metric": "Share of pilot members active in week 4",
    "starts_at": STARTS,
    "ends_at": ENDS,
    "metric_baseline": "20%",
    "metric_target": "35%",
    "assumptions": (
        AssumptionInput("value", "Members want a summary instead of single emails"),
        AssumptionInput("execution", "We can build the summary from existing data"),
    ),
}


def new_launch(pm: User | None = None, status: str = "draft", **overrides) -> Launch:
    """A launch with this module's pilot details, a draft unless `status` says otherwise."""
    pm = pm or make_user("product_manager")
    launch = factories.make_launch(pm, status, **{**PILOT, **overrides})
    return launches.get_launch(pm, launch.id)


def reload(launch_id: int) -> Launch:
    return db.session.scalar(
        select(Launch).where(Launch.id == launch_id).execution_options(populate_existing=True)
    )


def participant_rows(launch_id: int) -> dict[int, LaunchParticipant]:
    return {
        row.user_id: row
        for row in db.session.scalars(
            select(LaunchParticipant)
            .where(LaunchParticipant.launch_id == launch_id)
            .execution_options(populate_existing=True)
        )
    }


def outcome_for(launch: Launch, **overrides) -> OutcomeInput:
    values = {
        "decision": "iterate",
        "summary": "Members came back, but fewer than we hoped; the subject line mattered most.",
        "metric_actual": "29%",
        "results": {a.id: "confirmed" for a in launch.assumptions},
    }
    values.update(overrides)
    return OutcomeInput(**values)


# ---- Planning ----


def test_staff_create_a_draft_with_assumptions_and_links(app):
    pm = make_user("product_manager")
    idea = make_idea()
    launch = new_launch(pm, idea_ids=[idea.id])
    assert launch.status == "draft"
    assert [(a.kind, a.statement) for a in launch.assumptions] == [
        ("value", "Members want a summary instead of single emails"),
        ("execution", "We can build the summary from existing data"),
    ]
    ideas, prototypes = launches.linked_ids(pm, [launch.id])
    assert ideas == {launch.id: [idea.id]}
    assert prototypes == {launch.id: []}
    assert (
        db.session.scalar(select(AuditEntry.action).where(AuditEntry.target_id == launch.id))
        == "launch.create"
    )


def test_links_to_ideas_a_member_cannot_see_are_left_out(app):
    from app.services import moderation

    pm = make_user("product_manager")
    shown, hidden = make_idea(title="Dark theme please"), make_idea(title="Something hidden later")
    launch = new_launch(pm, status="recruiting", idea_ids=[shown.id, hidden.id])
    moderation.hide_item(make_user("moderator"), "idea", hidden.id, "Spam")
    db.session.commit()
    assert launches.linked_ids(make_user(), [launch.id])[0] == {launch.id: [shown.id]}
    assert [idea.id for idea in launch_pages.launch_page(make_user(), launch.id).ideas] == [shown.id]


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_staff_create_launches(app, role):
    with pytest.raises(Forbidden):
        new_launch(make_user(role))
    assert db.session.scalar(select(func.count(Launch.id))) == 0


def test_creating_checks_every_field_and_saves_nothing(app):
    pm = make_user("product_manager")
    with pytest.raises(Invalid) as refused:
        launches.create_launch(
            pm,
            title="Hi",
            hypothesis="short",
            success_metric="",
            capacity=0,
            starts_at=ENDS,
            ends_at=STARTS,
            assumptions=[AssumptionInput("price", "Members pay for it")],
            idea_ids=[999],
            status="running",
        )
    assert set(refused.value.fields) == {
        "title",
        "hypothesis",
        "success_metric",
        "capacity",
        "ends_at",
        "assumptions",
        "idea_ids",
        "status",
    }
    assert refused.value.fields["ends_at"] == ["The launch must end after it starts."]
    assert refused.value.fields["idea_ids"] == ["There is no idea #999; check the numbers."]
    db.session.rollback()
    assert db.session.scalar(select(func.count(Launch.id))) == 0


def test_capacity_must_be_a_whole_number(app):
    with pytest.raises(Invalid) as refused:
        new_launch(capacity="3")
    assert refused.value.fields["capacity"] == [
        "Say how many people can take part, as a whole number like 12."
    ]


def test_drafts_are_for_staff_only(app):
    launch = new_launch()
    assert launches.get_launch(make_user("admin"), launch.id).id == launch.id
    for viewer in (make_user(), make_user("moderator"), Anonymous()):
        with pytest.raises(NotFound):
            launches.get_launch(viewer, launch.id)
        assert launch_pages.list_launches(viewer).total == 0


def test_the_list_shows_recruiting_launches_first(app):
    pm = make_user("product_manager")
    done = new_launch(pm, status="recruiting", title="Finished pilot")
    launches.change_status(pm, done, "running", start_early=True)
    launches.change_status(pm, done, "completed", outcome_for(done))
    running = new_launch(pm, status="recruiting", title="Running pilot")
    launches.change_status(pm, running, "running", start_early=True)
    recruiting = new_launch(pm, status="recruiting", title="Recruiting pilot")
    new_launch(pm, title="Draft pilot")
    db.session.commit()
    member = make_user()
    make_participant(recruiting, member)
    rows = launch_pages.list_launches(member).items
    assert [row.launch.title for row in rows] == ["Recruiting pilot", "Running pilot", "Finished pilot"]
    assert (rows[0].my_state, rows[0].my_position) == ("enrolled", None)
    assert [row.launch.title for row in launch_pages.list_launches(pm).items] == [
        "Recruiting pilot",
        "Running pilot",
        "Draft pilot",
        "Finished pilot",
    ]


# ---- Status transitions ----

ALLOWED = [
    ("draft", "recruiting"),
    ("draft", "cancelled"),
    ("recruiting", "running"),
    ("recruiting", "cancelled"),
    ("running", "completed"),
    ("running", "cancelled"),
]
REFUSED = [
    ("draft", "running", "Open the launch for recruiting before it runs."),
    ("draft", "completed", "Only a running launch can be completed; start it first."),
    ("recruiting", "completed", "Only a running launch can be completed; start it first."),
    ("recruiting", "draft", "A launch that people could see can't go back to draft; cancel it instead."),
    ("running", "recruiting", "A running launch can't become recruiting."),
    ("running", "draft", "A launch that people could see can't go back to draft; cancel it instead."),
    ("completed", "running", "This launch is completed; its status can't change any more."),
    ("completed", "cancelled", "This launch is completed; its status can't change any more."),
    ("cancelled", "recruiting", "This launch is cancelled; its status can't change any more."),
]


def launch_in(status: str, pm: User) -> Launch:
    launch = new_launch(pm)
    path = {
        "draft": [],
        "recruiting": ["recruiting"],
        "running": ["recruiting", "running"],
        "completed": ["recruiting", "running", "completed"],
        "cancelled": ["cancelled"],
    }[status]
    for step in path:
        launches.change_status(
            pm, launch, step, outcome_for(launch) if step == "completed" else None, start_early=True
        )
    db.session.commit()
    return launches.get_launch(pm, launch.id)


@pytest.mark.parametrize(("start", "end"), ALLOWED)
def test_allowed_transitions(app, start, end):
    pm = make_user("product_manager")
    launch = launch_in(start, pm)
    launches.change_status(
        pm, launch, end, outcome_for(launch) if end == "completed" else None, start_early=True
    )
    db.session.commit()
    assert reload(launch.id).status == end
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == f"launch.{end}", AuditEntry.target_id == launch.id)
    )


@pytest.mark.parametrize(("start", "end", "message"), REFUSED)
def test_refused_transitions(app, start, end, message):
    pm = make_user("product_manager")
    launch = launch_in(start, pm)
    with pytest.raises(Conflict) as refused:
        launches.change_status(pm, launch, end, outcome_for(launch))
    assert refused.value.message == message
    db.session.rollback()
    assert reload(launch.id).status == start


def test_a_status_change_needs_staff(app):
    pm = make_user("product_manager")
    launch = new_launch(pm)
    with pytest.raises(Forbidden):
        launches.change_status(make_user(), launch, "recruiting")
    with pytest.raises(Unauthorized):
        launches.change_status(Anonymous(), launch, "recruiting")


def test_an_unknown_status_is_invalid(app):
    pm = make_user("product_manager")
    launch = new_launch(pm)
    with pytest.raises(Invalid) as refused:
        launches.change_status(pm, launch, "paused")
    assert "status" in refused.value.fields


def test_opening_recruitment_tells_the_linked_ideas_followers_once(app):
    pm = make_user("product_manager")
    author = make_user()
    first = make_idea(author, title="Weekly digest of activity")
    second = make_idea(author, title="Summaries by email please")
    launch = new_launch(pm, idea_ids=[first.id, second.id])
    launches.change_status(pm, launch, "recruiting")
    db.session.commit()
    messages = db.session.scalars(select(Notification.message).where(Notification.user_id == author.id)).all()
    assert messages == [f"“Weekly digest of activity” is looking for participants: “{launch.title}”"]


# ---- Joining, the waitlist, withdrawing ----


def test_members_are_enrolled_while_seats_remain_then_waitlisted_in_order(app):
    launch = new_launch(status="recruiting", capacity=2)
    people = [make_user() for _ in range(4)]
    places = [make_participant(launch, person) for person in people]
    assert [(p.state, p.position) for p in places] == [
        ("enrolled", None),
        ("enrolled", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    row = reload(launch.id)
    assert (row.enrolled_count, row.waitlist_count, row.seats_left) == (2, 2, 0)


def test_joining_twice_changes_nothing(app):
    launch = new_launch(status="recruiting", capacity=1)
    first, second = make_user(), make_user()
    make_participant(launch, first)
    make_participant(launch, second)
    assert make_participant(launch, first) == participation.Place("enrolled", None, "")
    assert make_participant(launch, second) == participation.Place("waitlisted", 1, "")
    row = reload(launch.id)
    assert (row.enrolled_count, row.waitlist_count) == (1, 1)
    assert len(participant_rows(launch.id)) == 2


@pytest.mark.parametrize("status", ["draft", "running", "completed", "cancelled"])
def test_joining_outside_recruiting_is_refused(app, status):
    pm = make_user("product_manager")
    launch = launch_in(status, pm)
    member = make_user()
    error = NotFound if status == "draft" else Conflict
    with pytest.raises(error):
        participation.join_launch(member, launch.id)
    db.session.rollback()
    assert participant_rows(launch.id) == {}


def test_a_suspended_member_cannot_join(app):
    from app.services import accounts

    launch = new_launch(status="recruiting")
    member = make_user()
    accounts.suspend_user(make_user("moderator"), member, 3, "Spam")
    db.session.commit()
    with pytest.raises(Forbidden) as refused:
        participation.join_launch(member, launch.id)
    assert "suspended" in refused.value.message
    db.session.rollback()
    assert participant_rows(launch.id) == {}


def test_the_screening_question_must_be_answered(app):
    launch = new_launch(status="recruiting", screening_question="Which plan are you on?")
    member = make_user()
    for answer in ("", "   "):
        with pytest.raises(Invalid) as refused:
            participation.join_launch(member, launch.id, answer)
        assert refused.value.fields["screening_answer"] == [
            "Answer the screening question to join: “Which plan are you on?”"
        ]
        db.session.rollback()
    assert participant_rows(launch.id) == {}
    assert make_participant(launch, member, "  Team plan ") == participation.Place(
        "enrolled", None, "Team plan"
    )


def test_withdrawing_promotes_the_first_on_the_waitlist_and_tells_them(app):
    pm = make_user("product_manager")
    launch = new_launch(pm, status="recruiting", capacity=2)
    a, b, c, d = (make_user() for _ in range(4))
    for person in (a, b, c, d):
        make_participant(launch, person)
    assert participation.withdraw(a, launch.id) == participation.Place("withdrawn", None, "")
    db.session.commit()
    rows = participant_rows(launch.id)
    assert {user_id: row.state for user_id, row in rows.items()} == {
        a.id: "withdrawn",
        b.id: "enrolled",
        c.id: "enrolled",
        d.id: "waitlisted",
    }
    assert participation.my_participation(d, launch.id).position == 1
    row = reload(launch.id)
    assert (row.enrolled_count, row.waitlist_count) == (2, 1)
    told = db.session.scalars(select(Notification).where(Notification.kind == "launch")).all()
    assert [(n.user_id, n.message) for n in told] == [
        (c.id, f"A seat opened in the learning launch “{launch.title}”: you are enrolled now.")
    ]


def test_leaving_the_waitlist_moves_the_others_up(app):
    launch = new_launch(status="recruiting", capacity=1)
    a, b, c = (make_user() for _ in range(3))
    for person in (a, b, c):
        make_participant(launch, person)
    participation.withdraw(b, launch.id)
    db.session.commit()
    assert participation.my_participation(c, launch.id) == participation.Place("waitlisted", 1, "")
    row = reload(launch.id)
    assert (row.enrolled_count, row.waitlist_count) == (1, 1)
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "launch")) == 0


def test_withdrawing_while_running_also_promotes(app):
    pm = make_user("product_manager")
    launch = new_launch(pm, status="recruiting", capacity=1)
    a, b = make_user(), make_user()
    make_participant(launch, a)
    make_participant(launch, b)
    launches.change_status(pm, launch, "running", start_early=True)
    participation.withdraw(a, launch.id)
    db.session.commit()
    assert participation.my_participation(b, launch.id).state == "enrolled"


def test_withdrawing_without_joining_is_refused(app):
    launch = new_launch(status="recruiting")
    with pytest.raises(Conflict) as refused:
        participation.withdraw(make_user(), launch.id)
    assert refused.value.message == "You are not taking part in this launch."


def test_a_member_who_withdrew_may_join_again_at_the_end_of_the_queue(app):
    launch = new_launch(status="recruiting", capacity=1)
    a, b, c = (make_user() for _ in range(3))
    for person in (a, b, c):
        make_participant(launch, person)
    participation.withdraw(b, launch.id)
    db.session.commit()
    assert make_participant(launch, b).position == 2


def test_raising_the_capacity_enrols_the_first_waiting_members(app):
    pm = make_user("product_manager")
    launch = new_launch(pm, status="recruiting", capacity=1)
    a, b, c = (make_user() for _ in range(3))
    for person in (a, b, c):
        make_participant(launch, person)
    participation.update_launch(pm, launch, capacity=2)
    db.session.commit()
    assert participation.my_participation(b, launch.id).state == "enrolled"
    assert participation.my_participation(c, launch.id).position == 1
    with pytest.raises(Invalid) as refused:
        participation.update_launch(pm, launch, capacity=1)
    assert refused.value.fields["capacity"] == [
        "2 people are enrolled already; capacity can't go below that."
    ]


def test_my_launches_lists_state_and_position(app):
    pm = make_user("product_manager")
    full = new_launch(pm, status="recruiting", capacity=1, title="Full pilot")
    open_one = new_launch(pm, status="recruiting", title="Open pilot")
    member = make_user()
    make_participant(full)
    make_participant(full, member)
    make_participant(open_one, member)
    mine = {entry.launch.title: (entry.state, entry.position) for entry in participation.my_launches(member)}
    assert mine == {"Full pilot": ("waitlisted", 1), "Open pilot": ("enrolled", None)}


# ---- Outcome ----


def test_completing_needs_a_full_outcome(app):
    pm = make_user("product_manager")
    launch = launch_in("running", pm)
    with pytest.raises(Invalid) as refused:
        launches.change_status(pm, launch, "completed")
    assert refused.value.fields == {"outcome": ["Record the outcome to complete the launch."]}
    first = launch.assumptions[0]
    with pytest.raises(Invalid) as refused:
        launches.change_status(
            pm,
            launch,
            "completed",
            OutcomeInput(decision="pivot", summary="short", metric_actual="", results={first.id: "yes"}),
        )
    assert refused.value.fields == {
        "decision": ["Choose the decision: scale, iterate or stop."],
        "summary": ["Summarise what the launch taught, in at least 10 characters."],
        "metric_actual": ["Record what “Share of pilot members active in week 4” measured, like “29%”."],
        "results": [
            "Assumption 1: say whether it was confirmed, refuted or inconclusive.",
            "Assumption 2: say whether it was confirmed, refuted or inconclusive.",
        ],
    }
    db.session.rollback()
    stored = reload(launch.id)
    assert (stored.status, stored.decision) == ("running", None)


def test_the_outcome_is_stored_and_told_once_to_participants_and_followers(app):
    pm = make_user("product_manager")
    follower = make_user()
    idea = make_idea(follower, title="Weekly digest of activity")
    other = make_idea(follower, title="Email summaries")
    launch = new_launch(pm, status="recruiting", idea_ids=[idea.id, other.id], capacity=1)
    # The follower also takes part: one notification for them all the same.
    make_participant(launch, follower)
    waiting = make_user()
    make_participant(launch, waiting)
    launches.change_status(pm, launch, "running", start_early=True)
    first, second = launch.assumptions
    outcome = outcome_for(launch, decision="scale", results={first.id: "confirmed", second.id: "refuted"})
    launches.change_status(pm, launch, "completed", outcome)
    db.session.commit()
    stored = launches.get_launch(pm, launch.id)
    assert (stored.decision, stored.metric_actual, stored.has_outcome) == ("scale", "29%", True)
    assert [a.result for a in stored.assumptions] == ["confirmed", "refuted"]
    assert "<p>Members came back" in stored.outcome_summary_html
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.message.contains("complete"))
    ).all()
    assert told == [follower.id]
    assert launches.launches_for_idea(make_user(), idea.id)[0].decision == "scale"


def test_the_outcome_can_be_corrected_without_telling_anyone_again(app):
    pm = make_user("product_manager")
    launch = launch_in("completed", pm)
    before = db.session.scalar(select(func.count(Notification.id)))
    launches.record_outcome(pm, launch, outcome_for(launch, decision="stop"))
    db.session.commit()
    assert reload(launch.id).decision == "stop"
    assert db.session.scalar(select(func.count(Notification.id))) == before
    running = launch_in("running", pm)
    with pytest.raises(Conflict):
        launches.record_outcome(pm, running, outcome_for(running))


def test_a_finished_launch_cannot_be_edited(app):
    pm = make_user("product_manager")
    launch = launch_in("cancelled", pm)
    with pytest.raises(Conflict) as refused:
        launches.update_launch(pm, launch, title="A new title for it")
    assert refused.value.message == "This launch is cancelled; its record stays as it is."


def test_cancelling_tells_the_participants(app):
    pm = make_user("product_manager")
    launch = new_launch(pm, status="recruiting", capacity=1)
    a, b = make_user(), make_user()
    make_participant(launch, a)
    make_participant(launch, b)
    launches.change_status(pm, launch, "cancelled")
    db.session.commit()
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "launch")).all()
    assert sorted(told) == sorted([a.id, b.id])


# ---- Running it: participants, CSV, messages ----


def test_participants_are_listed_for_staff_in_order(app):
    pm = make_user("product_manager")
    launch = new_launch(pm, status="recruiting", capacity=1, screening_question="Which plan?")
    a, b, c = (make_user(name=name) for name in ("Ada", "Ben", "Cy"))
    make_participant(launch, a, "Team")
    make_participant(launch, b, "Pro")
    make_participant(launch, c, '=HYPERLINK("http://evil")')
    participation.withdraw(b, launch.id)
    db.session.commit()
    rows = participation.participants(pm, launch)
    assert [(r.user.display_name, r.state, r.position) for r in rows] == [
        ("Ada", "enrolled", None),
        ("Cy", "waitlisted", 1),
        ("Ben", "withdrawn", None),
    ]
    with pytest.raises(Forbidden):
        participation.participants(make_user(), launch)
    filename, text = participation.participants_csv(pm, launch)
    assert filename == f"launch-{launch.id}-participants.csv"
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == [
        "Member ID",
        "Display name",
        "Email",
        "State",
        "Waitlist position",
        "Joined at (UTC)",
        "Which plan?",
    ]
    assert [row[1:5] for row in table[1:]] == [
        ["Ada", a.email, "enrolled", ""],
        ["Cy", c.email, "waitlisted", "1"],
        ["Ben", b.email, "withdrawn", ""],
    ]
    # A spreadsheet must not run an answer as a formula.
    assert table[2][6] == '\'=HYPERLINK("http://evil")'


def test_messages_reach_enrolled_participants_in_app_and_by_email(app):
    pm = make_user("product_manager")
    launch = new_launch(pm, status="recruiting", capacity=3)
    at_once, digest, never, waiting = (make_user() for _ in range(4))
    digest.email_notifications = "daily"
    never.email_notifications = "never"
    db.session.commit()
    for person in (at_once, digest, never, waiting):
        make_participant(launch, person)
    text = "Kick-off call on Monday at 10:00; the link is on the launch page."
    assert participation.message_participants(pm, launch, text) == 3
    db.session.commit()
    told = db.session.scalars(select(Notification).where(Notification.kind == "launch")).all()
    assert sorted(n.user_id for n in told) == sorted([at_once.id, digest.id, never.id])
    assert told[0].message == f"{launch.title}: {text}"
    mails = [m.payload for m in db.session.scalars(select(OutboxMessage)) if text in m.payload["text"]]
    # The whole message at once, also for the digest reader; "never" means never.
    assert sorted(m["to"] for m in mails) == sorted([at_once.email, digest.email])
    assert all(m["subject"].endswith(f"Message about “{launch.title}”") for m in mails)
    assert all(n.emailed_at is not None for n in told if n.user_id != never.id)


def test_a_message_needs_text_and_someone_to_reach(app):
    pm = make_user("product_manager")
    launch = new_launch(pm, status="recruiting")
    with pytest.raises(Invalid) as refused:
        participation.message_participants(pm, launch, "  hi ")
    assert refused.value.fields["message"] == ["Write the message (at least 5 characters)."]
    with pytest.raises(Conflict) as refused:
        participation.message_participants(pm, launch, "Hello everyone, welcome!")
    assert refused.value.message == "Nobody is enrolled yet, so there is no one to message."
    with pytest.raises(Forbidden):
        participation.message_participants(make_user(), launch, "Hello everyone, welcome!")


def test_followers_without_an_idea_link_hear_nothing(app):
    pm = make_user("product_manager")
    idea = make_idea()
    stranger = make_user()
    db.session.add(IdeaFollow(idea_id=idea.id, user_id=stranger.id))
    db.session.commit()
    launch = new_launch(pm)
    launches.change_status(pm, launch, "recruiting")
    db.session.commit()
    assert (
        db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == stranger.id)) == 0
    )


# ---- Launch dates ----


def test_starting_before_the_planned_date_is_refused_unless_confirmed(app):
    pm = make_user("product_manager")
    launch = new_launch(pm, status="recruiting")
    three_days_early = datetime(2027, 2, 26, 10, 30, tzinfo=UTC)
    with pytest.raises(Conflict) as refused:
        launches.change_status(pm, launch, "running", now=three_days_early)
    assert "planned to start on 1 Mar 2027, in 3 days" in refused.value.message
    assert "confirm the early start" in refused.value.message
    db.session.rollback()
    assert reload(launch.id).status == "recruiting"
    assert reload(launch.id).starts_at == STARTS

    launches.change_status(pm, launch, "running", start_early=True, now=three_days_early)
    db.session.commit()
    started = reload(launch.id)
    assert started.status == "running"
    assert started.starts_at == three_days_early  # the record says when it really started
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "launch.running"))
    assert entry.reason == "Started 3 days before the planned date, 1 Mar 2027"


def test_a_launch_starts_on_its_date_without_confirmation(app):
    pm = make_user("product_manager")
    launch = new_launch(pm, status="recruiting")
    launches.change_status(pm, launch, "running", now=STARTS)
    assert reload(launch.id).starts_at == STARTS
    assert launches.early_by(launch, STARTS) is None


def test_how_early_a_start_is_reads_in_days_or_hours(app):
    launch = new_launch()
    assert launches.early_by(launch, datetime(2027, 2, 28, 9, tzinfo=UTC)) == "1 day"
    assert launches.early_by(launch, datetime(2027, 2, 20, 23, tzinfo=UTC)) == "9 days"
    launch.starts_at = datetime(2027, 3, 1, 17, tzinfo=UTC)
    assert launches.early_by(launch, datetime(2027, 3, 1, 14, 10, tzinfo=UTC)) == "3 hours"


def test_results_are_never_dated_before_the_launch_started(app):
    pm = make_user("product_manager")
    launch = new_launch(pm, status="recruiting")
    launches.change_status(pm, launch, "running", now=STARTS)
    db.session.commit()
    launch = launches.get_launch(pm, launch.id)
    # Dates moved on behind the site's back.
    launch.starts_at, launch.ends_at = datetime(2099, 1, 1, tzinfo=UTC), datetime(2099, 2, 1, tzinfo=UTC)
    db.session.commit()
    launch = launches.get_launch(pm, launch.id)
    with pytest.raises(Conflict) as refused:
        launches.change_status(pm, launch, "completed", outcome_for(launch))
    assert "record its results once it has run" in refused.value.message
    db.session.rollback()
    assert reload(launch.id).status == "running"
    assert reload(launch.id).decision is None


def test_a_started_launch_cannot_move_its_start_into_the_future(app):
    pm = make_user("product_manager")
    launch = new_launch(pm, status="recruiting")
    launches.change_status(pm, launch, "running", now=STARTS)
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        launches.update_launch(pm, reload(launch.id), starts_at=datetime(2099, 1, 1, tzinfo=UTC))
    assert "its start date can't move into the future" in refused.value.fields["starts_at"][0]
    db.session.rollback()
    assert reload(launch.id).starts_at == STARTS


# ---- The launch team removes and enrols people ----


def messages_to(user: User) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.message).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def test_staff_remove_someone_who_is_told_why_and_the_seat_goes_to_the_first_waiting(app):
    pm = make_user("product_manager")
    launch = new_launch(pm, status="recruiting", capacity=1)
    seated, first, second = make_user(), make_user(), make_user()
    for person in (seated, first, second):
        make_participant(launch, person)
    removal = participation.remove_participant(pm, launch.id, seated.id, "  Not in the  pilot region ")
    db.session.commit()
    assert [user.id for user in removal.promoted] == [first.id]
    rows = participant_rows(launch.id)
    assert (rows[seated.id].state, rows[seated.id].removal_reason) == ("removed", "Not in the pilot region")
    assert rows[first.id].state == "enrolled"
    assert (reload(launch.id).enrolled_count, reload(launch.id).waitlist_count) == (1, 1)
    assert messages_to(seated)[-1] == (
        "The launch team took you off the learning launch “Weekly summary email pilot”. "
        "Reason: Not in the pilot region"
    )
    assert "you are enrolled now" in messages_to(first)[-1]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "launch.remove_participant"))
    assert (entry.target_type, entry.target_id, entry.reason) == (
        "launch",
        launch.id,
        "Not in the pilot region",
    )
    assert entry.after == f"{seated.display_name}: removed"
    # Removed means removed: joining again is refused.
    with pytest.raises(Conflict) as refused:
        participation.join_launch(seated, launch.id)
    assert "can't join it again" in refused.value.message


def test_a_freed_seat_kept_for_the_team_goes_to_whoever_they_enrol(app):
    pm = make_user("product_manager")
    launch = new_launch(pm, status="recruiting", capacity=1)
    seated, first, second = make_user(), make_user(), make_user()
    for person in (seated, first, second):
        make_participant(launch, person)
    removal = participation.remove_participant(pm, launch.id, seated.id, fill_seat=False)
    db.session.commit()
    assert removal.promoted == []
    assert reload(launch.id).seats_left == 0  # newcomers queue behind the people waiting
    latecomer = make_user()
    assert make_participant(launch, latecomer).state == "waitlisted"
    participation.promote_participant(pm, launch.id, second.id)  # the team picks the second in line
    db.session.commit()
    rows = participant_rows(launch.id)
    assert (rows[second.id].state, rows[first.id].state) == ("enrolled", "waitlisted")
    assert (reload(launch.id).enrolled_count, reload(launch.id).waitlist_count) == (1, 2)
    assert messages_to(second)[-1] == (
        "You have a seat in the learning launch “Weekly summary email pilot”: the launch team enrolled you."
    )
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "launch.promote_participant"))
    assert entry.after == f"{second.display_name}: enrolled"


def test_enrolling_from_the_waitlist_respects_capacity(app):
    pm = make_user("product_manager")
    launch = new_launch(pm, status="recruiting", capacity=2)
    people = [make_user() for _ in range(3)]
    for person in people:
        make_participant(launch, person)
    with pytest.raises(Conflict) as refused:
        participation.promote_participant(pm, launch.id, people[2].id)
    assert refused.value.message == (
        f"All 2 seats are taken, so {people[2].display_name} stays on the waitlist. "
        "Raise the capacity or remove someone to make room first."
    )
    db.session.rollback()
    assert participant_rows(launch.id)[people[2].id].state == "waitlisted"
    assert (reload(launch.id).enrolled_count, reload(launch.id).waitlist_count) == (2, 1)
    with pytest.raises(Conflict, match="not on the waitlist"):
        participation.promote_participant(pm, launch.id, people[0].id)


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_staff_remove_or_enrol_people(app, role):
    launch = new_launch(status="recruiting", capacity=1)
    seated, waiting = make_user(), make_user()
    make_participant(launch, seated)
    make_participant(launch, waiting)
    with pytest.raises(Forbidden):
        participation.remove_participant(make_user(role), launch.id, seated.id)
    with pytest.raises(Forbidden):
        participation.promote_participant(make_user(role), launch.id, waiting.id)
    db.session.rollback()
    assert {row.state for row in participant_rows(launch.id).values()} == {"enrolled", "waitlisted"}


def test_a_long_reason_or_a_finished_launch_changes_nothing(app):
    pm = make_user("product_manager")
    launch = new_launch(pm, status="recruiting")
    person = make_user()
    make_participant(launch, person)
    with pytest.raises(Invalid) as refused:
        participation.remove_participant(pm, launch.id, person.id, "x" * 501)
    assert "500 characters or fewer" in refused.value.fields["reason"][0]
    db.session.rollback()
    launches.change_status(pm, launches.get_launch(pm, launch.id), "cancelled")
    db.session.commit()
    with pytest.raises(Conflict, match="its list of participants stays as it is"):
        participation.remove_participant(pm, launch.id, person.id)
    db.session.rollback()
    assert participant_rows(launch.id)[person.id].state == "enrolled"
