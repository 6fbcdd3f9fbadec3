"""Moderators' one-click actions from the queue and the idea page: dismiss, hide, restore, delete,
lock, pin, merge and unmerge; refused for everyone else and without a CSRF token."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.comment import Comment
from app.models.idea import Idea, IdeaVote
from app.models.moderation import AuditEntry, Flag
from app.models.user import User
from app.services import moderation, votes
from tests.factories import make_comment, make_flag, make_idea, make_user


def act(client, url: str, data: dict | None = None, page: str = "/moderation"):
    """Press a moderation button (a form post with its CSRF token) and follow the redirect."""
    return client.post_form(url, data or {}, page=page, follow_redirects=True)


def voters(idea: Idea) -> set[int]:
    return set(db.session.scalars(select(IdeaVote.user_id).where(IdeaVote.idea_id == idea.id)))


def open_flags() -> int:
    return db.session.scalar(select(func.count(Flag.id)).where(Flag.status == "open"))


def idea_titles_in_list(client) -> list[str]:
    html = client.get("/ideas/").get_data(as_text=True)
    return re.findall(r'class="card__title"><a href="/ideas/\d+">([^<]+)</a>', html)


def as_visitor(client) -> None:
    with client.session_transaction() as session:
        session.clear()


@pytest.fixture
def moderator(app) -> User:
    return make_user(role="moderator", name="Mo Moderator")


# From the queue


def test_dismissing_flags_brings_an_auto_hidden_idea_back(client, login, moderator):
    idea = make_idea(title="Honest idea flagged by rivals")
    for _ in range(3):
        make_flag(idea)
    assert idea.is_hidden
    login(moderator)
    response = act(client, f"/moderation/ideas/{idea.id}/dismiss", {"next": "/moderation"})
    html = response.get_data(as_text=True)
    assert "3 flags dismissed." in html
    assert "Nothing waits for review" in html  # back on the queue, now empty
    assert not idea.is_hidden
    assert open_flags() == 0
    as_visitor(client)
    assert client.get(f"/ideas/{idea.id}").status_code == 200


def test_dismissing_flags_that_are_not_there_is_refused_clearly(client, login, moderator):
    idea = make_idea()
    login(moderator)
    response = act(client, f"/moderation/ideas/{idea.id}/dismiss", page=f"/ideas/{idea.id}")
    assert "There are no open flags on this item." in response.get_data(as_text=True)


def test_hiding_an_idea_with_a_reason_the_author_reads(client, login, moderator):
    author = make_user()
    idea = make_idea(author, title="Cheap watches for sale")
    make_flag(idea)
    login(moderator)
    response = act(
        client, f"/moderation/ideas/{idea.id}/hide", {"reason": "Advertising", "next": "/moderation"}
    )
    assert "The idea is hidden." in response.get_data(as_text=True)
    assert idea.hidden_reason == "Advertising"
    assert open_flags() == 0  # the flag was upheld

    login(author)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Hidden by a moderator: Advertising. Only you and moderators can see it." in page
    login(make_user())
    assert client.get(f"/ideas/{idea.id}").status_code == 404
    assert "Cheap watches for sale" not in idea_titles_in_list(client)


def test_hiding_without_a_reason_is_refused_and_changes_nothing(client, login, moderator):
    idea = make_idea()
    login(moderator)
    response = act(client, f"/moderation/ideas/{idea.id}/hide", {"reason": "  "}, page=f"/ideas/{idea.id}")
    assert "Give a reason; the author will read it." in response.get_data(as_text=True)
    assert not idea.is_hidden
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_restoring_a_hidden_idea_shows_it_to_everyone_again(client, login, moderator):
    idea = make_idea(title="Hidden by mistake")
    moderation.hide_item(moderator, "idea", idea.id, "Looked like spam")
    db.session.commit()
    login(moderator)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Hidden by a moderator: Looked like spam." in page
    response = act(client, f"/moderation/ideas/{idea.id}/restore", page=f"/ideas/{idea.id}")
    assert "The idea is visible to everyone again." in response.get_data(as_text=True)
    assert not idea.is_hidden
    as_visitor(client)
    assert "Hidden by mistake" in idea_titles_in_list(client)


def test_deleting_an_idea_is_soft_and_restorable(client, login, moderator):
    idea = make_idea(title="Posted twice by mistake")
    login(moderator)
    response = act(client, f"/moderation/ideas/{idea.id}/delete", page=f"/ideas/{idea.id}")
    html = response.get_data(as_text=True)
    assert "The idea is deleted." in html
    assert "<strong>Deleted</strong>" in html  # the moderator lands on its page, with a way back
    assert f'action="/moderation/ideas/{idea.id}/restore"' in html
    assert db.session.get(Idea, idea.id) is not None
    as_visitor(client)
    assert client.get(f"/ideas/{idea.id}").status_code == 404
    assert "Posted twice by mistake" not in idea_titles_in_list(client)

    login(moderator)
    act(client, f"/moderation/ideas/{idea.id}/restore", page=f"/ideas/{idea.id}")
    assert not idea.is_deleted
    as_visitor(client)
    assert "Posted twice by mistake" in idea_titles_in_list(client)


def test_hide_restore_and_delete_a_comment_from_its_thread(client, login, moderator):
    idea = make_idea()
    commenter = make_user()
    comment = make_comment(idea, commenter, "You are all idiots")
    here = f"/ideas/{idea.id}"
    login(moderator)
    page = client.get(here).get_data(as_text=True)
    assert f'action="/moderation/comments/{comment.id}/hide"' in page
    act(client, f"/moderation/comments/{comment.id}/hide", {"reason": "Be kind", "next": here}, page=here)
    assert comment.hidden_reason == "Be kind"
    assert idea.comment_count == 0
    as_visitor(client)
    assert "You are all idiots" not in client.get(here).get_data(as_text=True)
    login(commenter)
    page = client.get(here).get_data(as_text=True)
    assert "You are all idiots" in page
    assert "Hidden by a moderator: Be kind. Only you and moderators can see it." in page

    login(moderator)
    act(client, f"/moderation/comments/{comment.id}/restore", {"next": here}, page=here)
    assert not comment.is_hidden
    assert idea.comment_count == 1
    response = act(client, f"/moderation/comments/{comment.id}/delete", {"next": here}, page=here)
    assert comment.is_deleted
    assert "You are all idiots" not in response.get_data(as_text=True)
    assert f'action="/moderation/comments/{comment.id}/restore"' in response.get_data(as_text=True)


def test_approving_a_post_held_for_review(client, login, moderator):
    from app.services import settings

    settings.update_settings(make_user(role="admin"), premoderation_enabled=True)
    db.session.commit()
    author = make_user()
    idea = make_idea(author, title="My very first idea")
    login(author)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Waiting for a moderator’s review; only you and moderators see it." in page
    login(moderator)
    act(client, f"/moderation/ideas/{idea.id}/restore")
    assert not idea.is_pending
    as_visitor(client)
    assert client.get(f"/ideas/{idea.id}").status_code == 200


def test_locking_stops_votes_and_comments_until_unlocked(client, login, moderator):
    idea = make_idea()
    here = f"/ideas/{idea.id}"
    login(moderator)
    response = act(client, f"/moderation/ideas/{idea.id}/lock", {"next": here}, page=here)
    assert "Locked:</strong> no new comments or votes." in response.get_data(as_text=True)
    assert idea.is_locked

    member = make_user()
    login(member)
    page = client.get(here).get_data(as_text=True)
    assert '<button type="submit" class="vote__button' not in page
    assert "Post comment" not in page
    vote = client.post_form(f"{here}/vote", {"intent": "add"}, page=here)
    assert vote.status_code == 403
    comment = client.post_form(f"{here}/comments", {"body": "Let me in"}, page=here)
    assert comment.status_code == 403
    assert idea.vote_count == 1
    assert idea.comment_count == 0

    login(moderator)
    act(client, f"/moderation/ideas/{idea.id}/unlock", {"next": here}, page=here)
    login(member)
    client.post_form(f"{here}/vote", {"intent": "add"}, page=here)
    assert idea.vote_count == 2


def test_pinning_puts_an_idea_first_on_the_list(client, login, moderator):
    quiet = make_idea(title="A quiet little idea")
    for number in range(3):
        popular = make_idea(title=f"Popular idea number {number}")
        for _ in range(3):
            votes.cast_vote(make_user(), popular)
    db.session.commit()
    assert idea_titles_in_list(client)[0] != "A quiet little idea"
    login(moderator)
    act(client, f"/moderation/ideas/{quiet.id}/pin", {"next": "/moderation"})
    titles = idea_titles_in_list(client)
    assert titles[0] == "A quiet little idea"
    assert "Pinned" in client.get(f"/ideas/{quiet.id}").get_data(as_text=True)
    act(client, f"/moderation/ideas/{quiet.id}/unpin")
    assert idea_titles_in_list(client)[0] != "A quiet little idea"


def test_pinning_twice_is_refused_clearly(client, login, moderator):
    idea = make_idea()
    login(moderator)
    act(client, f"/moderation/ideas/{idea.id}/pin")
    response = act(client, f"/moderation/ideas/{idea.id}/pin", page=f"/ideas/{idea.id}")
    assert "The idea is already pinned." in response.get_data(as_text=True)


# Merging


def test_merging_from_the_idea_page_moves_the_votes_and_points_to_the_target(client, login, moderator):
    target = make_idea(title="Export reports to CSV")
    source = make_idea(title="CSV download for reports")
    both, only_source = make_user(), make_user()
    for person in (both, only_source):
        votes.cast_vote(person, source)
    votes.cast_vote(both, target)
    db.session.commit()
    before_target = voters(target)

    login(moderator)
    page = client.get(f"/ideas/{source.id}").get_data(as_text=True)
    assert f'action="/moderation/ideas/{source.id}/merge"' in page
    response = act(
        client,
        f"/moderation/ideas/{source.id}/merge",
        {"target": f"/ideas/{target.id}"},
        page=f"/ideas/{source.id}",
    )
    html = response.get_data(as_text=True)
    assert "Merged into “Export reports to CSV”" in html
    assert f'merged into <a href="/ideas/{target.id}">“Export reports to CSV”</a>' in html
    assert voters(target) == before_target | {source.author_id, only_source.id}
    assert voters(source) == set()
    assert source.status == "merged"

    as_visitor(client)
    page = client.get(f"/ideas/{source.id}").get_data(as_text=True)
    assert f'merged into <a href="/ideas/{target.id}">' in page
    assert "CSV download for reports" not in idea_titles_in_list(client)

    login(moderator)
    response = act(client, f"/moderation/ideas/{source.id}/unmerge", page=f"/ideas/{source.id}")
    assert "Unmerged" in response.get_data(as_text=True)
    assert source.status == "open"
    assert voters(source) == {source.author_id, both.id, only_source.id}
    assert voters(target) == before_target


def test_merge_needs_an_idea_number_or_link(client, login, moderator):
    source = make_idea()
    login(moderator)
    response = act(
        client,
        f"/moderation/ideas/{source.id}/merge",
        {"target": "the other one"},
        page=f"/ideas/{source.id}",
    )
    assert "give the number or link of the idea to merge into" in response.get_data(as_text=True)
    response = act(
        client, f"/moderation/ideas/{source.id}/merge", {"target": str(source.id)}, page=f"/ideas/{source.id}"
    )
    assert "An idea cannot be merged into itself." in response.get_data(as_text=True)
    assert source.status == "open"


def test_the_merge_search_lists_matches_to_pick_from(client, login, moderator):
    source = make_idea(title="CSV download for reports")
    target = make_idea(title="Export reports to CSV")
    make_idea(title="Dark mode for the dashboard")
    login(moderator)
    html = client.get(f"/moderation/ideas/{source.id}/merge").get_data(as_text=True)
    assert "Export reports to CSV" in html
    assert "Dark mode" not in html
    assert f'<input type="hidden" name="target" value="{target.id}">' in html
    assert f'name="target" value="{source.id}"' not in html  # never itself
    html = client.get(f"/moderation/ideas/{source.id}/merge?q=dark").get_data(as_text=True)
    assert "Dark mode for the dashboard" in html
    client.post_form(
        f"/moderation/ideas/{source.id}/merge",
        {"target": str(target.id)},
        page=f"/moderation/ideas/{source.id}/merge",
    )
    assert source.merged_into_id == target.id


# Who may act


def _routes(idea: Idea, comment: Comment) -> list[tuple[str, dict]]:
    other = make_idea(title="Another idea to merge into")
    return [
        *[(f"/moderation/ideas/{idea.id}/{action}", {}) for action in ("restore", "delete", "dismiss")],
        *[(f"/moderation/comments/{comment.id}/{action}", {}) for action in ("restore", "delete", "dismiss")],
        (f"/moderation/ideas/{idea.id}/hide", {"reason": "Nope"}),
        (f"/moderation/comments/{comment.id}/hide", {"reason": "Nope"}),
        *[
            (f"/moderation/ideas/{idea.id}/{action}", {})
            for action in ("lock", "unlock", "pin", "unpin", "unmerge")
        ],
        (f"/moderation/ideas/{idea.id}/merge", {"target": str(other.id)}),
    ]


@pytest.mark.parametrize("role", ["member", "product_manager"])
def test_members_and_product_managers_get_403_on_every_moderation_route(client, login, role):
    idea = make_idea()
    comment = make_comment(idea, body="Buy cheap watches")
    make_flag(idea)
    routes = _routes(idea, comment)
    login(make_user(role=role))
    assert client.get(f"/moderation/ideas/{idea.id}/merge").status_code == 403
    for url, data in routes:
        response = client.post_form(url, data, page=f"/ideas/{idea.id}")
        assert response.status_code == 403, url
    assert (idea.is_hidden, idea.is_deleted, idea.is_locked, idea.pinned_at, idea.status) == (
        False,
        False,
        False,
        None,
        "open",
    )
    assert not comment.is_hidden
    assert not comment.is_deleted
    assert open_flags() == 1
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_moderation_posts_without_csrf_are_refused(client, login, moderator):
    idea = make_idea()
    comment = make_comment(idea, body="Buy cheap watches")
    routes = _routes(idea, comment)
    login(moderator)
    for url, data in routes:
        assert client.post(url, data=data).status_code == 400, url
    assert (idea.is_hidden, idea.is_deleted, idea.is_locked, idea.pinned_at) == (False, False, False, None)
    assert not comment.is_hidden
    assert not comment.is_deleted


def test_visitors_are_asked_to_sign_in(client):
    idea = make_idea()
    response = client.post_form(f"/moderation/ideas/{idea.id}/lock", page=f"/ideas/{idea.id}")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
    assert not idea.is_locked


def test_moderator_controls_show_to_moderators_only(client, login, moderator):
    idea = make_idea()
    make_comment(idea, body="Buy cheap watches")
    login(make_user())
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "/moderation/" not in page
    login(moderator)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    for action in ("hide", "delete", "lock", "pin", "merge"):
        assert f'action="/moderation/ideas/{idea.id}/{action}"' in page
