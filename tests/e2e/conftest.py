"""Browser fixtures: the live site, its people, and Chromium pages that act as them.

Every test here runs against one live site (gunicorn on a free loopback port, a fresh SQLite
file database) and makes its own people and content, so the tests do not depend on each other.
Without Chromium or Playwright nothing here is collected and the run says so at the end;
`E2E_REQUIRED=1` (set by .ci/run) turns that into an error instead.
"""

import itertools
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.browser import AXE_SCRIPT, NO_AXE, missing_browser

NOT_RUN = missing_browser()
REQUIRED = os.environ.get("E2E_REQUIRED", "").lower() in {"1", "true", "yes"}
if NOT_RUN:
    collect_ignore_glob = ["test_*.py"]
_skipped_axe: list[str] = []


def pytest_configure(config):
    if NOT_RUN and REQUIRED:
        raise pytest.UsageError(NOT_RUN)


def pytest_terminal_summary(terminalreporter):
    for reason in ([NOT_RUN] if NOT_RUN else []) + _skipped_axe[:1]:
        terminalreporter.write_sep("=", reason, yellow=True, bold=True)


PASSWORD = "correct horse battery"
FIRST_NAMES = ["Mira", "Tomas", "Ines", "Kwame", "Yuki", "Lars", "Amara", "Felix", "Zofia", "Rafael"]
LAST_NAMES = ["Okafor", "Lindqvist", "Moreau", "Asante", "Sato", "Brandt", "Diallo", "Romano"]
_people = itertools.count(1)


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str
    role: str
    password: str = PASSWORD


class Site:
    """The live site, and a back door to its database for setting the scene.

    Tests act through the browser; the back door only creates the people and content a
    journey starts from, through the same service functions the site uses.
    """

    def __init__(self, server) -> None:
        from app import create_app
        from config import DevelopmentConfig

        self.server = server
        self.url = server.url
        settings = {
            "SQLALCHEMY_DATABASE_URI": server.database_url,
            "SECRET_KEY": server.secret_key,
            "UPLOAD_DIR": server.env["UPLOAD_DIR"],
            "MAIL_DIR": server.env["MAIL_DIR"],
        }
        self.app = create_app(type("E2EConfig", (DevelopmentConfig,), settings))

    def person(self, role: str = "member", name: str | None = None, username: str | None = None) -> Person:
        """A new active account with a unique name (and `username`, if given), signed in nowhere yet."""
        from tests.factories import make_user

        number = next(_people)
        if name is None:
            first = FIRST_NAMES[number % len(FIRST_NAMES)]
            last = LAST_NAMES[(number // len(FIRST_NAMES)) % len(LAST_NAMES)]
            name = f"{first} {last}{number}"
        email = f"{role.replace('_', '-')}{number}@example.com"
        with self.app.app_context():
            user = make_user(role, email=email, name=name, username=username)
            return Person(user.id, user.email, user.display_name, role)

    def run(self, work, *args, **kwargs):
        """Call `work(*args, **kwargs)` in an app context and commit; returns what it returned."""
        from app.extensions import db

        with self.app.app_context():
            result = work(*args, **kwargs)
            db.session.commit()
            return result

    def idea(self, author: Person, title: str, body: str = "", voters: tuple[Person, ...] = ()) -> int:
        """An idea posted by `author` (with their vote), voted for by `voters`; returns its id."""
        from app.extensions import db
        from app.models.user import User
        from tests.factories import make_idea

        def make():
            people = [db.session.get(User, voter.id) for voter in voters]
            return make_idea(db.session.get(User, author.id), title, body, voters=people).id

        return self.run(make)

    def launch(self, staff: Person, title: str, capacity: int = 5) -> int:
        """A learning launch open for recruiting, starting tomorrow; returns its id."""
        from datetime import timedelta

        from app.extensions import db
        from app.models.base import utcnow
        from app.models.user import User
        from tests.factories import make_launch

        def make():
            start = utcnow() + timedelta(days=1)
            return make_launch(
                db.session.get(User, staff.id),
                "recruiting",
                capacity,
                title,
                assumptions=(),
                hypothesis="We believe a weekly summary email will bring back lapsed users.",
                success_metric="share of participants active in week 2",
                starts_at=start,
                ends_at=start + timedelta(days=14),
            ).id

        return self.run(make)

    def deliver_mail(self, to: str) -> list[str]:
        """Run the mail worker once and return the text of every email sent to `to` so far."""
        from email import policy
        from email.parser import BytesParser
        from pathlib import Path

        from app.services import outbox

        self.run(outbox.deliver_due, 100)
        texts = []
        for path in sorted(Path(self.server.env["MAIL_DIR"]).glob("*.eml")):
            message = BytesParser(policy=policy.default).parse(path.open("rb"))
            if message["To"] == to:
                texts.append(message.get_content())
        return texts

    def scalar(self, statement):
        """One value read from the site's database (an id to open, say)."""
        from app.extensions import db

        with self.app.app_context():
            return db.session.scalar(statement)

    def close(self) -> None:
        from app.extensions import db

        with self.app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The site with an empty database, for the journeys (each makes its own people and content)."""
    from tests.e2e.server import LiveServer

    server = LiveServer(tmp_path_factory.mktemp("e2e-site")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def site(live_server):
    site = Site(live_server)
    yield site
    site.close()


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    """Another site filled with the demonstration content (`flask seed-demo`), for page checks."""
    from tests.e2e.server import LiveServer

    server = LiveServer(tmp_path_factory.mktemp("e2e-demo")).start(demo=True)
    site = Site(server)
    yield site
    site.close()
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    from tests.e2e.browser import launch

    # The machine may be busy; a person would wait a few seconds too.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


class PageOpener:
    """Opens pages in new browser contexts (own cookies) and watches them for problems.

    Problems are script errors, resources the browser refused (the CSP, say) and server errors;
    the fixtures fail the test when any was seen. Confirmation dialogs are accepted, as a person
    who meant to click would.
    """

    def __init__(self, browser, site: Site) -> None:
        self.browser = browser
        self.site = site
        self.contexts: list = []
        self.problems: list[str] = []
        self.signed_in: dict[str, dict] = {}

    def open(
        self,
        person=None,
        width=1280,
        height=900,
        javascript=True,
        bypass_csp=False,
        state=None,
        timezone_id=None,
    ):
        context = self.browser.new_context(
            timezone_id=timezone_id,
            base_url=self.site.url,
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
            bypass_csp=bypass_csp,
            accept_downloads=True,
            storage_state=state,
        )
        self.contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: script error: {error}"))
        page.on(
            "console",
            lambda message: message.type == "error" and self.problems.append(f"{page.url}: {message.text}"),
        )
        page.on(
            "response",
            lambda response: (
                response.status >= 500 and self.problems.append(f"{response.url}: HTTP {response.status}")
            ),
        )
        if person is not None:
            from tests.e2e.browser import sign_in

            sign_in(page, person.email, person.password)
        return page

    def open_as(self, email: str | None, password: str, **options):
        """A page signed in as `email` (None: signed out); signs in once per email, then reuses it."""
        if email is not None and email not in self.signed_in:
            from tests.e2e.browser import sign_in

            page = self.open()
            sign_in(page, email, password)
            self.signed_in[email] = page.context.storage_state()
        return self.open(state=self.signed_in.get(email), **options)

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()

    def check(self) -> None:
        problems, self.problems = self.problems, []
        assert not problems, "the browser reported problems:\n" + "\n".join(problems)


@pytest.fixture
def open_page(browser, site):
    """`open_page(person=None, width=1280, javascript=True)`: a new browser on the journeys' site.

    With a person, it signs in through the sign-in page first.
    """
    opener = PageOpener(browser, site)
    yield opener.open
    opener.close()
    opener.check()


@pytest.fixture(scope="session")
def _demo_opener(browser, demo_site):
    opener = PageOpener(browser, demo_site)
    yield opener
    opener.close()


@pytest.fixture
def open_demo_page(_demo_opener):
    """`open_demo_page(email=None, width=1280, ...)`: a page on the demo site, signed in as `email`."""
    from app.demo import DEMO_PASSWORD

    yield lambda email=None, **options: _demo_opener.open_as(email, DEMO_PASSWORD, **options)
    _demo_opener.close()
    _demo_opener.check()


@pytest.fixture(scope="session")
def axe_source() -> str | None:
    """axe-core's script (tests/e2e/node_modules), or None when it is not installed."""
    if not AXE_SCRIPT.exists():
        if REQUIRED:
            pytest.fail(NO_AXE)
        _skipped_axe.append(NO_AXE)
        return None
    return Path(AXE_SCRIPT).read_text()
