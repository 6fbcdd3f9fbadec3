"""The transactional outbox: what is enqueued, delivered, retried, given up on, and never doubled."""

import contextlib
import smtplib
import ssl
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app import mail
from app.extensions import db
from app.models.base import utcnow
from app.models.outbox import OutboxMessage
from app.services import outbox

RESET_URL = "https://cocreate.example/reset-password/token-123"


def enqueue(to: str = "ada@example.com", subject: str = "Reset your Cocreate password") -> OutboxMessage:
    return outbox.enqueue_email(
        to=to,
        subject=subject,
        template="email/reset_password.txt",
        user=SimpleNamespace(display_name="Ada Lovelace"),
        reset_url=RESET_URL,
        valid_minutes=60,
    )


def all_messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def mail_files(app) -> list[Path]:
    return sorted(Path(app.config["MAIL_DIR"]).glob("*.eml"))


def read_mail(path: Path):
    with path.open("rb") as file:
        return BytesParser(policy=policy.default).parse(file)


class Clock:
    """The outbox's idea of "now": the real time, moved forward by the test instead of waiting."""

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
def sends(monkeypatch) -> Counter:
    """Counts the sends per outbox message id, while still delivering through the real transport."""
    counter: Counter = Counter()
    lock = threading.Lock()
    real_send = mail.send_email

    def recording_send(message_id, payload):
        with lock:
            counter[message_id] += 1
        real_send(message_id, payload)

    monkeypatch.setattr(mail, "send_email", recording_send)
    return counter


@pytest.fixture
def broken_transport(monkeypatch) -> list[int]:
    """A mail server that refuses every connection; returns the ids it was asked to send."""
    tried: list[int] = []

    def refuse(message_id, payload):
        tried.append(message_id)
        raise ConnectionRefusedError("mail server unreachable")

    monkeypatch.setattr(mail, "send_email", refuse)
    return tried


def test_an_email_in_a_rolled_back_transaction_is_never_delivered(app, outbox_mail):
    enqueue()
    db.session.flush()
    db.session.rollback()

    assert outbox_mail() == []
    assert all_messages() == []
    assert outbox.deliver_due() == 0


def test_a_committed_email_is_delivered_as_a_file(app, outbox_mail):
    message = enqueue(to="ada@example.com", subject="Reset your Cocreate password")
    db.session.commit()

    delivered = outbox_mail()

    assert len(delivered) == 1
    email = delivered[0]
    assert email["To"] == "ada@example.com"
    assert email["Subject"] == "Reset your Cocreate password"
    assert email["From"] == app.config["MAIL_FROM"]
    assert email["Message-ID"].startswith("<")
    assert email["Message-ID"].endswith(">")
    body = email.get_content()
    assert "Hello Ada Lovelace," in body
    assert RESET_URL in body
    assert "within 60 minutes" in body
    assert [path.name for path in mail_files(app)] == [f"{message.id:06d}.eml"]
    [stored] = all_messages()
    assert stored.status == "sent"
    assert stored.sent_at is not None
    assert stored.attempts == 1
    assert stored.last_error is None


def test_each_message_gets_its_own_message_id(app, outbox_mail):
    enqueue(to="ada@example.com")
    enqueue(to="grace@example.com")
    db.session.commit()

    first, second = outbox_mail()

    assert first["Message-ID"] != second["Message-ID"]


def test_a_delivered_message_is_not_delivered_again(app, sends):
    message = enqueue()
    db.session.commit()
    message_id = message.id

    assert outbox.deliver_due() == 1
    assert outbox.deliver_due() == 0
    # A worker restart: a new session that knows nothing of the last run.
    db.session.remove()
    assert outbox.deliver_due() == 0

    assert sends == {message_id: 1}
    assert len(mail_files(app)) == 1


def test_a_resend_after_an_unrecorded_success_keeps_the_message_id(app, monkeypatch, clock):
    # The server took the mail but the connection dropped before it said so: the outbox
    # must retry, and the copy must carry the same Message-ID so mail systems drop it.
    real_send = mail.send_email
    calls = []

    def send_then_drop(message_id, payload):
        real_send(message_id, payload)
        calls.append(message_id)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("connection lost after DATA")

    monkeypatch.setattr(mail, "send_email", send_then_drop)
    enqueue()
    db.session.commit()

    outbox.deliver_due()
    [path] = mail_files(app)
    first_id = read_mail(path)["Message-ID"]
    clock.advance(outbox.backoff(1) + timedelta(seconds=1))
    outbox.deliver_due()

    assert len(calls) == 2
    assert read_mail(path)["Message-ID"] == first_id
    assert all_messages()[0].status == "sent"


def test_a_transport_failure_leaves_the_message_pending_for_later(app, broken_transport, clock):
    enqueue()
    db.session.commit()
    before = clock()

    assert outbox.deliver_due() == 1

    [message] = all_messages()
    assert message.status == "pending"
    assert message.attempts == 1
    assert message.last_error == "ConnectionRefusedError: mail server unreachable"
    assert message.sent_at is None
    assert message.available_at >= before + outbox.backoff(1)
    assert mail_files(app) == []


def test_a_failed_message_is_not_retried_before_its_backoff(app, broken_transport, clock):
    message = enqueue()
    db.session.commit()
    message_id = message.id

    outbox.deliver_due()
    assert outbox.deliver_due() == 0
    clock.advance(outbox.backoff(1) - timedelta(seconds=10))
    assert outbox.deliver_due() == 0
    assert broken_transport == [message_id]

    clock.advance(timedelta(seconds=11))
    assert outbox.deliver_due() == 1
    assert broken_transport == [message_id, message_id]
    assert all_messages()[0].attempts == 2


def test_a_message_that_failed_once_is_delivered_on_retry(app, monkeypatch, clock, outbox_mail):
    def refuse(message_id, payload):
        raise ConnectionRefusedError("mail server unreachable")

    enqueue()
    db.session.commit()
    with monkeypatch.context() as patch:
        patch.setattr(mail, "send_email", refuse)
        outbox.deliver_due()

    clock.advance(outbox.backoff(1) + timedelta(seconds=1))
    delivered = outbox_mail()

    assert [email["To"] for email in delivered] == ["ada@example.com"]
    [message] = all_messages()
    assert message.status == "sent"
    assert message.attempts == 2
    assert message.last_error is None


def test_a_message_is_marked_failed_after_the_last_attempt(app, broken_transport, clock):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    enqueue()
    db.session.commit()

    for attempt in (1, 2):
        assert outbox.deliver_due() == 1
        assert all_messages()[0].status == "pending"
        clock.advance(outbox.backoff(attempt) + timedelta(seconds=1))
    assert outbox.deliver_due() == 1

    [message] = all_messages()
    assert message.status == "failed"
    assert message.attempts == 3
    assert message.last_error == "ConnectionRefusedError: mail server unreachable"
    assert message.sent_at is None
    # Given up for good: however long the worker keeps running, it is not tried again.
    clock.advance(timedelta(days=30))
    assert outbox.deliver_due() == 0
    assert len(broken_transport) == 3


def test_one_failing_message_does_not_hold_up_the_others(app, monkeypatch, outbox_mail):
    real_send = mail.send_email

    def refuse_grace(message_id, payload):
        if payload["to"] == "grace@example.com":
            raise smtplib.SMTPRecipientsRefused({payload["to"]: (550, b"no such user")})
        real_send(message_id, payload)

    monkeypatch.setattr(mail, "send_email", refuse_grace)
    enqueue(to="grace@example.com")
    enqueue(to="ada@example.com")
    db.session.commit()

    delivered = outbox_mail()

    assert [email["To"] for email in delivered] == ["ada@example.com"]
    assert [message.status for message in all_messages()] == ["pending", "sent"]


def test_deliver_due_stops_at_its_limit(app, sends):
    for number in range(5):
        enqueue(to=f"user{number}@example.com")
    db.session.commit()

    assert outbox.deliver_due(limit=3) == 3
    assert sum(sends.values()) == 3
    assert outbox.deliver_due(limit=3) == 2
    assert sum(sends.values()) == 5
    assert {message.status for message in all_messages()} == {"sent"}


def test_backoff_grows_and_is_capped():
    waits = [outbox.backoff(attempts) for attempts in range(1, 30)]

    assert waits[0] == timedelta(seconds=30)
    assert waits[1] == timedelta(minutes=1)
    assert waits[2] == timedelta(minutes=2)
    assert all(later >= earlier for earlier, later in zip(waits, waits[1:], strict=False))
    assert max(waits) == timedelta(hours=6)
    assert waits[-1] == timedelta(hours=6)
    assert outbox.backoff(10_000) == timedelta(hours=6)


def test_the_worker_command_delivers_pending_mail(app):
    enqueue(to="ada@example.com")
    enqueue(to="grace@example.com")
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "Delivered or tried 2 message(s)." in result.output
    assert [read_mail(path)["To"] for path in mail_files(app)] == ["ada@example.com", "grace@example.com"]
    assert {message.status for message in all_messages()} == {"sent"}


def test_the_worker_command_with_nothing_to_do(app):
    result = app.test_cli_runner().invoke(args=["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "Delivered or tried 0 message(s)." in result.output
    assert mail_files(app) == []


class FakeSMTP:
    """Stands in for smtplib.SMTP / SMTP_SSL and records what the mail code did."""

    instances: list["FakeSMTP"] = []

    def __init__(self, host, port, timeout=None, context=None):
        self.host, self.port, self.context = host, port, context
        self.calls: list[tuple] = []
        FakeSMTP.instances.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.calls.append(("quit",))

    def starttls(self, context=None):
        self.calls.append(("starttls", context))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, msg):
        self.calls.append(("send", msg["To"], msg["Subject"]))
        return {}


@pytest.fixture
def fake_smtp(app, monkeypatch):
    FakeSMTP.instances = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSMTP)
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="smtp.example.com",
        MAIL_PORT=587,
        MAIL_USERNAME="mailer",
        MAIL_PASSWORD="mail-secret",
    )
    return FakeSMTP.instances


def _verifies_the_server(context) -> bool:
    return (
        isinstance(context, ssl.SSLContext)
        and context.verify_mode == ssl.CERT_REQUIRED
        and context.check_hostname
    )


def test_smtp_with_starttls_checks_the_certificate_before_sending_the_password(app, fake_smtp):
    app.config.update(MAIL_USE_TLS=True, MAIL_USE_SSL=False)
    enqueue(to="ada@example.com", subject="Hello")
    db.session.commit()

    outbox.deliver_due()

    [server] = fake_smtp
    assert (server.host, server.port) == ("smtp.example.com", 587)
    assert [call[0] for call in server.calls] == ["starttls", "login", "send", "quit"]
    assert _verifies_the_server(server.calls[0][1])
    assert server.calls[1] == ("login", "mailer", "mail-secret")
    assert server.calls[2] == ("send", "ada@example.com", "Hello")
    assert all_messages()[0].status == "sent"


def test_smtp_over_ssl_checks_the_certificate(app, fake_smtp):
    app.config.update(MAIL_USE_TLS=False, MAIL_USE_SSL=True, MAIL_PORT=465)
    enqueue()
    db.session.commit()

    outbox.deliver_due()

    [server] = fake_smtp
    assert _verifies_the_server(server.context)
    assert [call[0] for call in server.calls] == ["login", "send", "quit"]


@pytest.mark.postgres
def test_parallel_workers_send_each_message_exactly_once(app, monkeypatch):
    workers = 4
    for number in range(30):
        enqueue(to=f"user{number}@example.com")
    db.session.commit()
    ids = [message.id for message in all_messages()]
    assert len(ids) == 30

    sends: Counter = Counter()
    lock = threading.Lock()
    # Every worker holds its first message until all four hold one: without row locks
    # they would all be holding the same message here.
    all_holding = threading.Barrier(workers)
    local = threading.local()

    def recording_send(message_id, payload):
        with lock:
            sends[message_id] += 1
        if not getattr(local, "waited", False):
            local.waited = True
            # A broken barrier is reported by the assertion below, not here.
            with contextlib.suppress(threading.BrokenBarrierError):
                all_holding.wait(timeout=30)

    monkeypatch.setattr(mail, "send_email", recording_send)
    start = threading.Barrier(workers)

    def run_worker() -> int:
        with app.app_context():
            start.wait(timeout=30)
            return outbox.deliver_due(limit=100)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        tried = [future.result() for future in [pool.submit(run_worker) for _ in range(workers)]]

    assert sum(tried) == 30
    assert sends == dict.fromkeys(ids, 1)
    assert not all_holding.broken
    messages = all_messages()
    assert {message.status for message in messages} == {"sent"}
    assert {message.attempts for message in messages} == {1}
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 30


def test_development_mail_files_keep_long_links_on_one_line(app):
    from app.models.outbox import OutboxMessage
    from app.services import outbox

    link = "http://127.0.0.1:5000/reset-password/" + "A" * 90
    db.session.add(
        OutboxMessage(
            kind="email", payload={"to": "a@example.com", "subject": "Hi", "text": f"Open {link} now"}
        )
    )
    db.session.commit()
    outbox.deliver_due()
    raw = next(Path(app.config["MAIL_DIR"]).glob("*.eml")).read_text()
    assert link in raw
