"""Categories: admins manage them; slugs are unique, readable and validated."""

import pytest
from sqlalchemy import func, select

from app.errors import Forbidden, Invalid, NotFound
from app.extensions import db
from app.models.idea import Category, Idea
from app.services import categories, ideas
from tests.factories import make_user


def category_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Category))


def test_create_makes_the_slug_from_the_name_and_appends_to_the_list(app):
    admin = make_user("admin")
    first = categories.create_category(admin, "  Reports   and   Exports ", description=" Numbers out. ")
    second = categories.create_category(admin, "Mobile app", slug="Mobile")
    db.session.commit()
    assert (first.name, first.slug, first.description) == (
        "Reports and Exports",
        "reports-and-exports",
        "Numbers out.",
    )
    assert second.slug == "mobile"
    assert second.position > first.position
    assert [c.slug for c in categories.list_categories()] == ["reports-and-exports", "mobile"]
    assert categories.category_by_slug("mobile").id == second.id
    assert categories.category_by_slug("nope") is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Café & Crème", "cafe-creme"),
        ("  --Hello, World!--  ", "hello-world"),
        ("Ünïcödé 2.0", "unicode-2-0"),
        ("a" * 59 + " b", "a" * 59),  # cut at 60 without a dangling hyphen
        ("x" * 80, "x" * 60),
    ],
)
def test_slugify(name, expected):
    assert categories.slugify(name) == expected


def test_a_taken_slug_is_refused_and_nothing_is_saved(app):
    categories.create_category(None, "Reports")
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        categories.create_category(None, "REPORTS!")
    assert refused.value.fields["slug"] == ["Another category already uses the slug “reports”."]
    with pytest.raises(Invalid):
        categories.create_category(None, "Something else", slug="reports")
    db.session.rollback()
    assert category_count() == 1


@pytest.mark.parametrize(
    ("name", "slug", "description", "field"),
    [
        ("   ", "", "", "name"),
        ("n" * 61, "", "", "name"),
        ("Emoji only", "🎉🎉", "", "slug"),
        ("!!!", "", "", "slug"),
        ("Reports", "", "d" * 301, "description"),
    ],
)
def test_bad_input_is_refused(app, name, slug, description, field):
    with pytest.raises(Invalid) as refused:
        categories.create_category(None, name, slug, description)
    assert refused.value.fields[field]
    db.session.rollback()
    assert category_count() == 0


def test_update_may_keep_its_own_slug_but_not_take_another(app):
    admin = make_user("admin")
    reports = categories.create_category(admin, "Reports")
    categories.create_category(admin, "Mobile")
    db.session.commit()
    categories.update_category(admin, reports, "Reporting", "reports", "All about numbers", 5)
    db.session.commit()
    assert (reports.name, reports.slug, reports.position) == ("Reporting", "reports", 5)
    with pytest.raises(Invalid) as refused:
        categories.update_category(admin, reports, "Reporting", "mobile", "", 5)
    assert "slug" in refused.value.fields
    db.session.rollback()
    assert db.session.get(Category, reports.id).slug == "reports"


@pytest.mark.parametrize("role", ["member", "moderator", "product_manager"])
def test_only_admins_manage_categories(app, role):
    actor = make_user(role)
    existing = categories.create_category(None, "Reports")
    db.session.commit()
    with pytest.raises(Forbidden):
        categories.create_category(actor, "Mobile")
    with pytest.raises(Forbidden):
        categories.update_category(actor, existing, "Renamed", "renamed", "", 1)
    with pytest.raises(Forbidden):
        categories.delete_category(actor, existing)
    db.session.rollback()
    assert [c.name for c in categories.list_categories()] == ["Reports"]


def test_deleting_a_category_keeps_its_ideas(app):
    admin = make_user("admin")
    reports = categories.create_category(admin, "Reports")
    idea = ideas.create_idea(make_user(), "Export reports as CSV", category="reports")
    db.session.commit()
    categories.delete_category(admin, reports)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).category_id is None
    with pytest.raises(NotFound):
        categories.get_category(reports.id)


def test_category_changes_are_audited_once_each(app):
    from app.models.moderation import AuditEntry
    from app.services import categories as category_service

    admin = make_user("admin")
    category = category_service.create_category(admin, "Mobile")
    category_service.update_category(admin, category, "Mobile apps", "mobile-apps", "", 2)
    category_service.delete_category(admin, category)
    actions = [entry.action for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["category.create", "category.update", "category.delete"]
