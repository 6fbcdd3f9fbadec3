"""A PM builds a feedback round: one question to start, more on demand, options only for choice questions."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.browser import axe_violations, too_wide
from tests.e2e.test_ideas_journeys import unique_word

SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


def published_prototype(site, pm, title: str) -> int:
    from app.extensions import db
    from app.models.user import User
    from tests.factories import make_prototype

    return site.run(lambda: make_prototype(db.session.get(User, pm.id), title, description="").id)


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_a_pm_builds_a_round_one_question_at_a_time(open_page, site, axe_source, size, tmp_path):
    from app.models.round import FeedbackRound

    width, height = size
    word = unique_word()
    pm = site.person("product_manager")
    prototype_id = published_prototype(site, pm, f"Quick {word} checkout")
    # A PM in New York: the times they type are New York times.
    page = open_page(pm, width=width, height=height, timezone_id="America/New_York", bypass_csp=True)
    page.goto(f"/prototypes/{prototype_id}/rounds/new")

    questions = page.locator("[data-question-list] [data-question-row]")
    expect(questions).to_have_count(1)
    expect(page.get_by_text("Times are in America/New_York")).to_be_visible()
    first = page.get_by_role("group", name="Question 1", exact=True)
    expect(first.get_by_role("button", name="Remove question 1")).to_be_hidden()
    expect(first.get_by_label("Options, one per line")).to_be_hidden()  # a rating takes no options

    page.get_by_label("Title").fill(f"First look at {word}")
    page.get_by_label("Opens", exact=True).fill("2030-01-15T09:00")
    page.get_by_label("Closes", exact=True).fill("2030-01-29T17:00")
    first.get_by_label("Question", exact=True).fill("How easy was the checkout?")

    page.get_by_role("button", name="Add a question").click()
    expect(questions).to_have_count(2)
    second = page.get_by_role("group", name="Question 2", exact=True)
    expect(second.get_by_label("Question", exact=True)).to_be_focused()
    second.get_by_label("Question", exact=True).fill("Which plan would you pick?")
    expect(second.get_by_label("Options, one per line")).to_be_hidden()
    second.get_by_label("Kind").select_option(label="One choice")
    expect(second.get_by_label("Options, one per line")).to_be_visible()
    expect(first.get_by_label("Options, one per line")).to_be_hidden()
    second.get_by_label("Options, one per line").fill("Basic\nPro\nTeam")

    # A third question, added by mistake, goes again.
    page.get_by_role("button", name="Add a question").click()
    expect(questions).to_have_count(3)
    page.get_by_role("button", name="Remove question 3").click()
    expect(questions).to_have_count(2)
    expect(page.get_by_role("button", name="Remove question 1")).to_be_visible()

    problems = too_wide(page) + axe_violations(page, axe_source)
    assert not problems, "\n".join(problems)
    page.screenshot(path=str(tmp_path / f"round-builder-{width}.png"), full_page=True)

    page.get_by_role("button", name="Create round").click()
    expect(page.locator(".flash--success")).to_contain_text(
        "it opens on 15 Jan 2030, 09:00 (America/New_York)"
    )
    round_ = site.scalar(select(FeedbackRound).where(FeedbackRound.title == f"First look at {word}"))
    assert round_.opens_at.strftime("%Y-%m-%d %H:%M") == "2030-01-15 14:00"  # 09:00 in New York, in UTC

    # Editing shows the stored times back in New York time.
    page.goto(f"/rounds/{round_.id}/edit")
    expect(page.get_by_label("Opens", exact=True)).to_have_value("2030-01-15T09:00")
    expect(page.locator("[data-question-list] [data-question-row]")).to_have_count(2)
    choice = page.get_by_role("group", name="Question 2", exact=True)
    expect(choice.get_by_label("Options, one per line")).to_have_value("Basic\nPro\nTeam")
    expect(
        page.get_by_role("group", name="Question 1", exact=True).get_by_label("Options, one per line")
    ).to_be_hidden()
