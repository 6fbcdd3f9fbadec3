"""Admins manage idea categories; nobody else may."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.idea import Category
from tests.factories import make_user


def category_count() -> int:
    return db.session.scalar(select(func.count(Category.id)))


def test_admin_adds_edits_and_deletes_a_category(client, login):
    login(make_user(role="admin"))
    response = client.post_form("/admin/categories", {"name": "Mobile apps", "description": "Phones"})
    assert response.status_code == 302
    category = db.session.scalar(select(Category))
    assert category.slug == "mobile-apps"
    client.post_form(
        f"/admin/categories/{category.id}",
        {"name": "Mobile", "slug": "mobile", "description": "Phones and tablets", "position": "3"},
    )
    assert (category.name, category.slug, category.position) == ("Mobile", "mobile", 3)
    assert "Mobile" in client.get("/ideas/").get_data(as_text=True)
    client.post_form(f"/admin/categories/{category.id}/delete", page="/admin/categories")
    assert category_count() == 0


def test_duplicate_slug_is_refused(client, login):
    login(make_user(role="admin"))
    client.post_form("/admin/categories", {"name": "Mobile"})
    response = client.post_form("/admin/categories", {"name": "Mobile"})
    assert "already uses the slug" in response.get_data(as_text=True)
    assert category_count() == 1


@pytest.mark.parametrize("role", ["member", "moderator", "product_manager"])
def test_others_may_not_manage_categories(client, login, role):
    login(make_user(role=role))
    assert client.get("/admin/categories").status_code == 403
    token = client.csrf_token("/ideas/new")
    assert client.post("/admin/categories", data={"csrf_token": token, "name": "X"}).status_code == 403
    assert category_count() == 0
