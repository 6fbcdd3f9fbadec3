"""Journey 5: a launch with two seats; the third member waits, and gets the seat someone gives up."""

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.e2e.test_ideas_journeys import bell, unique_word


def join(page, url: str, button: str) -> None:
    page.goto(url)
    page.get_by_role("link", name=re.compile("^Join")).first.click()
    expect(page).to_have_url(re.compile("#join$"))
    page.get_by_role("button", name=button, exact=True).click()


def test_a_full_launch_waitlists_the_third_member_who_gets_the_seat_someone_gives_up(open_page, site):
    word = unique_word()
    pm = site.person("product_manager")
    first, second, third = site.person(), site.person(), site.person()
    title = f"Two weeks of {word} summaries"
    today = datetime.now(UTC).date()

    staff = open_page(pm)
    staff.get_by_role("link", name="Launches").first.click()
    staff.get_by_role("link", name="New launch").first.click()
    staff.get_by_label("Title").fill(title)
    staff.get_by_label("Hypothesis").fill("We believe a weekly summary email will bring back lapsed users.")
    staff.get_by_label("Success metric").fill("share of participants active in week 2")
    staff.get_by_label("Baseline").fill("22%")
    staff.get_by_label("Target").fill("35%")
    staff.get_by_label("Seats").fill("2")
    staff.get_by_label("Starts on").fill((today + timedelta(days=1)).isoformat())
    staff.get_by_label("Ends on").fill((today + timedelta(days=15)).isoformat())
    staff.get_by_role("button", name="Open for recruiting").click()
    expect(staff.locator(".flash--success")).to_contain_text("The launch is open for recruiting.")
    expect(staff.get_by_role("heading", level=1)).to_have_text(title)
    expect(staff.locator(".launch__facts")).to_contain_text("2 of 2 seats left")
    url = staff.url

    one = open_page(first)
    join(one, url, "Join")
    expect(one.locator(".flash--success")).to_contain_text("You are enrolled.")
    expect(one.locator(".launch-join__place")).to_have_text("You are enrolled.")

    two = open_page(second)
    join(two, url, "Join")
    expect(two.locator(".flash--success")).to_contain_text("You are enrolled.")
    expect(two.locator(".launch__facts")).to_contain_text("Full — 0 on the waitlist")

    three = open_page(third)
    three.goto(url)
    expect(three.get_by_text("All seats are taken.")).to_be_visible()
    join(three, url, "Join the waitlist")
    expect(three.locator(".flash--success")).to_contain_text("you are number 1 on the waitlist")
    expect(three.locator(".launch__badges")).to_contain_text("Waitlist #1")
    expect(three.locator(".launch-join__place")).to_have_text("You are number 1 on the waitlist.")
    expect(bell(three)).to_have_accessible_name("Notifications")

    # The first member gives the seat up (and confirms it in the dialog).
    one.get_by_role("button", name="Withdraw").click()
    expect(one.locator(".flash--success")).to_contain_text("You are no longer taking part in this launch.")
    expect(one.get_by_text("You withdrew from this launch.")).to_be_visible()

    # The third member has the seat, and is told.
    three.reload()
    expect(three.locator(".launch-join__place")).to_have_text("You are enrolled.")
    expect(three.locator(".launch__badges")).to_contain_text("Enrolled")
    expect(bell(three)).to_have_accessible_name("Notifications, 1 unread")
    bell(three).click()
    expect(three.locator(".notification").first).to_contain_text(
        f"A seat opened in the learning launch “{title}”: you are enrolled now."
    )

    staff.reload()
    expect(staff.locator("#manage")).to_contain_text("2 enrolled of 2 seats · 0 on the waitlist")
