"""The learning launch pages: planning (staff), the list, joining and waiting, running it, the outcome."""

import csv
import html as html_lib
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.base import utcnow
from app.models.launch import Launch, LaunchParticipant
from app.models.notification import Notification
from app.services import launches
from app.services.launches import AssumptionInput, OutcomeInput
from tests import factories
from tests.factories import make_idea, make_participant, make_prototype, make_user

START = datetime(2030, 5, 1, tzinfo=UTC)
ASSUMPTIONS = (
    AssumptionInput("value", "Lapsed users open a weekly summary"),
    AssumptionInput("execution", "We can build the summary from existing data"),
)


PILOT = {
    "hypothesis": "We believe a weekly summary email will bring back lapsed users.",
    "description": "Read the **summary** every Monday for four weeks.",
    "success_metric": "Share of participants active in week 4",
    "metric_baseline": "22%",
    "metric_target": "35%",
    "eligibility": "Teams that send reports every month.",
}
OUTCOME = ("iterate", "Half of the pilot came back; the **subject line** mattered most.", "31%")


def make_launch(author=None, status="recruiting", capacity=3, starts_at=START, **fields) -> Launch:
    """A launch with this module's pilot details, moved on to `status` by an admin."""
    mover = make_user("admin") if status in ("running", "completed", "cancelled") else None
    return factories.make_launch(
        author,
        status,
        capacity,
        assumptions=ASSUMPTIONS,
        outcome=OUTCOME,
        mover=mover,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(days=28),
        **PILOT,
        **fields,
    )


def complete(staff, launch, decision="iterate"):
    launch = launches.get_launch(staff, launch.id)
    launches.change_status(
        staff,
        launch,
        "completed",
        OutcomeInput(decision, *OUTCOME[1:], {a.id: "confirmed" for a in launch.assumptions}),
    )
    db.session.commit()
    return launch


def page_of(launch) -> str:
    return f"/launches/{launch.id}"


def launch_count() -> int:
    return db.session.scalar(select(func.count(Launch.id)))


def row_of(user, launch) -> LaunchParticipant | None:
    return db.session.scalar(
        select(LaunchParticipant).where(
            LaunchParticipant.user_id == user.id, LaunchParticipant.launch_id == launch.id
        )
    )


def text_of(html: str) -> str:
    """The page's text without tags and with spaces collapsed, for phrases that span elements."""
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def form_data(**fields) -> dict:
    data = {
        "title": "Dark mode pilot",
        "hypothesis": "We believe a dark theme will keep night-shift teams working longer.",
        "description": "Use the dark theme for two weeks.",
        "success_metric": "Evening sessions per week",
        "metric_baseline": "3",
        "metric_target": "5",
        "capacity": "12",
        "starts_on": "2030-05-01",
        "ends_on": "2030-05-15",
        "eligibility": "",
        "screening_question": "",
        "idea_ids": "",
        "prototype_ids": "",
        "assumptions-0-kind": "value",
        "assumptions-0-statement": "Night-shift teams want a dark theme",
        "assumptions-1-kind": "value",
        "assumptions-1-statement": "",
        "assumptions-2-kind": "execution",
        "assumptions-2-statement": "Every screen works in the dark theme",
        "assumptions-3-kind": "value",
        "assumptions-3-statement": "",
    }
    data.update(fields)
    return data


# ---- Planning: staff only ----


def test_members_may_not_create_launches(client, login):
    login(make_user())
    assert client.get("/launches/new").status_code == 403
    response = client.post_form("/launches/new", form_data(), page="/launches/")
    assert response.status_code == 403
    assert launch_count() == 0
    assert "New launch" not in client.get("/launches/").get_data(as_text=True)


def test_creating_needs_sign_in(client):
    response = client.get("/launches/new")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_staff_plan_a_draft_with_assumptions_dates_and_links(client, login):
    pm = make_user("product_manager")
    idea = make_idea()
    prototype = make_prototype(author=pm, status="published")
    login(pm)
    page = client.get("/launches/new").get_data(as_text=True)
    assert page.count('name="assumptions-') >= 12  # six rows of kind and statement
    assert 'type="date"' in page
    response = client.post_form(
        "/launches/new",
        form_data(idea_ids=f"{idea.id}", prototype_ids=f"#{prototype.id}", screening_question="Which team?"),
    )
    assert response.status_code == 302
    launch = db.session.scalar(select(Launch))
    assert response.headers["Location"].endswith(f"/launches/{launch.id}")
    assert launch.status == "draft"
    assert launch.starts_at == START
    assert launch.ends_at == datetime(2030, 5, 15, tzinfo=UTC)
    assert launch.capacity == 12
    assert launch.screening_question == "Which team?"
    launch = launches.get_launch(pm, launch.id)
    # Blank rows are ignored.
    assert [(a.kind, a.statement) for a in launch.assumptions] == [
        ("value", "Night-shift teams want a dark theme"),
        ("execution", "Every screen works in the dark theme"),
    ]
    assert launches.linked_ids(pm, [launch.id]) == ({launch.id: [idea.id]}, {launch.id: [prototype.id]})
    html = client.get(page_of(launch)).get_data(as_text=True)
    assert "The draft is saved" in html
    assert "We believe a dark theme will keep night-shift teams working longer." in html
    assert "Night-shift teams want a dark theme" in html
    assert f'href="/ideas/{idea.id}"' in html
    assert f'href="/prototypes/{prototype.id}"' in html
    assert "Open for recruiting" in html


def test_opening_for_recruiting_at_once_tells_the_ideas_followers(client, login):
    author = make_user()
    idea = make_idea(author=author)
    login(make_user("product_manager"))
    response = client.post_form("/launches/new", form_data(idea_ids=str(idea.id), recruit="1"))
    assert response.status_code == 302
    launch = db.session.scalar(select(Launch))
    assert launch.status == "recruiting"
    note = db.session.scalar(select(Notification).where(Notification.user_id == author.id))
    assert "looking for participants" in note.message
    assert note.url == f"/launches/{launch.id}"


def test_form_errors_are_shown_and_nothing_is_saved(client, login):
    login(make_user("product_manager"))
    response = client.post_form(
        "/launches/new",
        form_data(
            title="",
            ends_on="2030-04-01",
            capacity="0",
            idea_ids="twelve",
            **{"assumptions-0-statement": "no"},
        ),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The title needs at least 5 characters." in html
    assert "The launch must end after it starts." in html
    assert "Between 1 and 10,000 people." in html
    assert "“twelve” is not an idea number" in html
    assert "Say what you assume, in at least 5 characters." in html
    assert 'value="Every screen works in the dark theme"' in html  # kept as typed
    assert launch_count() == 0
    # What only the service can check comes back on the form as well.
    response = client.post_form("/launches/new", form_data(idea_ids="999"))
    assert response.status_code == 422
    assert "No idea #999." in response.get_data(as_text=True)
    assert launch_count() == 0


def test_staff_edit_a_launch_and_raising_capacity_enrols_the_first_waiting(client, login):
    pm = make_user("product_manager")
    launch = make_launch(author=pm, capacity=1)
    first, second = make_user(), make_user()
    make_participant(launch, first)
    make_participant(launch, second)
    login(pm)
    page = client.get(f"/launches/{launch.id}/edit").get_data(as_text=True)
    assert 'value="Weekly summary pilot"' in page
    assert 'value="2030-05-01"' in page
    assert "Lapsed users open a weekly summary" in page
    data = form_data(
        title="Weekly summary pilot, round two", capacity="2", starts_on="2030-05-01", ends_on="2030-05-29"
    )
    response = client.post_form(f"/launches/{launch.id}/edit", data)
    assert response.status_code == 302
    launch = db.session.get(Launch, launch.id)
    assert launch.title == "Weekly summary pilot, round two"
    assert launch.capacity == 2
    assert row_of(second, launch).state == "enrolled"
    assert launch.starts_at == START  # unchanged dates keep their times
    # Capacity can't go below the people enrolled.
    response = client.post_form(f"/launches/{launch.id}/edit", dict(data, capacity="1"))
    assert response.status_code == 422
    assert "2 people are enrolled already; capacity can't go below that." in text_of(
        response.get_data(as_text=True)
    )


def test_members_may_not_edit(client, login):
    launch = make_launch()
    login(make_user())
    assert client.get(f"/launches/{launch.id}/edit").status_code == 403
    assert (
        client.post_form(f"/launches/{launch.id}/edit", form_data(), page=page_of(launch)).status_code == 403
    )
    assert db.session.get(Launch, launch.id).title == "Weekly summary pilot"


# ---- Who sees what ----


def test_drafts_are_for_staff_only(client, login):
    launch = make_launch(status="draft", title="Secret pricing pilot")
    assert client.get(page_of(launch)).status_code == 404
    assert "Secret pricing pilot" not in client.get("/launches/").get_data(as_text=True)
    login(make_user())
    assert client.get(page_of(launch)).status_code == 404
    assert "Secret pricing pilot" not in client.get("/launches/").get_data(as_text=True)
    login(make_user("product_manager"))
    html = client.get("/launches/").get_data(as_text=True)
    assert "Secret pricing pilot" in html
    assert "drafts included" in html
    assert "New launch" in html
    assert "only staff see this launch" in client.get(page_of(launch)).get_data(as_text=True)


def test_the_list_puts_recruiting_launches_first_with_seats_left(client, login):
    make_launch(title="Completed pilot", status="completed", starts_at=START - timedelta(days=90))
    make_launch(title="Running pilot", status="running", starts_at=START - timedelta(days=60))
    full = make_launch(title="Full pilot", capacity=1, starts_at=START + timedelta(days=10))
    open_ = make_launch(title="Open pilot", capacity=12, starts_at=START)
    viewer = make_user()
    make_participant(open_, viewer)
    make_participant(full)
    make_participant(full)
    login(viewer)
    html = client.get("/launches/").get_data(as_text=True)
    titles = re.findall(r'<h2 class="card__title"><a href="[^"]+">([^<]+)</a>', html)
    assert titles == ["Open pilot", "Full pilot", "Running pilot", "Completed pilot"]
    text = text_of(html)
    assert "11 of 12 seats left" in text
    assert "Full — 1 on the waitlist" in text
    assert "Enrolled" in text
    assert "Decision: Iterate" in text
    assert 'href="/launches/mine"' in html


def test_anonymous_visitors_are_invited_to_sign_in(client):
    launch = make_launch()
    html = client.get(page_of(launch)).get_data(as_text=True)
    assert "Sign in to join" in html
    assert f"/sign-in?next=/launches/{launch.id}" in html.replace("%2F", "/")
    assert "/mine" not in client.get("/launches/").get_data(as_text=True)
    response = client.post_form(f"/launches/{launch.id}/join", {}, page=page_of(launch))
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
    assert db.session.scalar(select(func.count(LaunchParticipant.id))) == 0


# ---- Joining, waiting, withdrawing ----


def test_joining_enrols_while_seats_remain(client, login):
    launch = make_launch(capacity=2)
    member = make_user()
    login(member)
    response = client.post_form(f"/launches/{launch.id}/join", {}, page=page_of(launch))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(page_of(launch))
    assert row_of(member, launch).state == "enrolled"
    html = client.get(page_of(launch)).get_data(as_text=True)
    assert "You are enrolled." in html
    assert "You are enrolled" in text_of(html)
    assert "1 of 2 seats left" in text_of(html)
    assert "Withdraw" in html


def test_a_full_launch_puts_people_on_the_waitlist_with_their_position(client, login):
    launch = make_launch(capacity=1)
    make_participant(launch)
    make_participant(launch)
    member = make_user()
    login(member)
    page = client.get(page_of(launch)).get_data(as_text=True)
    assert "Join the waitlist" in page
    response = client.post_form(
        f"/launches/{launch.id}/join", {}, page=page_of(launch), follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert (
        "The launch is full: you are number 2 on the waitlist. We&#39;ll tell you when a seat opens." in html
    )
    assert "You are number 2 on the waitlist" in text_of(html)
    assert row_of(member, launch).state == "waitlisted"
    assert "Leave the waitlist" in html


def test_joining_twice_changes_nothing(client, login):
    launch = make_launch(capacity=1)
    member = make_user()
    login(member)
    for _ in range(2):
        assert client.post_form(f"/launches/{launch.id}/join", {}, page=page_of(launch)).status_code == 302
    assert db.session.scalar(select(func.count(LaunchParticipant.id))) == 1
    launch = db.session.get(Launch, launch.id)
    assert (launch.enrolled_count, launch.waitlist_count) == (1, 0)


def test_withdrawing_frees_the_seat_for_the_first_waiting_member(client, login):
    launch = make_launch(capacity=1)
    enrolled, first, second = make_user(), make_user(), make_user()
    for user in (enrolled, first, second):
        make_participant(launch, user)
    login(enrolled)
    response = client.post_form(f"/launches/{launch.id}/withdraw", {}, page=page_of(launch))
    assert response.status_code == 302
    assert row_of(enrolled, launch).state == "withdrawn"
    assert row_of(first, launch).state == "enrolled"
    assert row_of(second, launch).state == "waitlisted"
    note = db.session.scalar(select(Notification).where(Notification.user_id == first.id))
    assert "A seat opened" in note.message
    assert note.url == page_of(launch)
    login(second)
    assert "You are number 1 on the waitlist" in text_of(client.get(page_of(launch)).get_data(as_text=True))


def test_the_screening_question_must_be_answered(client, login):
    launch = make_launch(screening_question="Which reports do you send each month?")
    member = make_user()
    login(member)
    page = client.get(page_of(launch)).get_data(as_text=True)
    assert "Which reports do you send each month?" in page
    assert 'name="screening_answer"' in page
    response = client.post_form(
        f"/launches/{launch.id}/join", {"screening_answer": "  "}, page=page_of(launch)
    )
    assert response.status_code == 422
    assert "Answer the screening question to join" in response.get_data(as_text=True)
    assert row_of(member, launch) is None
    assert db.session.get(Launch, launch.id).enrolled_count == 0
    response = client.post_form(
        f"/launches/{launch.id}/join", {"screening_answer": "Revenue and churn"}, page=page_of(launch)
    )
    assert response.status_code == 302
    assert row_of(member, launch).screening_answer == "Revenue and churn"


def test_joining_a_running_launch_is_refused_with_a_message(client, login):
    launch = make_launch(status="running")
    member = make_user()
    login(member)
    html = client.get(page_of(launch)).get_data(as_text=True)
    assert "takes no new participants" in html
    assert f'action="/launches/{launch.id}/join"' not in html
    response = client.post_form(
        f"/launches/{launch.id}/join", {}, page=page_of(launch), headers={"Referer": page_of(launch)}
    )
    assert response.status_code == 302
    html = client.get(page_of(launch)).get_data(as_text=True)
    assert "This launch is running already and takes no new participants." in html
    assert row_of(member, launch) is None


def test_a_suspended_member_may_not_join(client, login):
    launch = make_launch()
    member = make_user()
    member.suspended_at = utcnow()
    member.suspension_reason = "Spam"
    db.session.commit()
    login(member)
    assert "Your account is suspended, so you can't join" in text_of(
        client.get(page_of(launch)).get_data(as_text=True)
    )
    response = client.post_form(f"/launches/{launch.id}/join", {}, page=page_of(launch))
    assert response.status_code == 403
    assert "Your account is suspended permanently" in response.get_data(as_text=True)
    assert row_of(member, launch) is None


def test_my_launches_shows_state_and_waitlist_position(client, login):
    member = make_user()
    enrolled = make_launch(title="Enrolled pilot", capacity=5)
    waiting = make_launch(title="Waiting pilot", capacity=1)
    make_participant(waiting)
    make_participant(waiting)
    make_participant(enrolled, member)
    make_participant(waiting, member)
    make_launch(title="Not joined pilot")
    login(member)
    html = client.get("/launches/mine").get_data(as_text=True)
    text = text_of(html)
    assert "Enrolled pilot" in html
    assert "Waiting pilot" in html
    assert "Not joined pilot" not in html
    assert "You are enrolled." in text
    assert "You are number 2 on the waitlist." in text


def test_my_launches_needs_sign_in(client):
    response = client.get("/launches/mine")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


# ---- Running it: status, participants, messages ----


def test_staff_move_a_launch_through_its_statuses(client, login):
    launch = make_launch(status="draft")
    login(make_user("product_manager"))
    html = client.get(page_of(launch)).get_data(as_text=True)
    assert 'value="recruiting"' in html
    assert 'value="running"' not in html
    response = client.post_form(
        f"/launches/{launch.id}/status", {"status": "recruiting"}, page=page_of(launch)
    )
    assert response.status_code == 302
    assert db.session.get(Launch, launch.id).status == "recruiting"
    client.post_form(
        f"/launches/{launch.id}/status", {"status": "running", "start_early": "1"}, page=page_of(launch)
    )
    assert db.session.get(Launch, launch.id).status == "running"
    html = client.get(page_of(launch)).get_data(as_text=True)
    assert "The launch is running" in html
    assert f'href="/launches/{launch.id}/complete"' in html
    # A transition that is not allowed is refused with the reason.
    response = client.post_form(
        f"/launches/{launch.id}/status", {"status": "recruiting"}, page=page_of(launch), follow_redirects=True
    )
    assert "A running launch can&#39;t become recruiting." in response.get_data(as_text=True)
    assert db.session.get(Launch, launch.id).status == "running"


def test_members_may_not_change_the_status(client, login):
    launch = make_launch()
    login(make_user())
    response = client.post_form(
        f"/launches/{launch.id}/status", {"status": "cancelled"}, page=page_of(launch)
    )
    assert response.status_code == 403
    assert client.get(f"/launches/{launch.id}/complete").status_code == 403
    assert db.session.get(Launch, launch.id).status == "recruiting"


def test_a_finished_launch_is_not_edited_any_more(client, login):
    launch = make_launch(status="completed")
    login(make_user("product_manager"))
    html = client.get(page_of(launch)).get_data(as_text=True)
    assert f'href="/launches/{launch.id}/edit"' not in html
    assert "Correct the outcome" in html
    response = client.get(f"/launches/{launch.id}/edit", follow_redirects=True)
    assert "This launch is completed; its record stays as it is." in response.get_data(as_text=True)


def test_completing_needs_the_whole_outcome(client, login):
    launch = make_launch(status="running")
    login(make_user("product_manager"))
    # The status button for "completed" leads to the outcome form.
    response = client.post_form(
        f"/launches/{launch.id}/status", {"status": "completed"}, page=page_of(launch)
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/launches/{launch.id}/complete")
    assert db.session.get(Launch, launch.id).status == "running"
    url = f"/launches/{launch.id}/complete"
    response = client.post_form(url, {})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose the decision: scale, iterate or stop." in html
    assert "Summarise what the launch taught" in html
    assert "Record what “Share of participants active in week 4” measured" in html
    first, second = launches.get_launch(make_user("admin"), launch.id).assumptions
    response = client.post_form(
        url,
        {
            "metric_actual": "31%",
            "decision": "iterate",
            "summary": "Half came back; the subject line mattered most.",
            f"result-{first.id}": "confirmed",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Assumption 2: say whether it was confirmed, refuted or inconclusive." in html
    assert 'value="31%"' in html  # kept as typed
    assert db.session.get(Launch, launch.id).status == "running"


def test_the_outcome_shows_on_the_launch_and_the_linked_idea(client, login):
    follower = make_user()
    idea = make_idea(author=follower)
    launch = make_launch(idea_ids=[idea.id])
    participant = make_user()
    make_participant(launch, participant)
    staff = make_user("product_manager")
    launches.change_status(staff, launches.get_launch(staff, launch.id), "running", start_early=True)
    db.session.commit()
    first, second = launches.get_launch(staff, launch.id).assumptions
    login(staff)
    response = client.post_form(
        f"/launches/{launch.id}/complete",
        {
            "metric_actual": "31%",
            "decision": "iterate",
            "summary": "Half came back; the **subject line** mattered most.",
            f"result-{first.id}": "confirmed",
            f"result-{second.id}": "refuted",
        },
    )
    assert response.status_code == 302
    launch = launches.get_launch(staff, launch.id)
    assert (launch.status, launch.decision, launch.metric_actual) == ("completed", "iterate", "31%")
    assert [a.result for a in launch.assumptions] == ["confirmed", "refuted"]
    text = text_of(client.get(page_of(launch)).get_data(as_text=True))
    assert "Decision: Iterate" in text
    assert "Measured 31%" in text
    assert "Confirmed" in text
    assert "Refuted" in text
    html = client.get(page_of(launch)).get_data(as_text=True)
    assert "<strong>subject line</strong>" in html
    idea_html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Learning launches" in idea_html
    assert "Decision: Iterate" in idea_html
    assert "<strong>subject line</strong>" in idea_html
    for user in (follower, participant):
        messages = db.session.scalars(select(Notification.message).where(Notification.user_id == user.id))
        assert any("Decision: iterate" in message for message in messages)
    # The outcome can be corrected later; nobody is told again.
    before = db.session.scalar(select(func.count(Notification.id)))
    response = client.post_form(
        f"/launches/{launch.id}/complete",
        {
            "metric_actual": "33%",
            "decision": "scale",
            "summary": "Recounted: most came back.",
            f"result-{first.id}": "confirmed",
            f"result-{second.id}": "inconclusive",
        },
    )
    assert response.status_code == 302
    assert db.session.get(Launch, launch.id).decision == "scale"
    assert db.session.scalar(select(func.count(Notification.id))) == before


def test_the_idea_page_lists_launches_members_may_see(client):
    idea = make_idea()
    make_launch(title="Open pilot", idea_ids=[idea.id])
    make_launch(title="Hidden draft", status="draft", idea_ids=[idea.id])
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Open pilot" in html
    assert "Recruiting" in html
    assert "Hidden draft" not in html


def test_staff_see_the_participants_and_download_them(client, login):
    launch = make_launch(capacity=1, screening_question="Which team?")
    ana = make_user(name="Ana Alves")
    ben = make_user(name="Ben Berg")
    make_participant(launch, ana, "Finance")
    make_participant(launch, ben, "=SUM(A1)")
    login(make_user("product_manager"))
    html = client.get(f"/launches/{launch.id}/participants").get_data(as_text=True)
    assert f'href="/users/{ana.id}"' in html
    assert "Ana Alves" in html
    assert "Waitlist #1" in html
    assert "Finance" in html
    assert "Which team?" in html
    response = client.get(f"/launches/{launch.id}/participants.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="launch-{launch.id}-participants.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][-1] == "Which team?"
    assert [row[1] for row in rows[1:]] == ["Ana Alves", "Ben Berg"]
    assert rows[2][3:5] == ["waitlisted", "1"]
    assert rows[2][-1] == "'=SUM(A1)"  # formula-safe


@pytest.mark.parametrize("path", ["participants", "participants.csv"])
def test_members_may_not_see_the_participants(client, login, path):
    launch = make_launch()
    login(make_user())
    assert client.get(f"/launches/{launch.id}/{path}").status_code == 403


def test_a_message_reaches_everyone_enrolled_in_app_and_by_email(client, login, outbox_mail):
    launch = make_launch(capacity=1)
    enrolled = make_user(name="Ana Alves")
    waiting = make_user()
    make_participant(launch, enrolled)
    make_participant(launch, waiting)
    login(make_user("product_manager"))
    assert f'action="/launches/{launch.id}/message"' in client.get(page_of(launch)).get_data(as_text=True)
    response = client.post_form(
        f"/launches/{launch.id}/message",
        {"message": "The pilot starts Monday: look for the first summary in your inbox."},
        page=page_of(launch),
        follow_redirects=True,
    )
    assert "Your message went to 1 participant." in response.get_data(as_text=True)
    note = db.session.scalar(select(Notification).where(Notification.user_id == enrolled.id))
    assert "The pilot starts Monday" in note.message
    assert db.session.scalar(select(Notification).where(Notification.user_id == waiting.id)) is None
    mail = outbox_mail()
    assert [message["To"] for message in mail] == [enrolled.email]
    assert "Weekly summary pilot" in mail[0]["Subject"]
    assert "look for the first summary in your inbox" in mail[0].get_body().get_content()


def test_a_message_needs_words_and_staff(client, login):
    launch = make_launch()
    make_participant(launch)
    login(make_user("product_manager"))
    response = client.post_form(f"/launches/{launch.id}/message", {"message": "Hi"}, page=page_of(launch))
    assert response.status_code == 422
    assert "Write the message (at least 5 characters)." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    login(make_user())
    response = client.post_form(
        f"/launches/{launch.id}/message", {"message": "Hello everyone"}, page=page_of(launch)
    )
    assert response.status_code == 403


def test_check_in_rounds_start_from_a_linked_prototype(client, login):
    pm = make_user("product_manager")
    prototype = make_prototype(author=pm, status="published")
    with_prototype = make_launch(author=pm, prototype_ids=[prototype.id])
    without = make_launch(author=pm)
    login(pm)
    html = client.get(page_of(with_prototype)).get_data(as_text=True)
    assert f'href="/prototypes/{prototype.id}/rounds/new?launch_id={with_prototype.id}"' in html
    html = client.get(page_of(without)).get_data(as_text=True)
    assert "link a prototype" in html


# ---- Query counts ----


def test_the_list_runs_a_fixed_number_of_queries(client, login, count_queries):
    viewer = make_user()
    login(viewer)

    def queries() -> int:
        with count_queries() as statements:
            assert client.get("/launches/").status_code == 200
        return len(statements)

    make_participant(make_launch(), viewer)
    few = queries()
    for number in range(6):
        launch = make_launch(title=f"Pilot number {number}", capacity=1)
        make_participant(launch)
        make_participant(launch, viewer)
    make_launch(status="completed")
    assert queries() == few


def test_the_launch_page_runs_a_fixed_number_of_queries(client, login, count_queries):
    staff = make_user("product_manager")
    prototype = make_prototype(author=staff, status="published")
    ideas = [make_idea(title=f"Idea number {n}") for n in range(4)]
    launch = make_launch(author=staff, capacity=2, idea_ids=[ideas[0].id], prototype_ids=[prototype.id])
    url = page_of(launch)
    login(staff)

    def queries() -> int:
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    few = queries()
    launches.update_launch(
        staff,
        launches.get_launch(staff, launch.id),
        idea_ids=[idea.id for idea in ideas],
        assumptions=[AssumptionInput("scale", f"Assumption number {n}") for n in range(8)],
    )
    db.session.commit()
    for _ in range(5):
        make_participant(launch, make_user(), "")
    assert queries() == few


def test_starting_a_launch_early_says_so_and_records_the_real_start(client, login):
    launch = make_launch()  # planned for 1 May 2030
    login(make_user("product_manager"))
    html = html_lib.unescape(client.get(page_of(launch)).get_data(as_text=True))
    days = (START.date() - datetime.now(UTC).date()).days
    assert f"Start now, {days} days early" in html
    assert f'data-confirm="Start now, {days} days before the planned date (1 May 2030)?' in html
    # A stale page (or a hand-made post) that does not confirm it is refused and changes nothing.
    response = client.post_form(
        f"/launches/{launch.id}/status", {"status": "running"}, page=page_of(launch), follow_redirects=True
    )
    assert "This launch is planned to start on 1 May 2030" in html_lib.unescape(
        response.get_data(as_text=True)
    )
    assert db.session.get(Launch, launch.id).status == "recruiting"
    response = client.post_form(
        f"/launches/{launch.id}/status",
        {"status": "running", "start_early": "1"},
        page=page_of(launch),
        follow_redirects=True,
    )
    page = html_lib.unescape(response.get_data(as_text=True))
    assert f"The launch is running, {days} days before the planned date (1 May 2030)" in page
    started = db.session.get(Launch, launch.id)
    assert started.status == "running"
    assert started.starts_at.date() == datetime.now(UTC).date()


# ---- The participants page: seats, removing and enrolling people ----


def participants_of(launch) -> str:
    return f"/launches/{launch.id}/participants"


def state_of(launch, user) -> str:
    return db.session.scalar(
        select(LaunchParticipant.state).where(
            LaunchParticipant.launch_id == launch.id, LaunchParticipant.user_id == user.id
        )
    )


def test_seats_are_counted_in_words_that_agree(client, login):
    one = make_launch(capacity=1)
    make_participant(one)
    login(make_user("product_manager"))
    for page in (participants_of(one), page_of(one)):
        assert "1 enrolled of 1 seat ·" in text_of(client.get(page).get_data(as_text=True))
    assert 'aria-label="1 of 1 seat taken"' in client.get(page_of(one)).get_data(as_text=True)
    five = make_launch(capacity=5)
    make_participant(five)
    for page in (participants_of(five), page_of(five)):
        assert "1 enrolled of 5 seats ·" in text_of(client.get(page).get_data(as_text=True))


def test_staff_remove_a_participant_with_a_reason_and_the_next_person_gets_the_seat(client, login):
    launch = make_launch(capacity=1)
    seated, waiting = make_user(name="Ana Seated"), make_user(name="Bo Waiting")
    make_participant(launch, seated)
    make_participant(launch, waiting)
    login(make_user("product_manager"))
    html = client.get(participants_of(launch)).get_data(as_text=True)
    assert f'action="/launches/{launch.id}/participants/{seated.id}/remove"' in html
    assert f'action="/launches/{launch.id}/participants/{waiting.id}/promote"' in html
    assert "Give the seat to the first person on the waitlist" in html
    response = client.post_form(
        f"/launches/{launch.id}/participants/{seated.id}/remove",
        {"reason": "Outside the pilot region", "fill_seat": "1"},
        page=participants_of(launch),
        follow_redirects=True,
    )
    page = text_of(response.get_data(as_text=True))
    assert "Ana Seated is off the launch and has been told." in page
    assert "Bo Waiting had the first place on the waitlist and got the seat." in page
    assert "Removed Because: Outside the pilot region" in page
    assert (state_of(launch, seated), state_of(launch, waiting)) == ("removed", "enrolled")
    told = db.session.scalar(select(Notification.message).where(Notification.user_id == seated.id))
    assert told.endswith("Reason: Outside the pilot region")
    # The removed person sees why on the launch page, and no way to join again.
    login(seated)
    html = text_of(client.get(page_of(launch)).get_data(as_text=True))
    assert "The launch team took you off this launch: Outside the pilot region" in html
    assert "You can't join it again." in html


def test_enrolling_from_the_waitlist_when_every_seat_is_taken_says_so(client, login):
    launch = make_launch(capacity=1)
    seated, waiting = make_user(), make_user(name="Bo Waiting")
    make_participant(launch, seated)
    make_participant(launch, waiting)
    login(make_user("product_manager"))
    response = client.post_form(
        f"/launches/{launch.id}/participants/{waiting.id}/promote",
        {},
        page=participants_of(launch),
        follow_redirects=True,
    )
    page = text_of(response.get_data(as_text=True))
    assert (
        "The only seat is taken, so Bo Waiting stays on the waitlist. "
        "Raise the capacity or remove someone to make room first." in page
    )
    assert state_of(launch, waiting) == "waitlisted"
    # With the seat kept free, the team picks who gets it.
    client.post_form(
        f"/launches/{launch.id}/participants/{seated.id}/remove", {}, page=participants_of(launch)
    )
    response = client.post_form(
        f"/launches/{launch.id}/participants/{waiting.id}/promote",
        {},
        page=participants_of(launch),
        follow_redirects=True,
    )
    assert "Bo Waiting is enrolled and has been told." in text_of(response.get_data(as_text=True))
    assert state_of(launch, waiting) == "enrolled"


@pytest.mark.parametrize("action", ["remove", "promote"])
def test_members_cannot_remove_or_enrol_people(client, login, action):
    launch = make_launch(capacity=1)
    seated, waiting = make_user(), make_user()
    make_participant(launch, seated)
    make_participant(launch, waiting)
    login(make_user())
    target = seated if action == "remove" else waiting
    response = client.post_form(
        f"/launches/{launch.id}/participants/{target.id}/{action}", {}, page=page_of(launch)
    )
    assert response.status_code == 403
    assert (state_of(launch, seated), state_of(launch, waiting)) == ("enrolled", "waitlisted")
