"""Schemathesis fuzzes every operation of the app's own OpenAPI document through the WSGI app.

No answer may be a 5xx, every 405 must say `Allow`, and every answer must match the schema the
document gives for its status. One app and database serve the whole run (the fuzzer changes them
as it goes), with rate limits off. Each operation is fuzzed twice: as a member, who is refused
much and reaches the member's paths, and as an admin, who may reach every operation.
"""

import copy
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, unsupported_method

from app import create_app
from app.api.openapi import document
from app.extensions import db
from app.models.base import utcnow
from app.services import categories as category_service
from app.services import comments, launches, moderation, prototypes, roadmap, rounds
from app.services.launches import AssumptionInput
from app.services.prototypes import LinkInput
from tests.conftest import ON_POSTGRES, _empty_tables, make_config
from tests.factories import ApiCaller, make_idea, make_user

# Objects of each kind the seed makes; path ids are drawn from 1..SEEDED + 1, so most requests
# reach an object (and its handler's logic) instead of stopping at a 404.
SEEDED = 3
EXAMPLES = 12

QUESTIONS = [
    {"kind": "rating", "prompt": "How easy was it?", "required": True},
    {"kind": "nps", "prompt": "Would you recommend it?"},
    {"kind": "choice", "prompt": "Which plan?", "options": ["Basic", "Pro"]},
    {"kind": "multi", "prompt": "What did you use?", "options": ["Search", "Export"]},
    {"kind": "text", "prompt": "Anything else?"},
]


def fuzz_document() -> dict:
    """The served document, with integer path parameters bounded to the seeded ids."""
    doc = copy.deepcopy(document())
    for item in doc["paths"].values():
        for operation in item.values():
            for param in operation.get("parameters", []):
                if param["in"] == "path" and param["schema"].get("type") == "integer":
                    param["schema"] = {**param["schema"], "maximum": SEEDED + 1}
    return doc


schema = schemathesis.openapi.from_dict(fuzz_document())


def seed() -> dict[str, dict[str, str]]:
    """A few objects of every kind, made through the services; returns each role's headers."""
    admin = ApiCaller("admin")
    caller = ApiCaller("member")
    staff = make_user("product_manager")
    member = make_user("member")
    now = utcnow().replace(microsecond=0)
    category_service.create_category(None, "Reports", "reports")
    ideas = [make_idea(member if n % 2 else staff, f"Seeded idea {n}", "Some *text*.") for n in range(4)]
    for idea in ideas[:SEEDED]:
        comment = comments.add_comment(member, idea, "A first comment.")
        comments.add_comment(staff, idea, "A reply.", comment.id)
    for n in range(SEEDED):
        prototype = prototypes.create_prototype(
            staff,
            f"Seeded prototype {n}",
            "Try it.",
            idea_ids=[ideas[n].id],
            links=[LinkInput(url="https://example.com/demo", label="Demo")],
            status="published",
        )
        comments.add_prototype_comment(member, prototype, "Looks good.")
        opens, closes = now - timedelta(hours=1), now + timedelta(days=3)
        rounds.create_round(staff, prototype, f"Round {n}", opens, closes, QUESTIONS)
        launches.create_launch(
            staff,
            title=f"Seeded launch {n}",
            hypothesis="We believe summaries will bring people back.",
            success_metric="Share active in week 4",
            capacity=2,
            starts_at=now + timedelta(days=7),
            ends_at=now + timedelta(days=21),
            assumptions=[AssumptionInput("value", "People read the summary")],
            idea_ids=[ideas[n].id],
            status="recruiting",
        )
        item = roadmap.create_item(staff, f"Seeded item {n}", description="Planned work.", target="2027 Q1")
        roadmap.link_idea(staff, item, ideas[n].id)
    moderation.flag_item(member, "idea", ideas[0].id, "spam", "Looks like an advert.")
    comments.add_comment(caller.user, ideas[0], "The calling member's own comment.")
    db.session.commit()
    return {"admin": admin.headers, "member": caller.headers}


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory, _schema):
    app = create_app(make_config(tmp_path_factory.mktemp("fuzz"), RATELIMIT_ENABLED=False))
    with app.app_context():
        if not ON_POSTGRES:
            db.create_all()
        app.config["FUZZ_HEADERS"] = seed()
        db.session.remove()
        yield app
        db.session.remove()
        if ON_POSTGRES:
            _empty_tables()
        db.engine.dispose()


def every_405_says_allow(ctx, response, case) -> None:
    """RFC 9110: a 405 names the methods the resource takes (shared/API.md: Security)."""
    if response.status_code == 405:
        assert response.headers.get("allow"), f"{response.request.method} {case.path}: 405 without Allow"


@pytest.mark.slow
@pytest.mark.parametrize("role", ["member", "admin"])
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # Generating bodies for the larger schemas is slow, and bounded ids filter some out: expected here.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_server_error_and_answers_match_the_document(case, fuzz_app, role):
    case.call_and_validate(
        app=fuzz_app,
        headers=fuzz_app.config["FUZZ_HEADERS"][role],
        checks=[not_a_server_error, response_schema_conformance, unsupported_method, every_405_says_allow],
    )
