"""The staff dashboard: ranking orders, filters, recent votes, segments, bulk status, response times."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.errors import Conflict, Forbidden, Invalid, Unauthorized
from app.extensions import db
from app.models.idea import Idea, IdeaStatusChange
from app.models.moderation import AuditEntry
from app.services import categories, comments, dashboard, ideas, roadmap, segments, votes
from app.services.dashboard import Filters
from tests.factories import make_idea, make_user

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def pm(app):
    return make_user(role="product_manager", name="Pat PM")


def voters(count: int) -> list:
    return [make_user() for _ in range(count)]


def vote(idea: Idea, people: list, when: datetime = NOW) -> None:
    """Votes cast at `when` (the trending score follows the vote times)."""
    for person in people:
        votes.add_vote(idea, person.id, voted_at=when)
    db.session.commit()


def idea_at(title: str, created: datetime, category: str | None = None) -> Idea:
    """An idea proposed at `created`, its author's vote cast then too."""
    author = make_user()
    idea = make_idea(author, title=title, category=category)
    votes.remove_vote(idea, author.id)
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(created_at=created, updated_at=created))
    votes.add_vote(idea, author.id, voted_at=created)
    db.session.commit()
    db.session.refresh(idea)
    return idea


def mark_merged(idea: Idea, into: Idea) -> None:
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(status="merged", merged_into_id=into.id))


def titles(page) -> list[str]:
    return [row.idea.title for row in page.items]


def ranked(actor, now: datetime = NOW, **filters) -> list[str]:
    return titles(dashboard.top_ideas(actor, Filters(**filters), now=now))


@pytest.fixture
def three(app):
    """Old favourite: many old votes. Hot now: fewer, recent votes. Talked about: most comments."""
    old = idea_at("Old favourite with many votes", NOW - timedelta(days=200))
    vote(old, voters(5), NOW - timedelta(days=120))
    hot = idea_at("Hot now with recent votes", NOW - timedelta(days=10))
    vote(hot, voters(3), NOW - timedelta(days=2))
    talked = idea_at("Talked about a lot lately", NOW - timedelta(days=60))
    vote(talked, voters(1), NOW - timedelta(days=45))
    for number in range(3):
        comments.add_comment(make_user(), talked, f"Comment {number}")
    db.session.commit()
    return old, hot, talked


def test_each_sort_has_its_order(pm, three):
    old, hot, talked = three
    # Votes: 6, 4, 3.
    assert ranked(pm, sort="votes") == [old.title, hot.title, talked.title]
    # Trending: recent votes weigh more than many old ones.
    assert ranked(pm, sort="trending") == [hot.title, talked.title, old.title]
    # Votes in 30 days: 4 (three plus its author's 10 days ago), then none (ties by votes).
    assert ranked(pm, sort="recent") == [hot.title, old.title, talked.title]
    assert ranked(pm, sort="comments") == [talked.title, hot.title, old.title]


def test_the_recent_order_pages_through_ideas_with_and_then_without_recent_votes(pm):
    busy = idea_at("Three votes this week", NOW - timedelta(days=5))
    vote(busy, voters(2), NOW - timedelta(days=1))
    fresh = idea_at("One vote this week", NOW - timedelta(days=3))
    revived = idea_at("Old idea with one new vote", NOW - timedelta(days=100))
    vote(revived, voters(2), NOW - timedelta(days=90))
    vote(revived, voters(1), NOW - timedelta(days=2))
    old = idea_at("Old idea with old votes only", NOW - timedelta(days=100))
    vote(old, voters(3), NOW - timedelta(days=60))
    oldest = idea_at("The oldest idea", NOW - timedelta(days=200))
    # A vote cast and taken back this week leaves its day at 0: no recent vote.
    withdrawn = idea_at("A vote cast and taken back", NOW - timedelta(days=200))
    fickle = make_user()
    vote(withdrawn, [fickle], NOW - timedelta(days=2))
    votes.remove_vote(withdrawn, fickle.id)
    db.session.commit()
    # Most recent votes first, ties by votes; then the ideas without recent votes, by votes.
    expected = [
        (busy.title, 3),
        (revived.title, 1),
        (fresh.title, 1),
        (old.title, 0),
        (withdrawn.title, 0),
        (oldest.title, 0),
    ]
    every, _ = dashboard.all_ranked(pm, Filters(sort="recent"), now=NOW)
    assert [(row.idea.title, row.votes_30d) for row in every] == expected
    for per_page in (1, 2, 4, 6):
        pages = [
            dashboard.top_ideas(pm, Filters(sort="recent"), page=number, per_page=per_page, now=NOW).items
            for number in range(1, -(-6 // per_page) + 2)
        ]
        rows = [row for page in pages for row in page]
        assert [(row.idea.title, row.votes_30d) for row in rows] == expected, per_page
        assert [row.rank for row in rows] == list(range(1, 7))
        assert pages[-1] == []


def test_rows_carry_rank_and_votes_in_the_last_30_days(pm, three):
    old, hot, talked = three
    page = dashboard.top_ideas(pm, Filters(sort="votes"), page=1, per_page=2, now=NOW)
    assert page.total == 3
    assert [(row.rank, row.idea.title, row.votes_30d) for row in page.items] == [
        (1, old.title, 0),
        (2, hot.title, 4),
    ]
    second = dashboard.top_ideas(pm, Filters(sort="votes"), page=2, per_page=2, now=NOW)
    assert [(row.rank, row.idea.title) for row in second.items] == [(3, talked.title)]
    # A vote exactly 30 days old still counts; one a second older does not.
    edge = idea_at("Votes at the edge of the window", NOW - timedelta(days=90))
    vote(edge, voters(1), NOW - timedelta(days=30))
    vote(edge, voters(1), NOW - timedelta(days=30, seconds=1))
    rows = {row.idea.id: row for row in dashboard.top_ideas(pm, Filters(), now=NOW).items}
    assert rows[edge.id].votes_30d == 1
    assert rows[edge.id].weighted_votes is None


def test_filters_by_category_and_status(pm, three):
    old, hot, talked = three
    admin = make_user(role="admin")
    categories.create_category(admin, "Reporting")
    ideas.update_idea(admin, hot, category="reporting")
    ideas.change_status(pm, talked, "planned", "Soon")
    db.session.commit()
    assert ranked(pm, category="reporting") == [hot.title]
    assert ranked(pm, category="no-such-category") == []
    assert ranked(pm, status="planned") == [talked.title]
    assert ranked(pm, status="open") == [old.title, hot.title]


def test_filters_by_date_range_include_both_days(pm, three):
    old, hot, talked = three
    created = {idea.title: idea.created_at.date() for idea in three}
    assert ranked(pm, created_from=created[talked.title]) == [hot.title, talked.title]
    assert ranked(pm, created_to=created[talked.title]) == [old.title, talked.title]
    day = created[hot.title]
    assert ranked(pm, created_from=day, created_to=day) == [hot.title]
    with pytest.raises(Invalid) as error:
        dashboard.top_ideas(pm, Filters(created_from=day, created_to=day - timedelta(days=1)), now=NOW)
    assert "before the start date" in error.value.fields["to"][0]


def test_unlinked_shows_ideas_without_a_roadmap_item(pm, three):
    old, hot, talked = three
    item = roadmap.create_item(pm, "Better reports", status="planned")
    roadmap.link_idea(pm, item, old.id, plan=False)
    db.session.commit()
    assert ranked(pm, unlinked=True) == [hot.title, talked.title]
    rows = {row.idea.id: row for row in dashboard.top_ideas(pm, Filters(), now=NOW).items}
    assert [entry.title for entry in rows[old.id].roadmap_items] == ["Better reports"]
    assert rows[hot.id].roadmap_items == []


def test_unanswered_shows_ideas_without_a_staff_response(pm, three):
    old, hot, talked = three
    # A member's comment is no staff response; a staff comment and a status change are.
    comments.add_comment(make_user(), old, "Me too")
    comments.add_comment(pm, hot, "Thanks, we are looking at it.")
    ideas.change_status(pm, talked, "under_review")
    db.session.commit()
    assert ranked(pm, unanswered=True) == [old.title]
    # Staff internal notes are not public replies either.
    comments.add_internal_note(pm, old, "Ask sales about this")
    db.session.commit()
    assert ranked(pm, unanswered=True) == [old.title]


def test_deleted_hidden_and_merged_ideas_are_left_out(pm, three):
    old, hot, talked = three
    moderator = make_user(role="admin")
    hidden = idea_at("Spam that a moderator hid", NOW - timedelta(days=1))
    db.session.execute(update(Idea).where(Idea.id == hidden.id).values(hidden_at=NOW, hidden_reason="spam"))
    db.session.execute(update(Idea).where(Idea.id == old.id).values(deleted_at=NOW))
    db.session.execute(
        update(Idea).where(Idea.id == hot.id).values(status="merged", merged_into_id=talked.id)
    )
    db.session.commit()
    assert ranked(pm) == [talked.title]
    assert ranked(moderator) == [talked.title]
    with pytest.raises(Invalid):
        dashboard.top_ideas(pm, Filters(status="merged"), now=NOW)


def test_bad_sort_is_refused(pm):
    with pytest.raises(Invalid) as error:
        dashboard.top_ideas(pm, Filters(sort="loudest"), now=NOW)
    assert "sort" in error.value.fields


def test_only_staff_see_the_dashboard(app):
    from flask_login import AnonymousUserMixin

    for role in ("member", "moderator"):
        with pytest.raises(Forbidden):
            dashboard.top_ideas(make_user(role=role), Filters())
        with pytest.raises(Forbidden):
            dashboard.response_panel(make_user(role=role))
    with pytest.raises(Unauthorized):
        dashboard.top_ideas(AnonymousUserMixin(), Filters())


# ---- Segments ----


@pytest.fixture
def segmented(pm):
    """Enterprise (weight 3) and Startup (weight 1.5) voters on two ideas."""
    admin = make_user(role="admin")
    enterprise = segments.create_segment(admin, "Enterprise", 3)
    startup = segments.create_segment(admin, "Startup", 1.5)
    big = voters(2)
    small = voters(1)
    both = voters(1)
    plain = voters(2)
    for person in big + both:
        segments.assign_emails(admin, enterprise, person.email)
    for person in small + both:
        segments.assign_emails(admin, startup, person.email)
    db.session.commit()
    wide = idea_at("Wanted by plain members", NOW - timedelta(days=5))  # author: plain
    vote(wide, plain + small)  # 4 raw: 1 + 2 plain, 1 startup (1.5) → 4.5
    rich = idea_at("Wanted by enterprise", NOW - timedelta(days=5))
    vote(rich, big + both)  # 4 raw: 1 plain + 3 enterprise (3 each; both counts at 3) → 10
    return enterprise, startup, wide, rich


def test_segment_votes_count_each_segments_voters(pm, segmented):
    enterprise, startup, wide, rich = segmented
    rows = {row.idea.id: row for row in dashboard.top_ideas(pm, Filters(), now=NOW).items}
    assert rows[wide.id].segment_votes == {startup.id: 1}
    # The voter in both segments counts in both.
    assert rows[rich.id].segment_votes == {enterprise.id: 3, startup.id: 1}
    page = dashboard.top_ideas(pm, Filters(), now=NOW)
    assert [segment.name for segment in page.segments] == ["Enterprise", "Startup"]


def test_weighted_votes_sit_beside_raw_counts(pm, segmented):
    enterprise, startup, wide, rich = segmented
    raw = dashboard.top_ideas(pm, Filters(sort="votes"), now=NOW)
    # Equal raw votes: the newer idea first; no weights unless asked.
    assert [(row.idea.title, row.idea.vote_count, row.weighted_votes) for row in raw.items] == [
        (rich.title, 4, None),
        (wide.title, 4, None),
    ]
    weighted = dashboard.top_ideas(pm, Filters(sort="votes", weighted=True), now=NOW)
    assert [(row.idea.title, row.idea.vote_count, row.weighted_votes) for row in weighted.items] == [
        (rich.title, 4, pytest.approx(10.0)),
        (wide.title, 4, pytest.approx(4.5)),
    ]
    # Changing a weight changes the weighted count only.
    segments.update_segment(make_user(role="admin"), enterprise, weight=0.5)
    db.session.commit()
    by_weight = dashboard.top_ideas(pm, Filters(sort="weighted"), now=NOW)
    assert [(row.idea.title, row.idea.vote_count, row.weighted_votes) for row in by_weight.items] == [
        (wide.title, 4, pytest.approx(4.5)),
        # The voter in both segments now counts at Startup's 1.5, the larger weight.
        (rich.title, 4, pytest.approx(1 + 0.5 + 0.5 + 1.5)),
    ]


def test_the_weighted_sort_ranks_by_weighted_votes(pm, segmented):
    enterprise, startup, wide, rich = segmented
    vote(wide, voters(2))  # 6 raw, 6.5 weighted; rich stays 4 raw, 10 weighted
    assert ranked(pm, sort="votes") == [wide.title, rich.title]
    assert ranked(pm, sort="weighted") == [rich.title, wide.title]
    page = dashboard.top_ideas(pm, Filters(sort="weighted"), now=NOW)
    assert [row.weighted_votes for row in page.items] == [pytest.approx(10.0), pytest.approx(6.5)]
    assert page.filters.weighing


# ---- Fixed number of queries ----


def test_top_ideas_takes_a_fixed_number_of_queries(pm, count_queries):
    admin = make_user(role="admin")
    segment = segments.create_segment(admin, "Enterprise", 2)
    first = idea_at("The first idea", NOW - timedelta(days=3))
    db.session.commit()

    def queries(filters: Filters) -> int:
        with count_queries() as statements:
            page = dashboard.top_ideas(pm, filters, per_page=50, now=NOW)
            # Everything a row shows is loaded already.
            names = [row.idea.author.display_name for row in page.items]
            assert len(names) == len(page.items)
        return len(statements)

    shapes = [
        Filters(),
        Filters(weighted=True),
        Filters(sort="weighted"),
        Filters(sort="recent", unanswered=True),
    ]
    few = [queries(filters) for filters in shapes]
    item = roadmap.create_item(pm, "Reports", status="planned")
    roadmap.link_idea(pm, item, first.id)
    categories.create_category(admin, "Reporting")
    for number in range(12):
        idea = idea_at(
            f"Idea number {number}", NOW - timedelta(days=number), "reporting" if number % 2 else None
        )
        people = voters(2)
        vote(idea, people)
        segments.assign_emails(admin, segment, people[0].email)
        roadmap.link_idea(pm, item, idea.id, plan=False)
    segments.create_segment(admin, "Startup", 1)
    db.session.commit()
    assert [queries(filters) for filters in shapes] == few


# ---- Bulk status ----


def test_bulk_status_changes_each_idea_once_and_skips_those_already_there(pm, three):
    old, hot, talked = three
    ideas.change_status(pm, hot, "under_review")
    db.session.commit()
    result = dashboard.bulk_change_status(pm, [old.id, hot.id, talked.id, old.id], "under_review", "Looking")
    db.session.commit()
    assert (result.changed, result.unchanged) == (2, 1)
    assert dashboard.bulk_message(result) == "2 ideas moved to “Under review”. 1 was “Under review” already."
    assert {idea.status for idea in (old, hot, talked)} == {"under_review"}
    changes = db.session.scalars(select(IdeaStatusChange).where(IdeaStatusChange.note == "Looking")).all()
    assert sorted(change.idea_id for change in changes) == sorted([old.id, talked.id])
    assert db.session.scalar(select(Idea.first_staff_response_at).where(Idea.id == old.id)) is not None


@pytest.mark.parametrize(
    ("status", "note", "field"),
    [
        ("merged", "", "status"),
        ("finished", "", "status"),
        ("declined", "", "status_note"),
        ("planned", "x" * 2001, "status_note"),
    ],
)
def test_bulk_status_refuses_bad_values_and_changes_nothing(pm, three, status, note, field):
    with pytest.raises(Invalid) as error:
        dashboard.bulk_change_status(pm, [idea.id for idea in three], status, note)
    assert field in error.value.fields
    db.session.rollback()
    assert {idea.status for idea in three} == {"open"}


def test_bulk_status_is_all_or_nothing(pm, three):
    old, hot, talked = three
    with pytest.raises(Invalid) as error:
        dashboard.bulk_change_status(pm, [old.id, 999_999], "planned")
    assert "#999999" in error.value.fields["idea_ids"][0]
    with pytest.raises(Invalid):
        dashboard.bulk_change_status(pm, [], "planned")
    db.session.execute(
        update(Idea).where(Idea.id == talked.id).values(status="merged", merged_into_id=hot.id)
    )
    with pytest.raises(Conflict):
        dashboard.bulk_change_status(pm, [old.id, talked.id], "planned")
    db.session.rollback()
    assert db.session.scalar(select(IdeaStatusChange)) is None
    assert old.status == "open"
    with pytest.raises(Forbidden):
        dashboard.bulk_change_status(make_user(), [old.id], "planned")


# ---- Response times ----


def answer(idea: Idea, after: timedelta) -> None:
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values(first_staff_response_at=idea.created_at + after)
    )


def test_the_response_panel_lists_who_waits_longest_and_the_median(pm):
    oldest = idea_at("Waiting the longest", NOW - timedelta(days=200))
    middle = idea_at("Waiting a while", NOW - timedelta(days=20))
    newest = idea_at("Just proposed", NOW - timedelta(hours=3))
    declined = idea_at("Declined without a word", NOW - timedelta(days=300))
    db.session.execute(update(Idea).where(Idea.id == declined.id).values(status="declined"))
    answered = [idea_at(f"Answered {hours}", NOW - timedelta(days=10 + hours)) for hours in (1, 2, 3, 4)]
    for hours, idea in zip((2, 4, 10, 30), answered, strict=True):
        answer(idea, timedelta(hours=hours))
    # Answered, but proposed before the 90-day window: not in the median.
    ancient = idea_at("Answered long ago", NOW - timedelta(days=120))
    answer(ancient, timedelta(days=50))
    db.session.commit()
    panel = dashboard.response_panel(pm, now=NOW)
    assert [(entry.idea.title, entry.age) for entry in panel.waiting] == [
        (oldest.title, timedelta(days=200)),
        (middle.title, timedelta(days=20)),
        (newest.title, timedelta(hours=3)),
    ]
    # (4 h + 10 h) / 2 over 2, 4, 10 and 30 hours.
    assert panel.median == timedelta(hours=7)
    assert (panel.answered, panel.unanswered) == (4, 2)
    assert dashboard.duration_text(panel.median) == "7 h"


def test_the_response_panel_without_answers_has_no_median(pm):
    idea_at("Nobody answered", NOW - timedelta(days=1))
    panel = dashboard.response_panel(pm, now=NOW)
    assert panel.median is None
    assert (panel.answered, panel.unanswered) == (0, 1)
    assert dashboard.duration_text(None) == "—"


def test_the_waiting_list_stops_at_ten(pm):
    for number in range(12):
        idea_at(f"Waiting idea {number}", NOW - timedelta(days=number + 1))
    panel = dashboard.response_panel(pm, now=NOW)
    assert len(panel.waiting) == 10
    assert panel.waiting[0].idea.title == "Waiting idea 11"


def test_median_of_odd_and_even_counts():
    hours = [timedelta(hours=value) for value in (5, 1, 3)]
    assert dashboard.median(hours) == timedelta(hours=3)
    assert dashboard.median([*hours, timedelta(hours=8)]) == timedelta(hours=4)
    assert dashboard.median([]) is None
    assert dashboard.duration_text(timedelta(minutes=42)) == "42 min"
    assert dashboard.duration_text(timedelta(days=2, hours=5)) == "2 days 5 h"


def test_bulk_status_is_audited(pm, three):
    old = three[0]
    dashboard.bulk_change_status(pm, [old.id], "planned")
    db.session.commit()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "idea.status"))
    assert (entry.target_id, entry.after) == (old.id, "planned")


def test_date_filters_are_days_in_utc(pm):
    late = idea_at("Proposed late at night", datetime(2026, 3, 1, 23, 59, tzinfo=UTC))
    early = idea_at("Proposed early next day", datetime(2026, 3, 2, 0, 0, tzinfo=UTC))
    assert ranked(pm, created_to=date(2026, 3, 1)) == [late.title]
    assert ranked(pm, created_from=date(2026, 3, 2)) == [early.title]
