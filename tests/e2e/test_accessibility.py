"""Every main page, with the demonstration content, at desktop width and on a phone:

- axe-core finds no violation of any impact (minor and moderate ones too);
- every stop of the keyboard's Tab order shows where the focus is;
- nothing is wider than the screen (no sideways scrolling on a phone).
"""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.browser import NO_AXE, axe_violations, too_wide

MEMBER = "member@example.com"
PM = "pm@example.com"
MODERATOR = "mod@example.com"
ADMIN = "admin@example.com"

# name -> (who looks, address); {round}, {launch}, ... are looked up in the demo database.
PAGES = {
    "home": (None, "/"),
    "ideas": (None, "/ideas/"),
    "private-board": (MEMBER, "/b/enterprise-beta/"),
    "idea": (MEMBER, "/ideas/{idea}"),
    "idea-as-admin": (ADMIN, "/ideas/{idea}"),
    "propose": (MEMBER, "/ideas/new"),
    "sign-in": (None, "/sign-in"),
    "register": (None, "/register"),
    "prototypes": (None, "/prototypes/"),
    "prototype": (MEMBER, "/prototypes/{prototype}"),
    "round": (MEMBER, "/rounds/{round}"),
    "round-results": (PM, "/rounds/{round}/results"),
    "launches": (None, "/launches/"),
    "launch": (MEMBER, "/launches/{launch}"),
    "launch-as-pm": (PM, "/launches/{recruiting_launch}"),
    "my-launches": (MEMBER, "/launches/mine"),
    "participants": (PM, "/launches/{recruiting_launch}/participants"),
    "new-launch": (PM, "/launches/new"),
    "new-prototype": (PM, "/prototypes/new"),
    "roadmap": (None, "/roadmap"),
    "roadmap-item": (PM, "/roadmap/{roadmap_item}"),
    "new-roadmap-item": (PM, "/roadmap/new"),
    "changelog": (None, "/changelog"),
    "staff-dashboard": (PM, "/staff"),
    "staff-insights": (PM, "/staff/insights"),
    "moderation-queue": (MODERATOR, "/moderation"),
    "merge": (MODERATOR, "/moderation/ideas/{idea}/merge?q=mode"),
    "members": (ADMIN, "/admin/users"),
    "delete-member": (ADMIN, "/admin/users/{member}/delete"),
    "audit-log": (ADMIN, "/admin/audit"),
    "boards": (ADMIN, "/admin/boards"),
    "board-access": (ADMIN, "/admin/boards/{private_board}"),
    "account-settings": (MEMBER, "/account/settings"),
    "notifications": (MEMBER, "/notifications"),
    "profile": (MEMBER, "/users/{member}"),
    "api": (None, "/developers/api"),
}
WIDTHS = {"desktop": 1366, "phone": 390}

FOCUS_STOPS = 60  # Tab presses per page; enough to go past the header into the content
SHOWS_FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el.e2eSeen) { return null; }  // back at the start
    el.e2eSeen = true;
    const style = getComputedStyle(el);
    // A radio drawn as a button: the input is transparent and its face shows the focus.
    const shown = style.opacity === "0" && el.nextElementSibling ? el.nextElementSibling : el;
    const look = getComputedStyle(shown);
    const ring = look.outlineStyle !== "none" && parseFloat(look.outlineWidth) >= 2;
    const box = el.getBoundingClientRect();
    return {
        ring: ring,
        visible: box.width > 0 && box.height > 0,
        what: el.outerHTML.slice(0, 160),
    };
}"""


@pytest.fixture(scope="session")
def demo_ids(demo_site) -> dict[str, int]:
    from app.models.board import Board
    from app.models.idea import Idea
    from app.models.launch import Launch
    from app.models.roadmap import RoadmapItem
    from app.models.round import FeedbackRound
    from app.models.user import User

    # The open round of a prototype that has had two rounds (its results compare them).
    rounds = select(FeedbackRound.id).order_by(FeedbackRound.opens_at.desc())
    return {
        "idea": demo_site.scalar(select(Idea.id).where(Idea.title == "Dark mode")),
        "prototype": demo_site.scalar(select(FeedbackRound.prototype_id).order_by(FeedbackRound.id)),
        "round": demo_site.scalar(rounds),
        "launch": demo_site.scalar(select(Launch.id).where(Launch.status == "completed")),
        "recruiting_launch": demo_site.scalar(select(Launch.id).where(Launch.status == "recruiting")),
        "roadmap_item": demo_site.scalar(select(RoadmapItem.id).where(RoadmapItem.status == "planned")),
        "member": demo_site.scalar(select(User.id).where(User.email == MEMBER)),
        "private_board": demo_site.scalar(select(Board.id).where(Board.slug == "enterprise-beta")),
    }


def open_main_page(open_demo_page, demo_ids, name: str, width: int, **options):
    who, address = PAGES[name]
    page = open_demo_page(who, width=width, height=800, **options)
    response = page.goto(address.format(**demo_ids))
    assert response is not None, f"{name}: no answer"
    assert response.ok, f"{name}: HTTP {response.status}"
    return page


def focus_problems(page) -> list[str]:
    """Tab through the page; every stop must show a focus ring."""
    hidden, stops = [], 0
    for stops in range(1, FOCUS_STOPS + 1):  # noqa: B007 - counted for the message below
        page.keyboard.press("Tab")
        focused = page.evaluate(SHOWS_FOCUS)
        if focused is None:
            break
        if not (focused["ring"] and focused["visible"]):
            hidden.append(f"    {focused['what']}")
    if stops <= 3:
        return [f"the Tab key reached only {stops - 1} elements"]
    return ["focus is not visible on:\n" + "\n".join(hidden)] if hidden else []


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("name", PAGES)
def test_main_page_is_accessible_and_fits_the_screen(open_demo_page, demo_ids, axe_source, name, width):
    page = open_main_page(open_demo_page, demo_ids, name, width, bypass_csp=True)
    problems = too_wide(page) + axe_violations(page, axe_source)
    if width == WIDTHS["desktop"]:
        # The same styles draw the focus at every width; one walk through the page is enough.
        problems += focus_problems(page)
    assert not problems, f"{name} at {width} px:\n" + "\n".join(problems)
    if not axe_source:
        pytest.skip(NO_AXE)


def test_the_menu_opens_and_closes_from_the_keyboard_on_a_phone(open_demo_page):
    page = open_demo_page(MEMBER, width=360, height=740)
    page.goto("/ideas/")
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Roadmap")).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Roadmap")).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    # The bell stays next to the menu button on a phone.
    expect(page.get_by_role("link", name="Notifications", exact=False).first).to_be_visible()
