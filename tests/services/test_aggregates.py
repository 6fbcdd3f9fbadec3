"""Stored aggregates: the staff figures follow every vote, merge and link at once, and the
worker's counting puts right what concurrent transactions may have left off."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models.idea import Idea, IdeaVote, IdeaVoteDay
from app.models.roadmap import RoadmapDemand
from app.services import aggregates, dashboard, insights, merges, roadmap, votes
from app.services.aggregates import utc_day_sql
from app.services.dashboard import Filters
from tests.factories import make_idea, make_roadmap_item, make_user

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def pm(app):
    return make_user(role="product_manager", name="Pat PM")


def votes_30d(actor, idea: Idea, now: datetime | None = None, sort: str = "votes") -> int:
    rows = dashboard.top_ideas(actor, Filters(sort=sort), per_page=100, now=now).items
    return {row.idea.id: row.votes_30d for row in rows}[idea.id]


def stored_days() -> dict[tuple[int, str], int]:
    rows = db.session.execute(select(IdeaVoteDay.idea_id, IdeaVoteDay.day, IdeaVoteDay.votes))
    return {(idea_id, str(day)): count for idea_id, day, count in rows if count}


def counted_days() -> dict[tuple[int, str], int]:
    day = utc_day_sql(IdeaVote.created_at)
    rows = db.session.execute(select(IdeaVote.idea_id, day, func.count()).group_by(IdeaVote.idea_id, day))
    return {(idea_id, str(value)[:10]): count for idea_id, value, count in rows}


def test_a_vote_and_its_withdrawal_show_on_the_dashboard_at_once(pm):
    idea = make_idea(title="Dark mode for the reports")
    voter = make_user()
    assert votes_30d(pm, idea) == 1  # its author's vote
    votes.cast_vote(voter, idea)
    db.session.commit()
    assert votes_30d(pm, idea) == votes_30d(pm, idea, sort="recent") == 2
    votes.retract_vote(voter, idea)
    db.session.commit()
    assert votes_30d(pm, idea) == votes_30d(pm, idea, sort="recent") == 1
    assert stored_days() == counted_days()


@pytest.mark.parametrize("sort", ["votes", "recent", "weighted"])
def test_a_vote_leaves_the_30_day_window_to_the_second(pm, sort):
    idea = make_idea(title="Scheduled exports")
    votes.remove_vote(idea, idea.author_id)
    cast = NOW - timedelta(days=3, hours=5)
    votes.add_vote(idea, make_user().id, voted_at=cast)
    db.session.commit()
    assert votes_30d(pm, idea, NOW, sort) == 1
    assert votes_30d(pm, idea, cast + timedelta(days=30), sort) == 1
    assert votes_30d(pm, idea, cast + timedelta(days=30, seconds=1), sort) == 0
    # Not yet cast at that time either.
    assert votes_30d(pm, idea, cast - timedelta(seconds=1), sort) == 0


def test_the_dashboard_orders_by_votes_in_30_days_from_the_stored_days(pm):
    quiet, busy = make_idea(title="A quiet idea"), make_idea(title="A busy idea")
    for days_ago in (1, 12, 29, 31, 200):
        votes.add_vote(busy, make_user().id, voted_at=NOW - timedelta(days=days_ago))
    votes.add_vote(quiet, make_user().id, voted_at=NOW - timedelta(days=2))
    db.session.execute(update(Idea).values(created_at=NOW - timedelta(days=300)))
    for idea in (quiet, busy):
        votes.remove_vote(idea, idea.author_id)
    db.session.commit()
    page = dashboard.top_ideas(pm, Filters(sort="recent"), now=NOW)
    assert [(row.idea.title, row.votes_30d) for row in page.items] == [
        ("A busy idea", 3),
        ("A quiet idea", 1),
    ]


def test_a_merge_moves_the_30_day_votes_and_an_unmerge_moves_them_back(pm):
    moderator = make_user("moderator")
    source, target = make_idea(title="Export to Excel"), make_idea(title="Export to spreadsheets")
    both, only_source = make_user(), make_user()
    for person in (both, only_source):
        votes.cast_vote(person, source)
    votes.cast_vote(both, target)
    db.session.commit()
    assert (votes_30d(pm, source), votes_30d(pm, target)) == (3, 2)

    merges.merge_ideas(moderator, source.id, target.id)
    db.session.commit()
    # The source's author, `only_source` and (once) `both` count on the target.
    assert votes_30d(pm, target) == 4
    assert dashboard.top_ideas(pm, Filters(), now=None).total == 1  # the merged source is not listed
    assert stored_days() == counted_days()

    merges.unmerge_idea(moderator, source.id)
    db.session.commit()
    assert (votes_30d(pm, source), votes_30d(pm, target)) == (3, 2)
    assert stored_days() == counted_days()


def test_roadmap_demand_follows_links_and_votes_at_once(pm):
    item = make_roadmap_item(pm)
    first, second = make_idea(title="First linked idea"), make_idea(title="Second linked idea")
    fan = make_user()
    votes.cast_vote(fan, first)
    db.session.commit()
    assert roadmap.demand([item.id]) == {item.id: 0}

    roadmap.link_idea(pm, item, first.id)
    db.session.commit()
    assert roadmap.demand([item.id]) == {item.id: 2}  # the author and the fan
    roadmap.link_idea(pm, item, second.id)
    db.session.commit()
    assert roadmap.demand([item.id]) == {item.id: 3}

    # A fan of both linked ideas counts once; a newcomer counts at once.
    votes.cast_vote(fan, second)
    db.session.commit()
    assert roadmap.demand([item.id]) == {item.id: 3}
    votes.cast_vote(make_user(), second)
    db.session.commit()
    assert roadmap.demand([item.id]) == {item.id: 4}
    votes.retract_vote(fan, first)
    db.session.commit()
    assert roadmap.demand([item.id]) == {item.id: 4}  # still a voter of the second
    assert roadmap.board(pm)["planned"][0].demand == 4

    roadmap.unlink_idea(pm, item, second.id)
    db.session.commit()
    assert roadmap.demand([item.id]) == {item.id: 1}  # the first idea's author
    assert roadmap.item_page(pm, item.id).demand == 1


def test_a_merge_counts_the_demand_of_both_ideas_items_again(pm):
    moderator = make_user("moderator")
    on_source, on_target = make_roadmap_item(pm, "Item of the duplicate"), make_roadmap_item(pm, "Item kept")
    source, target = make_idea(title="Export to Excel"), make_idea(title="Export to spreadsheets")
    roadmap.link_idea(pm, on_source, source.id)
    roadmap.link_idea(pm, on_target, target.id)
    votes.cast_vote(make_user(), source)
    db.session.commit()
    assert roadmap.demand([on_source.id, on_target.id]) == {on_source.id: 2, on_target.id: 1}
    merges.merge_ideas(moderator, source.id, target.id)
    db.session.commit()
    assert roadmap.demand([on_source.id, on_target.id]) == {on_source.id: 0, on_target.id: 3}


def test_the_worker_counts_the_demand_again(app, pm):
    item = make_roadmap_item(pm)
    idea = make_idea()
    roadmap.link_idea(pm, item, idea.id)
    db.session.commit()
    # What two transactions at once could leave: a voter counted twice.
    db.session.execute(update(RoadmapDemand).values(voters=RoadmapDemand.voters + 1))
    db.session.commit()
    assert roadmap.demand([item.id]) == {item.id: 2}
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Counted the staff figures and the demand of 1 roadmap item(s)." in result.output
    db.session.expire_all()
    assert roadmap.demand([item.id]) == {item.id: 1}
    assert roadmap.demand([item.id]) == aggregates.demand_counts([item.id])


def test_insights_show_the_stored_figures_with_their_time_until_too_old(pm):
    make_idea(title="An idea this week")
    db.session.commit()
    counted_at = insights.refresh_figures()
    db.session.commit()
    before = insights.insights(pm, now=counted_at + timedelta(minutes=4))
    assert before.as_of == counted_at
    assert sum(week.votes for week in before.weeks) == 1
    assert sum(week.ideas for week in before.weeks) == before.idea_total == 1

    votes.cast_vote(make_user(), db.session.scalar(select(Idea)))
    db.session.commit()
    # Still the figures as of the last count: the page says so.
    assert sum(week.votes for week in insights.insights(pm, now=counted_at + timedelta(minutes=4)).weeks) == 1
    later = counted_at + timedelta(minutes=16)
    stale = insights.insights(pm, now=later)
    assert (stale.as_of, sum(week.votes for week in stale.weeks)) == (later, 2)
    insights.refresh_figures()
    db.session.commit()
    assert sum(week.votes for week in insights.insights(pm).weeks) == 2


# ---- Votes weighted by segment ----


def stored_weights() -> dict[int, float]:
    return dict(db.session.execute(select(Idea.id, Idea.weighted_votes)).all())


def counted_weights() -> dict[int, float]:
    sums = aggregates.weighted_sums()
    counted = dict(db.session.execute(select(sums.c.idea_id, sums.c.weighted)).all())
    return {idea_id: pytest.approx(counted.get(idea_id, 0.0)) for idea_id in stored_weights()}


def weighted_on_dashboard(actor, idea: Idea) -> float:
    rows = dashboard.top_ideas(actor, Filters(sort="weighted"), per_page=100).items
    return {row.idea.id: row.weighted_votes for row in rows}[idea.id]


def test_weighted_votes_follow_votes_and_every_change_of_a_members_weight(pm):
    from app.services import account_deletion, segments

    admin = make_user(role="admin")
    enterprise = segments.create_segment(admin, "Enterprise", 3)
    startup = segments.create_segment(admin, "Startup", 1.5)
    idea, other = make_idea(title="Audit log export"), make_idea(title="Single sign-on")
    customer, member = make_user(), make_user()
    segments.assign_emails(admin, enterprise, customer.email)
    db.session.commit()
    for person in (customer, member):
        votes.cast_vote(person, idea)
    votes.cast_vote(customer, other)
    db.session.commit()
    # The author's 1, the enterprise customer's 3, the member's 1.
    assert weighted_on_dashboard(pm, idea) == pytest.approx(5.0)
    assert stored_weights() == counted_weights()

    steps = [
        lambda: segments.assign_emails(admin, startup, member.email),  # member: 1 -> 1.5
        lambda: segments.update_segment(admin, enterprise, weight=10),  # customer: 3 -> 10
        lambda: segments.unassign_member(admin, enterprise, customer.id),  # customer: 10 -> 1
        lambda: segments.set_user_segments(customer, [enterprise, startup]),  # customer: 1 -> 10
        lambda: votes.retract_vote(customer, idea),
        lambda: votes.cast_vote(customer, idea),
        lambda: segments.delete_segment(admin, enterprise),  # customer: 10 -> 1.5
        lambda: account_deletion.delete_account(
            customer, customer, account_deletion.confirmation_phrase(customer, customer)
        ),  # customer: 1.5 -> 1, the vote stays
    ]
    expected = [5.5, 12.5, 3.5, 12.5, 2.5, 12.5, 4.0, 3.5]
    for step, weighted in zip(steps, expected, strict=True):
        step()
        db.session.commit()
        assert weighted_on_dashboard(pm, idea) == pytest.approx(weighted)
        assert stored_weights() == counted_weights()
    votes.retract_vote(member, idea)
    votes.retract_vote(db.session.get(type(member), idea.author_id), idea)
    db.session.commit()
    assert stored_weights()[idea.id] == pytest.approx(1.0)
    votes.remove_vote(idea, customer.id)
    db.session.commit()
    # No vote left: exactly 0, whatever rounding adding and taking back weights left.
    assert stored_weights()[idea.id] == 0.0


def test_the_worker_counts_the_weighted_votes_again(app, pm):
    idea = make_idea()
    db.session.commit()
    # What a vote during a change of its voter's segments could leave: the old weight.
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(weighted_votes=2.5))
    db.session.commit()
    assert weighted_on_dashboard(pm, idea) == 2.5
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert weighted_on_dashboard(pm, idea) == 1.0
