"""What a member without access to a private board finds of it, page by page: nothing. Each test
is one leak the walk-everything test (tests/test_private_board_walk.py) found, fixed."""

import pytest

from app.extensions import db
from app.services import boards, comments, ideas, votes
from tests.factories import (
    make_board,
    make_idea,
    make_launch,
    make_prototype,
    make_user,
)


@pytest.fixture
def beta(app):
    """A private board with an idea by an insider; Otto was let in, took part, and was shut out."""
    admin = make_user("admin")
    board = make_board("Enterprise beta", "private", slug="enterprise-beta", admin=admin)
    insider, otto = make_user(name="Ina Insider"), make_user(name="Otto Outsider")
    for member in (insider, otto):
        boards.grant_member(admin, board, member)
    idea = ideas.create_idea(insider, "Audit trail for the beta", board="enterprise-beta")
    votes.cast_vote(otto, idea)
    own = ideas.create_idea(otto, "Single sign-on for the beta", board="enterprise-beta")
    comments.add_comment(otto, idea, "Yes, for the auditors.")
    db.session.commit()
    return {"admin": admin, "board": board, "insider": insider, "otto": otto, "idea": idea, "own": own}


def shut_out(beta) -> None:
    boards.revoke_member(beta["admin"], beta["board"], beta["otto"].id)
    db.session.commit()


def test_a_public_idea_page_shows_what_it_shares_with_a_private_idea_and_not_that_idea(client, beta):
    pm = make_user("product_manager")
    public = make_idea(title="Export reports to CSV")
    both = [public.id, beta["idea"].id]
    make_prototype(pm, "Clickable CSV export", idea_ids=both)
    make_launch(pm, title="Weekly summary pilot", idea_ids=both)

    # Joined to the links it reads, the page's query once lent the visibility rule its own row.
    response = client.get(f"/ideas/{public.id}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Clickable CSV export" in page
    assert "Weekly summary pilot" in page
    assert "Audit trail" not in page
