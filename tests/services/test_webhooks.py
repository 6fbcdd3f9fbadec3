"""Outgoing webhooks: subscribing, which events go where, signing, retries, refused targets, restarts."""

import hashlib
import hmac
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, Forbidden, Invalid
from app.extensions import db
from app.models.base import utcnow
from app.models.moderation import AuditEntry
from app.models.outbox import OutboxMessage
from app.models.user import User
from app.models.webhook import Webhook, WebhookDelivery
from app.services import (
    boards,
    comments,
    ideas,
    launches,
    moderation,
    outbox,
    roadmap,
    settings,
    votes,
    webhook_delivery,
    webhook_events,
    webhooks,
)
from app.services.launches import AssumptionInput, OutcomeInput
from tests.factories import make_idea, make_user, make_webhook
from tests.webhook_receiver import running_receiver

# A public address (not private, loopback, reserved or documentation-only) for hosts the tests invent.
PUBLIC_IP = "93.184.215.14"


@pytest.fixture
def receiver(app):
    with running_receiver(app) as target:
        yield target


@pytest.fixture
def admin(app) -> User:
    return make_user("admin")


@pytest.fixture
def pm(app) -> User:
    return make_user("product_manager")


class Clock:
    """The outbox's "now", moved forward by the test instead of waiting."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self):
        return utcnow() + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(outbox, "utcnow", clock)
    return clock


@pytest.fixture
def fake_dns(monkeypatch) -> dict[str, str]:
    """Host names the test makes up, resolved to the address it sets; other names resolve as usual."""
    names: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            return real(names[host], port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


def deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def outbox_rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def deliver_all() -> None:
    while outbox.deliver_due(limit=100):
        pass


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


# ---- Signing and the payload ----


def test_a_delivery_is_signed_json_the_receiver_can_verify(app, admin, receiver):
    webhook = make_webhook(admin, receiver.url, ["idea.created"], description="Product Slack")
    author = make_user(name="Ada Lovelace")
    idea = make_idea(author, "Export reports to CSV")

    deliver_all()

    [request] = receiver.requests
    headers = request.headers
    assert request.path == "/hooks"
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "Cocreate-Webhooks"
    assert headers["X-Cocreate-Event"] == "idea.created"
    [delivery] = deliveries()
    assert headers["X-Cocreate-Delivery"] == str(delivery.id)
    timestamp = headers["X-Cocreate-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 300
    assert headers["X-Cocreate-Signature"] == expected_signature(webhook.secret, timestamp, request.body)
    # A different secret, or a body changed on the way, does not verify.
    assert headers["X-Cocreate-Signature"] != expected_signature("whsec_other", timestamp, request.body)
    assert headers["X-Cocreate-Signature"] != expected_signature(
        webhook.secret, timestamp, request.body + b" "
    )
    body = request.json
    assert body["id"] == delivery.id
    assert body["event"] == "idea.created"
    assert datetime.fromisoformat(body["created_at"].replace("Z", "+00:00")).tzinfo == UTC
    assert body["data"] == {
        "idea": {
            "id": idea.id,
            "title": "Export reports to CSV",
            "status": "open",
            "url": f"http://127.0.0.1:5000/ideas/{idea.id}",
            "board": {"slug": "ideas", "name": "Ideas"},
            "author": {"id": author.id, "display_name": "Ada Lovelace"},
        }
    }
    assert "@" not in request.body.decode()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None
    assert delivery.last_error is None
    assert [message.status for message in outbox_rows()] == ["sent"]


def test_the_secret_is_random_per_webhook_and_the_creation_is_audited(app, admin, receiver):
    first = make_webhook(admin, receiver.url, ["idea.created"])
    second = make_webhook(admin, receiver.url + "/2", ["idea.created"])

    assert first.secret.startswith("whsec_")
    assert len(first.secret) > 40
    assert first.secret != second.secret
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "webhook.create").limit(1))
    assert (entry.actor_id, entry.target_type, entry.target_id) == (admin.id, "webhook", first.id)


def test_the_signature_helper_matches_the_documented_recipe():
    body = b'{"id":1}'
    assert webhook_delivery.signature("s3cret", 1700000000, body) == expected_signature(
        "s3cret", "1700000000", body
    )


# ---- Which events go where ----


def test_events_from_each_service_reach_only_the_webhooks_subscribed_to_them(app, admin, pm, receiver):
    everything = make_webhook(admin, receiver.url + "/all")
    make_webhook(admin, receiver.url + "/votes", ["vote.cast"])
    make_webhook(admin, receiver.url + "/off", webhook_events.EVENTS, is_active=False)
    author, voter, commenter = make_user(), make_user(), make_user(name="Grace")

    idea = make_idea(author, "Dark mode for the dashboard")
    ideas.change_status(pm, idea, "under_review", note="Looking into it.")
    comment = comments.add_comment(commenter, idea, "Yes please, my eyes thank you.")
    votes.cast_vote(voter, idea)
    item = roadmap.create_item(pm, "Dark mode", description="Everywhere.")
    roadmap.change_status(pm, item, "shipped", release_note="Dark mode is here.")
    launch = launches.create_launch(
        pm,
        title="Dark mode pilot",
        hypothesis="Night owls stay longer with dark mode.",
        success_metric="Minutes per session after 8 pm",
        capacity=5,
        starts_at=datetime(2027, 3, 1, tzinfo=UTC),
        ends_at=datetime(2027, 3, 29, tzinfo=UTC),
        assumptions=[AssumptionInput("value", "People use the site at night")],
        status="recruiting",
    )
    db.session.commit()
    launch = launches.get_launch(pm, launch.id)
    launches.change_status(pm, launch, "running", start_early=True)
    launches.change_status(
        pm,
        launch,
        "completed",
        OutcomeInput("scale", "Sessions grew.", "12 min", {a.id: "confirmed" for a in launch.assumptions}),
    )
    db.session.commit()

    deliver_all()

    by_path: dict[str, list[str]] = {}
    for request in receiver.requests:
        by_path.setdefault(request.path, []).append(request.headers["X-Cocreate-Event"])
    assert by_path == {
        "/hooks/all": [
            "idea.created",
            "idea.status_changed",
            "comment.created",
            "vote.cast",
            "roadmap.shipped",
            "launch.outcome",
        ],
        "/hooks/votes": ["vote.cast"],
    }
    data = {r.json["event"]: r.json["data"] for r in receiver.requests if r.path == "/hooks/all"}
    assert data["idea.status_changed"] == {
        "idea": {
            "id": idea.id,
            "title": "Dark mode for the dashboard",
            "status": "under_review",
            "url": f"http://127.0.0.1:5000/ideas/{idea.id}",
            "board": {"slug": "ideas", "name": "Ideas"},
        },
        "from_status": "open",
        "to_status": "under_review",
        "note": "Looking into it.",
    }
    assert data["comment.created"]["comment"] == {
        "id": comment.id,
        "parent_id": None,
        "excerpt": "Yes please, my eyes thank you.",
        "author": {"id": commenter.id, "display_name": "Grace"},
        "url": f"http://127.0.0.1:5000/ideas/{idea.id}#comment-{comment.id}",
    }
    assert data["vote.cast"]["idea"]["vote_count"] == 2
    assert "voter" not in data["vote.cast"]
    assert data["roadmap.shipped"]["roadmap_item"]["id"] == item.id
    assert data["roadmap.shipped"]["roadmap_item"]["release_note"] == "Dark mode is here."
    assert data["roadmap.shipped"]["roadmap_item"]["url"].endswith(f"/roadmap/{item.id}")
    assert data["launch.outcome"]["launch"]["decision"] == "scale"
    assert data["launch.outcome"]["launch"]["summary"] == "Sessions grew."
    assert all("@" not in r.body.decode() for r in receiver.requests)
    assert {d.webhook_id for d in deliveries() if d.event != "vote.cast"} == {everything.id}


def test_voting_twice_sends_one_event(app, admin, receiver):
    make_webhook(admin, receiver.url, ["vote.cast"])
    idea, voter = make_idea(), make_user()

    votes.cast_vote(voter, idea)
    votes.cast_vote(voter, idea)
    votes.retract_vote(voter, idea)
    db.session.commit()
    deliver_all()

    assert receiver.events == ["vote.cast"]


def test_private_and_unpublished_things_send_nothing(app, admin, pm, receiver):
    make_webhook(admin, receiver.url)
    idea = make_idea()
    deliver_all()
    receiver.requests.clear()

    comments.add_internal_note(pm, idea, "Sales says three big customers want this.")
    item = roadmap.create_item(pm, "Secret project", is_public=False)
    roadmap.change_status(pm, item, "shipped")
    roadmap.change_status(pm, roadmap.create_item(pm, "Public but planned"), "in_progress")
    # Nothing on a private board: a new idea there, its comments, votes and status changes.
    beta = boards.create_board(admin, "Enterprise beta", visibility="private")
    private = ideas.create_idea(admin, "Audit trail for the beta", board=beta.slug)
    comments.add_comment(pm, private, "We are on it.")
    votes.cast_vote(make_user(), private)
    ideas.set_status(pm, private, "planned", "Next quarter.")
    db.session.commit()
    deliver_all()

    assert receiver.requests == []


def test_posts_waiting_for_review_are_sent_when_a_moderator_approves_them(app, admin, receiver):
    make_webhook(admin, receiver.url, ["idea.created", "comment.created"])
    settings.update_settings(admin, premoderation_enabled=True)
    db.session.commit()
    newcomer, moderator = make_user(), make_user("moderator")
    idea = ideas.create_idea(newcomer, "Please add an API for invoices")
    db.session.commit()
    assert idea.is_pending
    deliver_all()
    assert receiver.requests == []

    moderation.restore_item(moderator, "idea", idea.id)
    db.session.commit()
    comment = comments.add_comment(newcomer, idea, "And webhooks for them too.")
    db.session.commit()
    assert comment.is_pending
    deliver_all()
    assert receiver.events == ["idea.created"]

    moderation.restore_item(moderator, "comment", comment.id)
    db.session.commit()
    deliver_all()
    assert receiver.events == ["idea.created", "comment.created"]
    assert receiver.requests[1].json["data"]["comment"]["id"] == comment.id


def test_a_rolled_back_change_sends_nothing(app, admin, receiver):
    make_webhook(admin, receiver.url, ["idea.created"])
    ideas.create_idea(make_user(), "An idea that never was")
    db.session.flush()
    db.session.rollback()

    deliver_all()

    assert receiver.requests == []
    assert deliveries() == []
    assert outbox_rows() == []


def test_a_ping_goes_to_the_webhook_whatever_it_subscribes_to(app, admin, receiver):
    webhook = make_webhook(admin, receiver.url, ["launch.outcome"])

    webhooks.send_ping(admin, webhook)
    db.session.commit()
    deliver_all()

    [request] = receiver.requests
    assert request.headers["X-Cocreate-Event"] == "ping"
    assert request.json["data"]["webhook"] == {"id": webhook.id, "events": ["launch.outcome"]}
    assert deliveries()[0].status == "delivered"


def test_a_switched_off_webhook_takes_no_ping_and_drops_what_was_queued(app, admin, receiver):
    webhook = make_webhook(admin, receiver.url, ["idea.created"])
    make_idea()

    webhooks.update_webhook(admin, webhook, is_active=False)
    db.session.commit()
    deliver_all()

    assert receiver.requests == []
    [delivery] = deliveries()
    assert delivery.status == "failed"
    assert delivery.last_error == "Not sent: the webhook was turned off."
    with pytest.raises(Conflict, match="turned off"):
        webhooks.send_ping(admin, webhook)


def test_deleting_a_webhook_drops_its_log_and_its_queue(app, admin, receiver):
    webhook = make_webhook(admin, receiver.url, ["idea.created"])
    make_idea()

    webhooks.delete_webhook(admin, webhook)
    db.session.commit()
    deliver_all()

    assert receiver.requests == []
    assert deliveries() == []
    assert [message.status for message in outbox_rows()] == ["sent"]
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "webhook.delete"))


# ---- Failures and retries ----


def test_a_failing_receiver_is_retried_with_backoff_and_delivered_once(app, admin, receiver, clock):
    make_webhook(admin, receiver.url, ["idea.created"])
    receiver.answer(500)
    make_idea()

    assert outbox.deliver_due() == 1
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.last_error == "The receiver answered 500 Internal Server Error"
    assert outbox.deliver_due() == 0  # not before its backoff
    assert len(receiver.requests) == 1

    clock.advance(outbox.backoff(1) + timedelta(seconds=1))
    assert outbox.deliver_due() == 1
    assert outbox.deliver_due() == 0

    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    assert delivery.last_error is None
    first, second = receiver.requests
    # The same delivery id and body: a receiver that got the first one can drop the second.
    assert first.headers["X-Cocreate-Delivery"] == second.headers["X-Cocreate-Delivery"]
    assert first.body == second.body


def test_the_delivery_is_marked_failed_after_the_outbox_gives_up(app, admin, receiver, clock):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    make_webhook(admin, receiver.url, ["idea.created"])
    receiver.answer(503, 500, 404)
    make_idea()

    for attempt in (1, 2, 3):
        assert outbox.deliver_due() == 1
        clock.advance(outbox.backoff(attempt) + timedelta(seconds=1))
    clock.advance(timedelta(days=30))
    assert outbox.deliver_due() == 0

    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 3, 404)
    assert [message.status for message in outbox_rows()] == ["failed"]
    assert len(receiver.requests) == 3


def test_redirects_are_not_followed(app, admin, receiver):
    make_webhook(admin, receiver.url, ["idea.created"])
    receiver.answer(302)
    receiver.headers_to_send["Location"] = "http://169.254.169.254/latest/meta-data/"
    make_idea()

    outbox.deliver_due()

    assert len(receiver.requests) == 1
    [delivery] = deliveries()
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)


def test_an_unreachable_receiver_is_recorded_and_retried(app, admin, receiver):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    make_webhook(admin, f"http://127.0.0.1:{closed_port}/hooks", ["idea.created"])
    make_idea()

    outbox.deliver_due()

    [delivery] = deliveries()
    assert delivery.status == "pending"
    assert delivery.last_status_code is None
    assert "refused" in delivery.last_error.lower()


# ---- A worker that dies mid-delivery ----


class WorkerDied(BaseException):
    """What a killed process looks like to the code that was running: nothing after it runs."""


def test_a_delivery_in_flight_when_the_worker_dies_is_sent_on_the_next_run(app, admin, receiver, monkeypatch):
    make_webhook(admin, receiver.url, ["idea.created"])
    make_idea()

    with monkeypatch.context() as patch:

        def die(webhook, delivery):
            raise WorkerDied()

        patch.setattr(webhook_delivery, "_post", die)
        with pytest.raises(WorkerDied):
            outbox.deliver_due()
    # The process is gone: its transaction never committed. A new worker starts afresh.
    db.session.rollback()
    db.session.remove()

    assert [message.status for message in outbox_rows()] == ["pending"]
    assert outbox.deliver_due() == 1
    assert outbox.deliver_due() == 0

    assert len(receiver.requests) == 1
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert [message.status for message in outbox_rows()] == ["sent"]


def test_a_worker_that_dies_after_sending_resends_the_same_delivery_id(app, admin, receiver, monkeypatch):
    make_webhook(admin, receiver.url, ["idea.created"])
    make_idea()
    real_post = webhook_delivery._post

    with monkeypatch.context() as patch:

        def send_then_die(webhook, delivery):
            real_post(webhook, delivery)
            raise WorkerDied()

        patch.setattr(webhook_delivery, "_post", send_then_die)
        with pytest.raises(WorkerDied):
            outbox.deliver_due()
    db.session.rollback()
    db.session.remove()
    deliver_all()

    # Sent twice, so nothing is lost; receivers drop the copy by its delivery id.
    first, second = receiver.requests
    assert first.headers["X-Cocreate-Delivery"] == second.headers["X-Cocreate-Delivery"]
    assert first.json["id"] == second.json["id"]
    assert [d.status for d in deliveries()] == ["delivered"]


# ---- Where webhooks may point ----

REFUSED = [
    ("http://127.0.0.1/hooks", "private, loopback or link-local"),
    ("http://10.0.0.1/hooks", "private, loopback or link-local"),
    ("http://192.168.1.20:8080/", "private, loopback or link-local"),
    ("http://169.254.169.254/latest/meta-data/", "private, loopback or link-local"),
    ("http://[::1]/hooks", "private, loopback or link-local"),
    ("http://[::ffff:127.0.0.1]/hooks", "private, loopback or link-local"),
    ("http://0.0.0.0/", "private, loopback or link-local"),
    ("http://224.0.0.1/", "private, loopback or link-local"),
    ("http://localhost:5000/hooks", "private, loopback or link-local"),
    ("ftp://example.com/hooks", "Use an http:// or https:// address."),
    ("file:///etc/passwd", "Use an http:// or https:// address."),
    ("javascript:alert(1)", "Use an http:// or https:// address."),
    ("https://user:secret@example.com/hooks", "Leave the user name and password out"),
    ("https://token@example.com/hooks", "Leave the user name and password out"),
    ("https:///hooks", "needs a host name"),
    ("https://example.com:99999/", "port"),
    ("https://exa mple.com/", "spaces"),
    ("", "Enter the address"),
]


@pytest.mark.parametrize(("url", "message"), REFUSED)
def test_forbidden_targets_are_refused_and_nothing_is_saved(app, admin, url, message):
    assert not app.config["WEBHOOK_ALLOW_PRIVATE"]

    with pytest.raises(Invalid) as refused:
        webhooks.create_webhook(admin, url, ["idea.created"])

    assert list(refused.value.fields) == ["url"]
    assert message in refused.value.fields["url"][0]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Webhook)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_host_name_that_resolves_to_a_private_address_is_refused(app, admin, fake_dns):
    fake_dns["intranet.example.com"] = "10.1.2.3"

    with pytest.raises(Invalid, match=r"intranet\.example\.com resolves to 10\.1\.2\.3"):
        webhooks.create_webhook(admin, "https://intranet.example.com/hooks", ["idea.created"])


def test_an_unknown_host_is_refused(app, admin, monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(Invalid, match=r"The host nowhere\.example could not be found\."):
        webhooks.create_webhook(admin, "https://nowhere.example/hooks", ["idea.created"])


def test_a_public_host_name_is_accepted(app, admin, fake_dns):
    fake_dns["hooks.example.com"] = PUBLIC_IP

    webhook = make_webhook(admin, "  https://hooks.example.com/cocreate?team=7  ", ["idea.created"])

    assert webhook.url == "https://hooks.example.com/cocreate?team=7"
    assert webhook.events == ["idea.created"]


def test_a_host_that_turns_private_after_subscribing_is_not_contacted(app, admin, receiver, fake_dns, clock):
    port = receiver.url.split(":")[2].split("/")[0]
    fake_dns["hooks.example.com"] = PUBLIC_IP
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    make_webhook(admin, f"http://hooks.example.com:{port}/hooks", ["idea.created"])
    make_idea()
    # DNS now points the name at this machine, where the receiver listens.
    fake_dns["hooks.example.com"] = "127.0.0.1"

    assert outbox.deliver_due() == 1

    assert receiver.requests == []
    [delivery] = deliveries()
    assert delivery.status == "pending"
    assert delivery.last_status_code is None
    assert delivery.last_error == (
        "Not sent: hooks.example.com resolves to 127.0.0.1, a private, loopback or link-local address; "
        "webhooks only go to public addresses."
    )

    # Once the setting allows it (a receiver on the same network), the same delivery goes out.
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    clock.advance(outbox.backoff(1) + timedelta(seconds=1))
    assert outbox.deliver_due() == 1
    assert len(receiver.requests) == 1
    assert receiver.requests[0].headers["Host"] == f"hooks.example.com:{port}"


# ---- Managing webhooks ----


@pytest.mark.parametrize("role", ["member", "moderator", "product_manager"])
def test_only_admins_manage_webhooks(app, receiver, role):
    actor = make_user(role)
    with pytest.raises(Forbidden):
        webhooks.create_webhook(actor, receiver.url, ["idea.created"])
    with pytest.raises(Forbidden):
        webhooks.list_webhooks(actor)


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([], "Choose at least one event to send."),
        (["idea.created", "user.deleted"], "Events must be among"),
        (["ping"], "Events must be among"),
    ],
)
def test_events_are_checked(app, admin, receiver, events, message):
    with pytest.raises(Invalid) as refused:
        webhooks.create_webhook(admin, receiver.url, events)
    assert message in refused.value.fields["events"][0]


def test_updating_changes_events_and_state_and_is_audited(app, admin, receiver):
    webhook = make_webhook(admin, receiver.url, ["idea.created"])

    webhooks.update_webhook(admin, webhook, events=["vote.cast", "idea.created"], is_active=False)
    db.session.commit()

    assert webhook.events == ["idea.created", "vote.cast"]
    assert webhook.is_active is False
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "webhook.update"))
    assert "(off)" in entry.after


def test_an_update_to_a_forbidden_address_changes_nothing(app, admin, receiver):
    webhook = make_webhook(admin, receiver.url, ["idea.created"])
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False

    with pytest.raises(Invalid):
        webhooks.update_webhook(admin, webhook, url="http://10.0.0.1/", events=["vote.cast"])
    db.session.rollback()

    assert db.session.get(Webhook, webhook.id).url == receiver.url
    assert db.session.get(Webhook, webhook.id).events == ["idea.created"]


def test_the_list_counts_deliveries_in_two_queries(app, admin, receiver, count_queries):
    one = make_webhook(admin, receiver.url + "/1", ["idea.created"])
    two = make_webhook(admin, receiver.url + "/2", ["idea.created", "vote.cast"])
    receiver.answer(500)
    make_idea()
    make_idea()
    deliver_all()
    assert admin.role == "admin"  # loaded before counting

    with count_queries() as statements:
        rows = webhooks.list_webhooks(admin)

    assert len(statements) == 2
    counts = {row.webhook.id: (row.delivered, row.pending, row.failed) for row in rows}
    assert counts == {one.id: (1, 1, 0), two.id: (2, 0, 0)}
