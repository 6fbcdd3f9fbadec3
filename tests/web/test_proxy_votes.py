"""Votes recorded on a customer's behalf in the pages: the staff form and list on the idea page,
and the customer's list with its Withdraw buttons on their own profile."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.idea import Idea, IdeaVote
from app.models.user import User
from app.services import ideas, proxy_votes
from tests.factories import make_idea, make_user

FORM_TITLE = "Record a vote for a customer"
LIST_TITLE = "Votes recorded by staff"


@pytest.fixture
def staff(app) -> User:
    return make_user("product_manager", name="Pat Product")


@pytest.fixture
def idea(app) -> Idea:
    return make_idea(title="Export reports to CSV")


def page(client, idea: Idea) -> str:
    response = client.get(f"/ideas/{idea.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def record_form(client, idea: Idea, **fields: str):
    """Post the form as a browser would: its own fields, named with its prefix, and its own token."""
    data = {f"record-{name}": value for name, value in fields.items()}
    token = re.search(r'name="record-csrf_token" type="hidden" value="([^"]+)"', page(client, idea))
    if token is None:  # no form on the page (a member): the session's token from another form
        data["csrf_token"] = client.csrf_token(f"/ideas/{idea.id}")
    else:
        data["record-csrf_token"] = token.group(1)
    return client.post(f"/ideas/{idea.id}/votes/record", data=data)


def vote_of(idea: Idea, email: str) -> IdeaVote | None:
    db.session.expire_all()
    return db.session.scalar(
        select(IdeaVote)
        .join(User, User.id == IdeaVote.user_id)
        .where(IdeaVote.idea_id == idea.id, User.email == email)
    )


def test_staff_record_a_vote_and_see_it_listed(client, login, staff, idea):
    login(staff)
    html = page(client, idea)
    assert FORM_TITLE in html
    assert LIST_TITLE in html
    assert "No votes recorded by staff yet." in html

    response = record_form(
        client, idea, email="ada@example.com", name="Ada Lovelace", source="sales", note="Renewal call"
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/ideas/{idea.id}#recorded-votes")
    html = page(client, idea)
    assert "Ada Lovelace&#39;s vote is recorded and counts now." in html
    listed = html[html.index(LIST_TITLE) :]
    assert "Ada Lovelace" in listed
    assert "Sales conversation · recorded by" in listed
    assert "Pat Product" in listed
    assert "Renewal call" in listed
    assert "2 voters" in html
    vote = vote_of(idea, "ada@example.com")
    assert (vote.recorded_by_id, vote.source) == (staff.id, "sales")

    again = record_form(client, idea, email="ADA@example.com", source="support")
    assert again.status_code == 302
    html = page(client, idea)
    assert "Ada Lovelace&#39;s vote counted already; nothing changed." in html
    assert "2 voters" in html


def test_a_refused_form_comes_back_with_its_messages_and_nothing_is_written(client, login, staff, idea):
    login(staff)

    response = record_form(client, idea, email="not an address", name="Ada", source="fax", note="n" * 501)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "No vote was recorded: please correct the marked field." in html
    assert "Enter a valid email address, like name@example.com." in html
    assert "Choose where you heard it" in html
    assert "Keep the note to 500 characters or fewer (it has 501)." in html
    assert 'class="recorded-votes__record" open' in html
    assert 'value="not an address"' in html
    assert db.session.scalar(select(User).where(User.display_name == "Ada")) is None
    assert db.session.get(Idea, idea.id).vote_count == 1


def test_members_and_visitors_never_see_the_form_or_the_list(app, client, login, staff, idea):
    customer = make_user(email="ada@example.com", name="Ada Lovelace")
    proxy_votes.record_vote(staff, idea, customer.email, source="sales", note="Secret renewal detail")
    db.session.commit()
    visitor = app.test_client()
    page(visitor, idea)  # kept for visitors from here on

    login(staff)
    assert "Secret renewal detail" in page(client, idea)
    for html in (page(visitor, idea), page(login(make_user()), idea), page(login(customer), idea)):
        assert FORM_TITLE not in html
        assert LIST_TITLE not in html
        assert "Secret renewal detail" not in html
        assert "/votes/record" not in html
    assert visitor.get(f"/ideas/{idea.id}").headers.get("X-Page-Cache") == "hit"


def test_members_may_not_post_the_form(client, login, idea):
    login(make_user())
    response = record_form(client, idea, email="ada@example.com", source="sales")
    assert response.status_code == 403
    assert vote_of(idea, "ada@example.com") is None


def test_an_idea_that_takes_no_votes_keeps_its_list_but_offers_no_form(client, login, staff, idea):
    proxy_votes.record_vote(staff, idea, "ada@example.com", name="Ada Lovelace", source="interview")
    ideas.change_status(staff, idea, "declined", "Not for us")
    db.session.commit()
    login(staff)

    html = page(client, idea)

    assert FORM_TITLE not in html
    assert "This idea takes no votes now, so none can be recorded." in html
    assert "Ada Lovelace" in html[html.index(LIST_TITLE) :]


def test_the_customer_sees_the_vote_on_their_profile_and_withdraws_it(client, login, staff, idea):
    customer = make_user(email="ada@example.com", name="Ada Lovelace")
    proxy_votes.record_vote(staff, idea, customer.email, source="sales", note="Renewal call")
    db.session.commit()
    profile = f"/users/{customer.id}"

    login(customer)
    html = client.get(profile).get_data(as_text=True)
    assert "Votes recorded for you" in html
    assert "Recorded by Pat Product after a sales conversation" in html
    assert "Renewal call" in html
    assert f'action="/ideas/{idea.id}/votes/recorded/withdraw"' in html

    response = client.post_form(f"/ideas/{idea.id}/votes/recorded/withdraw", page=profile)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{profile}#recorded-votes")
    html = client.get(profile).get_data(as_text=True)
    assert "Your vote for “Export reports to CSV” is withdrawn." in html
    assert "Votes recorded for you" not in html
    assert vote_of(idea, customer.email) is None
    assert db.session.get(Idea, idea.id).vote_count == 1


def test_others_never_see_where_or_why_on_someones_profile(client, login, staff, idea):
    customer = make_user(email="ada@example.com", name="Ada Lovelace")
    proxy_votes.record_vote(staff, idea, customer.email, source="sales", note="Renewal call")
    db.session.commit()

    for viewer in (None, make_user(), staff):
        if viewer is not None:
            login(viewer)
        html = client.get(f"/users/{customer.id}").get_data(as_text=True)
        assert "Votes recorded for you" not in html
        assert "Renewal call" not in html
        assert "sales conversation" not in html
    # Someone else's vote is not theirs to take back.
    response = client.post_form(f"/ideas/{idea.id}/votes/recorded/withdraw", page=f"/ideas/{idea.id}")
    assert response.status_code == 404
    assert vote_of(idea, customer.email) is not None
