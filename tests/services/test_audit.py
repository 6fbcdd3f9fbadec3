"""The audit log: every moderator, staff and admin action exactly once, each with a label; filters;
admins read all of it, moderators the moderation part."""

import ast
import importlib
from datetime import timedelta
from pathlib import Path

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from app.errors import Conflict, Forbidden, Invalid, Unauthorized
from app.extensions import db
from app.models.base import utcnow
from app.models.moderation import AuditEntry
from app.models.user import User
from app.services import (
    accounts,
    audit,
    comments,
    ideas,
    merges,
    moderation,
    prototypes,
    rounds,
    settings,
)
from tests.factories import make_user


@pytest.fixture
def staff(app) -> dict[str, User]:
    return {
        "moderator": make_user("moderator", name="Max Moderator"),
        "admin": make_user("admin", name="Alex Admin"),
        "pm": make_user("product_manager", name="Pat Manager"),
    }


def entries() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def summary() -> list[tuple]:
    return [(e.action, e.actor_id, e.target_type, e.target_id) for e in entries()]


def commit(result=None):
    db.session.commit()
    return result


def test_every_action_is_logged_exactly_once(app, staff):
    mod, admin, pm = staff["moderator"], staff["admin"], staff["pm"]
    author = make_user(name="Ada Author")
    idea = commit(ideas.create_idea(author, "An idea to moderate", "Body"))
    duplicate = commit(ideas.create_idea(author, "The same idea again", "Body"))
    comment = commit(comments.add_comment(author, idea, "A comment to moderate"))
    other_comment = commit(comments.add_comment(author, idea, "Another comment"))
    flagged = commit(comments.add_comment(author, idea, "A flagged comment"))
    commit(moderation.flag_item(make_user(), "comment", flagged.id, "spam"))
    assert entries() == []  # posting, commenting and a member's flag are not staff actions

    commit(moderation.hide_item(mod, "comment", comment.id, "Rude"))
    commit(moderation.restore_item(mod, "comment", comment.id))
    commit(moderation.delete_item(mod, "comment", other_comment.id, "Off topic"))
    commit(moderation.dismiss_flags(mod, "comment", flagged.id))
    commit(moderation.set_locked(mod, idea, True))
    commit(moderation.set_locked(mod, idea, False))
    commit(moderation.set_pinned(mod, idea, True))
    commit(moderation.set_pinned(mod, idea, False))
    commit(merges.merge_ideas(mod, duplicate.id, idea.id))
    commit(merges.unmerge_idea(mod, duplicate.id))
    member = make_user()
    commit(accounts.suspend_user(mod, member, 2, "Spam"))
    commit(accounts.unsuspend_user(mod, member))
    commit(accounts.change_role(admin, member, "moderator"))
    commit(ideas.change_status(pm, idea, "planned", "Next quarter"))
    commit(ideas.update_idea(pm, idea, title="A clearer title"))
    commit(comments.edit_comment(mod, comment, "Edited by a moderator"))
    commit(comments.delete_comment(mod, comment))
    commit(settings.update_settings(admin, premoderation_enabled=True))

    assert summary() == [
        ("comment.hide", mod.id, "comment", comment.id),
        ("comment.restore", mod.id, "comment", comment.id),
        ("comment.delete", mod.id, "comment", other_comment.id),
        ("flags.dismiss", mod.id, "comment", flagged.id),
        ("idea.lock", mod.id, "idea", idea.id),
        ("idea.unlock", mod.id, "idea", idea.id),
        ("idea.pin", mod.id, "idea", idea.id),
        ("idea.unpin", mod.id, "idea", idea.id),
        ("idea.merge", mod.id, "idea", duplicate.id),
        ("idea.unmerge", mod.id, "idea", duplicate.id),
        ("user.suspend", mod.id, "user", member.id),
        ("user.unsuspend", mod.id, "user", member.id),
        ("user.change_role", admin.id, "user", member.id),
        ("idea.status", pm.id, "idea", idea.id),
        ("idea.edit", pm.id, "idea", idea.id),
        ("comment.edit", mod.id, "comment", comment.id),
        ("comment.delete", mod.id, "comment", comment.id),
        ("settings.update", admin.id, "setting", None),
    ]
    by_action = {e.action: e for e in entries()}
    assert by_action["comment.hide"].reason == "Rude"
    assert by_action["user.suspend"].reason == "Spam"
    assert (by_action["user.change_role"].before, by_action["user.change_role"].after) == (
        "member",
        "moderator",
    )
    status = by_action["idea.status"]
    assert (status.reason, status.before, status.after) == ("Next quarter", "open", "planned")
    assert by_action["idea.edit"].before.startswith("An idea to moderate")
    assert by_action["idea.edit"].after.startswith("A clearer title")
    assert (by_action["comment.edit"].before, by_action["comment.edit"].after) == (
        "A comment to moderate",
        "Edited by a moderator",
    )
    settings_entry = by_action["settings.update"]
    assert (settings_entry.reason, settings_entry.before, settings_entry.after) == (
        "premoderation_enabled",
        "False",
        "True",
    )
    deletes = [e for e in entries() if e.action == "comment.delete"]
    assert [(d.reason, d.before) for d in deletes] == [
        ("Off topic", "Another comment"),
        ("", "Edited by a moderator"),
    ]


def test_authors_changing_their_own_things_are_not_logged(app, staff):
    author = make_user()
    idea = commit(ideas.create_idea(author, "My own idea here", "Body"))
    comment = commit(comments.add_comment(author, idea, "My comment"))
    commit(ideas.update_idea(author, idea, title="My own idea, edited"))
    commit(comments.edit_comment(author, comment, "My comment, edited"))
    commit(comments.delete_comment(author, comment))
    assert entries() == []


def test_changes_that_change_nothing_are_not_logged(app, staff):
    member = make_user()
    commit(accounts.change_role(staff["admin"], member, "member"))
    commit(settings.update_settings(staff["admin"], premoderation_enabled=False))
    author = make_user()
    idea = commit(ideas.create_idea(author, "An idea to leave alone", "Body"))
    comment = commit(comments.add_comment(author, idea, "Same text"))
    commit(comments.edit_comment(staff["moderator"], comment, "Same text"))
    assert entries() == []


def test_staff_actions_on_prototypes_and_rounds_are_logged(app, staff):
    pm, mod = staff["pm"], staff["moderator"]
    prototype = commit(prototypes.create_prototype(pm, "Clickable CSV export", "Try it."))
    commit(prototypes.change_status(pm, prototype, "published"))
    commit(prototypes.change_status(pm, prototype, "archived"))
    commit(prototypes.change_status(pm, prototype, "published"))
    now = utcnow()
    questions = [{"kind": "rating", "prompt": "How easy was it?", "required": True}]
    round_ = commit(
        rounds.create_round(pm, prototype, "First look", now, now + timedelta(days=7), questions, now=now)
    )
    more = [*questions, {"kind": "text", "prompt": "Why?"}]
    for changes in (
        {"title": "First look, again"},
        {"title": "First look, again", "questions": questions},
        {"questions": more},
    ):
        commit(rounds.update_round(pm, rounds.get_round(pm, round_.id), now=now, **changes))
    commit(moderation.hide_item(mod, "prototype", prototype.id, "Shows customer data"))
    commit(moderation.restore_item(mod, "prototype", prototype.id))
    commit(moderation.delete_item(mod, "prototype", prototype.id, "Posted twice"))

    assert summary() == [
        ("prototype.create", pm.id, "prototype", prototype.id),
        ("prototype.publish", pm.id, "prototype", prototype.id),
        ("prototype.archive", pm.id, "prototype", prototype.id),
        ("prototype.publish", pm.id, "prototype", prototype.id),
        ("round.create", pm.id, "round", round_.id),
        # Saving the round unchanged logs nothing.
        ("round.update", pm.id, "round", round_.id),
        ("round.update", pm.id, "round", round_.id),
        ("prototype.hide", mod.id, "prototype", prototype.id),
        ("prototype.restore", mod.id, "prototype", prototype.id),
        ("prototype.delete", mod.id, "prototype", prototype.id),
    ]
    rows = entries()
    assert rows[0].after == "Clickable CSV export"
    assert [(e.before, e.after) for e in rows[1:4]] == [
        ("draft", "published"),
        ("published", "archived"),
        ("archived", "published"),
    ]
    assert rows[4].after.startswith("“First look”, ")
    assert rows[4].after.endswith(", 1 question")
    assert rows[5].reason == "Changed title"
    assert rows[5].before.startswith("“First look”, ")
    assert rows[5].after.startswith("“First look, again”, ")
    assert (rows[6].reason, rows[6].after[-11:]) == ("Changed questions", "2 questions")
    assert rows[7].reason == "Shows customer data"


def test_refused_prototype_and_round_changes_are_not_logged(app, staff):
    pm = staff["pm"]
    with pytest.raises(Forbidden):
        prototypes.create_prototype(make_user(), "A member's prototype")
    db.session.rollback()
    with pytest.raises(Invalid):
        prototypes.create_prototype(pm, "Tiny")
    db.session.rollback()
    prototype = commit(prototypes.create_prototype(pm, "Clickable CSV export", status="published"))
    before = summary()
    with pytest.raises(Conflict, match="cannot go back to draft"):
        prototypes.change_status(pm, prototype, "draft")
    db.session.rollback()
    with pytest.raises(Invalid):
        prototypes.change_status(pm, prototype, "published")
    db.session.rollback()
    now = utcnow()
    with pytest.raises(Invalid):
        rounds.create_round(pm, prototype, "R", now, now + timedelta(days=1), [], now=now)
    db.session.rollback()
    assert (
        summary()
        == before
        == [
            ("prototype.create", pm.id, "prototype", prototype.id),
            ("prototype.publish", pm.id, "prototype", prototype.id),
        ]
    )


def test_audit_targets_name_and_link_prototypes_rounds_and_their_comments(app, staff):
    pm, mod, admin = staff["pm"], staff["moderator"], staff["admin"]
    prototype = commit(prototypes.create_prototype(pm, "Clickable CSV export", status="published"))
    now = utcnow()
    questions = [{"kind": "text", "prompt": "What do you think?"}]
    round_ = commit(
        rounds.create_round(pm, prototype, "First look", now, now + timedelta(days=1), questions, now=now)
    )
    comment = commit(comments.add_prototype_comment(make_user(), prototype, "Buy cheap watches"))
    commit(moderation.hide_item(mod, "comment", comment.id, "Spam"))
    targets = audit.audit_targets(admin, entries())
    assert targets["prototype", prototype.id] == audit.AuditTarget(
        "Prototype “Clickable CSV export”", "prototypes.detail", {"prototype_id": prototype.id}
    )
    assert targets["round", round_.id] == audit.AuditTarget(
        "Round “First look” on “Clickable CSV export”", "rounds.detail", {"round_id": round_.id}
    )
    assert targets["comment", comment.id] == audit.AuditTarget(
        "Comment on the prototype “Clickable CSV export”",
        "prototypes.detail",
        {"prototype_id": prototype.id, "_anchor": f"comment-{comment.id}"},
    )
    assert audit.action_label("prototype.publish") == "Published a prototype"
    assert all(
        action in audit.ACTIONS
        for action in (
            "prototype.create",
            "prototype.archive",
            "prototype.status",
            "prototype.hide",
            "prototype.restore",
            "prototype.delete",
            "round.create",
            "round.update",
        )
    )


def test_the_site_itself_is_the_actor_of_an_automatic_hide(app):
    idea = commit(ideas.create_idea(make_user(), "An idea many dislike", "Body"))
    for _ in range(3):
        commit(moderation.flag_item(make_user(), "idea", idea.id, "spam"))
    assert summary() == [("idea.hide", None, "idea", idea.id)]


# Reading the log


@pytest.fixture
def logged(app, staff):
    """Entries by two actors on three days: (day ago, actor, action)."""
    now = utcnow()
    rows = [
        (3, staff["moderator"], "idea.hide"),
        (2, staff["moderator"], "idea.lock"),
        (2, staff["admin"], "user.change_role"),
        (1, staff["admin"], "idea.hide"),
        (0, None, "idea.hide"),
    ]
    for days, actor, action in rows:
        entry = audit.record(actor, action, "idea", 1, reason=f"{action} {days}")
        entry.created_at = now - timedelta(days=days)
    db.session.commit()
    return now


def test_the_log_is_newest_first_for_admins_and_moderators(app, staff, logged):
    page = audit.list_audit(staff["admin"], audit.AuditFilters())
    assert [e.reason for e in page.items] == [
        "idea.hide 0",
        "idea.hide 1",
        "user.change_role 2",
        "idea.lock 2",
        "idea.hide 3",
    ]
    assert page.total == 5
    assert page.items[1].actor.display_name == "Alex Admin"
    assert page.items[0].actor is None
    # Moderators read the moderation part: not the role change.
    assert [e.reason for e in audit.list_audit(staff["moderator"], audit.AuditFilters()).items] == [
        "idea.hide 0",
        "idea.hide 1",
        "idea.lock 2",
        "idea.hide 3",
    ]
    for actor in (staff["pm"], make_user()):
        with pytest.raises(Forbidden):
            audit.list_audit(actor, audit.AuditFilters())
    with pytest.raises(Unauthorized):
        audit.list_audit(AnonymousUserMixin(), audit.AuditFilters())


def test_the_log_filters_by_actor_action_and_date(app, staff, logged):
    admin = staff["admin"]

    def reasons(**filters) -> list[str]:
        return [e.reason for e in audit.list_audit(admin, audit.AuditFilters(**filters)).items]

    assert reasons(actor_id=staff["moderator"].id) == ["idea.lock 2", "idea.hide 3"]
    assert reasons(action="idea.hide") == ["idea.hide 0", "idea.hide 1", "idea.hide 3"]
    assert reasons(action="idea.hide", actor_id=admin.id) == ["idea.hide 1"]
    assert reasons(since=logged - timedelta(days=1, hours=1)) == ["idea.hide 0", "idea.hide 1"]
    assert reasons(until=logged - timedelta(days=1, hours=12)) == [
        "user.change_role 2",
        "idea.lock 2",
        "idea.hide 3",
    ]
    assert reasons(since=logged - timedelta(days=2, hours=1), until=logged - timedelta(hours=12)) == [
        "idea.hide 1",
        "user.change_role 2",
        "idea.lock 2",
    ]
    assert reasons(action="nothing.like.this") == []
    assert audit.audit_actions(admin) == ["user.change_role", "idea.hide", "idea.lock"]
    assert audit.audit_actions(staff["moderator"]) == ["idea.hide", "idea.lock"]


def test_the_log_pages(app, staff, logged):
    page = audit.list_audit(staff["admin"], audit.AuditFilters(), page=2, per_page=2)
    assert [e.reason for e in page.items] == ["user.change_role 2", "idea.lock 2"]
    assert (page.total, page.pages) == (5, 3)


def test_the_log_loads_actors_in_a_fixed_number_of_queries(app, staff, logged, count_queries):
    admin = staff["admin"]

    def queries() -> int:
        db.session.expire_all()
        with count_queries() as statements:
            page = audit.list_audit(admin, audit.AuditFilters())
            [e.actor.display_name if e.actor else "" for e in page.items]
        return len(statements)

    few = queries()
    for n in range(10):
        audit.record(make_user("moderator"), "idea.pin", "idea", n)
    db.session.commit()
    assert queries() == few


# Every action has a label


def _written_values(node, module, domains: dict[str, list[str]]) -> set[str]:
    """The strings an expression in `module` can give: literals, both branches of `a if c else b`,
    `TABLE.get(key, default)` over a module-level table, and f-strings over the known `domains`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _written_values(node.body, module, domains) | _written_values(node.orelse, module, domains)
    if isinstance(node, ast.Name) and node.id in domains:
        return set(domains[node.id])
    if isinstance(node, ast.Name) and isinstance(getattr(module, node.id, None), str):
        return {getattr(module, node.id)}
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and isinstance(node.func.value, ast.Name)
        and isinstance(getattr(module, node.func.value.id, None), dict)
    ):
        table = getattr(module, node.func.value.id)
        found = set(table.values())
        for default in node.args[1:]:
            found |= _written_values(default, module, domains)
        return found
    if isinstance(node, ast.JoinedStr):
        found = {""}
        for part in node.values:
            if isinstance(part, ast.Constant):
                options = {part.value}
            else:
                name = part.value.id if isinstance(part.value, ast.Name) else None
                assert name in domains, f"{module.__name__}: say which values {{{name}}} takes in the test"
                options = set(domains[name])
            found = {start + option for start in found for option in options}
        return found
    raise AssertionError(f"{module.__name__}: cannot read the audit action {ast.unparse(node)!r}")


def test_every_action_written_anywhere_has_a_label_and_every_target_a_page(app):
    from app.services import launches

    domains = {
        "target_type": list(moderation.MODELS),
        "status": sorted({status for targets in launches.TRANSITIONS.values() for status in targets}),
    }
    root = Path(audit.__file__).resolve().parents[1]
    actions: set[str] = set()
    targets: set[str] = set()
    calls = 0
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text())
        parts = path.relative_to(root.parent).with_suffix("").parts
        module = importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                calls += 1
                actions |= _written_values(node.args[1], module, domains)
                targets |= _written_values(node.args[2], module, domains)
    assert calls > 40
    assert sorted(actions - set(audit.ACTIONS)) == [], "actions without a label in audit.ACTIONS"
    assert sorted(set(audit.ACTIONS) - actions) == [], "labels for actions nothing writes"
    assert sorted(targets - set(audit.TARGETS)) == [], "targets without a page in audit.TARGETS"
    labels = [audit.action_label(action) for action in actions]
    assert all(label[0].isupper() and "." not in label for label in labels)


def test_an_action_without_a_label_is_refused(app):
    with pytest.raises(KeyError):
        audit.record(None, "idea.frobnicate", "idea", 1)
    with pytest.raises(KeyError):
        audit.record(None, "idea.hide", "gadget", 1)
