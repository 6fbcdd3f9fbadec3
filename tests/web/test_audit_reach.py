"""The audit log reads as words, links every target that still exists, and is open to moderators
for the moderation part of it."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from app.extensions import db
from app.models.base import utcnow
from app.services import (
    accounts,
    audit,
    categories,
    comments,
    ideas,
    launches,
    moderation,
    prototypes,
    roadmap,
    rounds,
    segments,
    settings,
    webhooks,
)
from app.services.launches import AssumptionInput
from tests.factories import make_idea, make_user


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-action="([^"]+)">', html)


def target_cells(html: str) -> list[str]:
    return re.findall(r'<td data-label="Target"><div>(.*?)</div></td>', html, re.S)


def action_menu(html: str) -> list[tuple[str, str]]:
    menu = html.split('id="action"')[1].split("</select>")[0]
    return [(value, unescape(label)) for value, label in re.findall(r'value="([^"]*)"[^>]*>([^<]*)<', menu)]


@pytest.fixture
def everything(app):
    """One real action on every kind of thing the log can point at."""
    admin = make_user("admin", name="Ada Admin")
    pm = make_user("product_manager", name="Pat Manager")
    mod = make_user("moderator", name="Mo Moderator")
    author = make_user(name="Ann Author")
    idea = make_idea(author, "Dark mode for the dashboard")
    ideas.change_status(pm, idea, "under_review", "Looking into it")
    comment = comments.add_comment(author, idea, "Buy cheap watches")
    db.session.flush()
    moderation.hide_item(mod, "comment", comment.id, "Spam")
    prototype = prototypes.create_prototype(pm, "Clickable CSV export", status="published")
    now = utcnow()
    rounds.create_round(
        pm,
        prototype,
        "First look",
        now,
        now + timedelta(days=1),
        [{"kind": "text", "prompt": "Why?"}],
        now=now,
    )
    on_prototype = comments.add_prototype_comment(author, prototype, "Spam on a prototype")
    db.session.flush()
    moderation.hide_item(mod, "comment", on_prototype.id, "Spam")
    launches.create_launch(
        pm,
        title="Dark mode pilot",
        hypothesis="Night owls stay longer with dark mode.",
        success_metric="Minutes per session after 8 pm",
        capacity=5,
        starts_at=datetime(2027, 3, 1, tzinfo=UTC),
        ends_at=datetime(2027, 3, 29, tzinfo=UTC),
        assumptions=[AssumptionInput("value", "People use the site at night")],
    )
    roadmap.create_item(pm, "Dark mode everywhere", description="On every page.", is_public=False)
    categories.create_category(admin, "Reporting")
    segments.create_segment(admin, "Enterprise customers", 2)
    webhooks.create_webhook(admin, "https://93.184.216.34/hooks", ["idea.created"])
    accounts.suspend_user(mod, author, 3, "Spam")
    settings.update_settings(admin, premoderation_enabled=True)
    db.session.commit()
    return {"admin": admin, "pm": pm, "mod": mod, "author": author, "idea": idea}


def test_actions_and_the_filter_menu_read_as_words(client, login, everything):
    login(everything["admin"])
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "Created a learning launch" in html
    assert "Added a roadmap item" in html
    menu = action_menu(html)
    assert ("launch.create", "Created a learning launch") in menu
    assert ("roadmap.create", "Added a roadmap item") in menu
    # Every choice is a sentence, not a key such as "launch.create".
    assert all(value and label != value and "." not in label.rstrip(".") for value, label in menu[1:])
    table = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "<code>" not in table
    assert "launch.create" not in re.sub(r'data-action="[^"]+"', "", table)


def test_every_kind_of_target_links_to_a_page_that_opens(client, login, everything):
    login(everything["admin"])
    html = client.get("/admin/audit").get_data(as_text=True)
    cells = target_cells(html)
    assert len(cells) == len(rows(html)) == 13
    assert not [cell for cell in cells if "gone" in cell or "deleted" in cell]
    links = [unescape(re.search(r'<a href="([^"]+)">', cell).group(1)) for cell in cells if "<a " in cell]
    # All but the site setting, which has no page of its own.
    assert len(links) == 12
    kinds = {re.match(r"/(admin/)?[a-z]+", link).group(0) for link in links}
    assert kinds == {
        "/ideas",
        "/prototypes",
        "/rounds",
        "/launches",
        "/roadmap",
        "/admin/categories",
        "/admin/segments",
        "/admin/webhooks",
        "/users",
    }
    for link in links:
        assert client.get(link).status_code == 200, link
    assert "Pre-moderation" in html


def test_only_targets_that_were_deleted_say_so(client, login, everything):
    admin = everything["admin"]
    category = categories.list_categories()[0]
    categories.delete_category(admin, category)
    db.session.commit()
    login(admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    gone = [cell for cell in target_cells(html) if "deleted" in cell]
    assert len(gone) == 2  # the category's creation and its deletion point at the same row
    assert all("<a " not in cell and "Category" in cell for cell in gone)
    assert "(gone)" not in html


def test_moderators_read_the_moderation_part_of_the_log(client, login, everything):
    login(everything["mod"])
    response = client.get("/admin/audit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert rows(html) == ["user.suspend", "comment.hide", "comment.hide"]
    menu = [value for value, _ in action_menu(html)]
    assert menu == ["", "comment.hide", "user.suspend"]
    for hidden in ("webhook.create", "settings.update", "launch.create", "idea.status"):
        assert rows(client.get(f"/admin/audit?action={hidden}").get_data(as_text=True)) == []
    # Their own filter menu names only the people in their part of the log.
    actors = html.split('id="actor"')[1].split("</select>")[0]
    assert "Mo Moderator" in actors
    assert "Ada Admin" not in actors
    assert "Pat Manager" not in actors


def test_the_queue_and_the_admin_menu_lead_moderators_to_the_log(client, login, everything):
    login(everything["mod"])
    queue = client.get("/moderation").get_data(as_text=True)
    assert re.search(r'<a href="/admin/audit">[^<]*audit log', queue)
    html = client.get("/admin/audit").get_data(as_text=True)
    nav = html.split('class="admin-nav"')[1].split("</nav>")[0]
    assert 'href="/admin/audit"' in nav
    assert "/admin/webhooks" not in nav
    assert "/admin/settings" not in nav


@pytest.mark.parametrize("role", ["member", "product_manager"])
def test_members_and_product_managers_do_not_read_the_log(client, login, everything, role):
    login(make_user(role))
    assert client.get("/admin/audit").status_code == 403


def test_the_moderation_part_stays_one_query_per_kind(client, login, everything, count_queries):
    login(everything["admin"])
    with count_queries() as few:
        client.get("/admin/audit")
    for number in range(5):
        audit.record(everything["admin"], "idea.pin", "idea", everything["idea"].id)
        audit.record(everything["admin"], "webhook.update", "webhook", number + 1000)
    db.session.commit()
    with count_queries() as many:
        client.get("/admin/audit")
    assert len(many) == len(few)
