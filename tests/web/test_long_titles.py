"""A title over the limit is refused with a clear message and kept, never cut short in silence.

Browsers cut what is typed or pasted into a field with a `maxlength` at that length and say
nothing, so the titled forms leave the attribute out: the page says how long the title may be
(`data-maxlength`, which the counter in static/js/app.js reads) and the server refuses a longer
one with the text still in the field.
"""

import html
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.idea import Idea
from app.models.launch import Launch
from app.models.prototype import Prototype
from app.models.roadmap import RoadmapItem
from tests.factories import make_user

PASTED = ("Export every report to a spreadsheet " * 140)[:5000].strip()
TOO_LONG = f"Keep the title to 120 characters or fewer (it has {len(PASTED):,})."

FORMS = {
    "idea": ("member", "/ideas/new", Idea, {"body": "", "category": ""}),
    "prototype": ("product_manager", "/prototypes/new", Prototype, {"description": "Try it.", "links": ""}),
    "launch": (
        "product_manager",
        "/launches/new",
        Launch,
        {
            "hypothesis": "We believe a dark theme will keep night-shift teams working longer.",
            "success_metric": "Evening sessions per week",
            "capacity": "12",
            "starts_on": "2030-05-01",
            "ends_on": "2030-05-15",
        },
    ),
    "roadmap": ("product_manager", "/roadmap/new", RoadmapItem, {"public": "y", "status": "planned"}),
}


def title_input(page: str) -> str:
    return re.search(r'<input[^>]*name="title"[^>]*>', page).group(0)


@pytest.mark.parametrize("kind", FORMS)
def test_the_title_field_says_its_limit_without_cutting_what_is_pasted(client, login, kind):
    role, address, _, _ = FORMS[kind]
    login(make_user(role))
    field = title_input(client.get(address).get_data(as_text=True))
    assert "maxlength" not in field.replace("data-maxlength", "")
    assert 'data-maxlength="120"' in field


@pytest.mark.parametrize("kind", FORMS)
def test_a_pasted_five_thousand_character_title_is_refused_and_kept(client, login, kind):
    role, address, model, fields = FORMS[kind]
    login(make_user(role))
    response = client.post_form(address, {"title": PASTED, **fields})
    assert response.status_code in (200, 422)
    page = html.unescape(response.get_data(as_text=True))
    assert TOO_LONG in page
    assert f'value="{PASTED}"' in page
    assert db.session.scalar(select(func.count(model.id))) == 0


def test_a_title_at_the_limit_is_posted_whole(client, login):
    login(make_user())
    title = ("Export every report to a spreadsheet " * 4)[:120]
    response = client.post_form("/ideas/new", {"title": title, "body": "", "category": ""})
    assert response.status_code == 302
    assert db.session.scalar(select(Idea.title)) == title.strip()
