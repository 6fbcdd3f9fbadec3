"""Journey 6: a PM links two ideas to a roadmap item and ships it; a voter of both hears once."""

import re

from playwright.sync_api import expect

from tests.e2e.test_ideas_journeys import bell, unique_word


def unread(page) -> int:
    """The unread count the bell announces."""
    name = bell(page).get_attribute("aria-label")
    match = re.fullmatch(r"Notifications(?:, (\d+) unread)?", name)
    assert match, f"unexpected bell label {name!r}"
    return int(match.group(1) or 0)


def link_idea(staff, word: str, title: str) -> None:
    staff.get_by_label("Find ideas by title or number").fill(word)
    staff.get_by_role("button", name="Find", exact=True).click()
    staff.get_by_role("button", name=f"Link “{title}”").click()
    expect(staff.locator(".flash--success")).to_contain_text("is linked to")


def test_shipping_a_roadmap_item_tells_a_voter_once_and_completes_the_ideas_journey(open_page, site):
    word = unique_word()
    pm = site.person("product_manager")
    voter = site.person()
    first = f"Export {word} to spreadsheets"
    second = f"{word} downloads as Excel files"
    first_id = site.idea(site.person(), first, "For finance.", voters=(voter,))
    site.idea(site.person(), second, "For the board pack.", voters=(voter,))
    item = f"{word} spreadsheet export"

    staff = open_page(pm)
    staff.get_by_role("link", name="Roadmap").first.click()
    staff.get_by_role("link", name="New roadmap item").click()
    staff.get_by_label("Title").fill(item)
    staff.get_by_label("Description").fill("Every report as a spreadsheet.")
    staff.get_by_label("Target").fill("Next quarter")
    staff.get_by_role("button", name="Add to the roadmap").click()
    expect(staff.locator(".flash--success")).to_contain_text("The item is on the roadmap.")
    link_idea(staff, word, first)
    link_idea(staff, word, second)
    ideas = staff.locator("#ideas .roadmap-ideas").first
    expect(ideas.get_by_role("link", name=first)).to_be_visible()
    expect(ideas.get_by_role("link", name=second)).to_be_visible()
    expect(ideas).to_contain_text("Planned")

    page = open_page(voter)
    before = unread(page)

    staff.get_by_label("New status").select_option(label="Shipped")
    staff.get_by_label("Release note").fill("Every report now has a **Download as spreadsheet** button.")
    staff.get_by_role("button", name="Change status").click()
    expect(staff.locator(".flash--success")).to_contain_text("Everyone who supports a linked idea is told")
    expect(staff.locator(".roadmap-item__badges")).to_contain_text("Shipped")

    # One notification for the voter, though both ideas they voted for moved.
    page.reload()
    assert unread(page) == before + 1
    bell(page).click()
    # It names the ideas they voted for, and the item that answered them.
    shipped = page.locator(".notification").filter(has_text=f"“{first}” and “{second}” shipped")
    expect(shipped).to_have_count(1)
    expect(shipped).to_contain_text(f"you voted for them. Roadmap: “{item}”.")
    expect(shipped).to_contain_text("Every report now has a Download as spreadsheet button.")

    # The idea's journey shows the whole chain, oldest first.
    page.goto(f"/ideas/{first_id}")
    expect(page.locator(".idea__meta .status-badge")).to_have_text("Shipped")
    steps = page.locator("#journey .journey__step")
    expect(steps.locator(".journey__title")).to_have_text(
        [
            re.compile(r"^Proposed by "),
            f"On the roadmap: {item}",
            re.compile(r"^Status changed\s*Planned$"),
            re.compile(rf"^Released: {item}\s*Shipped$"),
            re.compile(r"^Status changed\s*Shipped$"),
        ]
    )
    released = steps.filter(has_text="Released:")
    expect(released.get_by_role("link", name=item)).to_be_visible()
    expect(released.locator(".journey__note strong")).to_have_text("Download as spreadsheet")
