"""What a member without access to a private board finds of it, page by page: nothing. Each test
is one leak the walk-everything test (tests/test_private_board_walk.py) found, fixed."""

import json

import pytest

from app.extensions import db
from app.services import boards, categories, comments, ideas, merges, votes
from tests.factories import (
    make_api_token,
    make_board,
    make_idea,
    make_launch,
    make_participant,
    make_prototype,
    make_round,
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


def test_the_account_export_holds_nothing_of_a_board_one_was_shut_out_of(client, login, beta):
    public = make_idea(title="Export reports to CSV")
    votes.cast_vote(beta["otto"], public)
    pm = make_user("product_manager")
    make_participant(make_launch(pm, title="Audit pilot", idea_ids=[beta["idea"].id]), beta["otto"])
    db.session.commit()
    login(beta["otto"])
    assert "Single sign-on" in client.get("/account/export").get_data(as_text=True)
    shut_out(beta)

    data = json.loads(client.get("/account/export").get_data(as_text=True))

    text = json.dumps(data)
    for secret in ("Audit", "Single sign-on", "for the auditors", "Enterprise beta"):
        assert secret not in text
    assert [vote["id"] for vote in data["votes"]] == [public.id]
    assert (data["ideas"], data["comments"], data["launches"]) == ([], [], [])

    boards.grant_member(beta["admin"], beta["board"], beta["otto"])
    db.session.commit()
    again = json.loads(client.get("/account/export").get_data(as_text=True))
    assert [idea["title"] for idea in again["ideas"]] == ["Single sign-on for the beta"]
    assert [launch["title"] for launch in again["launches"]] == ["Audit pilot"]


def test_a_profile_counts_no_vote_on_a_board_the_reader_may_not_see(client, login, beta):
    make_idea(author=beta["otto"], title="Export reports to CSV")  # Otto's own vote: one everyone sees

    def votes_shown() -> str:
        page = client.get(f"/users/{beta['otto'].id}").get_data(as_text=True)
        return page.split("<dt>Votes</dt><dd>")[1].split("<")[0]

    assert votes_shown() == "1"  # a visitor
    login(beta["insider"])
    assert votes_shown() == "3"  # the beta's idea, and Otto's own there


def test_my_launches_leaves_out_a_launch_of_a_board_one_was_shut_out_of(client, login, beta):
    pm = make_user("product_manager")
    make_participant(make_launch(pm, title="Audit pilot", idea_ids=[beta["idea"].id]), beta["otto"])
    login(beta["otto"])
    assert "Audit pilot" in client.get("/launches/mine").get_data(as_text=True)

    shut_out(beta)

    assert "Audit pilot" not in client.get("/launches/mine").get_data(as_text=True)


def test_a_private_boards_categories_are_offered_only_to_those_who_see_it(client, login, beta):
    categories.create_category(beta["admin"], "Reporting", "reporting")
    audit = categories.create_category(beta["admin"], "Audit tools", "audit-tools")
    audit.board_id = beta["board"].id
    make_board("Mobile app", slug="mobile", admin=beta["admin"])
    db.session.commit()
    shut_out(beta)

    def offered(page: str) -> str:
        html = client.get(page).get_data(as_text=True)
        assert "Reporting" in html, page
        return html

    assert "Audit tools" not in offered("/ideas/")  # a visitor's filter
    login(beta["otto"])
    for page in ("/ideas/", "/ideas/new"):
        assert "Audit tools" not in offered(page)
        assert "Enterprise beta" not in offered(page)
    assert [category.name for category in categories.categories_for(beta["otto"])] == ["Reporting"]
    login(beta["insider"])
    assert "Audit tools (Enterprise beta only)" in offered("/ideas/new")
    assert "Audit tools" in offered("/ideas/")


def test_a_comment_or_round_on_the_board_is_not_found_as_if_it_never_was(client, login, beta):
    pm = make_user("product_manager")
    comment = comments.add_comment(beta["insider"], beta["idea"], "Logged since March.")
    round_ = make_round(pm, make_prototype(pm, "Audit log screens", idea_ids=[beta["idea"].id]))
    db.session.commit()
    shut_out(beta)
    login(beta["otto"])

    for path, never in (
        (f"/comments/{comment.id}/edit", "/comments/999999/edit"),
        (f"/rounds/{round_.id}", "/rounds/999999"),
        (f"/api/v1/rounds/{round_.id}", "/api/v1/rounds/999999"),
    ):
        response, ghost = client.get(path), client.get(never)
        assert response.status_code == ghost.status_code == 404
        assert response.get_data(as_text=True) == ghost.get_data(as_text=True), path


def test_a_public_idea_merged_into_a_private_one_names_it_only_to_those_who_see_it(client, login, beta):
    public = make_idea(title="Export reports to CSV")
    merges.merge_ideas(beta["admin"], public.id, beta["idea"].id)
    db.session.commit()

    for reader in (None, beta["insider"]):
        headers = {}
        if reader:
            login(reader)
            headers = {"Authorization": f"Bearer {make_api_token(reader)}"}
        sees = reader is not None
        shown = client.get(f"/api/v1/ideas/{public.id}", headers=headers).get_json()
        assert shown["merged_into"] == (beta["idea"].id if sees else None)
        listed = client.get("/api/v1/ideas?status=merged", headers=headers).get_json()["items"]
        assert [item["merged_into"] for item in listed] == [beta["idea"].id if sees else None]
        page = client.get(f"/ideas/{public.id}").get_data(as_text=True)
        assert (f'href="/ideas/{beta["idea"].id}"' in page) is sees
