"""The review queue: flagged items grouped with flags and authors, posts held for review, the nav count."""

import re

import pytest

from app.extensions import db
from app.models.user import User
from app.services import accounts, moderation, settings
from tests.factories import make_comment, make_flag, make_idea, make_user


def queue_page(client) -> str:
    response = client.get("/moderation")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section(html: str, kind: str, item_id: int) -> str:
    """The queue's entry for one item."""
    match = re.search(
        rf'<li class="card queue-item" id="queue-{kind}-{item_id}".*?</li>\s*(?=<li class="card|</ol>)',
        html,
        re.S,
    )
    assert match, f"no queue entry for {kind} {item_id}"
    return match.group(0)


@pytest.fixture
def moderator(app) -> User:
    return make_user(role="moderator", name="Mo Moderator")


def test_the_queue_groups_flags_by_item_with_reasons_flaggers_notes_and_the_authors_history(
    client, login, moderator
):
    author = make_user(name="Spammy Sam")
    original = make_idea(title="Export reports to CSV")
    idea = make_idea(author, title="Cheap watches for sale")
    comment = make_comment(original, author, "Buy cheap watches at example.shop")
    lee, noor = make_user(name="Lee Chen"), make_user(name="Noor Haddad")
    make_flag(idea, lee, "spam")
    make_flag(idea, noor, "duplicate", duplicate_of=original.id)
    make_flag(comment, lee, "other", "Advertising, again")
    accounts.suspend_user(moderator, author, 7, "Spam")
    db.session.commit()

    login(moderator)
    html = queue_page(client)
    assert "2 items waiting" in html
    entry = section(html, "idea", idea.id)
    assert "Cheap watches for sale" in entry
    assert f'href="/ideas/{idea.id}"' in entry
    assert "2 open flags" in entry
    assert "Spam" in entry
    assert "Lee Chen" in entry
    assert "Duplicate of another idea" in entry
    assert "Noor Haddad" in entry
    assert f'href="/ideas/{original.id}">idea #{original.id}</a>' in entry
    assert re.search(r"<dt>Ideas</dt><dd>1</dd>", entry)
    assert re.search(r"<dt>Comments</dt><dd>1</dd>", entry)
    assert "Suspended" in entry
    for action in ("dismiss", "hide", "delete", "lock", "pin"):
        assert f'action="/moderation/ideas/{idea.id}/{action}"' in entry
    assert f'href="/ideas/{idea.id}/edit"' in entry

    entry = section(html, "comment", comment.id)
    assert "Buy cheap watches at example.shop" in entry
    assert f'href="/ideas/{original.id}#comment-{comment.id}"' in entry  # in its thread
    assert "Something else" in entry
    assert "Advertising, again" in entry
    assert f'href="/comments/{comment.id}/edit"' in entry
    for action in ("dismiss", "hide", "delete"):
        assert f'action="/moderation/comments/{comment.id}/{action}"' in entry


def test_an_auto_hidden_item_shows_its_state_and_can_be_restored(client, login, moderator):
    idea = make_idea(title="Cheap watches for sale")
    for _ in range(3):
        make_flag(idea)
    login(moderator)
    entry = section(queue_page(client), "idea", idea.id)
    assert "Hidden" in entry
    assert moderation.AUTO_HIDE_REASON in entry
    assert f'action="/moderation/ideas/{idea.id}/restore"' in entry
    assert f'action="/moderation/ideas/{idea.id}/hide"' not in entry


def test_posts_held_for_review_wait_in_the_queue(client, login, moderator):
    settings.update_settings(make_user(role="admin"), premoderation_enabled=True)
    db.session.commit()
    newcomer = make_user(name="New Nina")
    idea = make_idea(newcomer, title="My very first idea")
    comment = make_comment(make_idea(make_user(role="moderator")), newcomer, "My very first comment")
    assert idea.is_pending
    assert comment.is_pending

    login(moderator)
    html = queue_page(client)
    for kind, item in (("idea", idea), ("comment", comment)):
        entry = section(html, kind, item.id)
        assert "Waiting for review" in entry
        assert "New Nina" in entry
        assert f'action="/moderation/{kind}s/{item.id}/restore"' in entry
        assert ">Approve<" in entry
        assert "dismiss" not in entry  # nothing to dismiss without flags


def test_an_empty_queue_says_so(client, login, moderator):
    login(moderator)
    assert "Nothing waits for review" in queue_page(client)


@pytest.mark.parametrize("role", ["member", "product_manager"])
def test_members_and_product_managers_may_not_open_the_queue(client, login, role):
    make_flag(make_idea())
    login(make_user(role=role))
    assert client.get("/moderation").status_code == 403
    assert 'href="/moderation"' not in client.get("/ideas/").get_data(as_text=True)


def test_visitors_are_sent_to_sign_in(client):
    response = client.get("/moderation")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_the_navigation_counts_waiting_items_for_moderators_only(client, login, moderator):
    idea = make_idea()
    login(moderator)
    page = client.get("/ideas/").get_data(as_text=True)
    assert 'href="/moderation"' in page
    assert "nav-count" not in page  # nothing waits

    make_flag(idea)
    make_flag(idea)  # one item, however many flags
    make_flag(make_comment(idea, body="Buy cheap watches"))
    page = client.get("/ideas/").get_data(as_text=True)
    assert re.search(r'href="/moderation"[^>]*>Moderation <span class="nav-count"[^>]*>2</span>', page)
    assert ", 2 waiting for review" in page  # on the menu button of small screens

    for role in ("member", "product_manager"):
        login(make_user(role=role))
        page = client.get("/ideas/").get_data(as_text=True)
        assert "nav-count" not in page
        assert "waiting for review" not in page
        assert 'href="/moderation"' not in page


def test_the_queue_runs_a_fixed_number_of_queries(client, login, moderator, count_queries):
    login(moderator)

    def queries_for_queue() -> int:
        with count_queries() as statements:
            queue_page(client)
        return len(statements)

    idea = make_idea()
    make_flag(idea)
    few = queries_for_queue()
    for number in range(6):
        author = make_user()
        other = make_idea(author, title=f"Flagged idea number {number}")
        comment = make_comment(idea, author, f"Flagged comment {number}")
        for _ in range(2):
            make_flag(other, reason="duplicate", duplicate_of=idea.id)
            make_flag(comment, reason="abuse", note="Rude")
    settings.update_settings(make_user(role="admin"), premoderation_enabled=True)
    for number in range(6):
        newcomer = make_user()
        make_idea(newcomer, title=f"Waiting idea number {number}")
        make_comment(idea, newcomer, f"Waiting comment {number}")
    db.session.commit()
    html = queue_page(client)
    assert "Waiting idea number 5" in html
    assert "Waiting comment 5" in html
    assert "Flagged comment 5" in html
    assert queries_for_queue() == few
