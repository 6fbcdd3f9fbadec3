"""A product manager links an idea to a launch by searching its title with the keyboard, and ticks
every idea at once for a bulk status change, at desktop and phone width."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import axe_violations, too_wide
from tests.e2e.test_ideas_journeys import unique_word

SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_pm_links_an_idea_to_a_launch_by_searching_its_title(open_page, site, axe_source, size):
    width, height = SIZES[size]
    word = unique_word()
    pm = site.person("product_manager")
    author = site.person()
    wanted = f"{word} exports for the finance team"
    site.idea(author, wanted)
    site.idea(author, f"{word} exports by email every Monday")
    today = datetime.now(UTC).date()

    page = open_page(pm, width=width, height=height, bypass_csp=bool(axe_source))
    page.goto("/launches/new")
    page.get_by_label("Title", exact=True).fill(f"Two weeks of {word} exports")
    page.get_by_label("Hypothesis").fill("We believe CSV exports will save finance teams an hour a week.")
    page.get_by_label("Success metric").fill("share of teams exporting weekly")
    page.get_by_label("Seats").fill("5")
    page.get_by_label("Starts on").fill((today + timedelta(days=1)).isoformat())
    page.get_by_label("Ends on").fill((today + timedelta(days=15)).isoformat())

    search = page.get_by_role("combobox", name="Add ideas")
    search.click()
    page.keyboard.type(f"{word} fin", delay=20)
    listbox = page.get_by_role("listbox", name="Ideas found")
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(listbox.get_by_role("option").first).to_contain_text(wanted)
    expect(listbox.get_by_role("option").first).to_contain_text("Open · 1 vote")
    expect(search).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(listbox.get_by_role("option", name=re.compile(wanted))).to_have_attribute("aria-selected", "true")
    problems = axe_violations(page, axe_source)
    assert not problems, "\n".join(problems)
    page.keyboard.press("Enter")
    expect(listbox).to_be_hidden()
    expect(search).to_be_focused()
    expect(search).to_have_value("")
    chip = page.locator(".idea-chip", has_text=wanted)
    expect(chip).to_be_visible()
    expect(chip.get_by_role("button", name=f"Remove “{wanted}”")).to_be_visible()
    wide = too_wide(page)
    assert not wide, "\n".join(wide)

    # Escape closes the list without choosing; the other idea is not linked.
    page.keyboard.type(f"{word} monday", delay=20)
    expect(listbox.get_by_role("option")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    page.keyboard.press("Escape")
    expect(search).to_have_value("")

    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flash--success")).to_contain_text("The draft is saved")
    expect(page.get_by_role("link", name=wanted)).to_be_visible()
    expect(page.get_by_text(f"{word} exports by email every Monday")).to_have_count(0)


@pytest.mark.parametrize("size", sorted(SIZES))
def test_select_all_ticks_every_idea_for_a_bulk_status_change(open_page, site, size):
    width, height = SIZES[size]
    pm = site.person("product_manager")
    author = site.person()
    for number in range(3):
        site.idea(author, f"{unique_word()} bulk idea {number}")

    page = open_page(pm, width=width, height=height)
    page.goto("/staff")
    boxes = page.locator("input[name=idea_ids]")
    count = boxes.count()
    assert count >= 3
    select_all = page.get_by_role("checkbox", name=re.compile(r"^Tick all \d+ on this page$"))
    select_all.check()
    for index in range(count):
        expect(boxes.nth(index)).to_be_checked()
    expect(page.locator("[data-bulk-count]")).to_have_text(f"{count} ideas ticked")
    bar = page.locator("[data-bulk-bar]")
    expect(bar).to_be_in_viewport()  # the action bar follows the ticks
    expect(bar.get_by_role("button", name="Change status")).to_be_in_viewport()
    boxes.first.uncheck()
    expect(select_all).not_to_be_checked()
    select_all.check()
    expect(boxes.first).to_be_checked()
    select_all.uncheck()
    for index in range(count):
        expect(boxes.nth(index)).not_to_be_checked()
    wide = too_wide(page)
    assert not wide, "\n".join(wide)
