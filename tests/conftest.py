"""Fixtures: a fresh app and database per test (SQLite in memory, or PostgreSQL)."""

import os
import re
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from app import create_app
from app.extensions import db
from app.models.board import INSERT_DEFAULT_BOARD
from config import TestingConfig

ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client(FlaskClient):
    """A test client that fills in the CSRF token like a browser would.

    Each request runs in its own app context, so it gets its own `g` and database
    session as it would in production; afterwards the test's own session is expired so
    the test reads what the request stored.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response

    def csrf_token(self, page: str = "/account/settings") -> str:
        html = self.get(page).get_data(as_text=True)
        match = _CSRF.search(html)
        if match is None:
            html = self.get("/sign-in").get_data(as_text=True)
            match = _CSRF.search(html)
        assert match, "no CSRF token found on the page"
        return match.group(1)

    def post_form(self, url: str, data: dict | None = None, page: str | None = None, **kwargs):
        """POST a form with the CSRF token taken from `page` (default: `url` itself)."""
        data = dict(data or {})
        data["csrf_token"] = self.csrf_token(page or url)
        return self.post(url, data=data, **kwargs)


@contextmanager
def scratch_postgres_database():
    """The URL of a new, empty PostgreSQL database beside TEST_DATABASE_URL's, dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, make_url, text

    base = make_url(os.environ["TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"cocreate_migrations_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_config(tmp_path, **overrides) -> type[TestingConfig]:
    attrs = {
        "MAIL_DIR": str(tmp_path / "mail"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        # Each test's own cache scopes: another test (or run) moving one never reaches it.
        "CACHE_SCOPE_FOLDER": str(tmp_path / "cache-scopes"),
        **overrides,
    }
    return type("TestConfig", (TestingConfig,), attrs)


@pytest.fixture(scope="session")
def _schema():
    """On PostgreSQL the schema is created once per run; SQLite gets a new one per test."""
    if ON_POSTGRES:
        app = create_app(TestingConfig)
        with app.app_context():
            db.drop_all()
            db.create_all()
            db.engine.dispose()
    return ON_POSTGRES


def _empty_tables() -> None:
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        conn.execute(INSERT_DEFAULT_BOARD)  # as a new database has it


@pytest.fixture
def app(tmp_path, _schema):
    app = create_app(make_config(tmp_path))
    app.test_client_class = Client
    with app.app_context():
        if not ON_POSTGRES:
            db.create_all()
        yield app
        db.session.remove()
        if ON_POSTGRES:
            _empty_tables()
        db.engine.dispose()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def login(client):
    """Sign `user` in on the test client (as the sign-in page would)."""

    def _login(user, target: Client | None = None, user_agent: str = "Test client") -> Client:
        from app.services import sessions

        target = target or client
        sessions.start_session(user, user_agent)
        db.session.commit()
        with target.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return target

    return _login


@pytest.fixture
def count_queries(app):
    """`with count_queries() as queries:` records the SQL statements run inside the block."""

    @contextmanager
    def _count():
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return _count


@pytest.fixture
def outbox_mail(app):
    """The emails the outbox worker delivered so far, as parsed messages."""
    from email import policy
    from email.parser import BytesParser
    from pathlib import Path

    from app.services import outbox

    def _deliver():
        outbox.deliver_due(limit=100)
        folder = Path(app.config["MAIL_DIR"])
        return [
            BytesParser(policy=policy.default).parse(path.open("rb")) for path in sorted(folder.glob("*.eml"))
        ]

    return _deliver


def pytest_collection_modifyitems(config, items):
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL (.ci/run does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
