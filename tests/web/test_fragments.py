"""Cached fragments change when what they show changes, and never leak between viewers.

Each test first renders a page so its fragments are cached, changes one thing through the
service a member or staff would use, and reads the page again. Changes made behind the
application's back (raw SQL, which moves no version) show that the fragment really is served
from the cache, so a missing version bump would fail these tests.
"""

import re
from datetime import timedelta

from sqlalchemy import text

from app import fragments
from app.extensions import db
from app.models.idea import Idea
from app.models.user import User
from app.services import accounts, comments, merges, moderation, roadmap, votes
from app.services import categories as category_service
from app.services import ideas as idea_service
from tests.factories import make_comment, make_idea, make_roadmap_item, make_user


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def behind_the_back(sql: str, **params) -> None:
    """Change a row without the application, so no version moves."""
    with db.engine.begin() as connection:
        connection.execute(text(sql), params)


def test_a_card_is_served_from_the_cache_until_its_idea_changes(client):
    author = make_user()
    idea = make_idea(author, title="Export reports to CSV")
    assert "Export reports to CSV" in page(client, "/ideas/")
    behind_the_back("UPDATE ideas SET title = 'Changed unseen' WHERE id = :id", id=idea.id)
    body = page(client, "/ideas/")
    assert ">Export reports to CSV</a>" in body
    assert ">Changed unseen</a>" not in body
    idea_service.update_idea(author, idea_service.get_idea(author, idea.id), title="Export reports to Excel")
    db.session.commit()
    body = page(client, "/ideas/")
    assert ">Export reports to Excel</a>" in body
    assert "Export reports to CSV" not in body


def test_a_vote_changes_only_that_ideas_card(app, client):
    voted, other = make_idea(title="Export reports to CSV"), make_idea(title="Dark mode")
    page(client, "/ideas/")
    with app.test_request_context():
        other_key = fragments.idea_card_key(idea_service.get_idea(None, other.id), 2)
        voted_key = fragments.idea_card_key(idea_service.get_idea(None, voted.id), 2)
    votes.cast_vote(make_user(), db.session.get(Idea, voted.id))
    db.session.commit()
    body = page(client, "/ideas/")
    assert '<span class="vote__count">2</span>' in body
    db.session.expire_all()
    with app.test_request_context():
        assert fragments.idea_card_key(idea_service.get_idea(None, other.id), 2) == other_key
        assert fragments.idea_card_key(idea_service.get_idea(None, voted.id), 2) != voted_key
    # The other card is still served from the cache under its unchanged key.
    assert fragments.cache().get(other_key) is not None


def test_a_status_change_shows_on_the_card_and_the_idea_page(client):
    idea = make_idea(title="Export reports to CSV")
    page(client, "/ideas/")
    page(client, f"/ideas/{idea.id}")
    idea_service.change_status(make_user(role="admin"), db.session.get(Idea, idea.id), "planned")
    db.session.commit()
    assert "Planned" in page(client, "/ideas/?status=planned")
    assert "Planned" in page(client, "/ideas/")


def test_a_hidden_idea_leaves_the_list_and_its_author_sees_the_badge(app, client, login):
    author = make_user()
    idea = make_idea(author, title="Buy cheap watches here")
    own = login(author, app.test_client())
    assert "Buy cheap watches" in page(client, "/ideas/")
    assert "Buy cheap watches" in page(own, "/ideas/")
    moderation.hide_item(make_user(role="moderator"), "idea", idea.id, "Spam")
    db.session.commit()
    assert "Buy cheap watches" not in page(client, "/ideas/")
    card = page(own, "/ideas/").split(f'id="idea-{idea.id}"')[1].split("</li>")[0]
    assert "Hidden" in card


def test_a_merged_idea_shows_as_merged_and_its_votes_move(client):
    source, target = make_idea(title="CSV export"), make_idea(title="Export reports to CSV")
    page(client, "/ideas/")
    page(client, "/ideas/?status=merged")
    merges.merge_ideas(make_user(role="moderator"), source.id, target.id)
    db.session.commit()
    merged = page(client, "/ideas/?status=merged")
    assert "CSV export" in merged
    assert "Merged" in merged
    target_card = page(client, "/ideas/").split(f'id="idea-{target.id}"')[1].split("</li>")[0]
    assert '<span class="vote__count">2</span>' in target_card


def test_a_category_rename_shows_on_every_card(client):
    admin = make_user(role="admin")
    category = category_service.create_category(admin, "Reports", "reports")
    db.session.commit()
    make_idea(title="Export reports to CSV", category="reports")
    assert ">Reports</a>" in page(client, "/ideas/")
    category_service.update_category(admin, category, "Reporting", "reports", "", 0)
    db.session.commit()
    body = page(client, "/ideas/")
    assert ">Reporting</a>" in body
    assert ">Reports</a>" not in body


def test_an_author_rename_shows_on_their_comments(client):
    idea = make_idea()
    author = make_user(name="Ada Lovelace")
    make_comment(idea, author, "Please add this")
    assert "Ada Lovelace" in page(client, f"/ideas/{idea.id}")
    accounts.update_profile(author, db.session.get(User, author.id), "Ada King")
    db.session.commit()
    body = page(client, f"/ideas/{idea.id}")
    assert "Ada King" in body
    assert "Ada Lovelace" not in body


def test_an_edited_comment_shows_its_new_text(client):
    idea = make_idea()
    author = make_user()
    comment = make_comment(idea, author, body="First thought")
    page(client, f"/ideas/{idea.id}")
    comments.edit_comment(author, comments.get_comment(author, comment.id), "Second thought")
    db.session.commit()
    body = page(client, f"/ideas/{idea.id}")
    assert "Second thought" in body
    assert "First thought" not in body


def test_a_role_change_shows_the_badge_on_comments(client):
    idea = make_idea()
    author = make_user(name="Grace Hopper")
    make_comment(idea, author, "Interesting")
    assert "Moderator" not in page(client, f"/ideas/{idea.id}").split("discussion")[1]
    accounts.change_role(None, db.session.get(User, author.id), "moderator")
    db.session.commit()
    assert "Moderator" in page(client, f"/ideas/{idea.id}").split('id="discussion"')[1]


def test_a_viewer_made_moderator_sees_hidden_comments_and_a_member_never_does(app, client, login):
    idea = make_idea()
    comment = make_comment(idea, body="Rude words here")
    viewer = make_user()
    member = login(viewer, app.test_client())
    moderation.hide_item(make_user(role="moderator"), "comment", comment.id, "Rude")
    db.session.commit()
    assert "Rude words here" not in page(member, f"/ideas/{idea.id}")
    assert "Rude words here" not in page(client, f"/ideas/{idea.id}")
    accounts.change_role(None, db.session.get(User, viewer.id), "moderator")
    db.session.commit()
    # The role change ended the session; the new moderator signs in again.
    moderator = login(db.session.get(User, viewer.id), app.test_client())
    assert "Rude words here" in page(moderator, f"/ideas/{idea.id}")
    assert "Rude words here" not in page(client, f"/ideas/{idea.id}")


def test_a_held_comment_speaks_to_its_own_author_only(app, client, login):
    idea = make_idea()
    author, other = make_user(), make_user()
    comment = make_comment(idea, author, "My comment")
    moderation.hide_item(make_user(role="moderator"), "comment", comment.id, "Off topic")
    db.session.commit()
    mods = [make_user(role="moderator") for _ in range(2)]
    seen_by_mod = page(login(mods[0], app.test_client()), f"/ideas/{idea.id}")
    assert "Only its author and moderators can see it." in seen_by_mod
    seen_by_author = page(login(author, app.test_client()), f"/ideas/{idea.id}")
    assert "Only you and moderators can see it." in seen_by_author
    assert "Only its author and moderators" in page(login(mods[1], app.test_client()), f"/ideas/{idea.id}")
    assert "My comment" not in page(login(other, app.test_client()), f"/ideas/{idea.id}")


def test_vote_boxes_are_each_viewers_own(app, client, login):
    idea = make_idea(title="Export reports to CSV")
    voter, other = make_user(), make_user()
    votes.cast_vote(voter, db.session.get(Idea, idea.id))
    db.session.commit()
    mine = page(login(voter, app.test_client()), "/ideas/")
    theirs = page(login(other, app.test_client()), "/ideas/")
    visitor = page(client, "/ideas/")
    assert 'aria-pressed="true"' in mine
    assert 'aria-pressed="true"' not in theirs
    assert 'aria-pressed="false"' in theirs
    assert "Sign in to vote" in visitor
    assert "aria-pressed" not in visitor
    # Each form carries its own session's CSRF token, never another's.
    token = mine.split('name="csrf_token" value="')[1].split('"')[0]
    assert token not in theirs


def test_a_cards_relative_time_moves_on_with_no_change_to_the_idea(app, login):
    # A member's list: visitors' copies of whole list pages are kept a minute (test_shared_caches).
    client = login(make_user(), app.test_client())
    idea = make_idea(title="Export reports to CSV")
    assert "just now" in page(client, "/ideas/")
    earlier = db.session.get(Idea, idea.id).created_at - timedelta(hours=2)
    behind_the_back("UPDATE ideas SET created_at = :earlier WHERE id = :id", earlier=earlier, id=idea.id)
    body = page(client, "/ideas/")
    assert "2 hours ago" in body
    assert "just now" not in body


def _values(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]+)"', html)


def test_forms_inside_cached_comments_carry_each_readers_own_tokens(app, login):
    idea = make_idea()
    for words in ("First", "Second"):
        make_comment(idea, body=words)
    reader, other = make_user(), make_user()
    mine = login(reader, app.test_client())
    first, again = page(mine, f"/ideas/{idea.id}"), page(mine, f"/ideas/{idea.id}")
    theirs = page(login(other, app.test_client()), f"/ideas/{idea.id}")
    # One CSRF token per session, in the cached reply forms as in the page's own comment form.
    assert len(set(_values(first, "csrf_token"))) == 1
    assert set(_values(first, "csrf_token")).isdisjoint(_values(theirs, "csrf_token"))
    assert "cocreate-csrf-token" not in first
    # A fresh one-time submission token in every form, on every read.
    tokens = _values(first, "submission_token")
    assert len(tokens) == 3
    assert len(set(tokens)) == 3
    assert set(tokens).isdisjoint(_values(again, "submission_token"))
    assert "cocreate-submission-token" not in again


def test_a_reply_posted_from_a_cached_form_is_accepted(app, login):
    idea = make_idea()
    comment = make_comment(idea, body="Which format?")
    member = login(make_user(), app.test_client())
    page(member, f"/ideas/{idea.id}")  # caches the reply form
    html = page(member, f"/ideas/{idea.id}")
    form = html.split(f'name="parent_id" value="{comment.id}"')[0].rsplit("<form", 1)[1]
    response = member.post(
        f"/ideas/{idea.id}/comments",
        data={
            "csrf_token": _values(form, "csrf_token")[0],
            "submission_token": _values(form, "submission_token")[0],
            "parent_id": comment.id,
            "body": "CSV, please",
        },
    )
    assert response.status_code == 302
    assert "CSV, please" in page(member, f"/ideas/{idea.id}")


def test_a_roadmap_card_changes_with_its_item_its_ideas_and_their_votes(client):
    manager = make_user(role="product_manager")
    idea = make_idea(title="Export reports to CSV")
    item = make_roadmap_item(manager, "CSV export for every report")
    roadmap.link_idea(manager, roadmap.get_item(manager, item.id), idea.id)
    db.session.commit()
    card = page(client, "/roadmap").split("CSV export for every report")[1].split("</ol>")[0]
    assert "1 vote" in card
    votes.cast_vote(make_user(), db.session.get(Idea, idea.id))
    db.session.commit()
    card = page(client, "/roadmap").split("CSV export for every report")[1].split("</ol>")[0]
    assert "2 votes" in card
    idea_service.update_idea(manager, idea_service.get_idea(manager, idea.id), title="Reports as CSV")
    roadmap.update_item(manager, roadmap.get_item(manager, item.id), title="CSV export everywhere")
    db.session.commit()
    body = page(client, "/roadmap")
    assert "CSV export everywhere" in body
    assert "Reports as CSV" in body
    assert "CSV export for every report" not in body


def test_a_roadmap_card_counts_again_the_ideas_it_does_not_name(app, login):
    # A member's board: a change behind the application's back moves no scope, so a visitor's
    # kept copy of the whole board would hide the card's fragment.
    client = login(make_user(), app.test_client())
    manager = make_user(role="product_manager")
    item = make_roadmap_item(manager, "Scheduled reports")
    linked = [make_idea(title=f"Schedule report {number}") for number in range(5)]
    for number, idea in enumerate(linked):
        roadmap.link_idea(manager, roadmap.get_item(manager, item.id), idea.id, plan=False)
        for _ in range(number):
            votes.cast_vote(make_user(), db.session.get(Idea, idea.id))
    db.session.commit()
    assert "and 2 more" in page(client, "/roadmap")
    # The least voted idea is hidden: the card names the same three ideas, with one fewer after.
    behind_the_back(
        "UPDATE ideas SET hidden_at = CURRENT_TIMESTAMP, version = version + 1 WHERE id = :id",
        id=linked[0].id,
    )
    body = page(client, "/roadmap")
    assert "and 1 more" in body
    assert "and 2 more" not in body
