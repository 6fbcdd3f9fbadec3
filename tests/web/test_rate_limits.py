"""Rate limits on writes from the pages: ideas, comments, round answers, votes and flags (app/ratelimits.py).

Writes count per account, and per IP address when signed out: a signed-out POST is sent to
sign-in, but it still counts against its address, so nobody can hammer the site without an
account. Only POST and DELETE count; reading is never limited. On the forms only what is saved
counts: a mistake or the similar-ideas step costs nothing, and a refused post comes back in its
form as it was typed, with the time to wait. A refused vote or flag goes back to its page.
"""

import re
import time
from datetime import timedelta
from html import unescape

import pytest
from flask import Blueprint
from sqlalchemy import func, select

from app import create_app, ratelimits
from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea, IdeaVote
from app.models.round import RoundResponse
from app.models.user import User
from tests.conftest import ON_POSTGRES, Client, _empty_tables, make_config
from tests.factories import make_idea, make_prototype_row, make_round, make_user
from tests.services.test_rounds import qids

# The limited endpoints that exist today; renaming one must update ratelimits.WRITE_ENDPOINTS.
LIMITED_TODAY = {
    "ideas.new": "ideas",
    "api.create_idea": "ideas",
    "comments.create": "comments",
    "comments.create_note": "comments",
    "api.comments_create": "comments",
    "comments.create_on_prototype": "comments",
    "api.prototype_comments_create": "comments",
    "ideas.vote": "votes",
    "api.cast_vote": "votes",
    "api.retract_vote": "votes",
    "moderation.flag": "flags",
    "api.create_flag": "flags",
    "prototypes.vote": "votes",
    "api.cast_prototype_vote": "votes",
    "api.retract_prototype_vote": "votes",
    "rounds.answer": "round_answers",
    "api.rounds_respond": "round_answers",
    "launches.join": "joins",
    "launches.withdraw": "joins",
    "api.launches_join": "joins",
    "api.launches_leave": "joins",
}


@pytest.fixture
def app(tmp_path, _schema, request):
    """The suite's app; `@configured(NAME=value)` on a test overrides its configuration."""
    app = create_app(make_config(tmp_path, **getattr(request, "param", {})))
    app.test_client_class = Client
    with app.app_context():
        if not ON_POSTGRES:
            db.create_all()
        yield app
        db.session.remove()
        if ON_POSTGRES:
            _empty_tables()
        db.engine.dispose()


def configured(**overrides):
    return pytest.mark.parametrize("app", [overrides], indirect=True, ids=["configured"])


def established(role: str = "member") -> User:
    """An account two days old: the normal limits apply."""
    user = make_user(role)
    user.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    return user


def newcomer(role: str = "member") -> User:
    """An account created just now: the stricter limits apply."""
    return make_user(role)


def stored(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def post_idea(client: Client, token: str, number: int):
    data = {"csrf_token": token, "title": f"Idea number {number} for the board", "confirmed": "1"}
    return client.post("/ideas/new", data=data)


def comment_on(client: Client, token: str, idea: Idea, body: str = "Me too!", **kwargs):
    return client.post(f"/ideas/{idea.id}/comments", data={"csrf_token": token, "body": body}, **kwargs)


def assert_form_refused(response, *words: str) -> None:
    """The page the form was on, back as a 429 with the wait in words and in Retry-After."""
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    html = response.get_data(as_text=True)
    assert "Slow down" not in html
    assert "You can post again in " in html
    for word in words:
        assert word in html


def assert_sent_back(client: Client, response, *words: str) -> None:
    """A quick toggle refused: back to the page it came from, which says why nothing changed."""
    assert response.status_code == 303
    html = client.get(response.location).get_data(as_text=True)
    assert "Please try again in " in html
    for word in words:
        assert word in html


def assert_friendly_429(response, *words: str) -> None:
    assert response.status_code == 429
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit()
    assert int(retry_after) > 0
    html = response.get_data(as_text=True)
    assert 'class="site-header"' in html  # the site's own page, not a bare error
    assert "Slow down" in html
    assert "Please try again in " in html
    for word in words:
        assert word in html


def wrapped_kind(app, endpoint: str) -> str | None:
    """The kind of write whose limits guard `endpoint`, or None when it is not limited."""
    return getattr(app.view_functions.get(endpoint), ratelimits._WRAPPED_KIND, None)


def test_the_endpoints_that_exist_today_are_limited(app):
    for endpoint, kind in LIMITED_TODAY.items():
        assert endpoint in app.view_functions, f"{endpoint} is gone: update ratelimits.WRITE_ENDPOINTS"
        assert ratelimits.WRITE_ENDPOINTS.get(endpoint) == kind
        assert wrapped_kind(app, endpoint) == kind


def test_every_endpoint_of_the_table_exists_and_only_writes_are_limited(app):
    assert set(ratelimits.WRITE_ENDPOINTS) <= set(app.view_functions)
    assert wrapped_kind(app, "ideas.index") is None


def test_the_eleventh_idea_in_a_minute_is_refused(client, login):
    login(established())
    token = client.csrf_token("/ideas/new")
    for number in range(10):
        response = post_idea(client, token, number)
        assert response.status_code == 302
        assert "/ideas/" in response.location
    response = post_idea(client, token, 10)
    assert_form_refused(response, "Not posted yet: you are posting ideas faster than the site allows")
    assert stored(Idea) == 10


def test_an_account_younger_than_a_day_may_post_five_ideas_a_minute(client, login):
    login(newcomer())
    token = client.csrf_token("/ideas/new")
    assert [post_idea(client, token, n).status_code for n in range(6)] == [302] * 5 + [429]
    assert stored(Idea) == 5


@configured(RATELIMIT_IDEAS="100 per minute;3 per day")
def test_the_daily_idea_limit_applies_too(client, login):
    login(established())
    token = client.csrf_token("/ideas/new")
    assert [post_idea(client, token, n).status_code for n in range(4)] == [302, 302, 302, 429]
    response = post_idea(client, token, 4)
    assert_form_refused(response, "You can post again in about 24 hours.")
    assert int(response.headers["Retry-After"]) > 23 * 3600
    assert stored(Idea) == 3


def test_the_twenty_first_comment_in_a_minute_is_refused(client, login):
    idea = make_idea(established())
    login(established())
    token = client.csrf_token(f"/ideas/{idea.id}")
    for number in range(20):
        assert comment_on(client, token, idea, f"Comment {number}").status_code == 302
    response = comment_on(client, token, idea, "One too many")
    assert_form_refused(response, "Not posted yet: you are posting comments faster than the site allows")
    assert stored(Comment) == 20
    assert db.session.scalar(select(Idea.comment_count).where(Idea.id == idea.id)) == 20


def test_comments_and_internal_notes_share_the_stricter_new_account_limit(client, login):
    idea = make_idea(established())
    login(newcomer("product_manager"))
    token = client.csrf_token(f"/ideas/{idea.id}")
    note = {"csrf_token": token, "body": "Customer X asked too."}
    for number in range(9):
        assert comment_on(client, token, idea, f"Comment {number}").status_code == 302
    assert client.post(f"/ideas/{idea.id}/notes", data=note).status_code == 302
    assert_form_refused(client.post(f"/ideas/{idea.id}/notes", data=note), "posting comments")
    assert stored(Comment) == 10


def test_vote_limits_are_sixty_a_minute_and_thirty_for_new_accounts(app, client, login):
    idea = make_idea(established())

    def votes_until_refused(user: User) -> int:
        voter = login(user, app.test_client())
        token = voter.csrf_token(f"/ideas/{idea.id}")
        for number in range(100):
            response = voter.post(f"/ideas/{idea.id}/vote", data={"csrf_token": token})
            if response.status_code == 303:
                assert_sent_back(voter, response, "You are voting faster than the site allows")
                return number
            assert response.status_code == 302
        return 100

    assert votes_until_refused(newcomer()) == 30
    assert votes_until_refused(established()) == 60


@configured(RATELIMIT_VOTES="3 per minute")
def test_a_refused_vote_changes_nothing(client, login):
    idea = make_idea(established())
    user = established()
    login(user)
    token = client.csrf_token(f"/ideas/{idea.id}")
    for intent in ("add", "remove", "add"):
        data = {"csrf_token": token, "intent": intent}
        assert client.post(f"/ideas/{idea.id}/vote", data=data).status_code == 302
    response = client.post(f"/ideas/{idea.id}/vote", data={"csrf_token": token, "intent": "remove"})
    assert_sent_back(client, response, "this vote was not changed")
    votes = select(func.count()).select_from(IdeaVote).where(IdeaVote.user_id == user.id)
    assert db.session.scalar(votes) == 1


def test_limits_are_per_account(app, client, login):
    idea = make_idea(established())
    login(newcomer())
    token = client.csrf_token(f"/ideas/{idea.id}")
    assert [comment_on(client, token, idea).status_code for _ in range(11)] == [302] * 10 + [429]
    # Another member on the same address is not affected.
    other = login(newcomer(), app.test_client())
    assert comment_on(other, other.csrf_token(f"/ideas/{idea.id}"), idea).status_code == 302
    assert stored(Comment) == 11


def test_signed_out_posts_are_sent_to_sign_in_but_count_per_ip_address(app, client, login):
    idea = make_idea(established())
    token = client.csrf_token("/sign-in")

    def attempt(ip: str):
        return comment_on(client, token, idea, environ_base={"REMOTE_ADDR": ip})

    for _ in range(20):
        response = attempt("203.0.113.1")
        assert response.status_code == 302
        assert "/sign-in" in response.location
    assert_friendly_429(attempt("203.0.113.1"))
    assert attempt("203.0.113.2").status_code == 302
    # A member signed in behind the same address has a bucket of their own.
    member = login(established(), app.test_client())
    member_token = member.csrf_token(f"/ideas/{idea.id}")
    response = comment_on(member, member_token, idea, environ_base={"REMOTE_ADDR": "203.0.113.1"})
    assert response.status_code == 302
    assert stored(Comment) == 1


@configured(RATELIMIT_COMMENTS="1 per minute")
def test_retry_after_is_at_least_one_second_in_a_windows_last_moments(client, login, monkeypatch):
    # A fixed clock instead of waiting: the window opens at now and closes 60 s later; the refused
    # comment comes half a second before that, when rounding down would say "Retry-After: 0".
    now = float(int(time.time())) + 0.9
    monkeypatch.setattr(time, "time", lambda: now)
    idea = make_idea(established())
    login(established())
    token = client.csrf_token(f"/ideas/{idea.id}")
    assert comment_on(client, token, idea).status_code == 302
    now += 59.5
    response = comment_on(client, token, idea)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert "You can post again in 1 second." in response.get_data(as_text=True)


@configured(
    RATELIMIT_IDEAS="1 per minute",
    RATELIMIT_IDEAS_NEW_ACCOUNT="1 per minute",
    RATELIMIT_COMMENTS="1 per minute",
    RATELIMIT_COMMENTS_NEW_ACCOUNT="1 per minute",
)
def test_reading_is_never_limited(client, login):
    idea = make_idea(established())
    login(established())
    for _ in range(100):
        assert client.get("/ideas/").status_code == 200
    for _ in range(100):
        assert client.get("/ideas/new").status_code == 200
    for _ in range(20):
        assert client.get(f"/ideas/{idea.id}").status_code == 200
    # The reads used up nothing: the one write a minute is still there.
    token = client.csrf_token("/ideas/new")
    assert [post_idea(client, token, n).status_code for n in range(2)] == [302, 429]


@configured(RATELIMIT_ENABLED=False, RATELIMIT_COMMENTS="1 per minute", RATELIMIT_IDEAS="1 per minute")
def test_ratelimit_enabled_false_turns_the_limits_off(client, login):
    idea = make_idea(established())
    login(newcomer())
    token = client.csrf_token(f"/ideas/{idea.id}")
    assert [comment_on(client, token, idea).status_code for _ in range(5)] == [302] * 5
    assert [post_idea(client, token, n).status_code for n in range(5)] == [302] * 5
    assert stored(Comment) == 5


def test_flag_limits_are_twenty_an_hour_and_five_for_new_accounts(app, client, login):
    # A stand-in for the flag endpoints, wrapped the way init_app wraps moderation.flag.
    probe = Blueprint("ratelimit_probe", __name__)

    @probe.post("/probe/flags")
    def flag():
        return "", 201

    app.register_blueprint(probe)
    ratelimits.wrap_views(app, {"ratelimit_probe.flag": "flags"})
    assert wrapped_kind(app, "ratelimit_probe.flag") == "flags"

    def flags_until_refused(user: User) -> int:
        flagger = login(user, app.test_client())
        token = flagger.csrf_token()
        for number in range(30):
            response = flagger.post("/probe/flags", data={"csrf_token": token})
            if response.status_code == 303:
                assert_sent_back(flagger, response, "You are flagging faster than the site allows")
                return number
            assert response.status_code == 201
        return 30

    assert flags_until_refused(newcomer()) == 5
    assert flags_until_refused(established()) == 20


def test_a_mistyped_limit_stops_the_app_from_starting(tmp_path):
    with pytest.raises(RuntimeError, match="RATELIMIT_COMMENTS_NEW_ACCOUNT"):
        create_app(make_config(tmp_path, RATELIMIT_COMMENTS_NEW_ACCOUNT="three a minute"))


# ---- Only what is saved counts; a refused post comes back as it was typed ----


def idea_form(token: str, title: str, **fields: str) -> dict:
    return {"csrf_token": token, "title": title, **fields}


def field_value(html: str, name: str) -> str | None:
    """The value of the input called `name` on the page, unescaped, or None when there is none."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', html
    )
    return unescape(match.group(1)) if match else None


def textarea_text(html: str, element_id: str) -> str | None:
    match = re.search(rf'<textarea[^>]*id="{element_id}"[^>]*>([^<]*)</textarea>', html)
    # A browser drops the one line break that may open a textarea's text.
    return unescape(match.group(1)).removeprefix("\r\n").removeprefix("\n") if match else None


@configured(RATELIMIT_IDEAS_NEW_ACCOUNT="1 per hour")
def test_form_errors_and_the_similar_ideas_step_do_not_count(client, login):
    make_idea(established())  # "Export reports to CSV": the similar idea
    login(newcomer())
    token = client.csrf_token("/ideas/new")
    mistake = client.post("/ideas/new", data=idea_form(token, "CSV"))
    assert mistake.status_code == 200
    assert "The title needs at least 5 characters" in mistake.get_data(as_text=True)
    similar = client.post("/ideas/new", data=idea_form(token, "Export reports to Excel"))
    assert similar.status_code == 200
    assert "Before you post:" in similar.get_data(as_text=True)
    confirmed = client.post("/ideas/new", data=idea_form(token, "Export reports to Excel", confirmed="1"))
    assert confirmed.status_code == 302
    assert stored(Idea) == 2


@configured(RATELIMIT_IDEAS_NEW_ACCOUNT="1 per hour")
def test_a_limited_idea_comes_back_as_typed_with_the_time_to_wait(client, login):
    login(newcomer())
    token = client.csrf_token("/ideas/new")
    assert post_idea(client, token, 1).status_code == 302
    typed = idea_form(
        token,
        "Dark mode for the <dashboard>",
        body="My eyes hurt at night & the white glare is too much.",
        confirmed="1",
        submission_token="token-of-the-refused-form",
    )
    response = client.post("/ideas/new", data=typed)
    assert response.status_code == 429
    assert 3500 < int(response.headers["Retry-After"]) <= 3600
    html = response.get_data(as_text=True)
    assert "<h1>Propose an idea</h1>" in html  # the same page, not a "Slow down" page
    assert "Slow down" not in html
    assert "Not posted yet: you are posting ideas faster than the site allows." in html
    assert "You can post again in about an hour." in html
    assert field_value(html, "title") == "Dark mode for the <dashboard>"
    assert textarea_text(html, "body") == "My eyes hurt at night & the white glare is too much."
    # Sent again later, the same form still posts its idea (nothing of it was used up).
    assert field_value(html, "submission_token") == "token-of-the-refused-form"
    assert field_value(html, "confirmed") == "1"
    assert stored(Idea) == 1


@configured(RATELIMIT_COMMENTS_NEW_ACCOUNT="1 per hour")
def test_comment_form_errors_do_not_count(client, login):
    idea = make_idea(established())
    login(newcomer())
    token = client.csrf_token(f"/ideas/{idea.id}")
    assert comment_on(client, token, idea, "   ").status_code == 422
    assert comment_on(client, token, idea, "x" * 6000).status_code == 422
    assert comment_on(client, token, idea, "Now it is right.").status_code == 302
    assert stored(Comment) == 1


@configured(RATELIMIT_COMMENTS_NEW_ACCOUNT="1 per hour")
def test_a_limited_comment_comes_back_in_its_form_with_the_time_to_wait(client, login):
    idea = make_idea(established())
    login(newcomer())
    token = client.csrf_token(f"/ideas/{idea.id}")
    assert comment_on(client, token, idea, "First thought.").status_code == 302
    response = comment_on(client, token, idea, "A second, longer thought <with> details & more.")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 3500
    html = response.get_data(as_text=True)
    assert "Export reports to CSV</h1>" in html  # the idea page itself
    assert "Slow down" not in html
    assert textarea_text(html, "comment-body") == "A second, longer thought <with> details & more."
    assert "Not posted yet: you are posting comments faster than the site allows." in html
    assert "You can post again in about an hour." in html
    assert stored(Comment) == 1


@configured(RATELIMIT_COMMENTS_NEW_ACCOUNT="1 per hour")
def test_a_limited_reply_comes_back_in_its_open_reply_form(client, login):
    idea = make_idea(established())
    login(newcomer())
    token = client.csrf_token(f"/ideas/{idea.id}")
    assert comment_on(client, token, idea, "First thought.").status_code == 302
    first = db.session.scalar(select(Comment.id))
    data = {"csrf_token": token, "body": "Replying to myself.", "parent_id": str(first)}
    response = client.post(f"/ideas/{idea.id}/comments", data=data)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert textarea_text(html, f"reply-{first}") == "Replying to myself."
    assert '<details class="comment__reply" open>' in html
    assert "You can post again in about an hour." in html
    assert stored(Comment) == 1


@configured(RATELIMIT_COMMENTS_NEW_ACCOUNT="1 per hour")
def test_a_limited_internal_note_comes_back_in_the_note_form(client, login):
    idea = make_idea(established())
    login(newcomer("product_manager"))
    token = client.csrf_token(f"/ideas/{idea.id}")
    note = {"csrf_token": token, "body": "Customer X asked too."}
    assert client.post(f"/ideas/{idea.id}/notes", data=note).status_code == 302
    response = client.post(f"/ideas/{idea.id}/notes", data={**note, "body": "And customer Y."})
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert textarea_text(html, "note-body") == "And customer Y."
    assert "You can post again in about an hour." in html
    assert stored(Comment) == 1


@configured(RATELIMIT_COMMENTS_NEW_ACCOUNT="1 per hour")
def test_a_limited_prototype_comment_comes_back_in_its_form(client, login):
    prototype = make_prototype_row()
    login(newcomer())
    token = client.csrf_token(f"/prototypes/{prototype.id}")
    url = f"/prototypes/{prototype.id}/comments"
    assert client.post(url, data={"csrf_token": token, "body": "Looks good."}).status_code == 302
    response = client.post(url, data={"csrf_token": token, "body": "The button is hard to find."})
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "The button is hard to find.</textarea>" in html
    assert "You can post again in about an hour." in html
    assert stored(Comment) == 1


def round_answers(round_id: int, token: str, rating: str, text: str) -> dict:
    first, *_, last = qids(round_id)
    return {"csrf_token": token, f"q{first}": rating, f"q{last}": text}


@configured(RATELIMIT_COMMENTS_NEW_ACCOUNT="1 per hour")
def test_round_answers_do_not_use_up_the_comment_limit(client, login):
    idea, round_ = make_idea(established()), make_round()
    login(newcomer())
    token = client.csrf_token(f"/ideas/{idea.id}")
    assert comment_on(client, token, idea, "First thought.").status_code == 302
    response = client.post(f"/rounds/{round_.id}", data=round_answers(round_.id, token, "4", "Nice."))
    assert response.status_code == 302
    assert stored(RoundResponse) == 1
    assert ratelimits.WRITE_ENDPOINTS["rounds.answer"] == "round_answers"
    assert ratelimits.WRITE_ENDPOINTS["api.rounds_respond"] == "round_answers"


@configured(RATELIMIT_ROUND_ANSWERS_NEW_ACCOUNT="1 per hour", RATELIMIT_COMMENTS_NEW_ACCOUNT="1 per hour")
def test_a_limited_round_answer_comes_back_as_typed_and_does_not_touch_comments(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    first, second = make_round(staff, prototype), make_round(staff, prototype, title="Round 2")
    idea = make_idea(established())
    login(newcomer())
    token = client.csrf_token(f"/rounds/{first.id}")
    # An answer the service refuses (a rating of 9) does not count either.
    assert client.post(f"/rounds/{first.id}", data=round_answers(first.id, token, "9", "")).status_code == 422
    assert client.post(f"/rounds/{first.id}", data=round_answers(first.id, token, "4", "")).status_code == 302
    typed = round_answers(second.id, token, "2", "The total <hides> the shipping & tax.")
    response = client.post(f"/rounds/{second.id}", data=typed)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 3500
    html = response.get_data(as_text=True)
    assert "<h1>Round 2</h1>" in html
    assert "Not saved yet: you are answering feedback rounds faster than the site allows." in html
    assert "You can send them again in about an hour." in html
    assert "The total &lt;hides&gt; the shipping &amp; tax.</textarea>" in html
    assert re.search(rf'name="q{qids(second.id)[0]}" value="2"[^>]*checked', html)
    assert stored(RoundResponse) == 1
    # The comment limit is untouched by the answers.
    assert comment_on(client, token, idea, "Still free to comment.").status_code == 302


def test_a_new_member_writing_three_ideas_and_ten_comments_at_once_is_never_stopped(client, login):
    make_idea(established())
    login(newcomer())
    token = client.csrf_token("/ideas/new")
    titles = ["Export reports to Excel", "Dark mode for the dashboard", "Weekly digest of new ideas"]
    ideas = []
    for title in titles:
        assert client.post("/ideas/new", data=idea_form(token, "x")).status_code == 200  # a slip
        response = client.post("/ideas/new", data=idea_form(token, title, confirmed="1"))
        assert response.status_code == 302, title
        ideas.append(int(response.location.rstrip("/").rsplit("/", 1)[-1]))
    for number in range(10):
        idea = db.session.get(Idea, ideas[number % 3])
        assert comment_on(client, token, idea, f"Thought number {number}").status_code == 302
    assert stored(Idea) == 4
    assert stored(Comment) == 10


def test_a_script_posting_a_hundred_comments_a_minute_is_stopped(app, client, login):
    idea = make_idea(established())
    for user, allowed in ((newcomer(), 10), (established(), 20)):
        script = login(user, app.test_client())
        token = script.csrf_token(f"/ideas/{idea.id}")
        statuses = [comment_on(script, token, idea, f"Spam {number}").status_code for number in range(100)]
        assert statuses == [302] * allowed + [429] * (100 - allowed)
    assert stored(Comment) == 30


@configured(RATELIMIT_VOTES="1 per minute")
def test_a_limited_vote_goes_back_to_the_page_with_the_reason(client, login):
    idea = make_idea(established())
    login(established())
    token = client.csrf_token(f"/ideas/{idea.id}")
    page = f"http://localhost/ideas/{idea.id}"
    assert client.post(f"/ideas/{idea.id}/vote", data={"csrf_token": token}).status_code == 302
    response = client.post(f"/ideas/{idea.id}/vote", data={"csrf_token": token}, headers={"Referer": page})
    assert response.status_code == 303
    assert response.location.endswith(f"/ideas/{idea.id}")
    html = client.get(response.location).get_data(as_text=True)
    assert "You are voting faster than the site allows, so this vote was not changed." in html
    assert "Please try again in " in html


@configured(RATELIMIT_VOTES="1 per minute")
def test_a_limited_vote_in_place_gets_the_reason_as_json(client, login):
    # The vote button's script asks for JSON; refused, it falls back to the plain form post.
    idea = make_idea(established())
    login(established())
    token = client.csrf_token(f"/ideas/{idea.id}")
    json_vote = {"data": {"csrf_token": token}, "headers": {"Accept": "application/json"}}
    assert client.post(f"/ideas/{idea.id}/vote", **json_vote).status_code == 200
    response = client.post(f"/ideas/{idea.id}/vote", **json_vote)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["error"]["code"] == "rate_limited"
    assert "You are voting faster than the site allows" in response.json["error"]["message"]
