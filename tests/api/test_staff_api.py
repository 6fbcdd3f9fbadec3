"""GET /api/v1/staff/top-ideas: ranked ideas with recent votes, segments and roadmap items."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models.base import utcnow
from app.models.idea import Idea, IdeaVote
from app.services import categories, comments, roadmap, segments, votes
from tests.factories import ApiCaller, make_idea, make_user

URL = "/api/v1/staff/top-ideas"


@pytest.fixture
def staff(app) -> ApiCaller:
    return ApiCaller("product_manager", "Pat Manager")


@pytest.fixture
def ranked(staff):
    """Three ideas with 4, 2 and 1 votes; the first on the roadmap, the second answered by staff."""
    admin = make_user(role="admin")
    categories.create_category(admin, "Reports")
    enterprise = segments.create_segment(admin, "Enterprise", 3)
    top = make_idea(title="Most wanted idea")
    middle = make_idea(title="Second most wanted", category="reports")
    bottom = make_idea(title="Least wanted idea")
    people = [make_user() for _ in range(3)]
    for person in people:
        votes.cast_vote(person, top)
    votes.cast_vote(people[0], middle)
    segments.assign_emails(admin, enterprise, people[0].email)
    item = roadmap.create_item(staff.user, "Scheduled exports", status="planned")
    roadmap.link_idea(staff.user, item, top.id)
    comments.add_comment(staff.user, middle, "Thanks, noted.")
    db.session.commit()
    return top, middle, bottom, item, enterprise


def test_staff_get_ranked_ideas_with_recent_votes_and_roadmap_items(client, staff, ranked):
    top, middle, bottom, item, enterprise = ranked
    response = client.get(URL, headers=staff.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["page"], body["per_page"], body["total"], body["sort"]) == (1, 25, 3, "votes")
    assert [entry["id"] for entry in body["items"]] == [top.id, middle.id, bottom.id]
    first = body["items"][0]
    assert first["title"] == "Most wanted idea"
    assert first["vote_count"] == 4
    assert first["votes_30d"] == 4
    assert first["rank"] == 1
    assert first["roadmap_items"] == [{"id": item.id, "title": "Scheduled exports", "status": "planned"}]
    assert first["segment_votes"] == [{"id": enterprise.id, "name": "Enterprise", "votes": 1}]
    assert first["weighted_votes"] is None
    assert first["author"]["display_name"]
    assert first["url"].endswith(f"/ideas/{top.id}")
    assert body["items"][2]["roadmap_items"] == []
    assert body["segments"] == [{"id": enterprise.id, "name": "Enterprise", "weight": 3.0}]


def test_votes_30d_leave_older_votes_out(client, staff, ranked):
    top = ranked[0]
    db.session.execute(
        update(IdeaVote).where(IdeaVote.idea_id == top.id).values(created_at=utcnow() - timedelta(days=31))
    )
    db.session.commit()
    body = client.get(f"{URL}?sort=recent", headers=staff.headers).get_json()
    by_id = {entry["id"]: entry for entry in body["items"]}
    assert by_id[top.id]["votes_30d"] == 0
    assert by_id[top.id]["vote_count"] == 4
    assert [entry["id"] for entry in body["items"]][-1] == top.id


def test_filters(client, staff, ranked):
    top, middle, bottom, item, enterprise = ranked

    def ids(query: str) -> list[int]:
        response = client.get(f"{URL}?{query}", headers=staff.headers)
        assert response.status_code == 200, response.get_json()
        return [entry["id"] for entry in response.get_json()["items"]]

    assert ids("unlinked=1") == [middle.id, bottom.id]
    # Linking moved the top idea to planned: a staff status change is a response.
    assert ids("unanswered=1") == [bottom.id]
    assert ids("category=reports") == [middle.id]
    assert ids("status=planned") == [top.id]
    assert ids("sort=comments") == [middle.id, bottom.id, top.id]
    today = utcnow().date()
    assert ids(f"from={today.isoformat()}&to={today.isoformat()}") == [top.id, middle.id, bottom.id]
    assert ids(f"to={(today - timedelta(days=1)).isoformat()}") == []
    assert ids("per_page=1&page=2") == [middle.id]


def test_weighted_votes_come_with_the_raw_count(client, staff, ranked):
    top, middle, bottom, item, enterprise = ranked
    body = client.get(f"{URL}?weighted=1", headers=staff.headers).get_json()
    by_id = {entry["id"]: entry for entry in body["items"]}
    # Top: its author and two plain voters at 1, the Enterprise voter at 3.
    assert (by_id[top.id]["vote_count"], by_id[top.id]["weighted_votes"]) == (4, 6.0)
    assert (by_id[middle.id]["vote_count"], by_id[middle.id]["weighted_votes"]) == (2, 4.0)
    assert body["weighted"] is True
    ordered = client.get(f"{URL}?sort=weighted", headers=staff.headers).get_json()
    assert [entry["weighted_votes"] for entry in ordered["items"]] == [6.0, 4.0, 1.0]


@pytest.mark.parametrize(
    ("query", "status", "text"),
    [
        ("sort=loudest", 400, "`sort` must be one of"),
        ("status=merged", 400, "`status` must be one of"),
        ("unlinked=maybe", 400, "`unlinked` must be 1 or 0"),
        ("from=yesterday", 400, "`from` must be a date like 2026-03-12"),
        ("from=2026-03-10&to=2026-03-01", 422, "The end date is before the start date."),
        ("per_page=500", 400, "`per_page` must be a whole number between 1 and 100"),
    ],
)
def test_bad_query_values_get_a_clear_message(client, staff, ranked, query, status, text):
    response = client.get(f"{URL}?{query}", headers=staff.headers)
    assert response.status_code == status
    assert text in response.get_json()["error"]["message"]


def test_only_staff_may_ask(client, app):
    assert client.get(URL).status_code == 401
    for role in ("member", "moderator"):
        caller = ApiCaller(role)
        response = client.get(URL, headers=caller.headers)
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
    assert client.get(URL, headers=ApiCaller("admin").headers).status_code == 200


def test_merged_and_deleted_ideas_are_left_out(client, staff, ranked):
    top, middle, bottom, item, enterprise = ranked
    db.session.execute(update(Idea).where(Idea.id == bottom.id).values(deleted_at=utcnow()))
    db.session.execute(
        update(Idea).where(Idea.id == middle.id).values(status="merged", merged_into_id=top.id)
    )
    db.session.commit()
    body = client.get(URL, headers=staff.headers).get_json()
    assert [entry["id"] for entry in body["items"]] == [top.id]
