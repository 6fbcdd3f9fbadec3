"""Mentioning someone while writing a comment: "@" and the start of a username lists members."""

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import axe_violations

SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.mark.parametrize("size", SIZES)
def test_typing_at_and_a_username_suggests_members_and_enter_inserts_one(open_page, site, axe_source, size):
    word = secrets.token_hex(3)
    ada = site.person(name=f"Ada Lovelace {word}", username=f"ada{word}")
    site.person(name=f"Adam Smith {word}", username=f"adam{word}")
    author = site.person()
    member = site.person()
    idea_id = site.idea(author, f"Mention {word} people while typing", "So the right person sees it.")

    width, height = SIZES[size]
    page = open_page(member, width=width, height=height, bypass_csp=True)
    page.goto(f"/ideas/{idea_id}")
    box = page.get_by_label("Your comment")
    box.click()
    box.press_sequentially(f"Thanks, @ada{word[:3]}", delay=20)

    suggestions = page.get_by_role("listbox", name="Members to mention")
    expect(suggestions).to_be_visible()
    first = suggestions.get_by_role("option").first
    expect(first).to_contain_text(f"Ada Lovelace {word}")
    expect(first).to_contain_text(f"@ada{word}")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    expect(box).to_have_attribute("aria-controls", suggestions.get_attribute("id"))
    # Nobody's email address is offered, and the list fits the screen.
    expect(suggestions).not_to_contain_text("@example.com")
    right = page.evaluate("() => document.querySelector('.mention-list').getBoundingClientRect().right")
    assert right <= width
    problems = axe_violations(page, axe_source)
    assert not problems, "\n".join(problems)

    box.press("Enter")
    expect(suggestions).to_be_hidden()
    expect(box).to_have_value(f"Thanks, @ada{word} ")
    expect(box).to_be_focused()
    box.press_sequentially("could you look?", delay=5)

    # Escape closes the list and leaves what was typed alone.
    box.press_sequentially(f" cc @ada{word[:2]}", delay=20)
    expect(suggestions).to_be_visible()
    box.press("Escape")
    expect(suggestions).to_be_hidden()
    expect(box).to_have_value(f"Thanks, @ada{word} could you look? cc @ada{word[:2]}")
    # Typing on offers the list again; a click or tap on a member inserts them too.
    box.press_sequentially(word[2:4], delay=20)
    expect(suggestions.get_by_role("option")).to_have_count(1)
    suggestions.get_by_role("option", name=re.compile(f"Ada Lovelace {word}")).click()
    expect(suggestions).to_be_hidden()
    expect(box).to_be_focused()
    expect(box).to_have_value(f"Thanks, @ada{word} could you look? cc @ada{word} ")

    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".flash--success")).to_have_text("Your comment is posted.")
    comment = page.locator(".comment").filter(has_text="could you look?")
    links = comment.get_by_role("link", name=f"@ada{word}")
    expect(links).to_have_count(2)
    expect(links.first).to_have_attribute("href", re.compile(rf"/users/{ada.id}$"))
