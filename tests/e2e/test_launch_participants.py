"""A PM manages who takes part in a launch: removes someone with a reason, enrols someone waiting."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import axe_violations, too_wide
from tests.e2e.test_ideas_journeys import unique_word

SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


def join(site, person, launch_id: int) -> None:
    from app.extensions import db
    from app.models.launch import Launch
    from app.models.user import User
    from tests.factories import make_participant

    site.run(lambda: make_participant(db.session.get(Launch, launch_id), db.session.get(User, person.id)))


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_a_pm_removes_a_participant_and_enrols_someone_waiting(open_page, site, axe_source, size, tmp_path):
    width, height = size
    pm = site.person("product_manager")
    launch_id = site.launch(pm, f"Weekly {unique_word()} summary pilot", capacity=1)
    seated, first, second = site.person(), site.person(), site.person()
    for person in (seated, first, second):
        join(site, person, launch_id)

    page = open_page(pm, width=width, height=height, bypass_csp=True)
    page.goto(f"/launches/{launch_id}/participants")
    expect(page.get_by_text("1 enrolled of 1 seat · 2 on the waitlist")).to_be_visible()
    page.get_by_text(f"Remove… ({seated.name})").click()  # opens the small form
    page.get_by_label(f"Why remove {seated.name}? (optional)").fill("Outside the pilot region")
    # The team keeps the seat to give it to the second person waiting.
    page.get_by_label("Give the seat to the first person on the waitlist").uncheck()
    problems = too_wide(page) + axe_violations(page, axe_source)
    assert not problems, "\n".join(problems)
    page.screenshot(path=str(tmp_path / f"participants-{width}.png"), full_page=True)
    page.get_by_role("button", name=f"Remove {seated.name}", exact=True).click()
    expect(page.locator(".flash--success")).to_contain_text(
        f"{seated.name} is off the launch and has been told. The seat stays free"
    )
    expect(page.get_by_text("0 enrolled of 1 seat · 2 on the waitlist")).to_be_visible()
    page.get_by_role("button", name=re.compile(f"Enrol now.*{second.name}")).click()
    expect(page.locator(".flash--success")).to_have_text(f"{second.name} is enrolled and has been told.")
    expect(page.get_by_text("1 enrolled of 1 seat · 1 on the waitlist")).to_be_visible()
    # Full again: enrolling the other person waiting is refused with the reason.
    page.get_by_role("button", name=re.compile(f"Enrol now.*{first.name}")).click()
    expect(page.locator(".flash--error")).to_contain_text(
        f"The only seat is taken, so {first.name} stays on the waitlist."
    )
    page.screenshot(path=str(tmp_path / f"participants-after-{width}.png"), full_page=True)
