"""Journeys 1 and 2: proposing an idea as a newcomer; voting, discussing and mentioning."""

import re
import secrets

from playwright.sync_api import expect


def unique_word() -> str:
    """A made-up word no other test uses, so searches and similar ideas find only ours."""
    return "Zeph" + secrets.token_hex(3)


def vote_button(scope, title: str):
    """An idea's vote button, named by what it shows ("12 Vote", "12 Voted") and the idea's title."""
    return scope.get_by_role("button", name=re.compile(rf"^\d+ Voted? for “{re.escape(title)}”$"))


def bell(page):
    """The notifications bell in the header, as the visitor sees it."""
    return page.get_by_role("link", name=re.compile(r"^Notifications"))


def test_a_visitor_registers_proposes_an_idea_and_finds_it_under_new(open_page, site):
    word = unique_word()
    author = site.person()
    site.idea(author, f"Export {word} reports to PDF", "Finance wants PDFs.")
    email = f"visitor-{word.lower()}@example.com"

    page = open_page()
    page.goto("/")
    page.get_by_role("link", name="Join", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("^Join"))).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Display name").fill(f"Vera {word}")
    page.get_by_label("Password").fill("a long and private passphrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    [mail] = site.deliver_mail(email)
    link = re.search(r"(/verify-email/\S+)", mail).group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.locator(".flash--success")).to_contain_text(f"Welcome to Cocreate, Vera {word}!")

    page.get_by_role("link", name="Ideas", exact=True).first.click()
    page.get_by_role("link", name="Propose an idea").first.click()
    expect(page.get_by_role("heading", name="Propose an idea")).to_be_visible()
    title = page.get_by_label("Title")
    expect(title).to_be_focused()
    # Typed key by key, as a person does: the similar ideas appear while typing.
    title.press_sequentially(f"Print {word} reports as PDF files", delay=15)
    similar = page.locator("[data-similar-list]")
    expect(similar.get_by_role("heading", name="Similar ideas already posted")).to_be_visible()
    expect(similar.get_by_role("link", name=f"Export {word} reports to PDF")).to_be_visible()

    page.get_by_label("Description").fill("One click to a **PDF** we can file with the invoices.")
    page.get_by_role("button", name="Post idea").click()
    expect(page.locator(".flash--success")).to_contain_text("Your idea is posted, with your vote.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Print {word} reports as PDF files")
    expect(page.locator(".prose strong")).to_have_text("PDF")
    mine = vote_button(page, f"Print {word} reports as PDF files")
    expect(mine).to_have_accessible_name(f"1 Voted for “Print {word} reports as PDF files”")
    expect(mine).to_have_attribute("aria-pressed", "true")

    page.get_by_role("link", name="Ideas", exact=True).first.click()
    page.get_by_label("Sort").select_option(label="New")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"sort=new"))
    first = page.locator(".card--idea").first
    expect(first.get_by_role("link", name=f"Print {word} reports as PDF files")).to_be_visible()
    expect(vote_button(first, f"Print {word} reports as PDF files")).to_have_attribute("aria-pressed", "true")


def test_a_member_votes_in_place_comments_replies_and_mentions_someone(open_page, site):
    word = unique_word()
    author = site.person()
    member = site.person()
    friend = site.person()
    idea_id = site.idea(author, f"Colour {word} labels on the board", "So we can tell teams apart.")

    # The friend opens the site first: no notifications yet.
    friend_page = open_page(friend)
    expect(bell(friend_page)).to_have_accessible_name("Notifications")

    page = open_page(member)
    page.goto(f"/ideas/{idea_id}")
    vote = vote_button(page, f"Colour {word} labels on the board")
    expect(vote).to_have_accessible_name(f"1 Vote for “Colour {word} labels on the board”")
    expect(vote).to_have_attribute("aria-pressed", "false")
    # The vote is sent in the background: the page is not reloaded, the button changes in place.
    page.evaluate("window.stillHere = true")
    vote.click()
    expect(vote).to_have_attribute("aria-pressed", "true")
    expect(vote).to_have_accessible_name(f"2 Voted for “Colour {word} labels on the board”")
    assert page.evaluate("window.stillHere") is True
    page.reload()
    assert page.evaluate("window.stillHere") is None  # a real reload this time
    expect(vote).to_have_accessible_name(f"2 Voted for “Colour {word} labels on the board”")
    expect(vote).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text("2 voters")).to_be_visible()

    page.get_by_label("Your comment").fill(f"Green for support, please. What do you think, @{friend.name}?")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".flash--success")).to_have_text("Your comment is posted.")
    comment = page.locator(".comment").filter(has_text="Green for support, please.")
    expect(comment.get_by_role("link", name=member.name, exact=True)).to_be_visible()
    expect(comment.get_by_role("link", name=f"@{friend.name}")).to_be_visible()

    comment.locator("summary", has_text="Reply").first.click()
    comment.get_by_label(f"Your reply to {member.name}").fill("And red for anything on fire.")
    comment.get_by_role("button", name="Post reply").click()
    expect(page.locator(".flash--success")).to_have_text("Your reply is posted.")
    reply = page.locator(".comment-thread--replies .comment").filter(has_text="And red for anything on fire.")
    expect(reply).to_be_visible()
    expect(page.locator("#discussion-title")).to_contain_text("2 comments")

    # The friend's bell counts the mention on the next page they open.
    friend_page.reload()
    expect(bell(friend_page)).to_have_accessible_name("Notifications, 1 unread")
    expect(friend_page.locator(".site-nav .bell__badge")).to_have_text("1")
    bell(friend_page).click()
    mention = friend_page.locator(".notification").filter(has_text=member.name)
    expect(mention).to_contain_text("Mention")
    mention.get_by_role("button").click()  # opening posts: it marks the notification read
    expect(friend_page).to_have_url(re.compile(rf"/ideas/{idea_id}"))
    expect(friend_page.get_by_role("heading", level=1)).to_have_text(f"Colour {word} labels on the board")
