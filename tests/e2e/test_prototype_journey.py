"""Journey 4: a PM publishes a prototype and opens a round; a member answers by keyboard; the PM reads it."""

import csv
import io
import re

from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.e2e.test_ideas_journeys import unique_word


def mock_up(path) -> str:
    """A small PNG screenshot-like image, as a PM would upload."""
    image = Image.new("RGB", (640, 400), "#f4f6fb")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 640, 56), fill="#3550c8")
    for row in range(5):
        draw.rectangle((40, 90 + row * 56, 600, 130 + row * 56), outline="#9aa6c7", width=2)
    image.save(path, "PNG")
    return str(path)


def fill_question(page, number: int, prompt: str, kind: str, options: str = "", required: bool = False):
    row = page.get_by_role("group", name=f"Question {number}", exact=True)
    row.get_by_label("Question", exact=True).fill(prompt)
    row.get_by_label("Kind").select_option(label=kind)
    if options:
        row.get_by_label("Options, one per line").fill(options)
    if required:
        row.get_by_label("An answer is required").check()


def tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching `selector` has focus, as a keyboard user moves on."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def focus_ring(page) -> str:
    """The outline a sighted keyboard user sees around the focused radio's visible face."""
    return page.evaluate(
        """() => {
            const face = document.activeElement.nextElementSibling || document.activeElement;
            return getComputedStyle(face).outlineStyle;
        }"""
    )


def test_a_pm_runs_a_feedback_round_a_member_answers_by_keyboard_and_the_pm_reads_it(
    open_page, site, tmp_path
):
    word = unique_word()
    pm = site.person("product_manager")
    member = site.person()
    title = f"Clickable {word} export mock-up"

    staff = open_page(pm)
    staff.get_by_role("link", name="Prototypes").first.click()
    staff.get_by_role("link", name="New prototype").first.click()
    staff.get_by_label("Title").fill(title)
    staff.get_by_label("Description").fill("Try the **export** button and tell us what is missing.")
    staff.get_by_label("Add images").set_input_files(mock_up(tmp_path / "mock-up.png"))
    staff.get_by_role("button", name="Publish").click()
    expect(staff.locator(".flash--success")).to_contain_text("The prototype is published.")
    expect(staff.get_by_role("heading", level=1)).to_have_text(title)
    image = staff.get_by_role("img", name=f"{title}, image 1 of 1")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "the uploaded image does not show"

    staff.get_by_role("link", name="New round").click()
    staff.get_by_label("Title").fill(f"First look at {word}")
    fill_question(staff, 1, "How easy was the export?", "Rating (1–5)", required=True)
    staff.get_by_role("button", name="Add a question").click()
    fill_question(staff, 2, "How likely are you to recommend it?", "Likelihood to recommend (0–10)")
    staff.get_by_role("button", name="Add a question").click()
    fill_question(staff, 3, "Which format do you need?", "One choice", "CSV\nExcel\nPDF")
    staff.get_by_role("button", name="Add a question").click()
    fill_question(staff, 4, "What is missing?", "Free text")
    staff.get_by_role("button", name="Create round").click()
    expect(staff.locator(".flash--success")).to_contain_text("The round is open now")
    round_link = staff.get_by_role("link", name=f"First look at {word}", exact=True)
    expect(round_link).to_be_visible()
    round_url = round_link.get_attribute("href")

    # The member answers with the keyboard only: Tab moves between questions, arrows choose.
    page = open_page(member)
    page.goto(round_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"First look at {word}")
    easy = page.get_by_role("group", name=re.compile("How easy"))
    likely = page.get_by_role("group", name=re.compile("How likely"))
    tab_to(page, ".scale--rating input")
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(easy.get_by_role("radio", name="4", exact=True)).to_be_checked()
    assert focus_ring(page) == "solid", "the focused rating shows no focus ring"
    tab_to(page, ".scale--nps input")
    page.keyboard.press("Space")
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    expect(likely.get_by_role("radio", name="9", exact=True)).to_be_checked()
    tab_to(page, ".option-list input")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Excel")).to_be_checked()
    tab_to(page, "textarea")
    page.keyboard.type("A button on every report page.")
    tab_to(page, "button[type=submit]")
    expect(page.locator(":focus")).to_have_text("Send my answers")
    page.keyboard.press("Enter")
    expect(page.locator(".flash--success")).to_contain_text("Thank you! Your answers are saved.")
    expect(easy.get_by_role("radio", name="4", exact=True)).to_be_checked()

    # The PM reads the results, drawn as charts, and downloads every response.
    staff.get_by_role("link", name=f"Results of “First look at {word}”").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(f"Results: First look at {word}")
    expect(staff.locator(".results-summary__facts")).to_contain_text("Responses1")
    rating = staff.locator(".question-result").filter(has_text="How easy was the export?")
    expect(rating.locator(".big-number")).to_contain_text("4")
    chart = rating.get_by_role("img", name=re.compile("Ratings for “How easy was the export\\?”"))
    expect(chart).to_be_visible()
    nps = staff.locator(".question-result").filter(has_text="How likely are you to recommend it?")
    expect(nps.locator(".big-number")).to_contain_text("+100")
    formats = staff.locator(".question-result").filter(has_text="Which format do you need?")
    expect(formats.get_by_role("img")).to_be_visible()
    expect(staff.locator(".text-answers")).to_contain_text("A button on every report page.")

    with staff.expect_download() as download_info:
        staff.get_by_role("link", name="Download all responses (CSV)").click()
    download = download_info.value
    assert re.fullmatch(r"round-\d+-responses\.csv", download.suggested_filename)
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert rows[0][1:] == [
        "Display name",
        "Submitted at (UTC)",
        "1. How easy was the export?",
        "2. How likely are you to recommend it?",
        "3. Which format do you need?",
        "4. What is missing?",
    ]
    assert rows[1][1] == member.name
    assert rows[1][3:] == ["4", "9", "Excel", "A button on every report page."]
