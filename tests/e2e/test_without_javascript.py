"""Journey 7: with JavaScript off, voting, proposing, commenting and joining are plain form posts."""

import re

from playwright.sync_api import expect

from tests.e2e.test_ideas_journeys import unique_word, vote_button


def test_the_site_works_without_javascript(open_page, site):
    word = unique_word()
    member = site.person()
    pm = site.person("product_manager")
    idea_id = site.idea(site.person(), f"Print {word} badges", "For the trade fair.")
    launch_id = site.launch(pm, f"Pilot of {word} badges", capacity=1)

    page = open_page(member, javascript=False)
    page.goto(f"/ideas/{idea_id}")
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bjs\b"))

    # Voting: the form posts, the page comes back with the vote counted.
    vote = vote_button(page, f"Print {word} badges")
    expect(vote).to_have_attribute("aria-pressed", "false")
    vote.click()
    expect(vote).to_have_accessible_name(f"2 Voted for “Print {word} badges”")
    expect(vote).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text("2 voters")).to_be_visible()
    vote.click()
    expect(vote).to_have_accessible_name(f"1 Vote for “Print {word} badges”")
    expect(vote).to_have_attribute("aria-pressed", "false")

    # Commenting and replying.
    page.get_by_label("Your comment").fill("Could they have QR codes?")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".flash--success")).to_have_text("Your comment is posted.")
    comment = page.locator(".comment").filter(has_text="Could they have QR codes?")
    comment.locator("summary", has_text="Reply").click()
    comment.get_by_label(f"Your reply to {member.name}").fill("Linking to our booth page.")
    comment.get_by_role("button", name="Post reply").click()
    expect(page.locator(".flash--success")).to_have_text("Your reply is posted.")
    expect(page.locator(".comment-thread--replies")).to_contain_text("Linking to our booth page.")

    # Proposing: without the live suggestions, the similar ideas are shown once before posting.
    page.goto("/ideas/new")
    page.get_by_label("Title").fill(f"Reusable {word} badges")
    page.get_by_role("button", name="Post idea").click()
    expect(page.get_by_text("Before you post:")).to_be_visible()
    expect(page.get_by_role("link", name=f"Print {word} badges")).to_be_visible()
    page.get_by_role("button", name="Post my idea anyway").click()
    expect(page.locator(".flash--success")).to_contain_text("Your idea is posted")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reusable {word} badges")

    # Joining a launch, then leaving it (no confirmation dialog without scripts).
    page.goto(f"/launches/{launch_id}")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.locator(".flash--success")).to_contain_text("You are enrolled.")
    expect(page.locator(".launch__facts")).to_contain_text("Full — 0 on the waitlist")
    page.get_by_role("button", name="Withdraw").click()
    expect(page.locator(".flash--success")).to_contain_text("You are no longer taking part")
    expect(page.locator(".launch__facts")).to_contain_text("1 of 1 seat left")


def test_the_menu_is_reachable_without_javascript_on_a_phone(open_page, site):
    page = open_page(site.person(), width=360, height=740, javascript=False)
    page.goto("/ideas/")
    # Without scripts there is no menu button: the links are on the page itself.
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Ideas", "Prototypes", "Launches", "Roadmap", "Settings"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    nav.get_by_role("link", name="Launches", exact=True).click()
    expect(page).to_have_url(re.compile(r"/launches/$"))
