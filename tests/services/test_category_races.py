"""Two admins saving the same category slug at once: a clear slug error, never a server error."""

import threading

import pytest
from sqlalchemy import func, select

from app.errors import Invalid
from app.extensions import db
from app.models.idea import Category
from app.models.moderation import AuditEntry
from app.models.user import User
from app.services import categories
from tests.factories import make_user

TAKEN = "Another category already uses the slug “design”."


def category_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Category))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.fixture
def admin(app) -> User:
    return make_user("admin")


@pytest.fixture
def check_sees_nothing(monkeypatch):
    """The other request's category arrives after this one's check: only the constraint can tell."""
    monkeypatch.setattr(categories, "_slug_taken", lambda slug, exclude_id: False)


def test_a_slug_taken_after_the_check_is_a_slug_error_on_create(app, admin, check_sees_nothing):
    categories.create_category(admin, "Design")
    db.session.commit()

    with pytest.raises(Invalid) as refused:
        categories.create_category(admin, "Design", description="The same, a moment later")

    assert refused.value.fields == {"slug": [TAKEN]}
    # Only the failed write was undone: the session goes on and commits what came before.
    db.session.commit()
    assert category_count() == 1
    assert audit_actions() == ["category.create"]


def test_a_slug_taken_after_the_check_is_a_slug_error_on_update(app, admin, check_sees_nothing):
    categories.create_category(admin, "Design")
    other = categories.create_category(admin, "Research", description="Interviews")
    db.session.commit()

    with pytest.raises(Invalid) as refused:
        categories.update_category(admin, other, "Design", "design", "Renamed", 5)

    assert refused.value.fields == {"slug": [TAKEN]}
    # The category shows what is stored, not the refused change.
    assert (other.name, other.slug, other.description) == ("Research", "research", "Interviews")
    db.session.commit()
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Category.slug))) == ["design", "research"]
    assert audit_actions() == ["category.create", "category.create"]


def test_a_category_saved_in_a_savepoint_is_undone_with_the_request(app, admin):
    """On SQLite a savepoint opened after only reads would commit on release; it must not."""
    categories.create_category(admin, "Design")

    db.session.rollback()

    assert category_count() == 0
    assert audit_actions() == []


def test_the_admin_page_shows_the_slug_error_when_the_constraint_decides(
    app, client, login, admin, check_sees_nothing
):
    categories.create_category(admin, "Design")
    db.session.commit()
    login(admin)

    response = client.post_form("/admin/categories", {"name": "Design"})

    assert response.status_code == 200  # the form again, with the message on the slug field
    assert "Another category already uses the slug" in response.get_data(as_text=True)
    assert category_count() == 1


def save_at_once(app, monkeypatch, saves) -> list[BaseException]:
    """Run each save in its own thread, all past the slug check before any of them writes."""
    barrier = threading.Barrier(len(saves))
    check = categories._slug_taken

    def checked_then_wait(slug, exclude_id):
        taken = check(slug, exclude_id)
        barrier.wait(timeout=30)
        return taken

    monkeypatch.setattr(categories, "_slug_taken", checked_then_wait)
    failures: list[BaseException] = []

    def worker(save) -> None:
        try:
            with app.app_context():
                try:
                    save()
                    db.session.commit()
                except BaseException:
                    db.session.rollback()
                    raise
        except BaseException as error:  # reported by the caller's assertion
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(save,)) for save in saves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


@pytest.mark.postgres
def test_two_admins_creating_the_same_slug_at_once(app, admin, monkeypatch):
    admin_id = admin.id

    def create():
        categories.create_category(db.session.get(User, admin_id), "Design")

    failures = save_at_once(app, monkeypatch, [create, create])

    assert [type(error) for error in failures] == [Invalid]
    assert failures[0].fields == {"slug": [TAKEN]}
    db.session.expire_all()
    assert list(db.session.scalars(select(Category.slug))) == ["design"]
    assert audit_actions() == ["category.create"]


@pytest.mark.postgres
def test_two_admins_renaming_to_the_same_slug_at_once(app, admin, monkeypatch):
    admin_id = admin.id
    ids = [categories.create_category(admin, name).id for name in ("Research", "Support")]
    db.session.commit()

    def rename(category_id):
        def save():
            actor = db.session.get(User, admin_id)
            categories.update_category(actor, categories.get_category(category_id), "Design", "", "", 1)

        return save

    failures = save_at_once(app, monkeypatch, [rename(ids[0]), rename(ids[1])])

    assert [type(error) for error in failures] == [Invalid]
    assert failures[0].fields == {"slug": [TAKEN]}
    db.session.expire_all()
    slugs = sorted(db.session.scalars(select(Category.slug)))
    assert slugs in (["design", "research"], ["design", "support"])
