"""The idea page shows the idea's journey: a timeline of what became of it."""

import re

from app.extensions import db
from app.services import roadmap
from tests.factories import make_idea, make_prototype_row, make_user
from tests.services.test_journey import full_story


def journey_html(html: str) -> str:
    match = re.search(r'<section class="card journey".*?</section>', html, re.S)
    assert match, "the idea page has no journey"
    return match.group(0)


def test_the_idea_page_shows_the_journey_oldest_step_first(client, login):
    story = full_story()
    login(make_user())
    html = client.get(f"/ideas/{story['idea'].id}").get_data(as_text=True)
    journey = journey_html(html)
    assert '<h2 id="journey-title">The journey so far</h2>' in journey
    assert '<ol class="history journey__steps">' in journey
    assert journey.count('<li class="history__item journey__step') == 9
    order = [
        "journey__step--created",
        "journey__step--status",
        "journey__step--prototype",
        "journey__step--round",
        "journey__step--launch",
        "journey__step--roadmap",
        "journey__step--shipped",
    ]
    positions = [journey.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "Proposed by Sam Author" in journey
    assert f'href="/prototypes/{story["prototype"].id}"' in journey
    assert f'href="/launches/{story["launch"].id}"' in journey
    assert "<dt>Responses</dt><dd>4</dd>" in journey
    assert "4.00 out of 5" in journey
    assert "NPS" not in journey
    assert "Decision: Iterate" in journey
    assert "29% (target 35%)" in journey
    assert "<p>Checkout is <strong>one page</strong> now.</p>" in journey
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT[^"]+" title="[^"]+">\d+ \w+ \d{4}</time>', journey)
    assert "Nothing has happened here yet" not in journey


def test_a_new_idea_says_what_will_appear_in_its_journey(client):
    idea = make_idea()
    journey = journey_html(client.get(f"/ideas/{idea.id}").get_data(as_text=True))
    assert journey.count('<li class="history__item journey__step') == 1
    assert "Nothing has happened here yet." in journey


def test_titles_are_escaped_and_private_steps_are_marked_for_staff(client, login):
    pm = make_user("product_manager")
    idea = make_idea()
    prototype = make_prototype_row(pm, idea_ids=[idea.id])
    prototype.title = "Checkout <script>alert(1)</script>"
    secret = roadmap.create_item(pm, "Enterprise tier", is_public=False)
    roadmap.link_idea(pm, secret, idea.id)
    db.session.commit()

    login(make_user())
    journey = journey_html(client.get(f"/ideas/{idea.id}").get_data(as_text=True))
    assert "Checkout &lt;script&gt;alert(1)&lt;/script&gt;" in journey
    assert "<script>" not in journey
    assert "Enterprise tier" not in journey
    assert "Staff only" not in journey

    login(pm)
    journey = journey_html(client.get(f"/ideas/{idea.id}").get_data(as_text=True))
    assert "Enterprise tier" in journey
    assert "Staff only" in journey


def test_the_idea_page_shows_its_status_history_once(client, login):
    from app.services import ideas

    pm = make_user("product_manager", name="Pat Manager")
    idea = make_idea(title="Dark mode for the dashboard")
    ideas.change_status(pm, idea, "under_review", "We are looking into **colour contrast** first.")
    db.session.commit()
    for viewer in (None, make_user(), pm):
        if viewer:
            login(viewer)
        html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
        assert html.count("colour contrast") == 1
        assert html.count("Proposed by") == 2  # the idea's byline and the journey's first step
        assert "colour contrast" in journey_html(html)
    # Staff still change the status from the idea page.
    assert f'action="/ideas/{idea.id}/status"' in html
