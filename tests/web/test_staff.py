"""The staff pages: the dashboard, bulk status, the CSV export, insights, segments and “why this rank”."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models.base import utcnow
from app.models.idea import Idea, IdeaStatusChange
from app.models.launch import Launch
from app.models.moderation import AuditEntry
from app.models.segment import Segment, UserSegment
from app.services import categories, comments, ideas, roadmap, segments, settings, votes
from tests.factories import make_idea, make_user


@pytest.fixture
def pm(app):
    return make_user(role="product_manager", name="Pat PM")


@pytest.fixture
def admin(app):
    return make_user(role="admin", name="Ada Admin")


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def row_titles(html: str) -> list[str]:
    """The idea titles in the dashboard table, in order."""
    table = html.split('class="table table--stack staff-table__table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'id="pick-\d+-label">([^<]+)</a>', table)


def backdate(idea: Idea, days: int) -> None:
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values(created_at=utcnow() - timedelta(days=days))
    )
    db.session.commit()


@pytest.fixture
def board(pm, admin):
    """Three ideas: one planned on the roadmap, one answered in a category, one waiting."""
    categories.create_category(admin, "Reporting")
    db.session.commit()
    linked = make_idea(title="Linked to the roadmap")
    answered = make_idea(title="Answered in reporting", category="reporting")
    waiting = make_idea(title="Waiting for a reply")
    for person in [make_user() for _ in range(3)]:
        votes.cast_vote(person, linked)
    votes.cast_vote(make_user(), answered)
    item = roadmap.create_item(pm, "Scheduled exports")
    roadmap.link_idea(pm, item, linked.id)
    comments.add_comment(pm, answered, "Thanks, we are on it.")
    db.session.commit()
    backdate(waiting, 40)
    return linked, answered, waiting


def test_staff_see_the_dashboard(client, login, pm, board):
    linked, answered, waiting = board
    login(pm)
    html = page_text(client.get("/staff"))
    assert "What customers want" in html
    assert row_titles(html) == [linked.title, answered.title, waiting.title]
    assert "Scheduled exports" in html
    assert "How fast we listen" in html
    # The panel lists the idea waiting longest for a first reply.
    panel = html.split("Waiting longest for a first reply", 1)[1].split("</section>", 1)[0]
    assert waiting.title in panel
    assert answered.title not in panel
    assert "40 days" in panel
    # The main navigation links here.
    assert 'href="/staff"' in html


def test_members_are_refused_and_anonymous_visitors_sent_to_sign_in(client, login):
    assert client.get("/staff").status_code == 302
    assert "/sign-in" in client.get("/staff").headers["Location"]
    for role in ("member", "moderator"):
        login(make_user(role=role))
        assert client.get("/staff").status_code == 403
        assert client.get("/staff/insights").status_code == 403
        assert client.get("/staff/ideas.csv").status_code == 403


def test_filters_come_from_the_query_string(client, login, pm, board):
    linked, answered, waiting = board
    login(pm)
    assert row_titles(page_text(client.get("/staff?category=reporting"))) == [answered.title]
    assert row_titles(page_text(client.get("/staff?status=planned"))) == [linked.title]
    assert row_titles(page_text(client.get("/staff?unlinked=1"))) == [answered.title, waiting.title]
    assert row_titles(page_text(client.get("/staff?unanswered=1"))) == [waiting.title]
    assert row_titles(page_text(client.get("/staff?unlinked=1&unanswered=0"))) == [
        answered.title,
        waiting.title,
    ]
    day = (utcnow() - timedelta(days=40)).date().isoformat()
    assert row_titles(page_text(client.get(f"/staff?from={day}&to={day}"))) == [waiting.title]
    assert row_titles(page_text(client.get("/staff?sort=comments"))) == [
        answered.title,
        waiting.title,
        linked.title,
    ]
    html = page_text(client.get("/staff?sort=comments&unlinked=1"))
    # The filters stay filled in, and the sort links keep them.
    assert re.search(r'<input[^>]*checked[^>]*name="unlinked"|<input[^>]*name="unlinked"[^>]*checked', html)
    assert 'href="/staff?sort=trending&amp;unlinked=1&amp;page=1"' in html
    assert 'aria-current="true">Most discussed<' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=yesterday", "Enter a date like 2026-03-12."),
        ("from=2026-03-10&to=2026-03-01", "The end date is before the start date."),
        ("sort=loudest", "Sort by one of"),
        ("status=merged", "Choose a status from the list."),
    ],
)
def test_bad_filters_get_a_clear_message(client, login, pm, board, query, message):
    login(pm)
    response = client.get(f"/staff?{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "Correct the marked filter" in html


def test_weighted_votes_show_beside_raw_votes(client, login, pm, admin):
    idea = make_idea(title="Wanted by big customers")
    enterprise = segments.create_segment(admin, "Enterprise", 3)
    for person in [make_user() for _ in range(2)]:
        votes.cast_vote(person, idea)
        segments.assign_emails(admin, enterprise, person.email)
    db.session.commit()
    login(pm)
    html = page_text(client.get("/staff"))
    assert "weighted</span>" not in html
    assert "Enterprise <strong>2</strong>" in html
    html = page_text(client.get("/staff?weighted=1"))
    # 3 raw votes: the author's at 1 and two Enterprise votes at 3.
    assert re.search(r">\s*3 <span class=\"staff-table__weighted\"[^>]*>7 weighted<", html)
    html = page_text(client.get("/staff?sort=weighted"))
    assert "7 weighted" in html


def test_bulk_status_changes_the_ticked_ideas(client, login, pm, board):
    linked, answered, waiting = board
    login(pm)
    response = client.post_form(
        "/staff/bulk-status",
        {
            "idea_ids": [str(answered.id), str(waiting.id)],
            "status": "under_review",
            "status_note": "We are looking at these",
            "next": "/staff?unlinked=1",
        },
        page="/staff",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff?unlinked=1"
    assert (answered.status, waiting.status, linked.status) == ("under_review", "under_review", "planned")
    html = page_text(client.get("/staff?unlinked=1"))
    assert "2 ideas moved to “Under review”." in html
    notes = db.session.scalars(select(IdeaStatusChange.note).where(IdeaStatusChange.idea_id == waiting.id))
    assert list(notes) == ["We are looking at these"]


def test_bulk_status_refuses_bad_input_and_changes_nothing(client, login, pm, board):
    linked, answered, waiting = board
    login(pm)
    response = client.post_form(
        "/staff/bulk-status",
        {"idea_ids": [str(answered.id)], "status": "declined", "status_note": ""},
        page="/staff",
        headers={"Referer": "/staff"},
    )
    assert response.status_code == 422
    assert "Say why the ideas are declined" in response.get_data(as_text=True)
    response = client.post_form("/staff/bulk-status", {"status": "planned"}, page="/staff")
    assert response.status_code == 422
    assert "Tick at least one idea" in response.get_data(as_text=True)
    assert answered.status == "open"
    member = login(make_user())
    refused = member.post_form("/staff/bulk-status", {"status": "planned"}, page="/ideas/")
    assert refused.status_code == 403
    # Without the form's token nothing happens.
    login(pm)
    client.post("/staff/bulk-status", data={"idea_ids": [str(waiting.id)], "status": "planned"})
    assert waiting.status == "open"


def test_the_csv_has_every_column_and_follows_the_filters(client, login, pm, admin, board):
    linked, answered, waiting = board
    enterprise = segments.create_segment(admin, "Enterprise", 3)
    segments.create_segment(admin, "Startup", 1)
    voter = make_user()
    votes.cast_vote(voter, waiting)
    segments.assign_emails(admin, enterprise, voter.email)
    ideas.update_idea(admin, waiting, title='=HYPERLINK("http://evil")')
    db.session.commit()
    login(pm)
    response = client.get("/staff/ideas.csv?sort=votes")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == [
        "id",
        "title",
        "status",
        "category",
        "votes",
        "votes_30d",
        "comments",
        "created_at",
        "first_staff_response_at",
        "segment: Enterprise",
        "segment: Startup",
        "roadmap_items",
        "url",
    ]
    by_id = {int(row["id"]): row for row in rows}
    assert [int(row["id"]) for row in rows] == [linked.id, waiting.id, answered.id]
    assert by_id[linked.id]["status"] == "planned"
    assert by_id[linked.id]["votes"] == "4"
    assert by_id[linked.id]["roadmap_items"] == "Scheduled exports"
    assert by_id[linked.id]["url"].endswith(f"/ideas/{linked.id}")
    assert by_id[answered.id]["category"] == "Reporting"
    assert by_id[answered.id]["first_staff_response_at"] != ""
    assert by_id[waiting.id]["first_staff_response_at"] == ""
    assert by_id[waiting.id]["segment: Enterprise"] == "1"
    assert by_id[waiting.id]["segment: Startup"] == "0"
    assert by_id[waiting.id]["votes_30d"] == "2"
    # A title that a spreadsheet would run as a formula is kept as text.
    assert by_id[waiting.id]["title"].startswith("'=HYPERLINK")
    filtered = list(
        csv.DictReader(io.StringIO(client.get("/staff/ideas.csv?unlinked=1").get_data(as_text=True)))
    )
    assert {int(row["id"]) for row in filtered} == {answered.id, waiting.id}
    weighted = list(
        csv.DictReader(io.StringIO(client.get("/staff/ideas.csv?weighted=1").get_data(as_text=True)))
    )
    assert {int(row["id"]): row["weighted_votes"] for row in weighted}[waiting.id] == "4"
    assert client.get("/staff/ideas.csv?from=nonsense").status_code == 400


def test_insights_draw_svg_charts_with_text(client, login, pm, board):
    launch = Launch(
        title="Pilot of scheduled exports",
        hypothesis="We believe",
        success_metric="Exports",
        capacity=10,
        enrolled_count=4,
        status="recruiting",
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(days=30),
        author_id=pm.id,
    )
    db.session.add(launch)
    db.session.commit()
    login(pm)
    html = page_text(client.get("/staff/insights"))
    assert html.count("<svg") >= 6
    assert 'role="img"' in html
    assert "<script" not in html.split("<main", 1)[1]
    assert 'style="' not in html
    # The charts say their numbers in words, and tables repeat them.
    assert "New ideas per week" in html
    assert re.search(r"<desc[^>]*>\d+ new ideas in all\.", html)
    assert "Pilot of scheduled exports: 4 of 10 seats filled" in html
    assert "Reporting" in html


def test_insights_say_as_of_when_their_figures_were_counted(client, login, pm, board):
    from app.services import insights

    counted_at = insights.refresh_figures(utcnow() - timedelta(minutes=3))
    db.session.commit()
    login(pm)
    html = page_text(client.get("/staff/insights"))
    assert f"as of {counted_at:%-d %b %Y, %H:%M} UTC" in html
    # A vote since then waits for the next count: the stored weeks are shown, not counted again.
    before = re.search(r"(\d+) votes? in all", html)
    votes.cast_vote(make_user(), board[2])
    db.session.commit()
    assert re.search(r"(\d+) votes? in all", page_text(client.get("/staff/insights"))).group(
        1
    ) == before.group(1)


def test_the_dashboard_takes_a_fixed_number_of_queries(client, login, pm, admin, count_queries):
    login(pm)
    enterprise = segments.create_segment(admin, "Enterprise", 3)
    first = make_idea(title="The very first idea")
    db.session.commit()

    def queries(url: str) -> int:
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    urls = ["/staff", "/staff?weighted=1", "/staff?sort=weighted", "/staff?sort=recent&unanswered=1"]
    few = [queries(url) for url in urls]
    categories.create_category(admin, "Reporting")
    item = roadmap.create_item(pm, "Reports")
    roadmap.link_idea(pm, item, first.id)
    for number in range(15):
        idea = make_idea(title=f"Idea number {number}", category="reporting" if number % 2 else None)
        people = [make_user() for _ in range(2)]
        for person in people:
            votes.cast_vote(person, idea)
        segments.assign_emails(admin, enterprise, people[0].email)
        roadmap.link_idea(pm, item, idea.id, plan=False)
        comments.add_comment(people[1], idea, "Me too")
    segments.create_segment(admin, "Startup", 1)
    db.session.commit()
    assert [queries(url) for url in urls] == few


def test_why_this_rank_shows_to_staff_and_to_members_once_the_setting_is_on(client, login, pm, admin):
    idea = make_idea(title="Dark mode for the editor")
    for person in [make_user() for _ in range(2)]:
        votes.cast_vote(person, idea)
    db.session.commit()
    login(pm)
    html = page_text(client.get(f"/ideas/{idea.id}"))
    assert "Why this rank?" in html
    assert "Age decay" in html
    assert "Trending score" in html
    login(make_user())
    assert "Why this rank?" not in page_text(client.get(f"/ideas/{idea.id}"))
    anonymous = client.application.test_client()
    assert "Why this rank?" not in page_text(anonymous.get(f"/ideas/{idea.id}"))
    settings.update_settings(admin, ranking_explanations_public=True)
    db.session.commit()
    assert "Why this rank?" in page_text(client.get(f"/ideas/{idea.id}"))
    assert "Why this rank?" in page_text(anonymous.get(f"/ideas/{idea.id}"))


def test_why_this_rank_shows_numbers_that_add_up(client, login, pm):
    idea = make_idea(title="Dark mode for the editor")
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values(created_at=datetime(2026, 1, 5, tzinfo=UTC))
    )
    people = [make_user() for _ in range(3)]
    for age, person in zip((1, 10, 60), people, strict=True):
        votes.add_vote(idea, person.id, voted_at=utcnow() - timedelta(days=age))
    db.session.commit()
    login(pm)
    html = page_text(client.get(f"/ideas/{idea.id}"))
    block = html.split('id="rank"', 1)[1].split("</details>", 1)[0]
    shown = [float(value) for value in re.findall(r'class="rank-why__number">(\d+\.\d\d)<', block)]
    *parts, total = shown
    assert len(parts) == 3
    assert round(sum(parts), 2) == total
    decay = float(re.search(r"<dt>Age decay</dt><dd>− (\d+\.\d\d)</dd>", block).group(1))
    assert round(4 - decay, 2) == total


def test_an_admin_manages_segments_and_their_members(client, login, admin):
    login(admin)
    assert 'href="/admin/segments"' in page_text(client.get("/admin/users"))
    response = client.post_form(
        "/admin/segments", {"name": "Enterprise", "weight": "3", "description": "50+ seats"}
    )
    assert response.status_code == 302
    segment = db.session.scalar(select(Segment))
    assert (segment.name, segment.weight) == ("Enterprise", 3.0)
    url = f"/admin/segments/{segment.id}"
    assert response.headers["Location"] == url
    ana = make_user(email="ana@example.com", name="Ana")
    make_user(email="ben@example.com", name="Ben")
    response = client.post_form(
        f"{url}/members", {"emails": "ana@example.com\nben@example.com, who@example.com"}, page=url
    )
    assert response.status_code == 302
    html = page_text(client.get(url))
    assert "Added to “Enterprise”: ana@example.com, ben@example.com." in html
    assert "No account with these addresses: who@example.com." in html
    assert ">Ana</a>" in html
    assert ">Ben</a>" in html
    client.post_form(f"{url}/members/{ana.id}/remove", page=url)
    assert db.session.scalar(select(UserSegment.user_id).where(UserSegment.user_id == ana.id)) is None
    response = client.post_form(url, {"name": "Enterprise plan", "weight": "2.5", "description": ""})
    assert response.status_code == 302
    assert (segment.name, segment.weight) == ("Enterprise plan", 2.5)
    listing = page_text(client.get("/admin/segments"))
    assert "Enterprise plan" in listing
    assert "× 2.5" in listing
    assert "Segment “Enterprise plan”" in page_text(client.get("/admin/audit"))
    client.post_form(f"{url}/delete", page=url)
    assert db.session.scalar(select(Segment)) is None
    actions = [entry.action for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == [
        "segment.create",
        "segment.assign",
        "segment.unassign",
        "segment.update",
        "segment.delete",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "weight": "1"}, "Give the segment a name"),
        ({"name": "Startup", "weight": "0"}, "above 0 and at most 100"),
        ({"name": "Startup", "weight": "lots"}, "above 0 and at most 100"),
        ({"name": "Startup", "weight": ""}, "above 0 and at most 100"),
    ],
)
def test_bad_segments_get_a_clear_message(client, login, admin, data, message):
    login(admin)
    response = client.post_form("/admin/segments", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Segment)) is None


def test_only_admins_open_the_segment_pages(client, login, admin):
    segment = segments.create_segment(admin, "Enterprise", 3)
    db.session.commit()
    login(make_user(role="product_manager"))
    assert client.get("/admin/segments").status_code == 403
    assert client.get(f"/admin/segments/{segment.id}").status_code == 403


def test_the_setting_is_on_the_settings_page(client, login, admin):
    login(admin)
    html = page_text(client.get("/admin/settings"))
    assert 'id="ranking_explanations_public"' in html
    client.post_form(
        "/admin/settings",
        {
            "premoderation_first_posts": "3",
            "premoderation_max_links": "2",
            "ranking_explanations_public": "y",
        },
    )
    assert settings.get_settings()["ranking_explanations_public"] is True
    assert "“Why this rank?” for everyone" in page_text(client.get("/admin/audit"))
