"""Linking ideas on the staff forms: the picker's search, references by number, link or title,
the plain search without JavaScript, and the staff dashboard's bulk status keeping its ticks."""

import re

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models.idea import Idea
from app.models.launch import Launch, LaunchIdea
from app.models.prototype import Prototype, PrototypeIdea
from app.models.roadmap import RoadmapIdea, RoadmapItem
from app.services import merges, moderation
from tests.factories import make_idea, make_user


@pytest.fixture
def pm(app):
    return make_user("product_manager", name="Pat PM")


@pytest.fixture
def ideas(app):
    """Three ideas everyone sees, one hidden by a moderator and one merged away."""
    export = make_idea(title="Export reports to CSV")
    dark = make_idea(title="Dark mode for the dashboard")
    exports = make_idea(title="Scheduled exports by email")
    hidden = make_idea(title="Export secrets nobody should see")
    moderation.hide_item(make_user("moderator"), "idea", hidden.id, "Spam")
    db.session.commit()
    return export, dark, exports, hidden


def picked(client, words: str) -> list[str]:
    response = client.get(
        "/staff/ideas/pick", query_string={"q": words}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200, response.status_code
    return [idea["title"] for idea in response.get_json()["ideas"]]


# ---- The picker's search ----


def test_staff_find_ideas_by_words_of_the_title_with_status_and_votes(client, login, pm, ideas):
    export, dark, exports, hidden = ideas
    login(pm)
    response = client.get("/staff/ideas/pick?q=export", headers={"Accept": "application/json"})
    found = {idea["title"]: idea for idea in response.get_json()["ideas"]}
    assert set(found) == {"Export reports to CSV", "Scheduled exports by email"}
    assert found["Export reports to CSV"] == {
        "id": export.id,
        "title": "Export reports to CSV",
        "status": "open",
        "status_label": "Open",
        "vote_count": 1,
        "url": f"/ideas/{export.id}",
    }
    assert picked(client, "dark DASH") == ["Dark mode for the dashboard"]
    assert picked(client, f"#{dark.id}") == ["Dark mode for the dashboard"]
    assert picked(client, "nothing like this") == []


@pytest.mark.parametrize("role", ["admin", "product_manager"])
def test_the_picker_never_offers_hidden_deleted_pending_or_merged_ideas(client, login, ideas, role):
    export, dark, exports, hidden = ideas
    merges.merge_ideas(make_user("admin"), exports.id, export.id)
    db.session.execute(update(Idea).where(Idea.id == dark.id).values(is_pending=True))
    db.session.commit()
    login(make_user(role))
    assert picked(client, "secrets") == []
    assert picked(client, f"{hidden.id}") == []
    assert picked(client, "dark") == []  # pending
    assert picked(client, "export") == ["Export reports to CSV"]  # not the merged one


def test_members_may_not_use_the_picker(client, login, ideas):
    login(make_user())
    response = client.get("/staff/ideas/pick?q=export", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert "Export" not in response.get_data(as_text=True)
    login(make_user("moderator"))
    assert client.get("/staff/ideas/pick?q=export").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, ideas):
    response = client.get("/staff/ideas/pick?q=export")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


# ---- The forms without JavaScript ----


def launch_form(**fields) -> dict:
    data = {
        "title": "Two weeks of CSV exports",
        "hypothesis": "We believe CSV exports will save finance teams an hour a week.",
        "success_metric": "share of teams exporting weekly",
        "capacity": "5",
        "starts_on": "2031-03-01",
        "ends_on": "2031-03-15",
        "idea_ids": "",
    }
    data.update(fields)
    return data


def linked_launch_ideas() -> list[int]:
    return list(db.session.scalars(select(LaunchIdea.idea_id).order_by(LaunchIdea.idea_id)))


def test_a_launch_links_ideas_by_number_link_title_and_ticked_box(client, login, pm, ideas):
    export, dark, exports, hidden = ideas
    login(pm)
    response = client.post_form(
        "/launches/new",
        {
            **launch_form(idea_ids=f"http://localhost/ideas/{dark.id}?tab=votes, scheduled EXPORTS by email"),
            "linked_ideas": [str(export.id)],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert linked_launch_ideas() == sorted([export.id, dark.id, exports.id])
    launch = db.session.scalar(select(Launch))
    html = client.get(f"/launches/{launch.id}").get_data(as_text=True)
    for title in ("Export reports to CSV", "Dark mode for the dashboard", "Scheduled exports by email"):
        assert title in html

    # The edit form shows the linked ideas by title, ticked; unticking one unlinks it.
    edit = client.get(f"/launches/{launch.id}/edit").get_data(as_text=True)
    for idea in (export, dark, exports):
        assert re.search(
            rf'name="linked_ideas" value="{idea.id}" checked>\s*<span class="idea-chip__title">', edit
        )
    assert re.search(r'<input[^>]*name="idea_ids"[^>]*value=""', edit)
    response = client.post_form(
        f"/launches/{launch.id}/edit",
        {**launch_form(), "linked_ideas": [str(export.id), str(exports.id)]},
    )
    assert response.status_code == 302
    assert linked_launch_ideas() == sorted([export.id, exports.id])


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("9999", "No idea #9999."),
        ("#hidden", "Idea #{hidden} is hidden"),
        ("Exports nobody wrote", "“Exports nobody wrote” is not an idea number, link or title"),
        ("/ideas/9999", "No idea #9999."),
    ],
)
def test_a_bad_reference_is_a_form_error_and_nothing_changes(client, login, pm, ideas, reference, message):
    export, dark, exports, hidden = ideas
    admin = make_user("admin")  # sees hidden ideas, and is still refused them
    reference = reference.replace("#hidden", f"#{hidden.id}")
    message = message.format(hidden=hidden.id)
    login(admin)
    response = client.post_form(
        "/launches/new", {**launch_form(idea_ids=f"{export.id}, {reference}"), "linked_ideas": [str(dark.id)]}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert db.session.scalar(select(Launch.id)) is None
    # What was typed and ticked is still there to correct.
    assert f'name="linked_ideas" value="{dark.id}" checked' in html
    assert f"{export.id}, {reference}" in html


def test_words_from_a_title_list_the_matching_ideas_to_tick(client, login, pm, ideas):
    export, dark, exports, hidden = ideas
    login(pm)
    response = client.post_form("/launches/new", launch_form(idea_ids="export"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "No idea is titled exactly “export”: tick the ones you mean below." in html
    found = html.split("Ideas matching “export”", 1)[1]
    assert f'name="linked_ideas" value="{export.id}">' in found
    assert f'name="linked_ideas" value="{exports.id}">' in found
    assert "secrets" not in found
    assert db.session.scalar(select(Launch.id)) is None


def test_the_plain_search_lists_ideas_with_boxes_to_tick(client, login, pm, ideas):
    export, dark, exports, hidden = ideas
    login(pm)
    html = client.get("/prototypes/new?find_ideas=export").get_data(as_text=True)
    assert '<form id="idea-find" method="get" action="/prototypes/new#linked-ideas"' in html
    found = html.split("Ideas matching “export”", 1)[1].split("</fieldset>", 1)[0]
    assert re.findall(r'name="linked_ideas" value="(\d+)">', found) == [str(export.id), str(exports.id)]
    assert "secrets" not in html
    response = client.post_form(
        "/prototypes/new",
        {"title": "Clickable CSV export", "description": "", "links": "", "linked_ideas": [str(exports.id)]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    prototype = db.session.scalar(select(Prototype))
    assert list(db.session.scalars(select(PrototypeIdea.idea_id))) == [exports.id]
    assert "Scheduled exports by email" in client.get(f"/prototypes/{prototype.id}").get_data(as_text=True)


def test_a_prototype_refuses_a_bad_reference_and_keeps_its_links(client, login, pm, ideas):
    export, dark, exports, hidden = ideas
    login(pm)
    client.post_form(
        "/prototypes/new",
        {"title": "Clickable CSV export", "idea_ids": f"{export.id}"},
        content_type="multipart/form-data",
    )
    prototype = db.session.scalar(select(Prototype))
    response = client.post_form(
        f"/prototypes/{prototype.id}/edit",
        {"title": "Clickable CSV export", "idea_ids": "9999"},
        content_type="multipart/form-data",
    )
    assert "No idea #9999." in response.get_data(as_text=True)
    assert list(db.session.scalars(select(PrototypeIdea.idea_id))) == [export.id]


def test_a_roadmap_item_links_and_unlinks_ideas_from_its_form(client, login, pm, ideas):
    export, dark, exports, hidden = ideas
    login(pm)
    response = client.post_form(
        "/roadmap/new",
        {
            "title": "CSV export everywhere",
            "status": "planned",
            "public": "y",
            "idea_ids": f"Export reports to csv, #{dark.id}",
        },
    )
    assert response.status_code == 302
    item = db.session.scalar(select(RoadmapItem))
    assert sorted(db.session.scalars(select(RoadmapIdea.idea_id))) == sorted([export.id, dark.id])
    assert db.session.get(Idea, export.id).status == "planned"  # linked open ideas follow the item
    edit = client.get(f"/roadmap/{item.id}/edit").get_data(as_text=True)
    assert f'name="linked_ideas" value="{export.id}" checked' in edit
    response = client.post_form(
        f"/roadmap/{item.id}/edit",
        {"title": "CSV export everywhere", "public": "y", "idea_ids": "nothing at all here"},
    )
    assert response.status_code == 422
    assert "“nothing at all here” is not an idea number, link or title" in response.get_data(as_text=True)
    assert sorted(db.session.scalars(select(RoadmapIdea.idea_id))) == sorted([export.id, dark.id])
    response = client.post_form(
        f"/roadmap/{item.id}/edit",
        {"title": "CSV export everywhere", "public": "y", "linked_ideas": [str(dark.id)]},
    )
    assert response.status_code == 302
    assert list(db.session.scalars(select(RoadmapIdea.idea_id))) == [dark.id]


# ---- Bulk status ----


def test_bulk_status_keeps_the_ticks_and_the_note_on_a_form_error(client, login, pm, ideas):
    export, dark, exports, hidden = ideas
    login(pm)
    response = client.post_form(
        "/staff/bulk-status",
        {
            "idea_ids": [str(export.id), str(exports.id)],
            "status": "declined",
            "status_note": "",
            "next": "/staff?sort=recent",
        },
        page="/staff",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Say why the ideas are declined" in html
    ticked = re.findall(r'name="idea_ids" value="(\d+)" id="pick-\d+"[^>]*checked', html)
    assert sorted(ticked) == sorted([str(export.id), str(exports.id)])
    assert (
        f'name="idea_ids" value="{dark.id}" id="pick-{dark.id}" aria-labelledby="pick-{dark.id}-label">'
        in html
    )
    assert '<option selected value="declined">' in html
    assert 'name="next" value="/staff?sort=recent"' in html
    assert (export.status, exports.status) == ("open", "open")
    # The select-all box is there for the script to show.
    assert 'data-select-all="idea_ids"' in html
