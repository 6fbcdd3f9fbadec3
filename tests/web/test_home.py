"""The home page: what the site is for, and the way to propose an idea."""

import re

from tests.factories import make_user

PROPOSE = re.compile(r'<a class="button button--primary" href="([^"]+)">Propose an idea</a>')


def test_a_signed_in_member_can_propose_an_idea_from_home(client, login):
    login(make_user())
    html = client.get("/").get_data(as_text=True)
    assert PROPOSE.findall(html) == ["/ideas/new"]


def test_a_visitor_is_asked_to_sign_in_first_and_then_lands_on_the_form(client):
    html = client.get("/").get_data(as_text=True)
    [target] = PROPOSE.findall(html)
    assert target == "/sign-in?next=/ideas/new"
    assert "Join the community" in html


def test_a_suspended_member_is_not_invited_to_propose(client, login):
    from datetime import timedelta

    from app.extensions import db
    from app.models.base import utcnow

    member = make_user()
    member.suspended_at = utcnow()
    member.suspended_until = utcnow() + timedelta(days=1)
    db.session.commit()
    login(member)
    assert PROPOSE.findall(client.get("/").get_data(as_text=True)) == []
