"""Input no column can hold is refused with the API's error shape, never a 500.

Each case was a 500 the fuzzer (tests/api/test_fuzz_openapi.py) found or led to: ids past
32 bits, pages past any list, times at the edge of the calendar, digits int() does not read,
and NUL characters (which PostgreSQL refuses).
"""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.idea import Idea
from tests.factories import ApiCaller, make_idea, make_prototype_row

HUGE = 99999999999999999999
EDGE_LATE = "9999-12-31T23:59:59-05:00"  # past the last day of the calendar in UTC
EDGE_EARLY = "0001-01-01T00:00:00+05:00"  # before the first


@pytest.fixture
def admin(app) -> ApiCaller:
    return ApiCaller("admin")


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"]["code"] == code
    return response.json["error"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"/api/v1/ideas/{HUGE}"),
        ("get", f"/api/v1/ideas/{2**31}/comments"),
        ("post", f"/api/v1/ideas/{HUGE}/vote"),
        ("delete", f"/api/v1/roadmap/{HUGE}/ideas/1"),
    ],
)
def test_an_id_past_any_row_is_not_found(client, admin, method, path):
    response = client.open(path, method=method.upper(), headers=admin.headers)

    error_of(response, 404, "not_found")


@pytest.mark.parametrize(
    "query",
    [
        f"/api/v1/ideas?page={HUGE}",
        f"/api/v1/ideas?page={2**31}",
        "/api/v1/ideas?page=²",
        "/api/v1/ideas?per_page=١٠",
        f"/api/v1/audit?actor_id={HUGE}",
        "/api/v1/audit?actor_id=²",
        f"/api/v1/audit?since={EDGE_LATE.replace('+', '%2B')}",
        f"/api/v1/audit?since={EDGE_EARLY.replace('+', '%2B')}",
        "/api/v1/audit?until=9999-12-31",
        "/api/v1/ideas?q=%00",
        "/api/v1/ideas?category=a%00b",
    ],
)
def test_query_parameters_no_column_can_hold_are_bad_requests(client, admin, query):
    error = error_of(client.get(query, headers=admin.headers), 400, "bad_request")

    assert error["message"]


def test_a_huge_id_in_a_body_is_named_and_nothing_is_stored(client, admin):
    make_idea(title="An idea to flag")

    response = client.post(
        "/api/v1/flags",
        json={"target_type": "idea", "target_id": HUGE, "reason": "spam"},
        headers=admin.headers,
    )

    assert error_of(response, 422, "validation_error")["fields"] == {
        "target_id": ["Numbers here go up to 2,147,483,647."]
    }


@pytest.mark.parametrize("field", ["title", "body", "category"])
def test_text_with_nul_is_refused_and_nothing_is_stored(client, admin, field):
    body = {"title": "Export reports to CSV", "body": "Please.", field: "with\x00nul"}

    response = client.post("/api/v1/ideas", json=body, headers=admin.headers)

    assert "NUL" in error_of(response, 400, "bad_request")["message"]
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 0


@pytest.mark.parametrize("moment", [EDGE_LATE, EDGE_EARLY])
def test_a_launch_time_at_the_calendars_edge_is_a_field_error(client, admin, moment):
    body = {
        "title": "Weekly summary pilot",
        "hypothesis": "We believe summaries bring people back.",
        "success_metric": "Share active in week 4",
        "capacity": 5,
        "starts_at": moment,
        "ends_at": "2030-01-01T00:00:00Z",
    }

    response = client.post("/api/v1/launches", json=body, headers=admin.headers)

    assert "starts_at" in error_of(response, 422, "validation_error")["fields"]


def test_a_round_time_at_the_calendars_edge_is_a_field_error(client, admin):
    prototype = make_prototype_row()
    body = {
        "title": "Round 1",
        "opens_at": "2030-01-01T00:00:00Z",
        "closes_at": EDGE_LATE,
        "questions": [{"kind": "text", "prompt": "Anything else?"}],
    }

    response = client.post(f"/api/v1/prototypes/{prototype.id}/rounds", json=body, headers=admin.headers)

    assert "closes_at" in error_of(response, 422, "validation_error")["fields"]
