"""The layout's header counts: read once per page, before it renders, never by a template."""

import re
from pathlib import Path

from flask_login import AnonymousUserMixin

from app.extensions import db
from app.pages.layout import page_layout
from app.services import comments, moderation
from tests.factories import make_idea, make_user
from tests.pages import signed_in


def test_visitors_cost_no_query_members_two_and_moderators_two(app, count_queries):
    author = make_user()
    idea = make_idea(author)
    comments.add_comment(make_user(), idea, "Nice")
    mod = make_user("moderator")
    moderation.flag_item(make_user(), "idea", idea.id, "spam")
    db.session.commit()

    def read(actor) -> tuple:
        signed_in(actor)
        with count_queries() as statements:
            layout = page_layout(actor)
        return layout.unread_notifications, layout.moderation_waiting, len(statements)

    assert read(AnonymousUserMixin()) == (None, None, 0)
    # A member's unread count leaves out what they may not see: which private boards, then the count.
    assert read(author) == (1, None, 2)
    assert read(mod) == (0, 1, 2)


def test_a_page_reads_the_header_counts_once_and_a_fragment_not_at_all(client, login, count_queries):
    member = make_user()
    idea = make_idea(member)
    comments.add_comment(make_user(), idea, "Nice")
    db.session.commit()
    login(member)

    with count_queries() as statements:
        html = client.get("/notifications").get_data(as_text=True)
    # The bell shows twice (small and wide screens) and the list heads the count: one query.
    assert len(re.findall(r'class="bell__badge" aria-hidden="true">1<', html)) == 2
    assert sum("count(notifications.id)" in statement for statement in statements) == 1

    with count_queries() as statements:
        assert client.get("/ideas/similar?q=export").status_code == 200
    assert not any("count(notifications.id)" in statement for statement in statements)


def test_a_page_renders_when_the_header_counts_cannot_be_read(client, login, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from app.services import notifications

    def refuse(user):
        raise OperationalError("SELECT count(*)", {}, Exception("the database is away"))

    monkeypatch.setattr(notifications, "unread_count", refuse)
    login(make_user())
    response = client.get("/ideas/")
    assert response.status_code == 200
    assert "bell__badge" not in response.get_data(as_text=True)


def test_every_whole_page_template_extends_the_layout():
    # Only whole pages get the layout's data; a page not built on base.html would render without it.
    templates = Path(__file__).resolve().parents[2] / "templates"
    pages = [
        path
        for path in templates.rglob("*.html")
        if not any(part.startswith("_") for part in path.relative_to(templates).parts)
        and path.name != "base.html"
    ]
    assert pages
    assert [path for path in pages if '{% extends "base.html" %}' not in path.read_text()] == []
