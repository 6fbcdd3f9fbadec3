"""Screenshots of the main pages with the demonstration content, for the README.

    python -m tests.e2e.screenshots [--out docs/screenshots]

Serves a fresh copy of the site filled by `flask seed-demo` and saves one PNG per page. Needs
Playwright for Python (requirements-dev.txt) and Debian's Chromium (apt-get install chromium).
"""

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

from tests.e2e.browser import launch, missing_browser, sign_in
from tests.e2e.server import ROOT, LiveServer

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def ids(database: Path) -> dict[str, int]:
    """The demo records worth showing (the demo content is the same on every run)."""
    queries = {
        "idea": "SELECT id FROM ideas WHERE title = 'Dark mode'",
        # The newest round of the prototype that has had two: its results compare them.
        "round": "SELECT id FROM feedback_rounds WHERE prototype_id IN (SELECT prototype_id FROM "
        "feedback_rounds GROUP BY prototype_id HAVING COUNT(*) > 1) ORDER BY opens_at DESC LIMIT 1",
        "launch": "SELECT id FROM launches WHERE status = 'completed' ORDER BY id LIMIT 1",
    }
    with sqlite3.connect(database) as connection:
        return {name: connection.execute(sql).fetchone()[0] for name, sql in queries.items()}


# A title pasted without spaces (a file name, a link) must wrap on a phone, pinned at the top of the list.
LONG_TITLE = (
    "Export-the-quarterly-usage-report-as-a-spreadsheet-with-one-tab-per-team-"
    "and-the-charts-kept-as-they-look-on-screen"
)


def add_long_title(server) -> None:
    """A demo member's idea with a long unbroken title, pinned by a moderator, as real sites get."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models.user import User
    from app.services import moderation
    from tests.e2e.conftest import Site
    from tests.factories import make_idea

    def post():
        member = db.session.scalar(select(User).where(User.email == "member@example.com"))
        moderator = db.session.scalar(select(User).where(User.email == "mod@example.com"))
        idea = make_idea(member, LONG_TITLE, "Finance reads it in a spreadsheet.")
        moderation.set_pinned(moderator, idea, True, "Asked for by three teams this week")

    site = Site(server)
    site.run(post)
    site.close()


def shoot(browser, url: str, out: Path, email: str | None, shots: list[tuple], viewport=DESKTOP) -> None:
    """Save (file name, address, how to prepare the page) shots as `email` (None: signed out)."""
    from playwright.sync_api import expect

    from app.demo import DEMO_PASSWORD

    context = browser.new_context(base_url=url, viewport=viewport, device_scale_factor=1)
    page = context.new_page()
    if email:
        sign_in(page, email, DEMO_PASSWORD)
    for name, address, prepare in shots:
        page.goto(address)
        if prepare:
            prepare(page, expect)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=out / name, animations="disabled", caret="hide")
        print(f"saved {out / name}")
    context.close()


def type_a_title(page, expect) -> None:
    """Type a title key by key, as a person does, until the similar ideas show."""
    page.get_by_label("Title").press_sequentially("Export my reports to Excel", delay=20)
    expect(page.locator("[data-similar-list]")).to_be_visible()
    page.get_by_label("Description").fill("Finance works in Excel; a CSV loses the formatting.")
    page.get_by_label("Title").focus()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="where to save")
    args = parser.parse_args(argv)
    reason = missing_browser()
    if reason:
        print(reason.replace("browser tests", "screenshots"), file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cocreate-screenshots-") as folder:
        print("Starting a site with the demo content…")
        server = LiveServer(Path(folder)).start(demo=True)
        try:
            demo = ids(Path(folder) / "cocreate.db")
            add_long_title(server)
            with sync_playwright() as playwright:
                browser = launch(playwright)
                # Noor voted for some ideas and not others: the list shows both kinds of button.
                for name, viewport in (("ideas.png", DESKTOP), ("ideas-mobile.png", PHONE)):
                    shoot(
                        browser, server.url, args.out, "noor@example.com", [(name, "/ideas/", None)], viewport
                    )
                shoot(
                    browser,
                    server.url,
                    args.out,
                    "member@example.com",
                    [
                        ("idea.png", f"/ideas/{demo['idea']}", None),
                        ("propose.png", "/ideas/new", type_a_title),
                        ("launch.png", f"/launches/{demo['launch']}", None),
                        ("roadmap.png", "/roadmap", None),
                    ],
                )
                shoot(
                    browser,
                    server.url,
                    args.out,
                    "pm@example.com",
                    [
                        ("round-results.png", f"/rounds/{demo['round']}/results", None),
                        ("dashboard.png", "/staff", None),
                    ],
                )
                browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
