"""Two app processes behind one PostgreSQL database and one Redis, as a deployment scales out.

Two gunicorn servers run the production configuration on two loopback ports with the same
SECRET_KEY, a fresh database migrated with `flask db upgrade`, and a Redis database of their own
(flushed first). Requests go to both at once from threads, and what the database holds afterwards
must be exact: every vote counted once, a launch's seats never over-filled and its waitlist
without gaps, and a per-account rate limit counted once across both processes, which only holds
when the limiter keeps its counts in the shared Redis.
"""

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
import pytest
import redis
from flask import Flask
from sqlalchemy import func, make_url, select

from app import create_app
from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea, IdeaVote
from app.models.launch import Launch, LaunchParticipant
from app.models.user import User
from app.services import api_tokens, launches, participation
from config import TestingConfig, database_url
from tests.factories import PASSWORD, make_idea, make_user

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent
# The servers' Redis database; flushed before and after, so no other suite should use it.
REDIS_DB = 13
COMMENT_LIMIT = 5
STARTUP_SECONDS = 120
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# ---- HTTP ----


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()

    def cookies(self) -> dict[str, str]:
        found = {}
        for header in self.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            found[name.strip()] = rest.split(";", 1)[0]
        return found


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
    ) -> Reply:
        headers = dict(headers or {})
        data: bytes | None = None
        if form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            conn.close()

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def csrf_token(reply: Reply) -> str:
    match = _CSRF.search(reply.text)
    assert match, f"no CSRF token on the page ({reply.status})"
    return match.group(1)


# ---- The cluster: database, Redis, two servers ----


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_listening(server: Server, deadline: float) -> None:
    """Poll until the server accepts connections; fail at once if its process died."""
    while True:
        if server.process.poll() is not None:
            pytest.fail(f"server {server.name} exited with {server.process.returncode}:\n{server.log_tail()}")
        with socket.socket() as sock:
            sock.settimeout(1)
            if sock.connect_ex(("127.0.0.1", server.port)) == 0:
                return
        if time.monotonic() > deadline:
            pytest.fail(
                f"server {server.name} is not listening after {STARTUP_SECONDS} s:\n{server.log_tail()}"
            )
        time.sleep(0.1)


def redis_url() -> str:
    """The servers' Redis: REDIS_URL's host (or the local one) with a database of their own."""
    base = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urlunsplit((base.scheme, base.netloc, f"/{REDIS_DB}", base.query, ""))


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(redis_url(), socket_connect_timeout=2, socket_timeout=5)


def libpq_url(url: str, database: str) -> str:
    return make_url(url).set(drivername="postgresql", database=database).render_as_string(hide_password=False)


@dataclass
class Cluster:
    a: Server
    b: Server
    # The app in the test process, on the same database, for making rows and reading them back.
    local: Flask

    @property
    def servers(self) -> list[Server]:
        return [self.a, self.b]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    """A fresh database, a flushed Redis database and two gunicorn servers sharing them."""
    try:
        redis_client().ping()
    except Exception as error:  # any failure to answer means there is no Redis to share
        pytest.skip(f"needs Redis answering PING at {redis_url()} (REDIS_URL's host): {error}")
    base_url = os.environ["TEST_DATABASE_URL"]
    name = f"cc_scale_out_{secrets.token_hex(4)}"
    admin = psycopg.connect(libpq_url(base_url, "postgres"), autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    servers: list[Server] = []
    local: Flask | None = None
    tmp = tmp_path_factory.mktemp("scale_out")
    try:
        redis_client().flushdb()
        database = libpq_url(base_url, name)
        env = {
            **os.environ,
            "COCREATE_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": database,
            "REDIS_URL": redis_url(),
            "SITE_URL": "http://127.0.0.1",
            "MAIL_BACKEND": "file",
            "MAIL_DIR": str(tmp / "mail"),
            "UPLOAD_DIR": str(tmp / "uploads"),
            "RATELIMIT_ENABLED": "1",
            "RATELIMIT_COMMENTS": f"{COMMENT_LIMIT} per minute",
            "RATELIMIT_COMMENTS_NEW_ACCOUNT": f"{COMMENT_LIMIT} per minute",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("TEST_DATABASE_URL", None)
        migrate = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
            env={**env, "INSTANCE_PATH": str(tmp / "instance-migrate")},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert migrate.returncode == 0, f"flask db upgrade failed:\n{migrate.stdout}\n{migrate.stderr}"
        for label in ("a", "b"):
            port = free_port()
            log = tmp / f"server-{label}.log"
            command = [
                sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}",
                "--workers", "1", "--worker-class", "gthread", "--threads", "4",
                "--log-level", "warning", "--error-logfile", "-",
            ]  # fmt: skip
            with log.open("wb") as out:
                # Each its own instance folder, as on another host: only the database and Redis are shared.
                process = subprocess.Popen(  # noqa: S603 - our own fixed command line
                    command,
                    env={**env, "INSTANCE_PATH": str(tmp / f"instance-{label}")},
                    cwd=ROOT,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            servers.append(Server(label, port, process, log))
        deadline = time.monotonic() + STARTUP_SECONDS
        for server in servers:
            wait_until_listening(server, deadline)
            health = server.request("GET", "/healthz")
            assert health.status == 200, f"{server.name} /healthz: {health.status}\n{server.log_tail()}"

        local_config = type(
            "ScaleOutConfig",
            (TestingConfig,),
            {"SQLALCHEMY_DATABASE_URI": database_url(database), "REDIS_URL": None},
        )
        local = create_app(local_config)
        yield Cluster(servers[0], servers[1], local)
    finally:
        if local is not None:
            with local.app_context():
                db.engine.dispose()
        for server in servers:
            if server.process.poll() is None:
                server.process.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()
        try:
            redis_client().flushdb()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


@pytest.fixture
def local(cluster) -> Iterator[Flask]:
    """An app context on the cluster's database, for making rows and reading what was stored."""
    with cluster.local.app_context():
        yield cluster.local
        db.session.remove()


def member_with_token(role: str = "member") -> tuple[User, dict[str, str]]:
    user = make_user(role, commit=False)
    db.session.flush()
    _, plain = api_tokens.create_token(user, user, "Scale-out")
    return user, {"Authorization": f"Bearer {plain}"}


def in_parallel(calls: list[Callable[[], Reply]]) -> list[Reply]:
    """Run every call at once (as near as threads allow) and return the replies in order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Reply]) -> Reply:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def bad_replies(replies: list[Reply], allowed: tuple[int, ...]) -> list[str]:
    return [f"{reply.status}: {reply.text[:300]}" for reply in replies if reply.status not in allowed]


# ---- Tests ----


def test_a_session_from_one_process_is_valid_on_the_other(cluster, local):
    """Signed in on A, the member is signed in on B too, and a form token from A posts on B.

    The cookies are `Secure`; this client hands them back over plain HTTP itself, as the clients of
    a TLS-terminating proxy would over HTTPS.
    """
    member = make_user()
    idea_id = make_idea(title="Share dashboards with guests").id
    sign_in_page = cluster.a.request("GET", "/sign-in")
    cookies = sign_in_page.cookies()
    signed_in = cluster.a.request(
        "POST",
        "/sign-in",
        form={"csrf_token": csrf_token(sign_in_page), "email": member.email, "password": PASSWORD},
        headers={"Cookie": cookie_header(cookies)},
    )
    assert signed_in.status == 302, signed_in.text[:500]
    cookies.update(signed_in.cookies())

    settings_on_b = cluster.b.request("GET", "/account/settings", headers={"Cookie": cookie_header(cookies)})
    assert settings_on_b.status == 200, f"B did not accept A's session: {settings_on_b.status}"
    assert member.email in settings_on_b.text

    settings_on_a = cluster.a.request("GET", "/account/settings", headers={"Cookie": cookie_header(cookies)})
    # Signing in started a fresh session, so the first form rendered after it sets the CSRF
    # token's session cookie; a browser keeps it, as this client does.
    cookies.update(settings_on_a.cookies())
    voted = cluster.b.request(
        "POST",
        f"/ideas/{idea_id}/vote",
        form={"csrf_token": csrf_token(settings_on_a), "intent": "add"},
        headers={"Cookie": cookie_header(cookies)},
    )
    assert voted.status in (200, 302), f"B refused A's form token: {voted.status} {voted.text[:300]}"
    db.session.expire_all()
    assert db.session.get(IdeaVote, (idea_id, member.id)) is not None


def test_votes_sent_to_both_processes_at_once_are_each_counted_once(cluster, local):
    voters = 24
    idea_id = make_idea(title="Export invoices to CSV").id
    callers = [member_with_token() for _ in range(voters)]
    db.session.commit()

    servers = cluster.servers
    replies = in_parallel(
        [
            lambda number=number, headers=headers: servers[number % 2].request(
                "POST", f"/api/v1/ideas/{idea_id}/vote", headers=headers
            )
            for number, (_, headers) in enumerate(callers)
        ]
    )

    assert bad_replies(replies, (200,)) == []
    db.session.expire_all()
    rows = db.session.scalar(select(func.count()).select_from(IdeaVote).where(IdeaVote.idea_id == idea_id))
    idea = db.session.get(Idea, idea_id)
    # The author's own vote comes with the idea.
    assert rows == voters + 1
    assert idea.vote_count == rows
    # Each reply says the count just after its own vote: all different, the last one the total.
    assert sorted(reply.json()["vote_count"] for reply in replies) == list(range(2, voters + 2))
    for server in servers:
        shown = server.request("GET", f"/api/v1/ideas/{idea_id}")
        assert shown.json()["vote_count"] == voters + 1, f"server {server.name}: {shown.text[:300]}"


def test_joins_sent_to_both_processes_at_once_fill_the_seats_exactly(cluster, local):
    capacity, joiners = 5, 16
    staff = make_user("product_manager")
    now = utcnow().replace(microsecond=0)
    launch_id = launches.create_launch(
        staff,
        title="Weekly summary pilot",
        hypothesis="We believe weekly summaries will bring back lapsed users.",
        success_metric="Share of pilot users active in week 4",
        capacity=capacity,
        starts_at=now + timedelta(days=7),
        ends_at=now + timedelta(days=21),
        assumptions=[launches.AssumptionInput("value", "Lapsed users read a weekly summary")],
        status="recruiting",
    ).id
    callers = [member_with_token() for _ in range(joiners)]
    db.session.commit()

    servers = cluster.servers
    replies = in_parallel(
        [
            lambda number=number, headers=headers: servers[number % 2].request(
                "POST", f"/api/v1/launches/{launch_id}/join", headers=headers
            )
            for number, (_, headers) in enumerate(callers)
        ]
    )

    assert bad_replies(replies, (200,)) == []
    places = [(reply.json()["my_state"], reply.json()["my_position"]) for reply in replies]
    waiting = joiners - capacity
    assert sorted(places, key=str) == sorted(
        [("enrolled", None)] * capacity + [("waitlisted", n) for n in range(1, waiting + 1)], key=str
    )
    db.session.expire_all()
    stored = list(
        db.session.scalars(select(LaunchParticipant).where(LaunchParticipant.launch_id == launch_id))
    )
    assert sorted(row.state for row in stored) == ["enrolled"] * capacity + ["waitlisted"] * waiting
    launch = db.session.get(Launch, launch_id)
    assert (launch.enrolled_count, launch.waitlist_count) == (capacity, waiting)
    # Each waiting member reads their own place in the queue now: 1..waiting, none twice or missing.
    seen = [participation.places(user, [launch_id])[launch_id] for user, _ in callers]
    positions = [position for state, position in seen if state == "waitlisted"]
    assert sorted(positions) == list(range(1, waiting + 1))


def test_a_rate_limit_is_counted_once_across_both_processes(cluster, local):
    """One account posts twice its comment limit, half to each process: exactly the limit gets through."""
    attempts = 4 * COMMENT_LIMIT
    idea_id = make_idea(title="Schedule reports every week").id
    commenter, headers = member_with_token()
    db.session.commit()

    servers = cluster.servers
    replies = in_parallel(
        [
            lambda number=number: servers[number % 2].request(
                "POST",
                f"/api/v1/ideas/{idea_id}/comments",
                body={"body": f"Comment number {number} on this idea."},
                headers=headers,
            )
            for number in range(attempts)
        ]
    )

    assert bad_replies(replies, (201, 429)) == []
    created = [reply for reply in replies if reply.status == 201]
    refused = [reply for reply in replies if reply.status == 429]
    assert len(created) == COMMENT_LIMIT, [reply.status for reply in replies]
    assert len(refused) == attempts - COMMENT_LIMIT
    assert all(reply.json()["error"]["code"] == "rate_limited" for reply in refused)
    assert all(int(reply.headers["Retry-After"]) >= 1 for reply in refused)
    db.session.expire_all()
    stored = db.session.scalar(
        select(func.count()).select_from(Comment).where(Comment.author_id == commenter.id)
    )
    assert stored == COMMENT_LIMIT
    assert db.session.get(Idea, idea_id).comment_count == COMMENT_LIMIT
