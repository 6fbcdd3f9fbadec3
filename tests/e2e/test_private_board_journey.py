"""Journey: an admin makes a private board and invites one member; she finds it and proposes an
idea on it; another member finds nothing of it anywhere, and its idea's address is a 404 page."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import axe_violations, too_wide
from tests.e2e.conftest import PageOpener
from tests.e2e.test_ideas_journeys import bell, unique_word

BOARD = "Enterprise beta"
SLUG = "enterprise-beta"
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
NOT_FOUND = "Failed to load resource: the server responded with a status of 404"


@pytest.fixture
def not_found() -> set[str]:
    """The paths the journey means to find answered 404 (Chromium says so on the console)."""
    return set()


@pytest.fixture
def open_page(browser, site, not_found):
    opener = PageOpener(browser, site)
    yield opener.open
    opener.close()
    expected = tuple(f"{site.url}{path}: {NOT_FOUND}" for path in not_found)
    opener.problems = [problem for problem in opener.problems if not problem.startswith(expected)]
    opener.check()


def make_private_board(staff, invited) -> None:
    """The admin adds the private board, lands on who may see it, and invites one member by email."""
    staff.goto("/admin/boards")
    staff.get_by_label("Name").fill(BOARD)
    staff.get_by_label("Description").fill("Early features for our enterprise customers.")
    staff.get_by_label("Who sees it").select_option("private")
    staff.get_by_role("button", name="Add board").click()
    expect(staff.locator(".flash--success")).to_contain_text(f"Board “{BOARD}” added.")
    expect(staff.get_by_role("heading", name="Who may see it")).to_be_visible()
    staff.get_by_label("Member").fill(invited.email)
    staff.get_by_role("button", name="Invite").click()
    expect(staff.locator(".flash--success")).to_contain_text(f"{invited.name} may now see “{BOARD}”")
    expect(staff.locator(".board-access")).to_contain_text(invited.name)


def test_a_private_board_is_there_for_the_member_invited_and_nowhere_for_another(
    open_page, site, tmp_path, axe_source, not_found
):
    word = unique_word()
    title = f"{word} audit trail export"
    invited, other = site.person(), site.person()
    make_private_board(open_page(site.person("admin")), invited)

    # Invited: told so, and the board is on her home page.
    page = open_page(invited)
    expect(bell(page)).to_have_accessible_name("Notifications, 1 unread")
    page.goto("/")
    page.locator(".home-boards").get_by_role("link", name=BOARD).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(BOARD)
    expect(page.get_by_text("Only the team and the customers invited to this board see it")).to_be_visible()
    page.get_by_role("link", name="Propose an idea").first.click()
    expect(page.get_by_label("Board")).to_have_value(SLUG)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill("The auditors want every change of the beta, as a file.")
    page.get_by_role("button", name="Post idea").click()
    page.wait_for_load_state()
    # Other journeys on this site may have posted ideas like it: the form shows them once first.
    anyway = page.get_by_role("button", name="Post my idea anyway")
    if anyway.count():
        expect(page.get_by_label("Board")).to_have_value(SLUG)
        anyway.click()
    expect(page.locator(".flash--success")).to_contain_text("Your idea is posted, with your vote.")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    idea_path = page.url.removeprefix(site.url)
    expect(page.locator(".breadcrumbs").get_by_role("link", name=BOARD)).to_be_visible()

    # Her board page, on a desktop and on a phone.
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    for size, (width, height) in SIZES.items():
        board_page = open_page(invited, width=width, height=height, bypass_csp=True)
        board_page.goto(f"/b/{SLUG}/")
        expect(board_page.locator(".card--idea").get_by_role("link", name=title)).to_be_visible()
        problems = too_wide(board_page) + axe_violations(board_page, axe_source)
        assert not problems, "\n".join(problems)
        board_page.screenshot(path=str(shots / f"private-board-{size}.png"), full_page=True)

    # Another member: the board and its idea are nowhere, and its addresses are not found.
    page = open_page(other)
    expect(bell(page)).to_have_accessible_name("Notifications")
    page.goto("/")
    expect(page.locator("main")).not_to_contain_text(BOARD)
    expect(page.locator("main")).not_to_contain_text(word)
    page.goto("/ideas/")
    expect(page.locator("main")).not_to_contain_text(BOARD)
    expect(page.locator("main")).not_to_contain_text(title)
    page.get_by_label("Search ideas").fill(word)
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="No ideas here yet")).to_be_visible()
    expect(page.locator(".card--idea")).to_have_count(0)
    not_found.update({idea_path, f"/b/{SLUG}/"})
    for path in sorted(not_found):
        response = page.goto(path)
        assert response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(page.locator("main")).not_to_contain_text(word)
        expect(page.locator("main")).not_to_contain_text(BOARD)
