"""Sending a form once: the submit button is disabled while the post is on its way."""

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.e2e.test_ideas_journeys import unique_word


def test_the_comment_button_is_disabled_while_sending_and_a_second_press_sends_nothing(open_page, site):
    from app.models.comment import Comment

    word = unique_word()
    member = site.person()
    idea_id = site.idea(site.person(), f"Colour {word} labels on the board")
    page = open_page(member)
    page.goto(f"/ideas/{idea_id}")

    # The first post is answered "204 No Content", which leaves the page where it is: what it
    # shows is what a person sees while a slow post is on its way.
    sent = []
    comments = re.compile(rf"/ideas/{idea_id}/comments$")
    page.route(comments, lambda route: (sent.append(route.request.method), route.fulfill(status=204)))
    form = page.locator("form.comment-form[aria-labelledby=new-comment-title]")
    button = form.get_by_role("button", name="Post comment")
    page.get_by_label("Your comment").fill(f"Please add {word} too.")
    # A double click, and an impatient third press (a script's clicks, all in one go).
    button.evaluate("button => { button.click(); button.click(); button.form.requestSubmit(); }")

    expect(button).to_be_disabled()
    expect(form).to_have_attribute("aria-busy", "true")
    assert sent == ["POST"]

    # Back to a page kept in memory (bfcache): the form can be used again, and is.
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    expect(button).to_be_enabled()
    expect(form).not_to_have_attribute("aria-busy", "true")
    page.unroute(comments)
    button.click()

    expect(page.locator(".flash--success")).to_contain_text("Your comment is posted.")
    count = select(func.count(Comment.id)).where(Comment.idea_id == idea_id)
    assert site.scalar(count) == 1


def test_a_vote_button_still_votes_in_place(open_page, site):
    """Forms that scripts send themselves (votes) are left to them."""
    word = unique_word()
    member = site.person()
    title = f"Print {word} invoices"
    idea_id = site.idea(site.person(), title)
    page = open_page(member)
    page.goto(f"/ideas/{idea_id}")

    vote = page.get_by_role("button", name=re.compile(rf"^\d+ Voted? for “{re.escape(title)}”$")).first
    vote.click()

    expect(vote).to_have_attribute("aria-pressed", "true")
    expect(vote).to_be_enabled()
    vote.click()
    expect(vote).to_have_attribute("aria-pressed", "false")
