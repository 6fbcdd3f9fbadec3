"""Flagging ideas and comments from their page: the form, the refusals, and hiding after enough flags."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.idea import Idea
from app.models.moderation import Flag
from app.services import moderation
from app.web.moderation import parse_idea_ref
from tests.factories import make_comment, make_idea, make_user

THANKS = "Thanks — a moderator will look at it."


def flags() -> list[Flag]:
    return list(db.session.scalars(select(Flag).order_by(Flag.id)))


def flag_via_page(client, login, user, target, reason="spam", note="", duplicate_of="", follow=True):
    """Sign `user` in and send the flag form from the idea page, as a browser would."""
    login(user)
    idea_id = target.id if isinstance(target, Idea) else target.idea_id
    kind = "idea" if isinstance(target, Idea) else "comment"
    return client.post_form(
        "/flags",
        {
            "target_type": kind,
            "target_id": str(target.id),
            "reason": reason,
            "note": note,
            "duplicate_of": duplicate_of,
            "next": f"/ideas/{idea_id}",
        },
        page=f"/ideas/{idea_id}",
        follow_redirects=follow,
    )


def test_members_see_the_flag_form_with_every_reason_but_not_on_their_own_idea(client, login):
    author = make_user()
    idea = make_idea(author)
    mine = make_comment(idea, author, "My own words")
    make_comment(idea, make_user(), "Someone else's words")
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert 'action="/flags"' not in page  # visitors cannot flag

    login(make_user())
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert 'id="flag-idea-' in page
    for label in ("Spam", "Abusive or rude", "Off topic", "Duplicate of another idea", "Something else"):
        assert label in page
    assert page.count('action="/flags"') == 3  # the idea and both comments

    login(author)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert 'id="flag-idea-' not in page
    assert f'id="flag-comment-{mine.id}"' not in page
    assert page.count('action="/flags"') == 1  # only the other person's comment


def test_flagging_an_idea_stores_the_flag_and_thanks(client, login):
    idea = make_idea()
    flagger = make_user()
    response = flag_via_page(client, login, flagger, idea, "other", note="Advertises a shop")
    assert THANKS in response.get_data(as_text=True)
    (stored,) = flags()
    assert (stored.target_type, stored.target_id, stored.user_id) == ("idea", idea.id, flagger.id)
    assert (stored.reason, stored.note, stored.status) == ("other", "Advertises a shop", "open")
    assert idea.hidden_at is None  # one member's flag hides nothing


def test_a_second_flag_by_the_same_person_is_refused_clearly(client, login):
    idea = make_idea()
    flagger = make_user()
    flag_via_page(client, login, flagger, idea, "spam")
    response = flag_via_page(client, login, flagger, idea, "abuse")
    html = response.get_data(as_text=True)
    assert "You already flagged this" in html
    assert THANKS not in html
    assert [(f.user_id, f.reason) for f in flags()] == [(flagger.id, "spam")]


@pytest.mark.parametrize(
    ("reason", "note", "duplicate_of", "message"),
    [
        ("", "", "", "Choose a reason"),
        ("nonsense", "", "", "Choose a reason"),
        ("other", "   ", "", "Say what is wrong"),
        ("duplicate", "", "not an idea", "Name the idea this one duplicates"),
        ("duplicate", "", "999999", "Name the idea this one duplicates"),
        ("spam", "x" * 1001, "", "Keep the note to 1,000 characters"),
    ],
)
def test_bad_flags_are_refused_with_a_message_and_nothing_is_stored(
    client, login, reason, note, duplicate_of, message
):
    idea = make_idea()
    response = flag_via_page(client, login, make_user(), idea, reason, note, duplicate_of)
    html = response.get_data(as_text=True)
    assert message in html
    assert THANKS not in html
    assert flags() == []


@pytest.mark.parametrize(
    "reference",
    [
        "{id}",
        "#{id}",
        "/ideas/{id}",
        "http://localhost/ideas/{id}",
        "https://cocreate.example/ideas/{id}#comment-4",
    ],
)
def test_a_duplicate_flag_takes_the_other_ideas_number_or_link(client, login, reference):
    original = make_idea(title="Export reports to CSV")
    copy = make_idea(title="CSV export for reports")
    flag_via_page(
        client, login, make_user(), copy, "duplicate", duplicate_of=reference.format(id=original.id)
    )
    (stored,) = flags()
    assert (stored.reason, stored.duplicate_of_id) == ("duplicate", original.id)


def test_idea_references_are_parsed_strictly():
    assert parse_idea_ref(" 12 ") == 12
    assert parse_idea_ref("/ideas/12/edit") == 12
    assert parse_idea_ref("/users/12") is None
    assert parse_idea_ref("12abc") is None
    assert parse_idea_ref("0") is None
    assert parse_idea_ref("99999999999999999999") is None
    assert parse_idea_ref("") is None


def test_three_members_flags_hide_an_idea_from_everyone_but_its_author_and_moderators(client, login):
    author = make_user(name="Sam Author")
    idea = make_idea(author, title="Cheap watches for everyone")
    for _ in range(2):
        flag_via_page(client, login, make_user(), idea, "spam")
    assert idea.hidden_at is None
    assert "Cheap watches for everyone" in client.get("/ideas/").get_data(as_text=True)

    third = flag_via_page(client, login, make_user(), idea, "abuse", follow=False)
    # The flagger cannot see the idea any more, so they land on the list rather than a 404.
    assert third.headers["Location"].endswith("/ideas/")
    assert idea.hidden_at is not None

    login(make_user())
    assert client.get(f"/ideas/{idea.id}").status_code == 404
    assert "Cheap watches for everyone" not in client.get("/ideas/").get_data(as_text=True)
    with client.session_transaction() as session:
        session.clear()
    assert client.get(f"/ideas/{idea.id}").status_code == 404
    assert "Cheap watches for everyone" not in client.get("/ideas/").get_data(as_text=True)

    login(author)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert moderation.AUTO_HIDE_REASON in page
    assert "Only you and moderators can see it." in page

    login(make_user(role="moderator"))
    response = client.get(f"/ideas/{idea.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Only its author and moderators can see it." in page
    assert f'action="/moderation/ideas/{idea.id}/restore"' in page


def test_a_moderators_single_flag_hides_at_once(client, login):
    idea = make_idea(title="Cheap watches for everyone")
    response = flag_via_page(client, login, make_user(role="moderator"), idea, "spam")
    assert THANKS in response.get_data(as_text=True)
    assert idea.hidden_at is not None
    assert "Spam (flagged by a moderator)." in idea.hidden_reason
    login(make_user())
    assert client.get(f"/ideas/{idea.id}").status_code == 404


def test_three_flags_hide_a_comment_from_the_thread(client, login):
    idea = make_idea()
    commenter = make_user(name="Spammy Sam")
    comment = make_comment(idea, commenter, "Buy cheap watches at example.shop")
    for _ in range(3):
        response = flag_via_page(client, login, make_user(), comment, "spam")
    # The idea is still there; the comment is gone from the thread for everyone else.
    assert response.status_code == 200
    assert "Buy cheap watches" not in response.get_data(as_text=True)
    assert comment.hidden_at is not None
    assert db.session.get(Idea, idea.id).comment_count == 0

    login(commenter)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Buy cheap watches" in page
    assert moderation.AUTO_HIDE_REASON in page
    assert "Only you and moderators can see it." in page


def test_flagging_needs_sign_in_csrf_and_an_active_account(client, login):
    idea = make_idea()
    data = {"target_type": "idea", "target_id": str(idea.id), "reason": "spam"}
    response = client.post("/flags", data=data)
    assert response.status_code in (302, 400)
    login(make_user())
    assert client.post("/flags", data=data).status_code == 400  # no CSRF token
    assert flags() == []


def test_flagging_what_one_cannot_see_answers_404(client, login):
    idea = make_idea()
    moderation.hide_item(make_user(role="moderator"), "idea", idea.id, "Off topic")
    db.session.commit()
    response = flag_via_page(client, login, make_user(), idea, "spam", follow=False)
    assert response.status_code == 404
    assert flags() == []
    assert db.session.scalar(select(func.count(Flag.id))) == 0
