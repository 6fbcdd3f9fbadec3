"""A new member meets the idea limit and loses nothing they typed.

On a site whose accounts younger than a day may post one idea an hour, a new member proposes an
idea, slips (a title too short), fixes it, passes the similar-ideas step and posts: the slip and
the step cost nothing, so the idea is posted. Their next idea is over the limit: the propose
form comes back filled in as they typed it, saying when they can post again.
"""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import axe_violations, too_wide
from tests.e2e.conftest import PageOpener, Site
from tests.e2e.server import LiveServer

SIMILAR = "Export reports to CSV"
SHOTS = os.environ.get("SCREENSHOT_DIR")  # set it to look at the refused form


@pytest.fixture(scope="module")
def limited_site(tmp_path_factory):
    """A site of its own, with one idea an hour for new accounts; its other limits stay generous."""
    server = LiveServer(tmp_path_factory.mktemp("e2e-limits"))
    server.env["RATELIMIT_IDEAS_NEW_ACCOUNT"] = "1 per hour"
    server.start()
    site = Site(server)
    site.idea(site.person("member", "Old Hand"), SIMILAR, "So finance can open them.")
    yield site
    site.close()
    server.stop()


@pytest.fixture
def open_page(browser, limited_site):
    opener = PageOpener(browser, limited_site)
    yield opener.open
    opener.close()
    # The refused post answers 429 on purpose, which Chromium reports on the console.
    expected = "/ideas/new: Failed to load resource: the server responded with a status of 429"
    opener.problems = [problem for problem in opener.problems if expected not in problem]
    opener.check()


def post(page, button: str) -> int:
    """Press the form's button; the status of the page that answers."""
    with page.expect_response(lambda r: r.request.method == "POST" and "/ideas/new" in r.url) as answer:
        page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    return answer.value.status


@pytest.mark.parametrize(
    ("width", "height", "javascript"),
    [(390, 844, True), (1366, 900, True), (1366, 900, False)],
    ids=["phone", "desktop", "desktop-without-javascript"],
)
def test_a_new_member_over_the_idea_limit_keeps_what_they_typed(
    limited_site, open_page, axe_source, width, height, javascript
):
    member = limited_site.person()
    page = open_page(member, width=width, height=height, javascript=javascript, bypass_csp=True)
    page.goto("/ideas/new")
    title, body = page.get_by_label("Title"), page.get_by_label("Description")

    # A slip: the form says what is wrong, and it costs nothing.
    title.fill("CSV")
    assert post(page, "Post idea") == 200
    expect(page.locator(".field__error")).to_contain_text("The title needs at least 5 characters")

    # Fixed; the similar idea shows before posting (while typing, or as a step without JavaScript).
    title.fill("Export reports to Excel")
    body.fill("Finance works in Excel, not in CSV files.")
    if javascript:
        expect(page.locator("[data-similar-target]")).to_contain_text(SIMILAR)
        assert post(page, "Post idea") in (200, 302)
    else:
        assert post(page, "Post idea") == 200
        expect(page.get_by_role("status")).to_contain_text("we found ideas like yours")
        expect(page.locator("[data-similar-target]")).to_contain_text(SIMILAR)
        post(page, "Post my idea anyway")
    expect(page).to_have_url(re.compile(r"/ideas/\d+$"))
    expect(page.locator("h1")).to_contain_text("Export reports to Excel")

    # The next idea is over the limit: the same form comes back as typed, with the wait.
    page.goto("/ideas/new")
    page.get_by_label("Title").fill("Dark mode for night shifts")
    page.get_by_label("Description").fill("The white screens glare at 3 am.\nA dark theme would help.")
    status = post(page, "Post idea")
    if status == 200 and page.get_by_role("button", name="Post my idea anyway").count():
        status = post(page, "Post my idea anyway")
    assert status == 429
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose an idea")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Not posted yet: you are posting ideas faster than the site allows.")
    expect(alert).to_contain_text("You can post again in about an hour.")
    expect(page.get_by_label("Title")).to_have_value("Dark mode for night shifts")
    expect(page.get_by_label("Description")).to_have_value(
        "The white screens glare at 3 am.\nA dark theme would help."
    )
    wide = too_wide(page)
    assert not wide, "\n".join(wide)
    if SHOTS:
        name = f"rate-limit-{width}-{'js' if javascript else 'nojs'}.png"
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)
    if javascript:  # axe runs as a script
        problems = axe_violations(page, axe_source)
        assert not problems, "\n".join(problems)
