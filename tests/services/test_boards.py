"""Boards: made and changed by admins, private ones seen by the team and by members granted access."""

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.models.board import Board
from app.models.moderation import AuditEntry
from app.models.notification import Notification
from app.services import boards, ideas, segments
from app.visibility import hidden_boards, may_see
from tests.factories import make_board, make_idea, make_launch, make_prototype, make_segment, make_user


@pytest.fixture
def admin(app):
    return make_user("admin")


def test_a_new_site_has_one_public_default_board_where_ideas_go(app):
    board = boards.default_board()
    assert (board.slug, board.visibility, board.is_default) == ("ideas", "public", True)
    idea = make_idea()
    assert idea.board_id == board.id
    assert [b.slug for b in boards.list_boards(None)] == ["ideas"]


def test_admin_adds_a_board_with_a_slug_made_from_its_name(admin):
    board = boards.create_board(admin, "Mobile app — iOS", description="The phone app.")
    db.session.commit()
    assert board.slug == "mobile-app-ios"
    assert board.position > boards.default_board().position
    assert (
        db.session.scalar(select(AuditEntry.action).where(AuditEntry.target_id == board.id)) == "board.create"
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 61}, "name"),
        ({"name": "Fine", "slug": "Not A Slug!"}, "slug"),
        ({"name": "Fine", "slug": "ideas"}, "slug"),
        ({"name": "Fine", "visibility": "secret"}, "visibility"),
        ({"name": "Fine", "position": -1}, "position"),
    ],
)
def test_bad_board_fields_are_refused_and_nothing_is_added(admin, values, field):
    before = db.session.scalar(select(func.count()).select_from(Board))
    with pytest.raises(Invalid) as refused:
        boards.create_board(
            admin,
            values.get("name", "Fine"),
            values.get("slug", ""),
            visibility=values.get("visibility", "public"),
            position=values.get("position"),
        )
    assert field in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Board)) == before


def test_only_admins_manage_boards(app):
    for role in ("member", "moderator", "product_manager"):
        with pytest.raises(Forbidden):
            boards.create_board(make_user(role), "Beta")


def test_the_default_board_stays_public_and_open(admin):
    default = boards.default_board()
    with pytest.raises(Conflict):
        boards.update_board(admin, default, {"visibility": "private"})
    with pytest.raises(Conflict):
        boards.update_board(admin, default, {"archived": True})
    private = make_board("Beta", "private", admin=admin)
    with pytest.raises(Conflict):
        boards.update_board(admin, private, {"default": True})


def test_making_another_board_the_default_moves_new_ideas_there(admin):
    other = make_board("Web app", admin=admin)
    boards.update_board(admin, other, {"default": True})
    db.session.commit()
    assert boards.default_board().id == other.id
    assert make_idea().board_id == other.id
    assert db.session.scalar(select(func.count()).select_from(Board).where(Board.is_default.is_(True))) == 1


def test_an_archived_board_takes_no_new_ideas_but_keeps_its_own(admin):
    board = make_board("Old product", admin=admin)
    author = make_user()
    idea = ideas.create_idea(author, "Keep the old export", board=board.slug)
    db.session.commit()
    boards.update_board(admin, board, {"archived": True})
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        ideas.create_idea(author, "Another one for the old product", board=board.slug)
    assert "archived" in refused.value.fields["board"][0]
    db.session.rollback()
    assert ideas.get_idea(author, idea.id).id == idea.id
    assert board.id not in {b.id for b in boards.list_boards(author)}


def test_a_private_board_is_seen_by_the_team_and_by_granted_members_only(admin):
    board = make_board("Enterprise beta", "private", admin=admin)
    author = make_user()
    boards.grant_member(admin, board, author)
    idea = ideas.create_idea(author, "Single sign-on for the beta", board=board.slug)
    db.session.commit()
    outsider = make_user()
    for viewer in (None, outsider):
        assert board.id in hidden_boards(viewer)
        assert may_see(viewer, idea) is False
        with pytest.raises(NotFound):
            ideas.get_idea(viewer, idea.id)
        with pytest.raises(NotFound):
            boards.board_by_slug(viewer, board.slug)
        assert ideas.list_ideas(viewer).page.total == 0
        assert ideas.similar_ideas(viewer, "single sign-on beta") == []
    for viewer in (author, admin, make_user("product_manager"), make_user("moderator")):
        assert ideas.get_idea(viewer, idea.id).id == idea.id


def test_access_by_segment_and_by_verified_domain(admin):
    board = make_board("Acme", "private", admin=admin)
    idea = ideas.create_idea(admin, "Acme's own export", board=board.slug)
    db.session.commit()
    in_segment = make_user()
    segment = make_segment("Acme staff", members=[in_segment], admin=admin)
    boards.grant_segment(admin, board, segment)
    boards.grant_domain(admin, board, "@Acme.example")
    db.session.commit()
    acme = make_user(email="pat@acme.example")
    unverified = make_user(email="sam@acme.example")
    unverified.email_verified_at = None
    db.session.commit()
    assert may_see(in_segment, idea)
    assert may_see(acme, idea)
    assert not may_see(unverified, idea), "an unconfirmed address proves nothing"
    segments.unassign_member(admin, segment, in_segment.id)
    boards.revoke_domain(admin, board, "acme.example")
    db.session.commit()
    assert not may_see(acme, idea)
    assert not may_see(in_segment, idea)


def test_a_bad_domain_is_refused(admin):
    board = make_board("Acme", "private", admin=admin)
    with pytest.raises(Invalid):
        boards.grant_domain(admin, board, "not a domain")


def test_revoking_access_hides_the_board_again_and_the_member_is_told_when_invited(admin):
    board = make_board("Beta", "private", admin=admin)
    member = make_user()
    assert boards.grant_member(admin, board, member) is True
    assert boards.grant_member(admin, board, member) is False
    db.session.commit()
    told = db.session.scalars(select(Notification).where(Notification.user_id == member.id)).all()
    assert [n.kind for n in told] == ["board"]
    assert board.id not in hidden_boards(member)
    boards.revoke_member(admin, board, member.id)
    db.session.commit()
    assert board.id in hidden_boards(member)


def test_a_prototype_or_launch_linked_only_to_private_ideas_is_private_too(admin):
    board = make_board("Beta", "private", admin=admin)
    private_idea = ideas.create_idea(admin, "A private idea to try", board=board.slug)
    public_idea = make_idea()
    db.session.commit()
    only_private = make_prototype(idea_ids=[private_idea.id])
    both = make_prototype(idea_ids=[private_idea.id, public_idea.id])
    unlinked = make_prototype()
    launch = make_launch(idea_ids=[private_idea.id])
    outsider = make_user()
    assert not may_see(outsider, only_private)
    assert not may_see(None, only_private)
    assert may_see(outsider, both)
    assert may_see(outsider, unlinked)
    assert not may_see(outsider, launch)
    assert may_see(admin, launch)
    assert may_see(admin, only_private)


def test_moving_an_idea_tells_its_followers_writes_the_audit_log_and_drops_another_boards_category(admin):
    from app.services import categories, follows

    web = make_board("Web app", admin=admin)
    mobile = make_board("Mobile app", admin=admin)
    category = categories.create_category(admin, "Offline")
    category.board_id = mobile.id
    author = make_user()
    follower = make_user()
    idea = ideas.create_idea(author, "Work offline on the train", category="offline", board=mobile.slug)
    follows.follow_idea(follower, idea)
    db.session.commit()
    pm = make_user("product_manager")
    assert boards.move_idea(pm, idea, web) is True
    db.session.commit()
    assert (idea.board_id, idea.category_id) == (web.id, None)
    told = {n.user_id for n in db.session.scalars(select(Notification).where(Notification.kind == "board"))}
    assert told == {author.id, follower.id}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "idea.move"))
    assert (entry.before, entry.after) == ("Mobile app", "Web app")
    assert boards.move_idea(pm, idea, web) is False
    with pytest.raises(Forbidden):
        boards.move_idea(author, idea, mobile)


def test_a_category_of_another_board_is_refused_on_a_new_idea(admin):
    from app.services import categories

    mobile = make_board("Mobile app", admin=admin)
    category = categories.create_category(admin, "Offline")
    category.board_id = mobile.id
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        ideas.create_idea(make_user(), "Offline mode for the web app", category="offline")
    assert "another board" in refused.value.fields["category"][0]


def test_a_merge_across_boards_keeps_the_targets_board(admin):
    from app.services import merges

    mobile = make_board("Mobile app", admin=admin)
    source = ideas.create_idea(make_user(), "Dark mode on the phone", board=mobile.slug)
    target = make_idea(title="Dark mode everywhere")
    db.session.commit()
    merged = merges.merge_ideas(make_user("moderator"), source.id, target.id)
    db.session.commit()
    assert merged.id == target.id
    db.session.refresh(target)
    assert target.board_id == boards.default_board().id
    assert target.vote_count == 2
