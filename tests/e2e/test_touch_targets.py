"""On a phone the small controls are easy to hit and the propose form's buttons stay whole."""

import pytest
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}
FINGER = 44  # px: the smallest comfortable touch target (WCAG 2.5.5, Apple and Android guidelines)


def test_reply_and_flag_are_big_enough_for_a_thumb(open_page, site):
    from app.extensions import db
    from app.models.idea import Idea
    from app.models.user import User
    from app.services import comments

    author, member = site.person(), site.person()
    idea_id = site.idea(author, "Keep filters when going back to the list")
    site.run(
        lambda: comments.add_comment(
            db.session.get(User, author.id), db.session.get(Idea, idea_id), "It forgets them every time."
        )
    )
    page = open_page(member, **PHONE)
    page.goto(f"/ideas/{idea_id}")
    controls = {
        "Reply": page.locator(".comment__reply > summary").first,
        "Flag the idea": page.locator(".idea__actions .flag > summary"),
        "Flag the comment": page.locator(".comment__actions .flag > summary").first,
    }
    for name, control in controls.items():
        expect(control).to_be_visible()
        height = control.bounding_box()["height"]
        assert height >= FINGER, f"{name} is {height:.0f} px tall on a phone"


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_the_propose_forms_buttons_sit_side_by_side_on_one_line(open_page, site, javascript):
    site.idea(site.person(), "Export every report to a spreadsheet")
    page = open_page(site.person(), javascript=javascript, **PHONE)
    page.goto("/ideas/new")
    page.get_by_label("Title").fill("Export reports to a spreadsheet, please")
    if not javascript:
        page.get_by_role("button", name="Post idea").click()  # the similar ideas come first
    post = page.get_by_role("button", name="Post my idea anyway" if not javascript else "Post idea")
    cancel = page.get_by_role("link", name="Cancel")
    expect(post).to_be_visible()
    post_box, cancel_box = post.bounding_box(), cancel.bounding_box()
    assert post_box["height"] < 48, "the button's words break over two lines"
    middle = post_box["y"] + post_box["height"] / 2
    assert cancel_box["y"] < middle < cancel_box["y"] + cancel_box["height"], "the buttons wrap onto two rows"
    assert cancel_box["x"] + cancel_box["width"] <= PHONE["width"]
