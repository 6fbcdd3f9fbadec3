"""Board pages: each board's list, the home page's boards, proposing on a board, moving an idea,
and the admin pages that keep boards and who may see a private one."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.board import Board, BoardDomain, BoardMember, BoardSegment
from app.models.idea import Idea
from app.services import boards, ideas
from tests.factories import make_board, make_idea, make_segment, make_user


@pytest.fixture
def admin(app):
    return make_user("admin", name="Ada Admin")


@pytest.fixture
def mobile(admin):
    board = make_board("Mobile app", slug="mobile", admin=admin)
    board.description = "The iOS and Android apps."
    db.session.commit()
    return board


def test_a_site_with_one_board_shows_no_boards(client):
    make_idea(title="Export reports to CSV")
    home = client.get("/").get_data(as_text=True)
    assert "Boards" not in home
    page = client.get("/ideas/").get_data(as_text=True)
    assert 'id="board"' not in page
    assert client.get("/b/ideas/").status_code == 200


def test_each_board_lists_its_own_ideas_and_the_home_page_lists_boards(client, admin, mobile):
    make_idea(title="Export reports to CSV")
    ideas.create_idea(make_user(), "Offline mode on the phone", board="mobile")
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "Mobile app" in home
    assert "The iOS and Android apps." in home
    board_page = client.get("/b/mobile/").get_data(as_text=True)
    assert "Offline mode on the phone" in board_page
    assert "Export reports to CSV" not in board_page
    assert "1 idea" in board_page
    assert 'href="/ideas/new?board=mobile"' in board_page
    everything = client.get("/ideas/").get_data(as_text=True)
    assert "Offline mode on the phone" in everything
    assert "Export reports to CSV" in everything
    filtered = client.get("/ideas/?board=mobile").get_data(as_text=True)
    assert "Export reports to CSV" not in filtered
    assert client.get("/b/nowhere/").status_code == 404


def test_a_private_board_is_404_for_visitors_and_outsiders(client, login, admin):
    beta = make_board("Enterprise beta", "private", admin=admin)
    idea = ideas.create_idea(admin, "Audit trail for the beta", board=beta.slug)
    db.session.commit()
    assert client.get("/b/enterprise-beta/").status_code == 404
    assert client.get(f"/ideas/{idea.id}").status_code == 404
    assert "Enterprise beta" not in client.get("/").get_data(as_text=True)
    login(make_user())
    assert client.get("/b/enterprise-beta/").status_code == 404
    assert "Enterprise beta" not in client.get("/").get_data(as_text=True)


def test_a_member_with_access_sees_and_proposes_on_the_private_board(client, login, admin):
    beta = make_board("Enterprise beta", "private", admin=admin)
    member = make_user()
    boards.grant_member(admin, beta, member)
    db.session.commit()
    login(member)
    board_page = client.get("/b/enterprise-beta/").get_data(as_text=True)
    assert "Only the team and the customers invited to this board see it" in board_page
    form = client.get("/ideas/new?board=enterprise-beta").get_data(as_text=True)
    assert '<option selected value="enterprise-beta">' in form or 'value="enterprise-beta" selected' in form
    response = client.post_form(
        "/ideas/new",
        {"title": "Single sign-on for the beta", "body": "", "board": "enterprise-beta", "confirmed": "1"},
        page="/ideas/new?board=enterprise-beta",
    )
    assert response.status_code == 302
    idea = db.session.scalar(select(Idea).where(Idea.title == "Single sign-on for the beta"))
    assert idea.board_id == beta.id
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert 'href="/b/enterprise-beta/"' in page


def test_proposing_on_a_board_one_may_not_see_changes_nothing(client, login, admin):
    make_board("Enterprise beta", "private", admin=admin)
    make_board("Mobile app", admin=admin)
    login(make_user())
    before = db.session.scalar(select(func.count()).select_from(Idea))
    response = client.post_form(
        "/ideas/new",
        {"title": "Sneak onto the beta", "board": "enterprise-beta", "confirmed": "1"},
        page="/ideas/new",
    )
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Idea)) == before


def test_staff_move_an_idea_from_its_page(client, login, admin, mobile):
    idea = make_idea(title="Dark mode everywhere")
    pm = make_user("product_manager")
    login(pm)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Move to board" in page
    response = client.post_form(f"/ideas/{idea.id}/board", {"board": "mobile"}, page=f"/ideas/{idea.id}")
    assert response.status_code == 302
    assert db.session.get(Idea, idea.id).board_id == mobile.id
    assert "Moved to the board “Mobile app”" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)


def test_members_get_no_move_form_and_cannot_move(client, login, mobile):
    author = make_user()
    idea = make_idea(author=author, title="Dark mode everywhere")
    login(author)
    assert "Move to board" not in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    token = client.csrf_token(f"/ideas/{idea.id}/edit")
    assert (
        client.post(f"/ideas/{idea.id}/board", data={"csrf_token": token, "board": "mobile"}).status_code
        == 403
    )
    assert db.session.get(Idea, idea.id).board_id == boards.default_board().id


def test_admin_adds_a_private_board_and_opens_it_by_member_segment_and_domain(client, login, admin):
    member = make_user(email="pat@example.com", username="pat")
    segment = make_segment("Enterprise", admin=admin)
    login(admin)
    response = client.post_form(
        "/admin/boards",
        {"name": "Enterprise beta", "description": "For contract customers", "visibility": "private"},
    )
    assert response.status_code == 302
    board = db.session.scalar(select(Board).where(Board.slug == "enterprise-beta"))
    assert board.is_private
    edit = f"/admin/boards/{board.id}"
    client.post_form(f"{edit}/members", {"who": "@pat"}, page=edit)
    client.post_form(f"{edit}/segments", {"segment": str(segment.id)}, page=edit)
    client.post_form(f"{edit}/domains", {"domain": "@Acme.example"}, page=edit)
    assert db.session.scalar(select(BoardMember.user_id)) == member.id
    assert db.session.scalar(select(BoardSegment.segment_id)) == segment.id
    assert db.session.scalar(select(BoardDomain.domain)) == "acme.example"
    page = client.get(edit).get_data(as_text=True)
    assert "pat@example.com" in page
    assert "@acme.example" in page
    client.post_form(f"{edit}/members/{member.id}/remove", page=edit)
    assert db.session.scalar(select(func.count()).select_from(BoardMember)) == 0


def test_admin_forms_refuse_bad_input_with_messages(client, login, admin):
    board = make_board("Beta", "private", admin=admin)
    login(admin)
    edit = f"/admin/boards/{board.id}"
    unknown = client.post_form(f"{edit}/members", {"who": "nobody@example.com"}, page=edit)
    assert unknown.status_code == 422
    assert "No member has the email address or username" in unknown.get_data(as_text=True)
    bad_domain = client.post_form(f"{edit}/domains", {"domain": "not a domain"}, page=edit)
    assert bad_domain.status_code == 422
    assert "Give a domain such as example.com." in bad_domain.get_data(as_text=True)
    taken = client.post_form("/admin/boards", {"name": "Ideas", "slug": "ideas", "visibility": "public"})
    assert "Another board already uses the slug" in taken.get_data(as_text=True)
    no_default = client.post_form(
        f"/admin/boards/{boards.default_board().id}",
        {"name": "Ideas", "slug": "ideas", "visibility": "private", "position": "0"},
    )
    assert no_default.status_code == 302
    assert boards.default_board().visibility == "public"
    assert db.session.scalar(select(func.count()).select_from(BoardDomain)) == 0


def test_archiving_and_the_default_board_from_the_admin_page(client, login, admin, mobile):
    login(admin)
    edit = f"/admin/boards/{mobile.id}"
    archived = client.post_form(f"{edit}/state", {"change": "archive"}, page=edit, follow_redirects=True)
    assert "“Mobile app” is archived" in archived.get_data(as_text=True)
    assert db.session.get(Board, mobile.id).is_archived
    assert "Mobile app" not in client.get("/").get_data(as_text=True)
    client.post_form(f"{edit}/state", {"change": "restore"}, page=edit)
    client.post_form(f"{edit}/state", {"change": "default"}, page=edit)
    assert boards.default_board().id == mobile.id


@pytest.mark.parametrize("role", ["member", "moderator", "product_manager"])
def test_only_admins_reach_the_board_admin_pages(client, login, role):
    login(make_user(role))
    assert client.get("/admin/boards").status_code == 403
    token = client.csrf_token("/ideas/new")
    assert client.post("/admin/boards", data={"csrf_token": token, "name": "X"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Board)) == 1


def test_a_visitors_kept_board_list_follows_the_board_turning_private(client, admin, mobile):
    ideas.create_idea(make_user(), "Offline mode on the phone", board="mobile")
    db.session.commit()
    assert "Offline mode on the phone" in client.get("/ideas/").get_data(as_text=True)
    boards.update_board(admin, mobile, {"visibility": "private"})
    db.session.commit()
    assert "Offline mode on the phone" not in client.get("/ideas/").get_data(as_text=True)
    assert client.get("/b/mobile/").status_code == 404


def test_cards_in_a_list_of_several_boards_name_their_board_and_follow_a_rename(client, admin, mobile):
    ideas.create_idea(make_user(), "Offline mode on the phone", board="mobile")
    db.session.commit()
    everything = client.get("/ideas/").get_data(as_text=True)
    assert '<a class="badge badge--board" href="/b/mobile/">Mobile app</a>' in everything
    assert "badge--board" not in client.get("/b/mobile/").get_data(as_text=True)
    boards.update_board(admin, mobile, {"name": "Phone apps"})
    db.session.commit()
    renamed = client.get("/ideas/").get_data(as_text=True)
    assert '<a class="badge badge--board" href="/b/mobile/">Phone apps</a>' in renamed
