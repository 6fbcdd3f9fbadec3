"""Voting while signed out leads through sign-in (or joining) and back; voting by keyboard keeps focus."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import axe_violations
from tests.e2e.test_ideas_journeys import unique_word, vote_button

SIZES = {"phone": (390, 844), "desktop": (1366, 900)}

FOCUSED = """() => {
    const el = document.activeElement;
    const form = el && el.closest("form");
    return {
        tag: el ? el.tagName : null,
        pressed: el ? el.getAttribute("aria-pressed") : null,
        form: form ? form.getAttribute("action") : null,
    };
}"""


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_a_visitor_votes_on_the_list_signs_in_and_lands_back_with_the_vote_counted(
    open_page, site, axe_source, size
):
    word = unique_word()
    member = site.person()
    title = f"Sort {word} invoices by due date"
    idea_id = site.idea(site.person(), title)
    width, height = SIZES[size]

    page = open_page(width=width, height=height, bypass_csp=True)  # bypassed for axe-core only
    page.goto("/ideas/?sort=new")
    problems = axe_violations(page, axe_source)
    assert not problems, f"{page.url}:\n" + "\n".join(problems)
    card = page.locator(f"#idea-{idea_id}")
    vote = card.get_by_role("link", name=re.compile(rf"^1 Vote for “{re.escape(title)}”$"))
    vote.click()

    expect(page).to_have_url(re.compile(r"/sign-in\?"))
    expect(page.get_by_text(f"Sign in to vote for “{title}”")).to_be_visible()
    expect(page.get_by_role("link", name="Create an account").first).to_be_visible()
    problems = axe_violations(page, axe_source)
    assert not problems, f"{page.url}:\n" + "\n".join(problems)
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password", exact=True).fill(member.password)
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/ideas/\?sort=new#idea-{idea_id}$"))
    expect(page.locator(".flash--success").last).to_have_text(f"Your vote for “{title}” was counted.")
    voted = vote_button(card, title)
    expect(voted).to_have_attribute("aria-pressed", "true")
    expect(voted).to_have_accessible_name(f"2 Voted for “{title}”")
    expect(card).to_be_in_viewport()


def test_a_visitor_joins_from_the_vote_and_the_vote_counts_once_the_address_is_confirmed(
    open_page, site, axe_source
):
    word = unique_word()
    title = f"Archive {word} projects"
    idea_id = site.idea(site.person(), title)
    email = f"joiner-{word.lower()}@example.com"

    page = open_page(width=390, height=844, bypass_csp=True)  # bypassed for axe-core only
    page.goto(f"/ideas/{idea_id}")
    problems = axe_violations(page, axe_source)
    assert not problems, f"{page.url}:\n" + "\n".join(problems)
    page.get_by_role("link", name=re.compile(rf"^1 Vote for “{re.escape(title)}”$")).click()
    page.get_by_role("link", name="Create an account").first.click()
    expect(page.get_by_text(f"Create an account to vote for “{title}”")).to_be_visible()
    problems = axe_violations(page, axe_source)
    assert not problems, f"{page.url}:\n" + "\n".join(problems)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Display name").fill(f"Jo {word}")
    page.get_by_label("Password").fill("a long and private passphrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    problems = axe_violations(page, axe_source)
    assert not problems, f"{page.url}:\n" + "\n".join(problems)

    [mail] = site.deliver_mail(email)
    page.goto(re.search(r"(/verify-email/\S+)", mail).group(1))
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page).to_have_url(re.compile(rf"/ideas/{idea_id}$"))
    expect(page.locator(".flash--success").last).to_have_text(f"Your vote for “{title}” was counted.")
    expect(vote_button(page, title)).to_have_attribute("aria-pressed", "true")


def test_sign_in_to_comment_comes_back_with_the_comment_box_focused(open_page, site):
    word = unique_word()
    member = site.person()
    idea_id = site.idea(site.person(), f"Share {word} dashboards")
    page = open_page(width=1366, height=900)
    page.goto(f"/ideas/{idea_id}")
    page.get_by_role("link", name="Sign in to comment").click()
    expect(page.get_by_text(f"Sign in to comment on “Share {word} dashboards”")).to_be_visible()
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password", exact=True).fill(member.password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/ideas/{idea_id}#comment-body$"))
    expect(page.get_by_label("Your comment")).to_be_focused()


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_voting_with_enter_and_space_keeps_the_focus_on_the_button(open_page, site, size):
    word = unique_word()
    member = site.person()
    title = f"Keyboard {word} shortcuts"
    idea_id = site.idea(site.person(), title)
    width, height = SIZES[size]
    page = open_page(member, width=width, height=height)
    page.goto("/ideas/?sort=new")
    vote = vote_button(page, title)

    for _ in range(80):  # Tab through the header and filters to the idea's vote button
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED) == {"tag": "BUTTON", "pressed": "false", "form": f"/ideas/{idea_id}/vote"}:
            break
    else:
        pytest.fail("Tab never reached the vote button")

    page.keyboard.press("Enter")
    expect(vote).to_have_attribute("aria-pressed", "true")
    expect(vote).to_have_accessible_name(f"2 Voted for “{title}”")
    expect(vote).to_be_focused()
    assert page.evaluate(FOCUSED) == {"tag": "BUTTON", "pressed": "true", "form": f"/ideas/{idea_id}/vote"}

    page.keyboard.press("Space")
    expect(vote).to_have_attribute("aria-pressed", "false")
    expect(vote).to_have_accessible_name(f"1 Vote for “{title}”")
    expect(vote).to_be_focused()
    assert page.evaluate(FOCUSED) == {"tag": "BUTTON", "pressed": "false", "form": f"/ideas/{idea_id}/vote"}
