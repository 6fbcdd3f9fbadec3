"""The same form sent twice (double click, reload, a retry) makes one idea or comment, and lands on it."""

import threading
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.idempotency import IdempotencyKey
from tests.factories import make_idea, make_prototype_row, make_user

ALREADY_SENT = "You sent this twice; it was posted once."


class _Forms(HTMLParser):
    """Each form on a page: its action and its hidden fields."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "fields": {}})
        elif tag == "input" and attrs.get("type") == "hidden" and self.forms:
            self.forms[-1]["fields"][attrs.get("name")] = attrs.get("value") or ""


def forms_on(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    parser = _Forms()
    parser.feed(response.get_data(as_text=True))
    return parser.forms


def form_fields(client, page: str, action: str | None = None, parent_id: int | None = None) -> dict:
    """The hidden fields (CSRF and submission tokens) of the form on `page` posting to `action`."""
    for form in forms_on(client, page):
        fields = form["fields"]
        if action is not None and form["action"] != action:
            continue
        if "submission_token" not in fields:
            continue
        if fields.get("parent_id") != (str(parent_id) if parent_id else None):
            continue
        return dict(fields)
    raise AssertionError(f"no form posting to {action} on {page}")


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def established(user):
    """Two days old, so the stricter limits of new accounts leave these tests alone."""
    user.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    return user


@pytest.fixture
def member(app, login):
    user = established(make_user(name="Mia Member"))
    login(user)
    return user


# Ideas


def test_each_idea_form_carries_a_new_submission_token(client, member):
    first = form_fields(client, "/ideas/new")["submission_token"]
    second = form_fields(client, "/ideas/new")["submission_token"]
    assert len(first) >= 32
    assert first != second


def test_posting_the_idea_form_twice_makes_one_idea_and_the_second_lands_on_it(client, member):
    data = {**form_fields(client, "/ideas/new"), "title": "Export reports as CSV", "body": "For finance."}

    first = client.post("/ideas/new", data=data)
    again = client.post("/ideas/new", data=data)

    idea_id = db.session.scalar(select(Idea.id))
    assert first.status_code == again.status_code == 302
    assert first.location == again.location == f"/ideas/{idea_id}"
    assert count(Idea) == 1
    page = client.get(again.location).get_data(as_text=True)
    assert ALREADY_SENT in page


def test_a_repeat_after_the_similar_ideas_step_lands_on_the_new_idea(client, member):
    make_idea(title="Export reports to PDF files")
    data = {**form_fields(client, "/ideas/new"), "title": "Export reports as CSV files"}
    confirming = client.post("/ideas/new", data=data)
    assert confirming.status_code == 200  # the similar ideas first, nothing posted
    assert count(Idea) == 1
    data["confirmed"] = "1"

    first = client.post("/ideas/new", data=data)
    again = client.post("/ideas/new", data=data)

    assert first.status_code == again.status_code == 302
    assert again.location == first.location
    assert count(Idea) == 2


def test_the_same_token_with_other_words_is_a_new_idea(client, member):
    """A page restored from history, edited and sent again is a new post."""
    fields = form_fields(client, "/ideas/new")
    first = client.post("/ideas/new", data={**fields, "title": "Export reports as CSV"})
    second = client.post("/ideas/new", data={**fields, "title": "A dark mode for the dashboard"})

    assert first.location != second.location
    assert count(Idea) == 2


def test_a_refused_idea_keeps_no_token_so_the_corrected_one_is_posted(client, member):
    fields = form_fields(client, "/ideas/new")
    refused = client.post("/ideas/new", data={**fields, "title": "CSV"})
    assert refused.status_code == 200
    assert count(Idea) == 0
    assert count(IdempotencyKey) == 0

    fixed = client.post("/ideas/new", data={**fields, "title": "Export reports as CSV"})

    assert fixed.status_code == 302
    assert count(Idea) == 1


def test_another_account_sending_the_same_token_posts_its_own_idea(app, client, member, login):
    fields = form_fields(client, "/ideas/new")
    assert client.post("/ideas/new", data={**fields, "title": "Export reports as CSV"}).status_code == 302
    other = app.test_client()
    login(established(make_user(name="Otto Other")), target=other)
    other_fields = {**fields, "csrf_token": form_fields(other, "/ideas/new")["csrf_token"]}

    data = {**other_fields, "title": "Export reports as CSV", "confirmed": "1"}  # past the similar ideas

    response = other.post("/ideas/new", data=data)

    assert response.status_code == 302
    assert count(Idea) == 2


def test_a_form_without_a_token_still_posts(client, member):
    fields = form_fields(client, "/ideas/new")
    del fields["submission_token"]
    data = {**fields, "title": "Export reports as CSV", "confirmed": "1"}
    for _ in range(2):
        assert client.post("/ideas/new", data=data).status_code == 302
    assert count(Idea) == 2


# Comments


def test_posting_a_comment_twice_makes_one_comment_and_the_second_lands_on_it(client, member):
    idea = make_idea()
    page = f"/ideas/{idea.id}"
    data = {**form_fields(client, page, f"{page}/comments"), "body": "Yes, please."}

    first = client.post(f"{page}/comments", data=data)
    again = client.post(f"{page}/comments", data=data)

    comment_id = db.session.scalar(select(Comment.id))
    assert first.status_code == again.status_code == 302
    assert first.location == again.location == f"{page}#comment-{comment_id}"
    assert count(Comment) == 1
    assert db.session.scalar(select(Idea.comment_count).where(Idea.id == idea.id)) == 1
    assert ALREADY_SENT in client.get(again.location).get_data(as_text=True)


def test_a_reply_sent_twice_is_one_reply(client, member):
    idea = make_idea()
    page = f"/ideas/{idea.id}"
    first = client.post(
        f"{page}/comments", data={**form_fields(client, page, f"{page}/comments"), "body": "Hi"}
    )
    parent_id = db.session.scalar(select(Comment.id))
    data = {**form_fields(client, page, f"{page}/comments", parent_id=parent_id), "body": "Me too."}
    assert first.status_code == 302

    replies = [client.post(f"{page}/comments", data=data) for _ in range(2)]

    assert replies[0].location == replies[1].location
    assert count(Comment) == 2


def test_every_comment_form_on_the_page_has_its_own_token(client, member):
    idea = make_idea()
    page = f"/ideas/{idea.id}"
    for body in ("First", "Second"):
        client.post(f"{page}/comments", data={**form_fields(client, page, f"{page}/comments"), "body": body})
    tokens = [
        form["fields"]["submission_token"]
        for form in forms_on(client, page)
        if "submission_token" in form["fields"]
    ]
    assert len(tokens) == 3  # the new comment form and a reply form under each comment
    assert len(set(tokens)) == 3


def test_the_same_comment_token_with_other_words_is_a_new_comment(client, member):
    idea = make_idea()
    page = f"/ideas/{idea.id}"
    fields = form_fields(client, page, f"{page}/comments")
    for body in ("Yes, please.", "And one more thing."):
        assert client.post(f"{page}/comments", data={**fields, "body": body}).status_code == 302
    assert count(Comment) == 2


def test_a_refused_comment_keeps_no_token(client, member):
    idea = make_idea()
    page = f"/ideas/{idea.id}"
    fields = form_fields(client, page, f"{page}/comments")
    assert client.post(f"{page}/comments", data={**fields, "body": "  "}).status_code == 422

    assert client.post(f"{page}/comments", data={**fields, "body": "Now with words"}).status_code == 302
    assert count(Comment) == 1


def test_a_prototype_comment_sent_twice_is_one_comment(client, member):
    prototype = make_prototype_row()
    page = f"/prototypes/{prototype.id}"
    data = {**form_fields(client, page, f"{page}/comments"), "body": "Looks great."}

    first = client.post(f"{page}/comments", data=data)
    again = client.post(f"{page}/comments", data=data)

    comment_id = db.session.scalar(select(Comment.id))
    assert first.location == again.location == f"{page}#comment-{comment_id}"
    assert count(Comment) == 1


def test_an_internal_note_sent_twice_is_one_note(client, login):
    login(established(make_user("product_manager")))
    idea = make_idea()
    page = f"/ideas/{idea.id}"
    data = {**form_fields(client, page, f"{page}/notes"), "body": "Call them back."}

    first = client.post(f"{page}/notes", data=data)
    again = client.post(f"{page}/notes", data=data)

    assert first.location == again.location == f"{page}#internal-notes"
    assert count(Comment) == 1


# Two posts at the same time (PostgreSQL): one is made, the other lands on it.


def post_at_once(app, login, user, url: str, data: dict, times: int) -> list:
    clients = []
    for _ in range(times):
        client = app.test_client()
        login(user, target=client)
        fields = form_fields(client, url.rsplit("/comments", 1)[0] if "/comments" in url else url)
        clients.append((client, {**data, "csrf_token": fields["csrf_token"]}))
    barrier = threading.Barrier(times)
    responses: list = [None] * times
    failures: list[BaseException] = []

    def worker(index: int) -> None:
        client, form = clients[index]
        try:
            with app.app_context():  # the test client expires this context's session afterwards
                barrier.wait()
                responses[index] = client.post(url, data=form)
        except BaseException as error:  # reported by the caller's assertion
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    return responses


@pytest.mark.postgres
def test_an_idea_form_sent_twice_at_once_makes_one_idea(app, login):
    user = established(make_user())
    token = "the-same-rendered-form"
    data = {"title": "Export reports as CSV", "submission_token": token}

    responses = post_at_once(app, login, user, "/ideas/new", data, times=4)

    assert {response.status_code for response in responses} == {302}
    assert len({response.location for response in responses}) == 1
    assert count(Idea) == 1


@pytest.mark.postgres
def test_a_comment_form_sent_twice_at_once_makes_one_comment(app, login):
    user = established(make_user())
    idea = make_idea()
    data = {"body": "Yes, please.", "submission_token": "one-rendered-comment-form"}

    responses = post_at_once(app, login, user, f"/ideas/{idea.id}/comments", data, times=4)

    assert {response.status_code for response in responses} == {302}
    assert len({response.location for response in responses}) == 1
    assert count(Comment) == 1
