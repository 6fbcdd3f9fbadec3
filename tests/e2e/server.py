"""The site under test: gunicorn serving a fresh SQLite file database on a free loopback port.

Used by the browser tests (conftest.py) and by the screenshot script (screenshots.py).
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Journeys sign in, post and vote far faster than a person would, many times in one run, from
# one address and with accounts younger than a day: the limits stay on, but high enough.
LIMITED = (
    "SIGNIN_ACCOUNT",
    "SIGNIN_IP",
    "REGISTER",
    "RESET",
    "IDEAS",
    "IDEAS_NEW_ACCOUNT",
    "COMMENTS",
    "COMMENTS_NEW_ACCOUNT",
    "ROUND_ANSWERS",
    "ROUND_ANSWERS_NEW_ACCOUNT",
    "VOTES",
    "VOTES_NEW_ACCOUNT",
    "FLAGS",
    "FLAGS_NEW_ACCOUNT",
    "JOINS",
    "JOINS_NEW_ACCOUNT",
)
GENEROUS_LIMITS = {f"RATELIMIT_{name}": "10000 per minute" for name in LIMITED}


# Settings of the environment the site must not take over from the shell that runs the tests.
INHERIT_NOT = ("RATELIMIT_", "TEST_DATABASE", "REDIS_URL")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """One running copy of the site with its own instance folder, database, uploads and mail."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = f"sqlite:///{folder / 'cocreate.db'}"
        self.secret_key = secrets.token_hex(32)
        self.log_path = folder / "server.log"
        self.process: subprocess.Popen | None = None
        self.env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(INHERIT_NOT)},
            "COCREATE_ENV": "development",
            "DATABASE_URL": self.database_url,
            "INSTANCE_PATH": str(folder),
            "SECRET_KEY": self.secret_key,
            "SITE_URL": self.url,
            "UPLOAD_DIR": str(folder / "uploads"),
            "MAIL_BACKEND": "file",
            "MAIL_DIR": str(folder / "mail"),
            **GENEROUS_LIMITS,
        }

    def flask(self, *args: str) -> str:
        """Run a `flask --app wsgi` command against this site's database; returns its output."""
        done = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self, demo: bool = False, timeout: float = 60.0) -> "LiveServer":
        """Migrate the empty database (and add the demo content), serve it, wait until it answers."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.flask("db", "upgrade")
        if demo:
            self.flask("seed-demo")
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "1",
                "--threads",
                "8",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--graceful-timeout",
                "2",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the site did not start:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the site did not answer within {timeout:.0f} s:\n{self.log()}")
            time.sleep(0.2)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
