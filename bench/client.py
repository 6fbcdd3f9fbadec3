"""Serving the app under gunicorn for the benchmark, and signing in to it over HTTP."""

import http.client
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"Nothing answers on port {port} after {timeout:.0f} s")


class App:
    """A gunicorn master and its workers, started on enter and stopped on exit."""

    def __init__(self, target: str, port: int, env: dict, workers: int):
        self.target, self.port, self.env, self.workers = target, port, env, workers
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "App":
        command = [
            sys.executable, "-m", "gunicorn", self.target, "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers), "--worker-class", "sync", "--log-level", "warning",
            "--no-control-socket",  # two servers run side by side; neither needs it
        ]  # fmt: skip
        self.process = subprocess.Popen(command, env=self.env, cwd=ROOT)
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def flask(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            env=self.env, cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip

    def token(self, email: str) -> str:
        return self.flask("tokens", "create", email, "--name", "Benchmark").strip().splitlines()[-1]

    def thread_idea(self) -> int:
        """The idea with the 50-comment thread the dataset made (the smallest id that has one)."""
        probe = (
            "from sqlalchemy import select\nfrom app import create_app\nfrom app.extensions import db\n"
            "from app.models.idea import Idea\nfrom app.benchdata import THREAD_SIZE\napp = create_app()\n"
            "with app.app_context():\n"
            "    query = select(Idea.id).where(Idea.comment_count == THREAD_SIZE).order_by(Idea.id)\n"
            "    print(db.session.scalar(query))"
        )
        out = subprocess.run(
            [sys.executable, "-c", probe], env=self.env, cwd=ROOT, capture_output=True, text=True
        )
        return int(out.stdout.strip())

    def open_idea_ids(self, limit: int = 1000) -> str:
        """The ids of the first `limit` open ideas, comma-separated (for the vote script)."""
        probe = (
            "from sqlalchemy import select\nfrom app import create_app\nfrom app.extensions import db\n"
            "from app.models.idea import Idea\napp = create_app()\n"
            "with app.app_context():\n"
            f"    query = select(Idea.id).where(Idea.status == 'open').order_by(Idea.id).limit({limit})\n"
            "    print(','.join(str(i) for i in db.session.scalars(query)))"
        )
        out = subprocess.run(
            [sys.executable, "-c", probe], env=self.env, cwd=ROOT, capture_output=True, text=True, check=True
        )
        return out.stdout.strip()

    def idea_ids(self, limit: int) -> str:
        """The ids of `limit` ideas spread over the whole table, comma-separated (for spread.lua)."""
        probe = (
            "from sqlalchemy import func, select\nfrom app import create_app\nfrom app.extensions import db\n"
            "from app.models.idea import Idea\napp = create_app()\n"
            "with app.app_context():\n"
            "    top = db.session.scalar(select(func.max(Idea.id)))\n"
            f"    step = max(1, top // {limit})\n"
            f"    print(','.join(str(i) for i in range(1, top + 1, step)[:{limit}]))"
        )
        out = subprocess.run(
            [sys.executable, "-c", probe], env=self.env, cwd=ROOT, capture_output=True, text=True, check=True
        )
        return out.stdout.strip()

    def worker_rss_mb(self) -> float:
        """The largest resident set size among the workers, in MB."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        sizes = []
        for pid in children.read_text().split():
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
        return max(sizes, default=0.0)


def sign_in(port: int, email: str, password: str = "bench-password") -> str:  # noqa: S107 - the bench accounts'
    """Sign in through the real form; returns the Cookie header value of the session."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/sign-in")
    response = conn.getresponse()
    page = response.read().decode()
    cookies = _cookies(response)
    token = _CSRF.search(page).group(1)
    body = urlencode({"csrf_token": token, "email": email, "password": password})
    conn.request("POST", "/sign-in", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": _header(cookies),
    })  # fmt: skip
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"Signing in as {email} failed ({response.status})")
    cookies.update(_cookies(response))
    return _header(cookies)


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def _header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())
