"""The admin's webhook pages: add, show the secret, edit, ping, delete, and the delivery log."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.user import User
from app.models.webhook import Webhook
from app.services import outbox
from tests.factories import make_idea, make_user, make_webhook
from tests.webhook_receiver import running_receiver


@pytest.fixture
def receiver(app):
    with running_receiver(app) as target:
        yield target


@pytest.fixture
def admin(app) -> User:
    return make_user("admin", name="Ada Admin")


def webhook_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Webhook))


@pytest.mark.parametrize("role", ["member", "moderator", "product_manager"])
def test_only_admins_reach_the_pages(client, login, admin, receiver, role):
    webhook = make_webhook(admin, receiver.url, ["idea.created"], "Team chat")
    login(make_user(role))

    for url in ("/admin/webhooks", f"/admin/webhooks/{webhook.id}"):
        assert client.get(url).status_code == 403
    csrf = client.csrf_token("/account/settings")
    for url in (f"/admin/webhooks/{webhook.id}/ping", f"/admin/webhooks/{webhook.id}/delete"):
        assert client.post(url, data={"csrf_token": csrf}).status_code == 403
    response = client.post(
        "/admin/webhooks", data={"csrf_token": csrf, "url": receiver.url, "events": ["idea.created"]}
    )
    assert response.status_code == 403
    assert webhook_count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, admin, receiver):
    response = client.get("/admin/webhooks")

    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_an_admin_adds_a_webhook_and_sees_its_secret(client, login, admin, receiver):
    login(admin)
    page = client.get("/admin/webhooks").get_data(as_text=True)
    assert 'href="/admin/webhooks" aria-current="page">Webhooks</a>' in page
    assert 'value="vote.cast"' in page

    response = client.post_form(
        "/admin/webhooks",
        {
            "url": receiver.url,
            "description": "Product team chat",
            "events": ["idea.created", "vote.cast"],
            "is_active": "y",
        },
    )

    assert response.status_code == 302
    webhook = db.session.scalar(select(Webhook))
    assert response.headers["Location"] == f"/admin/webhooks/{webhook.id}?created=1"
    assert (webhook.url, webhook.description) == (receiver.url, "Product team chat")
    assert webhook.events == ["idea.created", "vote.cast"]
    assert webhook.is_active
    assert webhook.created_by_id == admin.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Webhook added. Copy its signing secret into the receiver now." in page
    assert f'value="{webhook.secret}"' in page
    assert '<details class="webhook-secret" open>' in page
    assert 'data-copy="#webhook-secret"' in page
    assert " style=" not in page
    assert "<script>" not in page
    # Later visits keep it behind a click, but still there for admins.
    later = client.get(f"/admin/webhooks/{webhook.id}").get_data(as_text=True)
    assert '<details class="webhook-secret">' in later
    assert webhook.secret in later
    listing = client.get("/admin/webhooks").get_data(as_text=True)
    assert receiver.url in listing
    assert webhook.secret not in listing


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:9/hooks", "resolves to 127.0.0.1, a private, loopback or link-local address"),
        ("http://169.254.169.254/latest/meta-data/", "a private, loopback or link-local address"),
        ("ftp://example.com/hooks", "Use an http:// or https:// address."),
        ("https://admin:hunter2@example.com/hooks", "Leave the user name and password out of the address"),
    ],
)
def test_a_forbidden_address_is_refused_with_a_message_and_nothing_saved(client, login, admin, url, message):
    login(admin)

    response = client.post_form("/admin/webhooks", {"url": url, "events": ["idea.created"], "is_active": "y"})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert webhook_count() == 0


def test_at_least_one_event_is_needed(client, login, admin, receiver):
    login(admin)

    response = client.post_form("/admin/webhooks", {"url": receiver.url, "is_active": "y"})

    assert response.status_code == 422
    assert "Choose at least one event to send." in response.get_data(as_text=True)
    assert webhook_count() == 0


def test_an_admin_changes_the_events_and_turns_it_off(client, login, admin, receiver):
    webhook = make_webhook(admin, receiver.url, ["idea.created"], "Team chat")
    login(admin)
    url = f"/admin/webhooks/{webhook.id}"
    assert 'value="idea.created" checked' in client.get(url).get_data(as_text=True)

    response = client.post_form(url, {"url": receiver.url, "events": ["comment.created", "launch.outcome"]})

    assert response.status_code == 302
    db.session.refresh(webhook)
    assert webhook.events == ["comment.created", "launch.outcome"]
    assert webhook.is_active is False
    page = client.get(url).get_data(as_text=True)
    assert "Send a test ping" not in page


def test_a_refused_edit_keeps_the_webhook_as_it_was(client, login, admin, receiver, app):
    webhook = make_webhook(admin, receiver.url, ["idea.created"], "Team chat")
    login(admin)
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False

    response = client.post_form(
        f"/admin/webhooks/{webhook.id}",
        {"url": "http://10.0.0.1/", "events": ["vote.cast"], "is_active": "y"},
    )

    assert response.status_code == 422
    assert "resolves to 10.0.0.1" in response.get_data(as_text=True)
    db.session.refresh(webhook)
    assert (webhook.url, webhook.events) == (receiver.url, ["idea.created"])


def test_a_ping_is_delivered_and_the_log_shows_status_and_attempts(client, login, admin, receiver):
    webhook = make_webhook(admin, receiver.url, ["idea.created"], "Team chat")
    login(admin)
    receiver.answer(500)
    make_idea(title="Dark mode please")

    response = client.post_form(f"/admin/webhooks/{webhook.id}/ping", page=f"/admin/webhooks/{webhook.id}")
    assert response.status_code == 302
    outbox.deliver_due()

    assert receiver.events == ["idea.created", "ping"]
    page = client.get(f"/admin/webhooks/{webhook.id}").get_data(as_text=True)
    assert "Ping queued" in page
    rows = re.findall(r"<tr>\s*<th scope=\"row\">#\d+</th>(.*?)</tr>", page, re.S)
    assert len(rows) == 2
    ping_row, idea_row = rows  # newest first
    assert "<code>ping</code>" in ping_row
    assert "Delivered" in ping_row
    assert '<td data-label="Answer">200</td>' in ping_row
    assert '<td data-label="Attempts">1</td>' in ping_row
    assert "<code>idea.created</code>" in idea_row
    assert "Waiting" in idea_row
    assert '<td data-label="Answer">500</td>' in idea_row
    assert "The receiver answered 500 Internal Server Error" in idea_row
    listing = client.get("/admin/webhooks").get_data(as_text=True)
    assert "1 delivered, 1 waiting" in listing


def test_deleting_removes_the_webhook(client, login, admin, receiver):
    webhook_id = make_webhook(admin, receiver.url, ["idea.created"], "Team chat").id
    login(admin)

    response = client.post_form(f"/admin/webhooks/{webhook_id}/delete", page=f"/admin/webhooks/{webhook_id}")

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/webhooks"
    assert webhook_count() == 0
    assert "deleted, with its delivery log" in client.get("/admin/webhooks").get_data(as_text=True)
    assert client.get(f"/admin/webhooks/{webhook_id}").status_code == 404


def test_the_page_takes_the_same_queries_however_long_the_log(client, login, admin, receiver, count_queries):
    webhook = make_webhook(admin, receiver.url, ["idea.created"], "Team chat")
    login(admin)
    make_idea()
    outbox.deliver_due()
    with count_queries() as few:
        assert client.get(f"/admin/webhooks/{webhook.id}").status_code == 200
    for _ in range(5):
        make_idea()
    outbox.deliver_due()
    with count_queries() as many:
        assert client.get(f"/admin/webhooks/{webhook.id}").status_code == 200
    with count_queries() as listing:
        assert client.get("/admin/webhooks").status_code == 200

    assert len(many) == len(few)
    assert len(listing) <= len(few) + 1
