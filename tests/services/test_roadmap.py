"""The roadmap: items, linking ideas, status propagation, telling supporters once, visibility."""

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.models.idea import Idea, IdeaStatusChange
from app.models.notification import Notification
from app.models.outbox import OutboxMessage
from app.models.roadmap import RoadmapIdea, RoadmapItem
from app.models.user import User
from app.services import follows, ideas, roadmap, votes
from tests.factories import make_idea, make_roadmap_item, make_user

ANONYMOUS = AnonymousUserMixin()


@pytest.fixture
def pm(app) -> User:
    return make_user("product_manager", name="Pat Manager")


def status_of(idea_id: int) -> str:
    return db.session.scalar(select(Idea.status).where(Idea.id == idea_id))


def changes_of(idea_id: int) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(IdeaStatusChange.from_status, IdeaStatusChange.to_status)
        .where(IdeaStatusChange.idea_id == idea_id)
        .order_by(IdeaStatusChange.id)
    )
    return [tuple(row) for row in rows]


def notifications_of(user: User) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def link_count(item: RoadmapItem) -> int:
    return db.session.scalar(
        select(func.count()).select_from(RoadmapIdea).where(RoadmapIdea.roadmap_item_id == item.id)
    )


def vote(user: User, idea: Idea) -> None:
    votes.cast_vote(user, idea)
    db.session.commit()


# --- creating and editing --------------------------------------------------------------------


def test_staff_create_an_item_with_all_its_fields(pm):
    item = make_roadmap_item(
        pm,
        "  Scheduled   reports ",
        description="Send **any** report on a schedule.",
        target="2027 Q1",
        is_public=False,
        impact=4,
        effort=2,
    )
    stored = db.session.get(RoadmapItem, item.id)
    assert (stored.title, stored.status, stored.is_public, stored.target) == (
        "Scheduled reports",
        "planned",
        False,
        "2027 Q1",
    )
    assert (stored.impact, stored.effort, stored.shipped_at) == (4, 2, None)
    assert "<strong>any</strong>" in stored.description_html


def test_members_cannot_create_or_change_items(pm):
    member = make_user()
    item = make_roadmap_item(pm)
    with pytest.raises(Forbidden):
        roadmap.create_item(member, "A roadmap item")
    with pytest.raises(Forbidden):
        roadmap.update_item(member, item, title="Renamed by a member")
    with pytest.raises(Forbidden):
        roadmap.change_status(member, item, "shipped")
    with pytest.raises(Forbidden):
        roadmap.link_idea(member, item, make_idea().id)


def test_invalid_fields_are_all_reported_and_nothing_is_saved(pm):
    with pytest.raises(Invalid) as error:
        roadmap.create_item(pm, "ab", target="x" * 41, impact=7, effort=True, status="someday")
    assert set(error.value.fields) == {"title", "target", "impact", "effort", "status"}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(RoadmapItem)) == 0


def test_update_changes_only_the_given_fields(pm):
    item = make_roadmap_item(pm, target="2027 Q1", impact=3)
    roadmap.update_item(pm, item, description="Now with *details*.", impact=None)
    db.session.commit()
    stored = db.session.get(RoadmapItem, item.id)
    assert (stored.title, stored.target, stored.impact) == ("CSV export for every report", "2027 Q1", None)
    assert "<em>details</em>" in stored.description_html


def test_changing_to_the_same_status_is_a_conflict(pm):
    item = make_roadmap_item(pm)
    with pytest.raises(Conflict):
        roadmap.change_status(pm, item, "planned")
    with pytest.raises(Invalid):
        roadmap.change_status(pm, item, "someday")


# --- linking ideas ---------------------------------------------------------------------------


def test_linking_twice_makes_one_link_and_one_status_change(pm):
    item = make_roadmap_item(pm)
    idea = make_idea(title="Export reports to CSV")
    assert roadmap.link_idea(pm, item, idea.id) is True
    db.session.commit()
    assert roadmap.link_idea(pm, item, idea.id) is False
    db.session.commit()
    assert link_count(item) == 1
    assert status_of(idea.id) == "planned"
    assert changes_of(idea.id) == [("open", "planned")]


def test_unlinking_twice_is_fine_and_the_idea_keeps_its_status(pm):
    item = make_roadmap_item(pm)
    idea = make_idea()
    roadmap.link_idea(pm, item, idea.id)
    db.session.commit()
    assert roadmap.unlink_idea(pm, item, idea.id) is True
    assert roadmap.unlink_idea(pm, item, idea.id) is False
    db.session.commit()
    assert link_count(item) == 0
    assert status_of(idea.id) == "planned"


def test_linking_with_plan_false_keeps_the_idea_open(pm):
    item = make_roadmap_item(pm)
    idea = make_idea()
    roadmap.link_idea(pm, item, idea.id, plan=False)
    db.session.commit()
    assert link_count(item) == 1
    assert status_of(idea.id) == "open"
    assert changes_of(idea.id) == []


def test_an_idea_in_progress_linked_to_a_planned_item_stays_in_progress(pm):
    item = make_roadmap_item(pm)
    idea = make_idea()
    ideas.change_status(pm, idea, "in_progress")
    db.session.commit()
    roadmap.link_idea(pm, item, idea.id)
    db.session.commit()
    assert status_of(idea.id) == "in_progress"


def test_linking_an_unknown_or_merged_idea_is_refused(pm):
    item = make_roadmap_item(pm)
    with pytest.raises(Invalid) as error:
        roadmap.link_idea(pm, item, 9999)
    assert "idea_id" in error.value.fields
    with pytest.raises(Invalid):
        roadmap.link_idea(pm, item, "12")
    target, merged = make_idea(title="The idea that stays"), make_idea(title="The idea merged away")
    merged.status, merged.merged_into_id = "merged", target.id
    db.session.commit()
    with pytest.raises(Conflict):
        roadmap.link_idea(pm, item, merged.id)


def test_the_picker_finds_ideas_not_linked_yet(pm):
    item = make_roadmap_item(pm)
    linked = make_idea(title="Export reports to CSV")
    other = make_idea(title="Export reports to PDF")
    make_idea(title="Dark mode for the app")
    roadmap.link_idea(pm, item, linked.id)
    db.session.commit()
    assert [idea.id for idea in roadmap.idea_choices(pm, "export reports", item)] == [other.id]
    assert [idea.id for idea in roadmap.idea_choices(pm, f"#{other.id}", item)] == [other.id]
    assert roadmap.idea_choices(pm, "  ", item) == []
    with pytest.raises(Forbidden):
        roadmap.idea_choices(make_user(), "export")


def test_item_choices_leave_out_cancelled_items(pm):
    kept = make_roadmap_item(pm, "An item to keep")
    gone = make_roadmap_item(pm, "An item to cancel")
    roadmap.change_status(pm, gone, "cancelled")
    db.session.commit()
    assert [item.id for item in roadmap.item_choices(pm)] == [kept.id]
    with pytest.raises(Forbidden):
        roadmap.item_choices(make_user())


# --- status propagation ----------------------------------------------------------------------


def test_shipping_moves_linked_ideas_to_shipped_and_records_the_changes(pm):
    item = make_roadmap_item(pm)
    open_idea = make_idea(title="An open idea to ship")
    planned = make_idea(title="A planned idea to ship")
    declined = make_idea(title="A declined idea stays")
    roadmap.link_idea(pm, item, open_idea.id, plan=False)
    roadmap.link_idea(pm, item, planned.id)
    ideas.change_status(pm, declined, "declined", "Not for now.")
    roadmap.link_idea(pm, item, declined.id)
    db.session.commit()

    roadmap.change_status(pm, item, "in_progress")
    db.session.commit()
    assert {status_of(open_idea.id), status_of(planned.id)} == {"in_progress"}

    roadmap.change_status(pm, item, "shipped", "Every report has a **CSV** button now.")
    db.session.commit()
    assert status_of(open_idea.id) == status_of(planned.id) == "shipped"
    assert status_of(declined.id) == "declined"
    assert changes_of(planned.id) == [
        ("open", "planned"),
        ("planned", "in_progress"),
        ("in_progress", "shipped"),
    ]
    assert changes_of(open_idea.id)[-1] == ("in_progress", "shipped")
    stored = db.session.get(RoadmapItem, item.id)
    assert stored.shipped_at is not None
    assert "<strong>CSV</strong>" in stored.release_note_html
    note = db.session.scalar(
        select(IdeaStatusChange.note)
        .where(IdeaStatusChange.idea_id == planned.id)
        .order_by(IdeaStatusChange.id.desc())
    )
    assert "CSV export for every report" in note


def test_cancelling_leaves_the_ideas_as_they_are(pm):
    item = make_roadmap_item(pm)
    idea = make_idea()
    roadmap.link_idea(pm, item, idea.id)
    roadmap.change_status(pm, item, "cancelled")
    db.session.commit()
    assert status_of(idea.id) == "planned"


# --- telling supporters once -----------------------------------------------------------------


def test_each_supporter_hears_once_and_the_actor_not_at_all(pm):
    item = make_roadmap_item(pm)
    first, second, third = (make_idea(title=f"Linked idea number {n}") for n in (1, 2, 3))
    fan = make_user(name="Fan of two")
    vote(fan, first)
    vote(fan, second)
    follows.follow_idea(fan, third)
    vote(pm, first)  # the actor supports one too
    for idea in (first, second, third):
        roadmap.link_idea(pm, item, idea.id)
    db.session.commit()
    before = {user.id: len(notifications_of(user)) for user in (fan, pm)}

    roadmap.change_status(pm, item, "shipped", "CSV everywhere.")
    db.session.commit()

    new = notifications_of(fan)[before[fan.id] :]
    assert len(new) == 1
    assert new[0].message == (
        "“Linked idea number 1”, “Linked idea number 2” and “Linked idea number 3” shipped — you support"
        " them. Roadmap: “CSV export for every report”. CSV everywhere."
    )
    assert new[0].url == f"/roadmap/{item.id}"
    assert len(notifications_of(pm)) == before[pm.id] == 0
    # Each idea's author (who voted for and follows it) hears once too, of their own idea.
    for idea in (first, second, third):
        author = db.session.get(User, idea.author_id)
        shipped = [n.message for n in notifications_of(author) if "shipped" in n.message]
        assert shipped == [
            f"“{idea.title}” shipped — you proposed it."
            " Roadmap: “CSV export for every report”. CSV everywhere."
        ]


def test_supporters_who_want_email_at_once_get_one_email(pm):
    item = make_roadmap_item(pm)
    first, second = make_idea(title="Linked idea one"), make_idea(title="Linked idea two")
    fan = make_user()
    fan.email_notifications = "immediately"
    vote(fan, first)
    vote(fan, second)
    roadmap.link_idea(pm, item, first.id)
    roadmap.link_idea(pm, item, second.id)
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))

    roadmap.change_status(pm, item, "shipped", "Done.")
    db.session.commit()
    mails = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))[before:]
    to_fan = [mail for mail in mails if mail.payload["to"] == fan.email]
    assert len(to_fan) == 1
    assert "Done." in to_fan[0].payload["text"]


def test_a_private_item_is_never_named_to_supporters(pm):
    item = make_roadmap_item(pm, "Secret partner integration", is_public=False)
    first, second = make_idea(title="Sync with our CRM"), make_idea(title="Sync with our ERP")
    fan = make_user()
    vote(fan, first)
    vote(fan, second)
    roadmap.link_idea(pm, item, first.id)
    roadmap.link_idea(pm, item, second.id)
    db.session.commit()
    before = len(notifications_of(fan))

    roadmap.change_status(pm, item, "shipped", "The secret is out.")
    db.session.commit()

    new = notifications_of(fan)[before:]
    assert len(new) == 1
    assert "Secret" not in new[0].message
    assert "secret" not in new[0].message
    assert "Sync with our CRM" in new[0].message
    assert "Sync with our ERP" in new[0].message
    assert new[0].url.startswith("/ideas/")
    notes = db.session.scalars(select(IdeaStatusChange.note).where(IdeaStatusChange.idea_id == first.id))
    assert all("Secret" not in note for note in notes)
    # The author of the first idea supports only that one and hears only of it.
    author = db.session.get(User, first.author_id)
    assert notifications_of(author)[-1].message == "“Sync with our CRM” shipped — you proposed it."


def test_a_private_change_that_moves_no_idea_tells_nobody(pm):
    item = make_roadmap_item(pm, "Secret partner integration", is_public=False)
    idea = make_idea()
    roadmap.link_idea(pm, item, idea.id)
    db.session.commit()
    author = db.session.get(User, idea.author_id)
    before = len(notifications_of(author))
    roadmap.change_status(pm, item, "cancelled")
    db.session.commit()
    assert len(notifications_of(author)) == before


# --- reading ---------------------------------------------------------------------------------


def test_demand_counts_distinct_voters_over_the_linked_ideas(pm):
    item, empty = make_roadmap_item(pm), make_roadmap_item(pm, "Nothing linked here")
    first, second = make_idea(title="First linked idea"), make_idea(title="Second linked idea")
    both, one = make_user(), make_user()
    vote(both, first)
    vote(both, second)
    vote(one, second)
    roadmap.link_idea(pm, item, first.id)
    roadmap.link_idea(pm, item, second.id)
    db.session.commit()
    # The two authors, `both` once, and `one`.
    assert roadmap.demand([item.id, empty.id]) == {item.id: 4, empty.id: 0}


def test_the_board_has_three_columns_most_wanted_first(pm):
    quiet, wanted = make_roadmap_item(pm, "A quiet item"), make_roadmap_item(pm, "A wanted item")
    doing, done, dropped = (
        make_roadmap_item(pm, "Being built"),
        make_roadmap_item(pm, "Already done"),
        make_roadmap_item(pm, "Dropped"),
    )
    idea = make_idea()
    roadmap.link_idea(pm, wanted, idea.id)
    roadmap.change_status(pm, doing, "in_progress")
    roadmap.change_status(pm, done, "shipped")
    roadmap.change_status(pm, dropped, "cancelled")
    db.session.commit()
    columns = roadmap.board(ANONYMOUS)
    assert [[card.item.id for card in columns[status]] for status in roadmap.COLUMNS] == [
        [wanted.id, quiet.id],
        [doing.id],
        [done.id],
    ]
    assert columns["planned"][0].demand == 1
    assert [linked.id for linked in columns["planned"][0].ideas] == [idea.id]


def test_a_board_card_names_its_most_voted_ideas_and_counts_the_others_a_viewer_may_see(pm):
    item = make_roadmap_item(pm, "Better reports")
    linked = [make_idea(title=f"Report idea {number}") for number in range(5)]
    for number, idea in enumerate(linked):
        roadmap.link_idea(pm, item, idea.id, plan=False)
        for _ in range(number):
            votes.cast_vote(make_user(), idea)
    hidden = linked[4]
    hidden.hidden_at = hidden.created_at
    make_roadmap_item(pm, "Nothing linked yet")
    db.session.commit()

    card = roadmap.board(ANONYMOUS)["planned"][0]
    assert card.item.id == item.id
    assert [idea.id for idea in card.ideas] == [linked[3].id, linked[2].id, linked[1].id]
    assert card.idea_count == 4
    staff_card = roadmap.board(make_user("moderator"))["planned"][0]
    assert [idea.id for idea in staff_card.ideas] == [linked[4].id, linked[3].id, linked[2].id]
    assert staff_card.idea_count == 5
    empty = roadmap.board(ANONYMOUS)["planned"][1]
    assert (empty.ideas, empty.idea_count) == ([], 0)
    # The item's own page lists every idea the viewer may see.
    page = roadmap.item_page(ANONYMOUS, item.id)
    assert [idea.id for idea in page.ideas] == [idea.id for idea in reversed(linked[:4])]


def test_private_items_are_for_staff_only(pm):
    public = make_roadmap_item(pm, "A public item")
    private = make_roadmap_item(pm, "A private item", is_public=False)
    idea = make_idea()
    roadmap.link_idea(pm, public, idea.id)
    roadmap.link_idea(pm, private, idea.id)
    roadmap.change_status(pm, public, "shipped")
    roadmap.change_status(pm, private, "shipped")
    db.session.commit()
    admin = make_user("admin")

    for viewer in (ANONYMOUS, make_user(), make_user("moderator")):
        assert [card.item.id for card in roadmap.board(viewer)["shipped"]] == [public.id]
        assert [item.id for item in roadmap.changelog(viewer).items] == [public.id]
        assert [item.id for item in roadmap.list_items(viewer).items] == [public.id]
        assert [item.id for item in roadmap.items_for_ideas(viewer, [idea.id])[idea.id]] == [public.id]
        with pytest.raises(NotFound):
            roadmap.get_item(viewer, private.id)
        with pytest.raises(NotFound):
            roadmap.item_page(viewer, private.id)
    for viewer in (pm, admin):
        assert {item.id for item in roadmap.changelog(viewer).items} == {public.id, private.id}
        assert len(roadmap.items_for_ideas(viewer, [idea.id])[idea.id]) == 2
        assert roadmap.get_item(viewer, private.id).id == private.id


def test_the_changelog_lists_shipped_items_newest_first(pm):
    first, second, later = (
        make_roadmap_item(pm, "Shipped first"),
        make_roadmap_item(pm, "Shipped second"),
        make_roadmap_item(pm, "Not yet"),
    )
    roadmap.change_status(pm, first, "shipped", "One.")
    db.session.commit()
    roadmap.change_status(pm, second, "shipped", "Two.")
    db.session.commit()
    entries = roadmap.changelog_page(ANONYMOUS)
    assert [item.id for item in entries.page.items] == [second.id, first.id]
    assert later.id not in entries.ideas


def test_items_for_ideas_answers_every_idea_asked(pm):
    item = make_roadmap_item(pm)
    linked, alone = make_idea(title="A linked idea"), make_idea(title="An idea alone")
    roadmap.link_idea(pm, item, linked.id)
    db.session.commit()
    found = roadmap.items_for_ideas(ANONYMOUS, [linked.id, alone.id])
    assert {key: [i.id for i in value] for key, value in found.items()} == {
        linked.id: [item.id],
        alone.id: [],
    }


def test_shipping_names_the_idea_each_person_supported_and_how(pm, app):
    item = make_roadmap_item(pm, "Themes for everyone")
    author = make_user(name="Ann Author")
    dark = make_idea(author, title="Dark mode")
    voter, watcher = make_user(), make_user()
    voter.email_notifications = "immediately"
    vote(voter, dark)
    follows.follow_idea(watcher, dark)
    roadmap.link_idea(pm, item, dark.id)
    db.session.commit()

    roadmap.change_status(pm, item, "shipped", "Switch it on under **Settings**.")
    db.session.commit()

    tail = "Roadmap: “Themes for everyone”. Switch it on under Settings."
    assert notifications_of(voter)[-1].message == f"“Dark mode” shipped — you voted for it. {tail}"
    assert notifications_of(author)[-1].message == f"“Dark mode” shipped — you proposed it. {tail}"
    assert notifications_of(watcher)[-1].message == f"“Dark mode” shipped — you follow it. {tail}"
    [mail] = [
        mail
        for mail in db.session.scalars(select(OutboxMessage))
        if mail.payload.get("to") == voter.email and "shipped" in mail.payload["subject"]
    ]
    assert mail.payload["subject"] == f"[{app.config['SITE_NAME']}] “Dark mode” shipped — you voted for it"
    assert f"“Dark mode” shipped — you voted for it. {tail}" in mail.payload["text"]


def test_a_voter_of_several_linked_ideas_hears_them_named_once(pm):
    item = make_roadmap_item(pm, "Exports")
    first, second = make_idea(title="Export to CSV"), make_idea(title="Export to Excel")
    fan = make_user()
    vote(fan, first)
    vote(fan, second)
    for idea in (first, second):
        roadmap.link_idea(pm, item, idea.id)
    db.session.commit()
    before = len(notifications_of(fan))

    roadmap.change_status(pm, item, "in_progress")
    db.session.commit()

    [news] = notifications_of(fan)[before:]
    assert news.message == (
        "“Export to CSV” and “Export to Excel” are now in progress — you voted for them. Roadmap: “Exports”."
    )


def test_an_item_whose_title_is_the_ideas_is_not_named_twice(pm):
    item = make_roadmap_item(pm, "Dark mode")
    idea = make_idea(title="Dark mode")
    roadmap.link_idea(pm, item, idea.id)
    db.session.commit()
    roadmap.change_status(pm, item, "shipped")
    db.session.commit()
    author = db.session.get(User, idea.author_id)
    assert notifications_of(author)[-1].message == "“Dark mode” shipped — you proposed it."
