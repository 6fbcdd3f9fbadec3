"""Who may see what is decided in app/visibility.py alone, and its one-object check agrees with its filters.

For each main case (hidden, pending and deleted ideas, hidden comments and internal notes, draft and
hidden prototypes, private roadmap items, draft launches, rounds for a launch's participants) every
kind of viewer gets the same answer from `may_see` as from the SQL filter, and the answer expected.
"""

import ast
import re
from pathlib import Path

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

import app as app_package
from app import visibility
from app.extensions import db
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.launch import Launch
from app.models.prototype import Prototype
from app.models.roadmap import RoadmapItem
from app.models.round import FeedbackRound
from app.services import comments, moderation, roadmap
from tests.factories import make_idea, make_launch_row, make_prototype_row, make_user
from tests.services.test_launch_rounds import enrol, launch_round

APP_DIR = Path(app_package.__file__).parent
RULE_NAME = re.compile(r"^_?(visible|listed|public)_|(^|_)(is_visible|is_public|may_see|in_audience)(_|$)")
VISIBILITY_PERMISSIONS = re.compile(r"\.view_(private|drafts|internal)\b")
FILTERS = {
    Idea: visibility.visible_ideas,
    Comment: visibility.visible_comments,
    Prototype: visibility.visible_prototypes,
    RoadmapItem: visibility.visible_items,
    Launch: visibility.visible_launches,
    FeedbackRound: visibility.visible_rounds,
}


def _rule_definitions() -> dict[str, list[str]]:
    """Functions named like a visibility rule, by module path (relative to the project)."""
    found: dict[str, list[str]] = {}
    for path in sorted(APP_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and RULE_NAME.search(node.name):
                found.setdefault(path.relative_to(APP_DIR.parent).as_posix(), []).append(node.name)
    return found


def test_no_module_but_app_visibility_defines_a_visibility_rule():
    found = _rule_definitions()
    own = set(found.pop("app/visibility.py"))
    assert {"visible_ideas", "visible_rounds", "may_see", "in_audience"} <= own
    assert found == {}


def test_only_app_visibility_asks_the_permissions_that_decide_visibility():
    asking = [
        path.relative_to(APP_DIR.parent).as_posix()
        for path in sorted(APP_DIR.rglob("*.py"))
        if path.name not in ("visibility.py", "permissions.py")
        and VISIBILITY_PERMISSIONS.search(path.read_text(encoding="utf-8"))
    ]
    assert asking == []


def sees(actor, obj) -> bool:
    """What `may_see` says, after checking that the kind's filter and `may_see_id` say the same."""
    model = type(obj)
    row = db.session.scalar(select(model.id).where(model.id == obj.id, FILTERS[model](actor)))
    by_filter = row is not None
    assert visibility.may_see(actor, obj) is by_filter
    assert visibility.may_see_id(actor, model, obj.id) is by_filter
    return by_filter


@pytest.fixture
def people(app):
    return {
        "visitor": AnonymousUserMixin(),
        "author": make_user(name="Ada Author"),
        "member": make_user(name="Mo Member"),
        "pm": make_user("product_manager", name="Pat Manager"),
        "moderator": make_user("moderator", name="Max Moderator"),
        "admin": make_user("admin", name="Alex Admin"),
    }


def seen_by(people, obj) -> set[str]:
    return {name for name, actor in people.items() if sees(actor, obj)}


EVERYONE = {"visitor", "author", "member", "pm", "moderator", "admin"}


def test_ideas_hidden_pending_and_deleted(people):
    public = make_idea(people["author"], title="Dark mode for the dashboard")
    hidden = make_idea(people["author"], title="Keyboard shortcuts for lists")
    pending = make_idea(people["author"], title="Weekly digest of new ideas")
    deleted = make_idea(people["author"], title="Export the roadmap as PDF")
    moderation.hide_item(people["moderator"], "idea", hidden.id, "Off topic")
    pending.is_pending = True
    moderation.delete_item(people["moderator"], "idea", deleted.id)
    db.session.commit()

    assert seen_by(people, public) == EVERYONE
    assert seen_by(people, hidden) == {"author", "moderator", "admin"}
    assert seen_by(people, pending) == {"author", "moderator", "admin"}
    assert seen_by(people, deleted) == {"moderator", "admin"}
    assert visibility.is_public(public)
    assert not visibility.is_public(hidden)


def test_comments_hidden_and_internal(people):
    idea = make_idea(people["member"], title="Dark mode for the dashboard")
    shown = comments.add_comment(people["author"], idea, "Yes please, my eyes thank you.")
    hidden = comments.add_comment(people["author"], idea, "Buy cheap watches here.")
    note = comments.add_internal_note(people["pm"], idea, "Design has a mock-up already.")
    db.session.commit()
    moderation.hide_item(people["moderator"], "comment", hidden.id, "Spam")
    db.session.commit()

    assert seen_by(people, shown) == EVERYONE
    assert seen_by(people, hidden) == {"author", "moderator", "admin"}
    assert seen_by(people, note) == {"pm", "admin"}


def test_draft_and_hidden_prototypes(people):
    draft = make_prototype_row(people["pm"], status="draft")
    published = make_prototype_row(people["pm"])
    hidden = make_prototype_row(people["pm"])
    moderation.hide_item(people["moderator"], "prototype", hidden.id, "Off topic")
    db.session.commit()

    assert seen_by(people, published) == EVERYONE
    # Drafts stay with staff; a moderator has nothing to moderate in them yet.
    assert seen_by(people, draft) == {"pm", "admin"}
    # A hidden prototype: moderators, and staff who shared it.
    assert seen_by(people, hidden) == {"pm", "moderator", "admin"}
    assert visibility.is_public(published)
    assert not visibility.is_public(draft)


def test_private_roadmap_items(people):
    public = roadmap.create_item(people["pm"], "Dark mode")
    private = roadmap.create_item(people["pm"], "Billing rewrite", is_public=False)
    db.session.commit()

    assert seen_by(people, public) == EVERYONE
    assert seen_by(people, private) == {"pm", "admin"}


def test_draft_launches(people):
    draft = make_launch_row(status="draft", author=people["pm"])
    recruiting = make_launch_row(author=people["pm"])

    assert seen_by(people, recruiting) == EVERYONE
    assert seen_by(people, draft) == {"pm", "admin"}


def test_rounds_for_a_launch_are_seen_by_its_enrolled_participants_and_staff(app, people, count_queries):
    launch = make_launch_row(capacity=1, author=people["pm"])
    waiting = make_user(name="Wes Waiting")
    enrol(launch, people["author"], waiting)
    round_ = launch_round(launch, people["pm"])
    people = {**people, "waiting": waiting}

    assert seen_by(people, round_) == {"author", "pm", "admin"}
    assert {name for name, actor in people.items() if visibility.in_audience(actor, round_)} == {"author"}
    with count_queries() as statements:
        assert visibility.may_see(people["pm"], round_)
        assert not visibility.may_see(people["visitor"], round_)
    assert statements == []


def test_rounds_for_everyone_are_seen_by_everyone_and_ask_members(app, people, count_queries):
    round_ = launch_round(make_launch_row(author=people["pm"]), people["pm"])
    round_.audience, round_.launch_id = "everyone", None
    db.session.commit()

    assert seen_by(people, round_) == EVERYONE
    assert {name for name, actor in people.items() if visibility.in_audience(actor, round_)} == EVERYONE - {
        "visitor"
    }
    with count_queries() as statements:
        assert visibility.may_see(people["member"], round_)
    assert statements == []
