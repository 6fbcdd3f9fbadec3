"""Rate limits on API writes: 429 `rate_limited` with Retry-After, per token's account (app/ratelimits.py).

An API call without a token counts against its IP address before it is refused with 401, so
anonymous callers cannot hammer the write endpoints either. Reading is never limited.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea, IdeaVote
from app.models.round import RoundResponse
from app.services import api_tokens
from tests.conftest import ON_POSTGRES, Client, _empty_tables, make_config
from tests.factories import make_idea, make_prototype_row, make_round, make_user
from tests.services.test_rounds import qids


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


class Caller:
    """A member with an API token; two days old unless `new`, so the normal limits apply."""

    def __init__(self, new: bool = False):
        self.user = make_user()
        if not new:
            self.user.created_at = utcnow() - timedelta(days=2)
        _, plain = api_tokens.create_token(self.user, self.user, "Tests")
        db.session.commit()
        self.id = self.user.id
        self.headers = {"Authorization": f"Bearer {plain}"}


def stored(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def post_idea(client: Client, caller: Caller, number: int):
    body = {"title": f"Idea number {number} from a script"}
    return client.post("/api/v1/ideas", json=body, headers=caller.headers)


def assert_rate_limited(response) -> None:
    assert response.status_code == 429
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit()
    assert int(retry_after) > 0
    assert response.json == {"error": {"code": "rate_limited", "message": response.json["error"]["message"]}}
    assert "Please try again in " in response.json["error"]["message"]


def test_the_eleventh_idea_in_a_minute_is_429(client):
    caller = Caller()
    assert [post_idea(client, caller, n).status_code for n in range(10)] == [201] * 10
    response = post_idea(client, caller, 10)
    assert_rate_limited(response)
    assert response.json["error"]["message"].startswith("You are posting ideas faster than the site allows")
    assert stored(Idea) == 10


def test_accounts_younger_than_a_day_get_the_stricter_limits(client):
    newcomer, regular = Caller(new=True), Caller()
    assert [post_idea(client, newcomer, n).status_code for n in range(6)] == [201] * 5 + [429]
    assert [post_idea(client, regular, n).status_code for n in range(6)] == [201] * 6
    assert stored(Idea) == 11


def test_the_twenty_first_comment_in_a_minute_is_429(client):
    idea, caller = make_idea(), Caller()
    url = f"/api/v1/ideas/{idea.id}/comments"
    for number in range(20):
        assert client.post(url, json={"body": f"Comment {number}"}, headers=caller.headers).status_code == 201
    response = client.post(url, json={"body": "One too many"}, headers=caller.headers)
    assert_rate_limited(response)
    assert "posting comments" in response.json["error"]["message"]
    assert stored(Comment) == 20


def test_new_accounts_may_post_ten_comments_a_minute(client):
    idea, caller = make_idea(), Caller(new=True)
    url = f"/api/v1/ideas/{idea.id}/comments"
    replies = [client.post(url, json={"body": "Yes!"}, headers=caller.headers) for _ in range(11)]
    assert [reply.status_code for reply in replies] == [201] * 10 + [429]
    assert stored(Comment) == 10


@configured(RATELIMIT_COMMENTS="1 per minute")
def test_every_api_call_counts_a_refused_one_too(client):
    # Scripts keep the contract they had: each write call counts, whatever it answers.
    idea, caller = make_idea(), Caller()
    url = f"/api/v1/ideas/{idea.id}/comments"
    assert client.post(url, json={"body": ""}, headers=caller.headers).status_code == 422
    assert_rate_limited(client.post(url, json={"body": "Now with words."}, headers=caller.headers))
    assert stored(Comment) == 0


@configured(RATELIMIT_ROUND_ANSWERS="1 per minute", RATELIMIT_COMMENTS="1 per minute")
def test_round_answers_have_a_limit_of_their_own(client):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    first, second = make_round(staff, prototype), make_round(staff, prototype, title="Round 2")
    idea, caller = make_idea(), Caller()
    comment = client.post(f"/api/v1/ideas/{idea.id}/comments", json={"body": "Yes!"}, headers=caller.headers)
    assert comment.status_code == 201

    def respond(round_id: int):
        body = {"answers": {str(qids(round_id)[0]): 4}}
        return client.post(f"/api/v1/rounds/{round_id}/responses", json=body, headers=caller.headers)

    assert respond(first.id).status_code in (200, 201)
    response = respond(second.id)
    assert_rate_limited(response)
    assert "answering feedback rounds" in response.json["error"]["message"]
    assert stored(RoundResponse) == 1


@configured(RATELIMIT_VOTES="4 per minute")
def test_casting_and_retracting_votes_share_one_limit(client):
    idea, caller = make_idea(), Caller()
    url = f"/api/v1/ideas/{idea.id}/vote"
    for method in (client.post, client.delete, client.post, client.delete):
        assert method(url, headers=caller.headers).status_code == 200
    response = client.post(url, headers=caller.headers)
    assert_rate_limited(response)
    assert "voting" in response.json["error"]["message"]
    assert stored(IdeaVote) == 1  # the author's own vote; the refused one was not cast
    assert client.get(f"/api/v1/ideas/{idea.id}", headers=caller.headers).json["voted"] is False


def test_limits_are_per_token_account(client):
    idea, first, second = make_idea(), Caller(new=True), Caller(new=True)
    url = f"/api/v1/ideas/{idea.id}/comments"
    statuses = [client.post(url, json={"body": "Yes!"}, headers=first.headers).status_code for _ in range(11)]
    assert statuses == [201] * 10 + [429]
    assert client.post(url, json={"body": "Me too"}, headers=second.headers).status_code == 201


@configured(RATELIMIT_IDEAS="3 per minute")
def test_the_web_and_the_api_share_an_accounts_limit(client, login):
    caller = Caller()
    login(caller.user)
    token = client.csrf_token("/ideas/new")
    for number in range(2):
        data = {"csrf_token": token, "title": f"Idea number {number} from the page", "confirmed": "1"}
        assert client.post("/ideas/new", data=data).status_code == 302
    assert post_idea(client, caller, 2).status_code == 201
    assert_rate_limited(post_idea(client, caller, 3))
    assert stored(Idea) == 3


@configured(RATELIMIT_IDEAS="2 per minute")
def test_the_api_counts_against_the_tokens_user_not_the_session_cookie(app, client, login):
    signed_in, caller = Caller(), Caller()
    login(signed_in.user)  # the client also carries a session cookie, which the API ignores
    assert [post_idea(client, caller, n).status_code for n in range(3)] == [201, 201, 429]
    token = client.csrf_token("/ideas/new")
    data = {"csrf_token": token, "title": "An idea from the signed-in page", "confirmed": "1"}
    assert client.post("/ideas/new", data=data).status_code == 302
    assert stored(Idea) == 3


@configured(RATELIMIT_IDEAS="2 per minute")
def test_calls_without_a_token_count_per_ip_address(client):
    def anonymous(ip: str):
        return client.post("/api/v1/ideas", json={"title": "No token here"}, environ_base={"REMOTE_ADDR": ip})

    assert [anonymous("203.0.113.1").status_code for _ in range(2)] == [401, 401]
    assert_rate_limited(anonymous("203.0.113.1"))
    assert anonymous("203.0.113.2").status_code == 401
    # A token holder behind the same address has a bucket of their own.
    caller = Caller()
    response = client.post(
        "/api/v1/ideas",
        json={"title": "With a token"},
        headers=caller.headers,
        environ_base={"REMOTE_ADDR": "203.0.113.1"},
    )
    assert response.status_code == 201


@configured(
    RATELIMIT_IDEAS="1 per minute",
    RATELIMIT_COMMENTS="1 per minute",
    RATELIMIT_VOTES="1 per minute",
)
def test_reading_is_never_limited(client):
    idea, caller = make_idea(), Caller()
    for _ in range(100):
        assert client.get("/api/v1/ideas", headers=caller.headers).status_code == 200
    for _ in range(50):
        assert client.get(f"/api/v1/ideas/{idea.id}/comments", headers=caller.headers).status_code == 200
        assert client.get(f"/api/v1/ideas/{idea.id}").status_code == 200
    assert [post_idea(client, caller, n).status_code for n in range(2)] == [201, 429]


@configured(
    RATELIMIT_ENABLED=False, RATELIMIT_IDEAS="1 per minute", RATELIMIT_IDEAS_NEW_ACCOUNT="1 per minute"
)
def test_ratelimit_enabled_false_turns_the_limits_off(client):
    caller = Caller(new=True)
    assert [post_idea(client, caller, n).status_code for n in range(4)] == [201] * 4
    assert stored(Idea) == 4
