"""Whole pages for signed-out visitors: served again until the next write, never to members."""

import pytest

from app import create_app
from app.extensions import db
from app.models.idea import Idea
from app.services import moderation, votes
from tests.conftest import ON_POSTGRES, Client, _empty_tables, make_config
from tests.factories import make_idea, make_user


@pytest.fixture
def app(tmp_path, _schema):
    app = create_app(make_config(tmp_path, PAGE_CACHE=True, PAGE_CACHE_GENERATION_FILE=tmp_path / "gen"))
    app.test_client_class = Client
    with app.app_context():
        if not ON_POSTGRES:
            db.create_all()
        yield app
        db.session.remove()
        if ON_POSTGRES:
            _empty_tables()
        db.engine.dispose()


def visit(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.headers.get("X-Page-Cache"), response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/ideas/", "/ideas/?q=export", "/ideas/{id}", "/roadmap"])
def test_visitors_get_the_stored_page_the_second_time_and_it_holds_no_csrf_token(client, path):
    idea = make_idea(title="Export reports to CSV")
    path = path.format(id=idea.id)
    first, body = visit(client, path)
    second, again = visit(client, path)
    assert (first, second) == ("miss", "hit")
    assert again == body
    assert ("Roadmap" if path == "/roadmap" else "Export reports to CSV") in body
    assert 'name="csrf_token"' not in body


def test_a_vote_shows_to_visitors_at_once_and_members_see_their_own_vote(app, client, login):
    idea = make_idea(title="Export reports to CSV")
    visit(client, "/ideas/")
    assert visit(client, f"/ideas/{idea.id}")[0] == "miss"
    member = make_user()
    db.session.commit()
    signed_in = login(member, app.test_client())
    response = signed_in.post_form(f"/ideas/{idea.id}/vote", {"intent": "add"}, page=f"/ideas/{idea.id}")
    assert response.status_code in (200, 302)
    page = signed_in.get("/ideas/")
    assert "X-Page-Cache" not in page.headers
    assert 'aria-pressed="true"' in page.get_data(as_text=True)
    state, body = visit(client, f"/ideas/{idea.id}")
    assert state == "miss"
    assert db.session.get(Idea, idea.id).vote_count == 2
    assert '<span class="vote__count">2</span>' in body


def test_a_hidden_idea_leaves_the_visitors_list_at_once(client):
    idea = make_idea(title="Buy cheap watches here")
    assert "Buy cheap watches" in visit(client, "/ideas/")[1]
    moderation.hide_item(make_user(role="moderator"), "idea", idea.id, "Spam")
    db.session.commit()
    state, body = visit(client, "/ideas/")
    assert state == "miss"
    assert "Buy cheap watches" not in body


def test_nothing_is_stored_for_a_visitor_with_a_message_waiting(client):
    make_idea()
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "You are signed out.")]
    response = client.get("/ideas/")
    assert "X-Page-Cache" not in response.headers
    assert "You are signed out." in response.get_data(as_text=True)
    assert visit(client, "/ideas/")[0] == "miss"


def test_a_rolled_back_write_keeps_the_stored_pages(client):
    idea, voter = make_idea(), make_user()
    visit(client, "/ideas/")
    votes.add_vote(db.session.get(Idea, idea.id), voter.id)
    db.session.rollback()
    assert visit(client, "/ideas/")[0] == "hit"


def test_list_totals_are_kept_until_a_write_and_each_viewer_gets_their_own(app, client, login):
    from app.services import ideas as idea_service

    author = make_user()
    make_idea(author, title="A public idea")
    hidden = make_idea(author, title="An idea a moderator hid")
    moderation.hide_item(make_user(role="moderator"), "idea", hidden.id, "Off topic")
    db.session.commit()
    own = login(author, app.test_client())
    # The author also sees their own hidden idea; a visitor does not.
    assert "2 ideas" in own.get("/ideas/").get_data(as_text=True)
    assert "1 idea" in visit(client, "/ideas/")[1]
    assert "2 ideas" in own.get("/ideas/").get_data(as_text=True)
    idea_service.create_idea(make_user(), "Another public idea", "")
    db.session.commit()
    assert "3 ideas" in own.get("/ideas/").get_data(as_text=True)
    assert "2 ideas" in visit(client, "/ideas/")[1]


@pytest.mark.parametrize("path", ["/", "/ideas/", "/ideas/?q=export", "/ideas/{id}", "/roadmap"])
def test_signed_out_pages_set_no_cookie_and_answer_304_while_unchanged(client, path):
    idea = make_idea(title="Export reports to CSV")
    path = path.format(id=idea.id)
    for _ in range(2):  # stored, then served from the store
        response = client.get(path)
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=30"
        assert "Cookie" in response.headers["Vary"]
        etag = response.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""


def test_a_write_changes_the_validator(client):
    idea = make_idea(title="Export reports to CSV")
    etag = client.get(f"/ideas/{idea.id}").headers["ETag"]
    votes.cast_vote(make_user(), idea)
    db.session.commit()
    response = client.get(f"/ideas/{idea.id}", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_members_pages_stay_private(client, login):
    idea = make_idea(title="Export reports to CSV")
    login(make_user())
    response = client.get(f"/ideas/{idea.id}")
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "ETag" not in response.headers
