"""The idea pages in the browser: list, propose (with similar ideas), the idea page, votes, status."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.idea import Idea, IdeaVote
from app.services import categories, comments, ideas, votes
from tests.factories import make_idea, make_user


def idea_count() -> int:
    return db.session.scalar(select(func.count(Idea.id)))


def test_list_shows_cards_with_status_category_votes_and_comments(client):
    admin = make_user(role="admin")
    categories.create_category(admin, "Reporting")
    idea = make_idea(title="Export reports to CSV", body="**Monthly** reports, please.", category="reporting")
    comments.add_comment(admin, idea, "Good one")
    db.session.commit()
    html = client.get("/ideas/").get_data(as_text=True)
    assert "Export reports to CSV" in html
    assert "Monthly reports, please." in html  # plain-text excerpt, no Markdown
    assert "Reporting" in html
    assert ">Open<" in html
    assert "1 comment" in html
    assert re.search(r"class=\"vote__count\"( data-vote-count)?>1<", html)


def test_list_shows_the_viewers_own_vote_state(client, login):
    voter = make_user()
    voted = make_idea(title="Voted idea here")
    make_idea(title="Other idea here")
    votes.cast_vote(voter, voted)
    db.session.commit()
    login(voter)
    html = client.get("/ideas/?sort=new").get_data(as_text=True)
    pressed = re.findall(
        r'class="vote__button[^"]*" aria-pressed="(true|false)">'
        r'.*?<span class="visually-hidden"> for “([^”]+)”',
        html,
        re.S,
    )
    assert {title: state for state, title in pressed} == {
        "Voted idea here": "true",
        "Other idea here": "false",
    }


def test_search_from_the_list(client):
    make_idea(title="Export reports to CSV")
    make_idea(title="Dark mode for the dashboard", body="Easier on the eyes.")
    html = client.get("/ideas/?q=export").get_data(as_text=True)
    assert "Export reports to CSV" in html
    assert "Dark mode" not in html
    assert "1 idea matching" in html


def test_propose_an_idea(client, login):
    admin = make_user(role="admin")
    categories.create_category(admin, "Reporting")
    db.session.commit()
    author = make_user()
    login(author)
    response = client.post_form(
        "/ideas/new", {"title": "  Scheduled   exports ", "body": "Every Monday", "category": "reporting"}
    )
    assert response.status_code == 302
    idea = db.session.scalar(select(Idea))
    assert response.headers["Location"] == f"/ideas/{idea.id}"
    assert idea.title == "Scheduled exports"
    assert idea.vote_count == 1
    assert db.session.scalar(select(IdeaVote.user_id)) == author.id
    assert "Scheduled exports" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)


def test_proposing_needs_sign_in(client):
    response = client.get("/ideas/new")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "Tiny"}, "The title needs at least 5 characters; say what you need in a few words."),
        ({"title": "x" * 121}, "Keep the title to 120 characters or fewer (it has 121)."),
        ({"title": ""}, "The title needs at least 5 characters; say what you need in a few words."),
        ({"body": "x" * 10_001}, "The description can have at most 10,000 characters (it has 10,001)."),
        ({"category": "no-such-category"}, "Choose one of the listed categories."),
    ],
)
def test_propose_refuses_bad_input(client, login, fields, message):
    login(make_user())
    data = {"title": "A perfectly fine title", "body": "", "category": ""}
    data.update(fields)
    response = client.post_form("/ideas/new", data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert idea_count() == 0


def test_similar_ideas_show_on_a_confirmation_step_without_javascript(client, login):
    make_idea(title="Export reports to CSV")
    login(make_user())
    first = client.post_form("/ideas/new", {"title": "CSV export of reports", "body": ""})
    html = first.get_data(as_text=True)
    assert "Similar ideas already posted" in html
    assert "Export reports to CSV" in html
    assert idea_count() == 1
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    second = client.post(
        "/ideas/new",
        data={"csrf_token": token, "title": "CSV export of reports", "body": "", "confirmed": "1"},
    )
    assert second.status_code == 302
    assert idea_count() == 2


def test_similar_ideas_fragment_for_typing(client):
    make_idea(title="Export reports to CSV")
    make_idea(title="Dark mode", body="Easier on the eyes at night.")
    html = client.get("/ideas/similar?q=export+csv").get_data(as_text=True)
    assert "Export reports to CSV" in html
    assert "Dark mode" not in html
    assert client.get("/ideas/similar?q=the").get_data(as_text=True).strip() == ""


def test_idea_page_shows_body_author_status_history_and_discussion(client):
    pm = make_user(role="product_manager", name="Priya")
    author = make_user(name="Sam")
    idea = make_idea(author=author, body="Use *CSV* <script>alert(1)</script>")
    ideas.change_status(pm, idea, "planned", "Coming in **Q1**")
    comments.add_comment(pm, idea, "Thanks Sam")
    db.session.commit()
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "<em>CSV</em>" in html
    assert "<script>alert" not in html
    assert "Sam" in html
    assert "Coming in <strong>Q1</strong>" in html
    assert "Priya" in html
    assert "Thanks Sam" in html
    assert client.get("/ideas/999999").status_code == 404


def test_vote_toggle_as_plain_form_post(client, login):
    idea = make_idea()
    voter = make_user()
    login(voter)
    client.post_form(f"/ideas/{idea.id}/vote", {"intent": "add"}, page=f"/ideas/{idea.id}")
    assert idea.vote_count == 2
    client.post_form(f"/ideas/{idea.id}/vote", {"intent": "add"}, page=f"/ideas/{idea.id}")
    assert idea.vote_count == 2  # voting twice changes nothing
    client.post_form(f"/ideas/{idea.id}/vote", {"intent": "remove"}, page=f"/ideas/{idea.id}")
    assert idea.vote_count == 1


def test_vote_toggle_in_place_answers_json(client, login):
    idea = make_idea()
    login(make_user())
    response = client.post_form(
        f"/ideas/{idea.id}/vote",
        {"intent": "add"},
        page=f"/ideas/{idea.id}",
        headers={"Accept": "application/json"},
    )
    assert response.json == {"voted": True, "vote_count": 2}
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert 'aria-pressed="true"' in html  # the vote survives a reload


def test_vote_on_a_declined_idea_is_refused_with_a_message(client, login):
    idea = make_idea()
    ideas.change_status(make_user(role="admin"), idea, "declined", "Out of scope")
    db.session.commit()
    login(make_user())
    response = client.post_form(
        f"/ideas/{idea.id}/vote", {"intent": "add"}, page=f"/ideas/{idea.id}", follow_redirects=True
    )
    assert "declined, so it takes no more votes" in response.get_data(as_text=True)
    assert idea.vote_count == 1


def test_vote_needs_sign_in_and_csrf(client, login):
    idea = make_idea()
    assert client.post(f"/ideas/{idea.id}/vote", data={"intent": "add"}).status_code in (302, 400)
    login(make_user())
    assert client.post(f"/ideas/{idea.id}/vote", data={"intent": "add"}).status_code == 400
    assert idea.vote_count == 1


def test_staff_change_status_with_a_note(client, login):
    idea = make_idea()
    login(make_user(role="product_manager"))
    response = client.post_form(
        f"/ideas/{idea.id}/status",
        {"status": "declined", "status_note": ""},
        page=f"/ideas/{idea.id}",
        follow_redirects=True,
    )
    assert "Say why the idea is declined" in response.get_data(as_text=True)
    assert idea.status == "open"
    client.post_form(
        f"/ideas/{idea.id}/status",
        {"status": "under_review", "status_note": "Looking"},
        page=f"/ideas/{idea.id}",
    )
    assert idea.status == "under_review"


def test_members_cannot_change_status(client, login):
    idea = make_idea()
    member = make_user()
    login(member)
    assert "Change status" not in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    response = client.post_form(f"/ideas/{idea.id}/status", {"status": "planned"}, page=f"/ideas/{idea.id}")
    assert response.status_code == 403
    assert idea.status == "open"


def test_author_edits_within_the_window(client, login):
    author = make_user()
    idea = make_idea(author=author)
    login(author)
    client.post_form(f"/ideas/{idea.id}/edit", {"title": "Export every report to CSV", "body": "Now"})
    assert idea.title == "Export every report to CSV"
    login(make_user())
    assert client.get(f"/ideas/{idea.id}/edit").status_code == 403


def test_profile_lists_ideas_comments_and_votes(client):
    author = make_user(name="Noor")
    idea = make_idea(author=author, title="Offline mode for mobile")
    other = make_idea(title="Another thing to do")
    votes.cast_vote(author, other)
    comments.add_comment(author, other, "I want this too")
    db.session.commit()
    html = client.get(f"/users/{author.id}").get_data(as_text=True)
    assert "Offline mode for mobile" in html
    assert "I want this too" in html
    assert re.search(r"<dt>Votes</dt><dd>2</dd>", html)
    assert idea.id


def test_idea_list_runs_a_fixed_number_of_queries(client, login, count_queries):
    viewer = make_user()
    admin = make_user(role="admin")
    categories.create_category(admin, "Reporting")
    login(viewer)

    def queries_for_list() -> int:
        with count_queries() as statements:
            assert client.get("/ideas/").status_code == 200
        return len(statements)

    make_idea(category="reporting")
    few = queries_for_list()
    for number in range(12):
        idea = make_idea(title=f"Idea number {number}", category="reporting" if number % 2 else None)
        votes.cast_vote(viewer, idea)
        comments.add_comment(viewer, idea, "me too")
    db.session.commit()
    assert queries_for_list() == few


def test_idea_page_runs_a_fixed_number_of_queries(client, login, count_queries):
    viewer = make_user(role="product_manager")
    idea = make_idea()
    login(viewer)

    def queries_for_page() -> int:
        with count_queries() as statements:
            assert client.get(f"/ideas/{idea.id}").status_code == 200
        return len(statements)

    few = queries_for_page()
    people = [make_user() for _ in range(6)]
    for person in people:
        votes.cast_vote(person, idea)
        parent = comments.add_comment(person, idea, f"Comment by {person.display_name}")
        comments.add_comment(viewer, idea, "A reply", parent_id=parent.id)
        comments.add_internal_note(viewer, idea, "Staff note")
    ideas.change_status(viewer, idea, "under_review", "Looking")
    ideas.change_status(viewer, idea, "planned", "Soon")
    db.session.commit()
    assert queries_for_page() == few
