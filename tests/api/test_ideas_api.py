"""The ideas API: categories, the list, one idea, proposing, editing, status, votes, similar ideas."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.base import utcnow
from app.models.idea import Idea, IdeaStatusChange, IdeaVote
from app.services import categories, ideas, votes
from tests.factories import ApiCaller, make_idea, make_user

IDEA_FIELDS = {
    "id",
    "title",
    "body",
    "body_html",
    "status",
    "category",
    "author",
    "vote_count",
    "comment_count",
    "voted",
    "locked",
    "merged_into",
    "roadmap_items",
    "created_at",
    "updated_at",
    "url",
}


@pytest.fixture
def member(app) -> ApiCaller:
    return ApiCaller("member", "Mia Member")


@pytest.fixture
def other(app) -> ApiCaller:
    return ApiCaller("member", "Otto Other")


@pytest.fixture
def staff(app) -> ApiCaller:
    return ApiCaller("product_manager", "Pat Manager")


@pytest.fixture
def reports(app):
    categories.create_category(None, "Reports")
    categories.create_category(None, "Mobile")
    db.session.commit()


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def idea_total() -> int:
    return db.session.scalar(select(func.count()).select_from(Idea))


# --- categories ------------------------------------------------------------------------------


def test_categories_are_listed_in_order_for_anyone(client, reports):
    response = client.get("/api/v1/categories")
    assert response.status_code == 200
    items = response.json["items"]
    assert [(item["slug"], item["name"]) for item in items] == [("reports", "Reports"), ("mobile", "Mobile")]
    assert set(items[0]) == {"id", "slug", "name"}


def test_no_categories_is_an_empty_list(client):
    assert client.get("/api/v1/categories").json == {"items": []}


# --- the list --------------------------------------------------------------------------------


def test_the_list_pages_ideas_with_the_callers_own_votes(client, member, other, reports):
    mine = make_idea(member.user, "My idea about reports", "Some **detail**.", "reports").id
    theirs = make_idea(other.user, "Their idea about phones").id
    response = client.get("/api/v1/ideas", headers=member.headers)
    assert response.status_code == 200
    body = response.json
    assert (body["page"], body["per_page"], body["total"]) == (1, 25, 2)
    by_id = {item["id"]: item for item in body["items"]}
    assert set(by_id[mine]) >= IDEA_FIELDS
    assert by_id[mine]["voted"] is True
    assert by_id[theirs]["voted"] is False
    assert by_id[mine]["category"] == {"slug": "reports", "name": "Reports"}
    assert by_id[theirs]["category"] is None
    assert by_id[mine]["author"] == {"id": member.id, "display_name": "Mia Member", "role": "member"}
    assert by_id[mine]["body_html"].strip() == "<p>Some <strong>detail</strong>.</p>"
    assert by_id[mine]["created_at"].endswith("Z")
    assert by_id[mine]["url"].endswith(f"/ideas/{mine}")

    anonymous = client.get("/api/v1/ideas").json
    assert [item["voted"] for item in anonymous["items"]] == [False, False]


def test_the_list_sorts_and_filters(client, member, other, staff, reports):
    quiet = make_idea(member.user, "Quiet report idea", category="reports").id
    popular = make_idea(member.user, "Popular phone idea", category="mobile").id
    planned = make_idea(member.user, "Planned report idea", category="reports").id
    votes.cast_vote(other.user, db.session.get(Idea, popular))
    votes.cast_vote(staff.user, db.session.get(Idea, popular))
    ideas.change_status(staff.user, db.session.get(Idea, planned), "planned")
    ideas.touch_comment_count(quiet, 3)
    db.session.commit()

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/ideas?{query}")
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json["items"]]

    assert ids("")[0] == popular
    assert ids("sort=top") == [popular, planned, quiet]
    assert ids("sort=new") == [planned, popular, quiet]
    assert ids("sort=discussed") == [quiet, planned, popular]
    assert ids("status=planned") == [planned]
    assert ids("category=reports&sort=new") == [planned, quiet]
    assert ids("category=nowhere") == []
    assert ids("q=phone") == [popular]
    assert ids("q=report&sort=new") == [planned, quiet]
    assert ids("sort=top&per_page=2&page=2") == [quiet]
    assert client.get("/api/v1/ideas?per_page=2").json["total"] == 3


def test_mine_and_voted_filters_follow_the_token(client, member, other):
    mine = make_idea(member.user, "Mine to list").id
    theirs = make_idea(other.user, "Theirs to list").id
    assert [i["id"] for i in client.get("/api/v1/ideas?mine=1", headers=member.headers).json["items"]] == [
        mine
    ]
    assert [i["id"] for i in client.get("/api/v1/ideas?mine=1", headers=other.headers).json["items"]] == [
        theirs
    ]
    assert client.get("/api/v1/ideas?voted=1").json["items"] == []


@pytest.mark.parametrize(
    "query",
    ["sort=best", "status=finished", "page=0", "page=x", "per_page=0", "per_page=101", "mine=maybe"],
)
def test_bad_list_parameters_are_400(client, query):
    error = assert_error(client.get(f"/api/v1/ideas?{query}"), 400, "bad_request")
    assert query.split("=")[0] in error["message"]


def test_the_list_loads_authors_and_categories_in_a_fixed_number_of_queries(
    client, member, reports, count_queries
):
    def queries_for_list() -> int:
        with count_queries() as queries:
            assert client.get("/api/v1/ideas", headers=member.headers).status_code == 200
        return len(queries)

    make_idea(make_user(), "The first idea here", category="reports")
    queries_for_list()  # the token's first use stores its last-used time once
    few = queries_for_list()
    for n in range(10):
        make_idea(make_user(), f"Another idea {n}", category="mobile" if n % 2 else "reports")
    queries_for_list()  # new ideas: the kept total is counted again once
    assert queries_for_list() == few


# --- one idea --------------------------------------------------------------------------------


def test_one_idea_for_anyone(client, member):
    idea_id = make_idea(member.user, "An idea to read", "Body text").id
    response = client.get(f"/api/v1/ideas/{idea_id}")
    assert response.status_code == 200
    assert set(response.json) >= IDEA_FIELDS
    assert (response.json["title"], response.json["voted"], response.json["vote_count"]) == (
        "An idea to read",
        False,
        1,
    )
    assert client.get(f"/api/v1/ideas/{idea_id}", headers=member.headers).json["voted"] is True


def test_a_merged_idea_answers_with_merged_into(client, member):
    target = make_idea(member.user, "The surviving idea").id
    merged = db.session.get(Idea, make_idea(member.user, "The merged idea").id)
    merged.status, merged.merged_into_id = "merged", target
    db.session.commit()
    response = client.get(f"/api/v1/ideas/{merged.id}")
    assert response.status_code == 200
    assert (response.json["status"], response.json["merged_into"]) == ("merged", target)


def test_an_unknown_idea_is_404(client, member):
    assert_error(client.get("/api/v1/ideas/999"), 404, "not_found")
    assert_error(
        client.patch("/api/v1/ideas/999", json={"title": "A new title"}, headers=member.headers),
        404,
        "not_found",
    )
    assert_error(client.post("/api/v1/ideas/999/vote", headers=member.headers), 404, "not_found")
    assert_error(client.delete("/api/v1/ideas/999/vote", headers=member.headers), 404, "not_found")


# --- proposing -------------------------------------------------------------------------------


def test_propose_an_idea(client, member, reports):
    response = client.post(
        "/api/v1/ideas",
        json={"title": "  Export   reports as CSV ", "body": "Monthly *totals*.", "category": "reports"},
        headers=member.headers,
    )
    assert response.status_code == 201
    idea = response.json
    assert set(idea) >= IDEA_FIELDS
    assert idea["title"] == "Export reports as CSV"
    assert idea["body"] == "Monthly *totals*."
    assert "<em>totals</em>" in idea["body_html"]
    assert idea["category"] == {"slug": "reports", "name": "Reports"}
    assert idea["author"]["id"] == member.id
    assert (idea["status"], idea["vote_count"], idea["voted"], idea["locked"]) == ("open", 1, True, False)
    assert response.headers["Location"] == idea["url"]
    assert db.session.get(Idea, idea["id"]).title == "Export reports as CSV"


def test_propose_with_only_a_title(client, member):
    response = client.post("/api/v1/ideas", json={"title": "Just a title"}, headers=member.headers)
    assert response.status_code == 201
    assert (response.json["body"], response.json["category"]) == ("", None)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": " Abcd "}, "title"),
        ({"body": "No title at all"}, "title"),
        ({"title": "t" * 121}, "title"),
        ({"title": "A fine title", "body": "b" * 10_001}, "body"),
        ({"title": "A fine title", "category": "nowhere"}, "category"),
        ({"title": 12345}, "title"),
        ({"title": "A fine title", "body": ["not", "text"]}, "body"),
    ],
)
def test_bad_fields_are_422_and_nothing_is_saved(client, member, payload, field):
    error = assert_error(
        client.post("/api/v1/ideas", json=payload, headers=member.headers), 422, "validation_error"
    )
    assert error["fields"][field]
    assert error["message"] == error["fields"][field][0]
    assert idea_total() == 0


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("not json", "application/json"),
        ('["a list"]', "application/json"),
        ('"text"', "application/json"),
        ('{"title": "Form post"}', "text/plain"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_400(client, member, data, content_type):
    response = client.post("/api/v1/ideas", data=data, content_type=content_type, headers=member.headers)
    assert_error(response, 400, "bad_request")
    assert idea_total() == 0


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer cc_wrong"}])
def test_proposing_needs_a_valid_token(client, headers):
    assert_error(
        client.post("/api/v1/ideas", json={"title": "Anonymous idea"}, headers=headers), 401, "unauthorized"
    )
    assert idea_total() == 0


# --- editing and status ----------------------------------------------------------------------


def test_the_author_edits_within_the_window(client, member, reports):
    idea_id = make_idea(member.user, "Original title", "Original body", "reports").id
    response = client.patch(
        f"/api/v1/ideas/{idea_id}",
        json={"title": "Edited title", "category": "mobile"},
        headers=member.headers,
    )
    assert response.status_code == 200
    assert (response.json["title"], response.json["body"], response.json["category"]["slug"]) == (
        "Edited title",
        "Original body",
        "mobile",
    )
    response = client.patch(f"/api/v1/ideas/{idea_id}", json={"category": None}, headers=member.headers)
    assert response.json["category"] is None
    assert db.session.get(Idea, idea_id).category_id is None


def test_the_author_cannot_edit_after_the_window_but_staff_can(client, member, staff):
    idea_id = make_idea(member.user, "Original title").id
    db.session.get(Idea, idea_id).created_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    assert_error(
        client.patch(f"/api/v1/ideas/{idea_id}", json={"title": "Too late"}, headers=member.headers),
        403,
        "forbidden",
    )
    assert db.session.get(Idea, idea_id).title == "Original title"
    response = client.patch(
        f"/api/v1/ideas/{idea_id}", json={"body": "Clarified by staff"}, headers=staff.headers
    )
    assert response.status_code == 200
    assert response.json["body"] == "Clarified by staff"


def test_others_cannot_edit(client, member, other):
    idea_id = make_idea(member.user, "Original title").id
    assert_error(
        client.patch(f"/api/v1/ideas/{idea_id}", json={"title": "Not mine"}, headers=other.headers),
        403,
        "forbidden",
    )
    assert_error(client.patch(f"/api/v1/ideas/{idea_id}", json={"title": "Not mine"}), 401, "unauthorized")
    assert db.session.get(Idea, idea_id).title == "Original title"


def test_bad_edits_are_422(client, member):
    idea_id = make_idea(member.user, "Original title").id
    error = assert_error(
        client.patch(f"/api/v1/ideas/{idea_id}", json={"title": "abc"}, headers=member.headers),
        422,
        "validation_error",
    )
    assert "title" in error["fields"]
    assert db.session.get(Idea, idea_id).title == "Original title"


@pytest.mark.parametrize(("data", "status"), [("[]", 400), ("{}", 400), ("nope", 400)])
def test_an_edit_needs_a_json_object_with_something_to_change(client, member, data, status):
    idea_id = make_idea(member.user, "Original title").id
    response = client.patch(
        f"/api/v1/ideas/{idea_id}", data=data, content_type="application/json", headers=member.headers
    )
    assert_error(response, status, "bad_request")


def test_staff_change_status_with_a_note_and_it_is_kept(client, member, staff):
    idea_id = make_idea(member.user, "An idea to plan").id
    response = client.patch(
        f"/api/v1/ideas/{idea_id}",
        json={"status": "planned", "status_note": "Next quarter."},
        headers=staff.headers,
    )
    assert response.status_code == 200
    assert response.json["status"] == "planned"
    change = db.session.scalar(select(IdeaStatusChange))
    assert (change.from_status, change.to_status, change.actor_id, change.note) == (
        "open",
        "planned",
        staff.id,
        "Next quarter.",
    )


def test_staff_edit_fields_and_status_together_or_not_at_all(client, member, staff):
    idea_id = make_idea(member.user, "An idea to decline").id
    error = assert_error(
        client.patch(
            f"/api/v1/ideas/{idea_id}",
            json={"title": "Renamed idea", "status": "declined"},
            headers=staff.headers,
        ),
        422,
        "validation_error",
    )
    assert "status_note" in error["fields"]
    stored = db.session.get(Idea, idea_id)
    assert (stored.title, stored.status) == ("An idea to decline", "open")  # the title change was undone too

    response = client.patch(
        f"/api/v1/ideas/{idea_id}",
        json={"title": "Renamed idea", "status": "declined", "status_note": "Out of scope."},
        headers=staff.headers,
    )
    assert (response.json["title"], response.json["status"]) == ("Renamed idea", "declined")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "merged"}, "status"),
        ({"status": "someday"}, "status"),
        ({"status": 3}, "status"),
        ({"status_note": "A note without a status"}, "status_note"),
    ],
)
def test_bad_status_changes_are_422(client, member, staff, payload, field):
    idea_id = make_idea(member.user, "An idea").id
    error = assert_error(
        client.patch(f"/api/v1/ideas/{idea_id}", json=payload, headers=staff.headers), 422, "validation_error"
    )
    assert field in error["fields"]
    assert db.session.get(Idea, idea_id).status == "open"


def test_setting_the_status_an_idea_has_changes_nothing_but_is_still_staff_only(client, member, staff):
    from app.models.idea import IdeaStatusChange

    idea_id = make_idea(member.user, "An idea").id
    response = client.patch(f"/api/v1/ideas/{idea_id}", json={"status": "open"}, headers=staff.headers)
    assert (response.status_code, response.json["status"]) == (200, "open")
    assert db.session.scalar(select(func.count(IdeaStatusChange.id))) == 0
    assert_error(
        client.patch(f"/api/v1/ideas/{idea_id}", json={"status": "open"}, headers=member.headers),
        403,
        "forbidden",
    )


def test_members_cannot_change_status(client, member):
    idea_id = make_idea(member.user, "My own idea").id
    assert_error(
        client.patch(f"/api/v1/ideas/{idea_id}", json={"status": "shipped"}, headers=member.headers),
        403,
        "forbidden",
    )
    assert db.session.get(Idea, idea_id).status == "open"


def test_a_merged_ideas_status_is_a_conflict(client, member, staff):
    target = make_idea(member.user, "The surviving idea").id
    merged = db.session.get(Idea, make_idea(member.user, "The merged idea").id)
    merged.status, merged.merged_into_id = "merged", target
    db.session.commit()
    assert_error(
        client.patch(f"/api/v1/ideas/{merged.id}", json={"status": "planned"}, headers=staff.headers),
        409,
        "conflict",
    )


# --- votes -----------------------------------------------------------------------------------


def test_vote_and_unvote_are_idempotent(client, member, other):
    idea_id = make_idea(member.user, "Export reports as CSV").id
    url = f"/api/v1/ideas/{idea_id}/vote"
    for _ in range(2):
        response = client.post(url, headers=other.headers)
        assert response.status_code == 200
        assert response.json == {"voted": True, "vote_count": 2}
    assert client.get(f"/api/v1/ideas/{idea_id}", headers=other.headers).json["voted"] is True
    for _ in range(2):
        response = client.delete(url, headers=other.headers)
        assert response.status_code == 200
        assert response.json == {"voted": False, "vote_count": 1}
    rows = db.session.scalar(select(func.count()).select_from(IdeaVote).where(IdeaVote.idea_id == idea_id))
    assert rows == db.session.get(Idea, idea_id).vote_count == 1


@pytest.mark.parametrize("status", ["declined", "merged"])
def test_votes_on_closed_ideas_are_409(client, member, other, status):
    target = make_idea(member.user, "The surviving idea").id
    idea = db.session.get(Idea, make_idea(member.user, "A closed idea").id)
    idea.status = status
    idea.merged_into_id = target if status == "merged" else None
    db.session.commit()
    error = assert_error(client.post(f"/api/v1/ideas/{idea.id}/vote", headers=other.headers), 409, "conflict")
    assert status[:-1] in error["message"]  # "declined" / "merged"
    assert db.session.get(Idea, idea.id).vote_count == 1


def test_votes_on_locked_ideas_are_403(client, member, other):
    idea = db.session.get(Idea, make_idea(member.user, "Export reports as CSV").id)
    idea.is_locked = True
    db.session.commit()
    assert_error(client.post(f"/api/v1/ideas/{idea.id}/vote", headers=other.headers), 403, "forbidden")
    assert_error(client.delete(f"/api/v1/ideas/{idea.id}/vote", headers=member.headers), 403, "forbidden")
    assert db.session.get(Idea, idea.id).vote_count == 1


def test_voting_needs_a_token(client, member):
    idea_id = make_idea(member.user, "Export reports as CSV").id
    assert_error(client.post(f"/api/v1/ideas/{idea_id}/vote"), 401, "unauthorized")
    assert_error(client.delete(f"/api/v1/ideas/{idea_id}/vote"), 401, "unauthorized")
    assert db.session.get(Idea, idea_id).vote_count == 1


# --- similar ideas ---------------------------------------------------------------------------


def test_similar_ideas_best_first_and_at_most_five(client, member):
    best = make_idea(member.user, "Calendar sync with Outlook").id
    for n in range(6):
        make_idea(member.user, f"Calendar export {n}")
    response = client.get("/api/v1/ideas/similar?q=Sync my calendar with Outlook")
    assert response.status_code == 200
    items = response.json["items"]
    assert len(items) == 5
    assert items[0] == {"id": best, "title": "Calendar sync with Outlook", "status": "open", "vote_count": 1}


def test_similar_ideas_leave_out_merged_ones_and_stopwords(client, member):
    target = make_idea(member.user, "Dark theme").id
    merged = db.session.get(Idea, make_idea(member.user, "Dark mode").id)
    merged.status, merged.merged_into_id = "merged", target
    db.session.commit()
    assert [item["id"] for item in client.get("/api/v1/ideas/similar?q=dark mode").json["items"]] == [target]
    assert client.get("/api/v1/ideas/similar?q=how can I do this").json == {"items": []}
    assert client.get("/api/v1/ideas/similar").json == {"items": []}
