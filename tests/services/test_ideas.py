"""Ideas: proposing, editing, status changes and the lists (sorts, filters, pages)."""

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from app.errors import Conflict, Forbidden, Invalid, Unauthorized
from app.extensions import db
from app.models.base import utcnow
from app.models.idea import Idea, IdeaFollow, IdeaStatusChange, IdeaVote
from app.models.notification import Notification
from app.services import categories, ideas, votes
from tests.factories import make_idea, make_user

ANONYMOUS = AnonymousUserMixin()


def idea_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Idea))


def titles(result) -> list[str]:
    return [idea.title for idea in result.page.items]


# --- proposing -------------------------------------------------------------------------------


def test_create_stores_the_idea_with_the_authors_vote_and_follow(app):
    author = make_user()
    categories.create_category(None, "Reports")
    idea = ideas.create_idea(author, "  Export   reports  as CSV ", "Monthly **totals**.", "reports")
    db.session.commit()

    stored = ideas.get_idea(ANONYMOUS, idea.id)
    assert stored.title == "Export reports as CSV"  # trimmed, inner whitespace collapsed
    assert stored.body == "Monthly **totals**."
    assert "<strong>totals</strong>" in stored.body_html
    assert stored.category.slug == "reports"
    assert stored.author.id == author.id
    assert stored.status == "open"
    assert stored.vote_count == 1
    assert db.session.scalar(select(IdeaVote.user_id).where(IdeaVote.idea_id == idea.id)) == author.id
    assert db.session.scalar(select(IdeaFollow.user_id).where(IdeaFollow.idea_id == idea.id)) == author.id
    assert votes.has_voted(author, stored)


@pytest.mark.parametrize(
    ("title", "body", "category", "field", "message"),
    [
        ("  Abcd  ", "", None, "title", "at least 5 characters"),
        ("", "", None, "title", "at least 5 characters"),
        ("x" * 121, "", None, "title", "120 characters or fewer"),
        ("A fine title", "y" * 10_001, None, "body", "at most 10,000 characters"),
        ("A fine title", "", "no-such-category", "category", "Choose one of the listed categories"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_saved(
    app, title, body, category, field, message
):
    author = make_user()
    with pytest.raises(Invalid) as refused:
        ideas.create_idea(author, title, body, category)
    assert message in refused.value.fields[field][0]
    assert message in refused.value.message
    db.session.rollback()
    assert idea_count() == 0
    assert db.session.scalar(select(func.count()).select_from(IdeaVote)) == 0


def test_the_limits_themselves_are_allowed(app):
    author = make_user()
    short = ideas.create_idea(author, "  Abcde ", "")
    long = ideas.create_idea(author, "x" * 120, "y" * 10_000)
    db.session.commit()
    assert short.title == "Abcde"
    assert len(long.title) == 120
    assert len(long.body) == 10_000


def test_anonymous_cannot_propose(app):
    with pytest.raises(Unauthorized):
        ideas.create_idea(ANONYMOUS, "An anonymous idea")
    assert idea_count() == 0


# --- editing ---------------------------------------------------------------------------------


def test_author_edits_title_body_and_category(app):
    author = make_user()
    categories.create_category(None, "Reports")
    categories.create_category(None, "Mobile")
    idea = make_idea(author, "Export reports as CSV", "First text", "reports")

    ideas.update_idea(author, db.session.get(Idea, idea.id), title="Export reports as XLSX", body="Better")
    db.session.commit()
    stored = ideas.get_idea(author, idea.id)
    assert (stored.title, stored.body, stored.body_html.strip()) == (
        "Export reports as XLSX",
        "Better",
        "<p>Better</p>",
    )
    assert stored.category.slug == "reports"  # not sent, so unchanged

    ideas.update_idea(author, stored, category="mobile")
    db.session.commit()
    assert ideas.get_idea(author, idea.id).category.slug == "mobile"

    ideas.update_idea(author, ideas.get_idea(author, idea.id), category=None)
    db.session.commit()
    assert ideas.get_idea(author, idea.id).category is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " abc "}, "title"),
        ({"title": "z" * 121}, "title"),
        ({"body": "b" * 10_001}, "body"),
        ({"category": "nowhere"}, "category"),
    ],
)
def test_bad_edits_are_refused_and_nothing_changes(app, changes, field):
    author = make_user()
    idea = make_idea(author, "Original title", "Original body")
    with pytest.raises(Invalid) as refused:
        ideas.update_idea(author, ideas.get_idea(author, idea.id), **changes)
    assert field in refused.value.fields
    db.session.rollback()
    stored = db.session.get(Idea, idea.id)
    assert (stored.title, stored.body, stored.category_id) == ("Original title", "Original body", None)


def _aged(idea: Idea, minutes: int) -> Idea:
    idea.created_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()
    return idea


def test_author_may_edit_within_the_window(app):
    author = make_user()
    idea = _aged(make_idea(author, "Export reports as CSV"), 29)
    ideas.update_idea(author, idea, title="Edited at 29 minutes")
    db.session.commit()
    assert db.session.get(Idea, idea.id).title == "Edited at 29 minutes"


def test_author_may_not_edit_after_the_window(app):
    author = make_user()
    idea = _aged(make_idea(author, "Export reports as CSV"), 31)
    with pytest.raises(Forbidden):
        ideas.update_idea(author, idea, title="Edited at 31 minutes")
    db.session.rollback()
    assert db.session.get(Idea, idea.id).title == "Export reports as CSV"


@pytest.mark.parametrize("role", ["product_manager", "admin"])
def test_staff_may_edit_any_time(app, role):
    idea = _aged(make_idea(make_user(), "Export reports as CSV"), 60 * 24 * 365)
    ideas.update_idea(make_user(role), idea, title="Edited by staff")
    db.session.commit()
    assert db.session.get(Idea, idea.id).title == "Edited by staff"


def test_other_members_may_not_edit(app):
    idea = make_idea(make_user(), "Export reports as CSV")
    with pytest.raises(Forbidden):
        ideas.update_idea(make_user("member"), idea, title="Not mine to edit")


def test_moderators_edit_and_the_audit_log_keeps_before_and_after(app):
    from app.models.moderation import AuditEntry

    idea = make_idea(make_user(), title="Spammy title here")
    moderator = make_user("moderator")
    ideas.update_idea(moderator, idea, title="A cleaned-up title")
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.actor_id, entry.action, entry.target_id) == (moderator.id, "idea.edit", idea.id)
    assert entry.before.startswith("Spammy title here")
    assert entry.after.startswith("A cleaned-up title")


# --- status ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_staff_change_status(app, role):
    author = make_user()
    idea = make_idea(author, "Export reports as CSV")
    for actor in (author, make_user(role)):
        with pytest.raises(Forbidden):
            ideas.change_status(actor, idea, "planned")
    with pytest.raises(Unauthorized):
        ideas.change_status(ANONYMOUS, idea, "planned")
    db.session.rollback()
    assert db.session.get(Idea, idea.id).status == "open"
    assert db.session.scalar(select(func.count()).select_from(IdeaStatusChange)) == 0


@pytest.mark.parametrize(
    ("status", "note", "field", "message"),
    [
        ("declined", "", "status_note", "Say why"),
        ("declined", "   ", "status_note", "Say why"),
        ("merged", "", "status", "merge"),
        ("open", "", "status", "already"),
        ("someday", "", "status", "must be one of"),
        ("planned", "n" * 2001, "status_note", "2,000"),
    ],
)
def test_status_rules(app, status, note, field, message):
    idea = make_idea(make_user(), "Export reports as CSV")
    with pytest.raises(Invalid) as refused:
        ideas.change_status(make_user("product_manager"), idea, status, note)
    assert message in refused.value.fields[field][0]
    db.session.rollback()
    assert db.session.get(Idea, idea.id).status == "open"
    assert db.session.scalar(select(func.count()).select_from(IdeaStatusChange)) == 0


def test_a_merged_idea_keeps_its_status(app):
    target = make_idea(make_user(), "The surviving idea")
    idea = make_idea(make_user(), "Export reports as CSV")
    idea.status, idea.merged_into_id = "merged", target.id
    db.session.commit()
    with pytest.raises(Conflict):
        ideas.change_status(make_user("admin"), idea, "planned")


def test_every_status_change_is_kept_with_who_when_and_note(app):
    staff = make_user("product_manager", name="Pat")
    admin = make_user("admin", name="Ada")
    idea = make_idea(make_user(), "Export reports as CSV")
    before = utcnow()
    ideas.change_status(staff, idea, "planned", "  Next quarter.  ")
    ideas.change_status(admin, idea, "declined", "Out of scope after all.")
    db.session.commit()

    page = ideas.idea_page(ANONYMOUS, idea.id)
    assert page.idea.status == "declined"
    history = [(c.from_status, c.to_status, c.actor.display_name, c.note) for c in page.history]
    assert history == [
        ("open", "planned", "Pat", "Next quarter."),
        ("planned", "declined", "Ada", "Out of scope after all."),
    ]
    assert all(before <= change.created_at <= utcnow() for change in page.history)
    assert "<p>Next quarter.</p>" in page.history[0].note_html


def test_followers_are_notified_once_and_the_actor_never(app):
    author = make_user()
    voter = make_user()
    staff = make_user("product_manager")
    bystander = make_user()
    idea = make_idea(author, "Export reports as CSV")
    votes.cast_vote(voter, idea)
    votes.cast_vote(staff, idea)  # staff follow too by voting, but are not told of their own change
    ideas.change_status(staff, idea, "planned", "Soon.")
    db.session.commit()

    rows = db.session.execute(select(Notification.user_id, Notification.kind, Notification.message)).all()
    assert sorted(row.user_id for row in rows) == sorted([author.id, voter.id])
    assert {row.kind for row in rows} == {"status"}
    assert all("is now planned" in row.message for row in rows)
    assert bystander.id not in {row.user_id for row in rows}


# --- lists -----------------------------------------------------------------------------------


def test_top_orders_by_votes(app):
    author = make_user()
    voters = [make_user() for _ in range(3)]
    one = make_idea(author, "One vote only")
    three = make_idea(author, "Three votes here")
    two = make_idea(author, "Two votes there")
    for voter in voters[:2]:
        votes.cast_vote(voter, three)
    votes.cast_vote(voters[2], two)
    db.session.commit()
    assert [three.vote_count, two.vote_count, one.vote_count] == [3, 2, 1]
    assert titles(ideas.list_ideas(ANONYMOUS, sort="top")) == [
        "Three votes here",
        "Two votes there",
        "One vote only",
    ]


def test_new_orders_by_creation_time_not_by_id(app):
    author = make_user()
    now = utcnow()
    for title, days in [("Posted a day ago", 1), ("Posted three days ago", 3), ("Posted two days ago", 2)]:
        make_idea(author, title).created_at = now - timedelta(days=days)
    db.session.commit()
    assert titles(ideas.list_ideas(ANONYMOUS, sort="new")) == [
        "Posted a day ago",
        "Posted two days ago",
        "Posted three days ago",
    ]


def test_discussed_orders_by_comment_count(app):
    author = make_user()
    quiet = make_idea(author, "Quiet idea")
    busy = make_idea(author, "Busy idea")
    some = make_idea(author, "Some talk idea")
    ideas.touch_comment_count(busy.id, 5)
    ideas.touch_comment_count(some.id, 2)
    db.session.commit()
    assert quiet.id < busy.id < some.id
    assert titles(ideas.list_ideas(ANONYMOUS, sort="discussed")) == [
        "Busy idea",
        "Some talk idea",
        "Quiet idea",
    ]


def test_trending_is_the_default_and_recent_votes_outrank_old_ones(app, monkeypatch):
    author = make_user()
    early, late = make_user(), make_user()
    fresh = make_idea(author, "Gets a vote today")
    stale = make_idea(author, "Got a vote last month")
    # Same number of votes; only when they were cast differs (and ids would put `stale` first).
    monkeypatch.setattr(votes, "utcnow", lambda: utcnow() - timedelta(days=30))
    votes.cast_vote(early, stale)
    monkeypatch.undo()
    votes.cast_vote(late, fresh)
    db.session.commit()
    assert fresh.vote_count == stale.vote_count == 2
    assert fresh.trending_score > stale.trending_score
    result = ideas.list_ideas(ANONYMOUS)
    assert result.sort == "trending"
    assert titles(result) == ["Gets a vote today", "Got a vote last month"]
    assert titles(ideas.list_ideas(ANONYMOUS, sort="top")) == ["Got a vote last month", "Gets a vote today"]


def test_trending_lets_a_few_recent_votes_beat_many_old_ones(app, monkeypatch):
    voters = [make_user() for _ in range(4)]
    month_ago = utcnow() - timedelta(days=28)  # four half-lives: each old vote weighs 1/16
    monkeypatch.setattr(votes, "utcnow", lambda: month_ago)
    old = make_idea(voters[0], "Popular a month ago")
    for voter in voters[1:]:
        votes.cast_vote(voter, old)
    monkeypatch.undo()
    new = make_idea(voters[0], "Popular this week")
    votes.cast_vote(voters[1], new)
    db.session.commit()
    assert (old.vote_count, new.vote_count) == (4, 2)
    assert titles(ideas.list_ideas(ANONYMOUS, sort="trending")) == [
        "Popular this week",
        "Popular a month ago",
    ]


def test_25_per_page_and_pages_are_stable(app):
    author = make_user()
    made = [make_idea(author, f"Idea number {n:02d}") for n in range(30)]
    first = ideas.list_ideas(ANONYMOUS, sort="top")
    second = ideas.list_ideas(ANONYMOUS, sort="top", page=2)
    assert (first.page.total, first.page.per_page, len(first.page.items), len(second.page.items)) == (
        30,
        25,
        25,
        5,
    )
    # Every idea has one vote: ties fall back to the newest id, so pages neither overlap nor skip.
    seen = [idea.id for idea in first.page.items + second.page.items]
    assert seen == sorted((idea.id for idea in made), reverse=True)
    assert [i.id for i in ideas.list_ideas(ANONYMOUS, sort="top", page=2).page.items] == seen[25:]
    assert ideas.list_ideas(ANONYMOUS, sort="top", page=3).page.items == []
    assert len(ideas.list_ideas(ANONYMOUS, sort="new", per_page=10, page=3).page.items) == 10


def test_category_filter(app):
    author = make_user()
    categories.create_category(None, "Reports")
    categories.create_category(None, "Mobile")
    make_idea(author, "Export reports as CSV", category="reports")
    make_idea(author, "Offline mode on phones", category="mobile")
    make_idea(author, "Uncategorised wish")
    assert titles(ideas.list_ideas(ANONYMOUS, category="reports")) == ["Export reports as CSV"]
    assert titles(ideas.list_ideas(ANONYMOUS, category="mobile")) == ["Offline mode on phones"]
    assert titles(ideas.list_ideas(ANONYMOUS, category="nowhere")) == []


def test_status_filter_and_merged_ideas_only_when_asked(app):
    author = make_user()
    staff = make_user("product_manager")
    planned = make_idea(author, "Planned idea")
    make_idea(author, "Open idea")
    merged = make_idea(author, "Merged idea")
    ideas.change_status(staff, planned, "planned")
    merged.status, merged.merged_into_id = "merged", planned.id
    db.session.commit()
    assert titles(ideas.list_ideas(ANONYMOUS, status="planned")) == ["Planned idea"]
    assert titles(ideas.list_ideas(ANONYMOUS, status="open")) == ["Open idea"]
    assert titles(ideas.list_ideas(ANONYMOUS, status="merged")) == ["Merged idea"]
    assert sorted(titles(ideas.list_ideas(ANONYMOUS))) == ["Open idea", "Planned idea"]


def test_mine_and_voted_filters(app):
    me, other = make_user(), make_user()
    mine = make_idea(me, "My own idea")
    theirs = make_idea(other, "Their idea I voted for")
    make_idea(other, "Their idea I ignore")
    votes.cast_vote(me, theirs)
    db.session.commit()
    assert titles(ideas.list_ideas(me, mine=True)) == ["My own idea"]
    assert sorted(titles(ideas.list_ideas(me, voted=True))) == ["My own idea", "Their idea I voted for"]
    assert titles(ideas.list_ideas(ANONYMOUS, mine=True)) == []
    assert titles(ideas.list_ideas(ANONYMOUS, voted=True)) == []
    assert ideas.list_ideas(me).voted_ids == {mine.id, theirs.id}
    assert ideas.list_ideas(ANONYMOUS).voted_ids == set()


def test_q_filters_by_full_text_and_combines_with_other_filters(app):
    author = make_user()
    categories.create_category(None, "Reports")
    make_idea(author, "Export reports as CSV", category="reports")
    make_idea(author, "Export contacts", "Download the address book")
    make_idea(author, "Dark mode")
    result = ideas.list_ideas(ANONYMOUS, q="export")
    assert result.sort == "relevance"
    assert sorted(titles(result)) == ["Export contacts", "Export reports as CSV"]
    assert titles(ideas.list_ideas(ANONYMOUS, q="export", category="reports")) == ["Export reports as CSV"]
    assert titles(ideas.list_ideas(ANONYMOUS, q="export address")) == ["Export contacts"]
    assert ideas.list_ideas(ANONYMOUS, q="export", sort="new").sort == "new"


@pytest.mark.parametrize(("sort", "status"), [("best", None), (None, "finished")])
def test_unknown_sort_or_status_is_invalid(app, sort, status):
    with pytest.raises(Invalid):
        ideas.list_ideas(ANONYMOUS, sort=sort, status=status)


def test_a_list_page_takes_the_same_queries_however_many_ideas_it_shows(app, count_queries):
    categories.create_category(None, "Reports")
    viewer = make_user()

    def page_queries() -> int:
        db.session.expire_all()
        with count_queries() as queries:
            result = ideas.list_ideas(viewer, category="reports")
            for idea in result.page.items:  # what a card or the API reads
                _ = (idea.author.display_name, idea.category.name, idea.id in result.voted_ids)
        return len(queries)

    make_idea(make_user(), "The only idea so far", category="reports")
    few = page_queries()
    for n in range(12):
        make_idea(make_user(), f"Another idea {n:02d}", category="reports")
    assert page_queries() == few
