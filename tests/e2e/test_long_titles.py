"""One very long title must not break the layout: long words and links wrap on every page.

A member posts an idea whose 120-character title has no space, another posts one whose title
is a long link; staff pin the first, plan it, prototype it and launch it; people comment, flag
and get notified. Every page that shows those titles fits the screen, on a phone and a desktop.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import NO_AXE, axe_violations, too_wide

WORD = ("Exportquarterlyrevenuereportswithcolumnwidthskeptintactforfinance" * 2)[:120]
LINK = ("https://reports.example.com/exports/quarterly/revenue?columns=" + "widths-kept-" * 10)[:120]
NAME = "Maximiliana-Wolfeschlegelsteinhausenbergerdorffson"  # 50 characters, the most allowed
SIZES = {"phone": (390, 844), "desktop": (1366, 900)}


@pytest.fixture(scope="module")
def scene(site):
    """The long-titled ideas, and everything around them that repeats their titles."""
    from datetime import timedelta

    from app.extensions import db
    from app.models.base import utcnow
    from app.models.idea import Idea
    from app.models.user import User
    from app.services import comments, ideas, launches, moderation, prototypes, roadmap

    author = site.person(name=NAME)
    other = site.person()
    admin = site.person("admin")
    assert len(WORD) == len(LINK) == 120
    assert " " not in WORD + LINK

    def build():
        def user(person):
            return db.session.get(User, person.id)

        word = ideas.create_idea(user(author), WORD, f"Today {WORD} is cut at the edge.", None)
        link = ideas.create_idea(user(other), LINK, f"See {LINK} for the export.", None)
        moderation.set_pinned(user(admin), word, True)
        comment = comments.add_comment(user(other), word, f"Yes please: {LINK}")
        moderation.flag_item(user(author), "comment", comment.id, "spam")
        ideas.change_status(user(admin), word, "planned", f"Planned as {WORD}.")
        moderation.flag_item(user(author), "idea", link.id, "other", f"Unreadable: {WORD}")
        item = roadmap.create_item(user(admin), WORD, description=f"Covers {LINK}.")
        roadmap.link_idea(user(admin), item, word.id)
        prototype = prototypes.create_prototype(
            user(admin), WORD, f"Try {LINK}.", idea_ids=[word.id], status="published"
        )
        start = utcnow() + timedelta(days=1)
        launch = launches.create_launch(
            user(admin),
            title=WORD,
            hypothesis=f"We believe {WORD} keeps people coming back.",
            success_metric=LINK,
            capacity=5,
            starts_at=start,
            ends_at=start + timedelta(days=14),
            idea_ids=[word.id],
            status="recruiting",
        )
        db.session.flush()
        assert db.session.get(Idea, word.id).pinned_at is not None
        return {
            "word": word.id,
            "link": link.id,
            "item": item.id,
            "prototype": prototype.id,
            "launch": launch.id,
        }

    ids = site.run(build)
    pages = {
        None: ["/", "/ideas/", "/ideas/?sort=new", f"/ideas/{ids['word']}", f"/ideas/{ids['link']}"],
        author: [
            "/",
            f"/users/{author.id}",
            "/notifications",
            "/prototypes/",
            f"/prototypes/{ids['prototype']}",
            "/launches/",
            f"/launches/{ids['launch']}",
            "/roadmap",
            f"/roadmap/{ids['item']}",
        ],
        admin: [
            f"/ideas/{ids['word']}",
            "/admin/audit",
            "/moderation",
            "/staff",
            f"/launches/{ids['launch']}/participants",
            f"/moderation/ideas/{ids['link']}/merge?q=Export",
        ],
    }
    return pages


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_pages_full_of_long_titles_pass_axe(open_page, scene, axe_source, size):
    if not axe_source:
        pytest.skip(NO_AXE)
    width, height = size
    problems = []
    for person, addresses in scene.items():
        page = open_page(person, width=width, height=height, bypass_csp=True)
        for address in addresses:
            page.goto(address)
            problems += [f"{address}: {line}" for line in axe_violations(page, axe_source)]
    assert not problems, f"at {width} px:\n" + "\n".join(problems)


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_long_words_and_links_in_titles_wrap_on_every_page(open_page, scene, size):
    width, height = size
    wide = []
    for person, addresses in scene.items():
        page = open_page(person, width=width, height=height)
        for address in addresses:
            response = page.goto(address)
            assert response is not None, f"{address}: no answer"
            assert response.ok, f"{address}: HTTP {response.status}"
            wide += [f"{address}: {line}" for line in too_wide(page)]
    assert not wide, f"at {width} px:\n" + "\n".join(wide)


def test_the_pinned_long_title_heads_the_list_and_reads_in_full(open_page, scene):
    page = open_page(width=390, height=844)
    page.goto("/ideas/")
    first = page.locator(".card--idea").first
    title = first.get_by_role("link", name=WORD, exact=True)  # not the vote link, which names it too
    expect(title).to_be_visible()
    box = title.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    expect(first).to_contain_text(re.compile("Pinned", re.IGNORECASE))


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_a_pasted_long_title_is_kept_and_the_page_says_it_is_too_long(open_page, site, size):
    width, height = size
    pasted = ("Let me paste the whole support ticket here as the title " * 90)[:5000]
    page = open_page(site.person(), width=width, height=height)
    page.goto("/ideas/new")
    title = page.get_by_label("Title")
    title.focus()
    page.keyboard.insert_text(pasted)  # what a paste does: the browser's own limits apply
    expect(title).to_have_value(pasted)
    expect(page.locator("#title-count")).to_have_text(
        "4,880 characters too many: the limit is 120. Shorten it before you send it."
    )
    expect(title).to_have_accessible_description(re.compile("4,880 characters too many"))
    page.get_by_role("button", name="Post idea").click()
    refusal = "Keep the title to 120 characters or fewer (it has 5,000)."
    expect(page.locator("#title-error")).to_have_text(refusal)
    expect(page.get_by_label("Title")).to_have_value(pasted.strip())
    page.get_by_label("Title").fill(WORD)
    expect(page.locator("#title-count")).to_have_text("0 characters left.")
    page.get_by_label("Title").fill("Export reports to CSV")
    expect(page.locator("#title-count")).to_be_hidden()
    wide = too_wide(page)
    assert not wide, "\n".join(wide)
