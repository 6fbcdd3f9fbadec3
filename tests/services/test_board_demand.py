"""The public roadmap counts the votes on public boards only, and staff read demand per board.

An item's demand is stored twice (app/services/aggregates.py): over every linked idea, which the
team reads, and over the linked ideas on public boards, which everyone else reads. Both follow
votes, links, merges, the worker, a board turning private or public and an idea moving board.
"""

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import update

from app.errors import Forbidden, NotFound
from app.extensions import db
from app.models.base import utcnow
from app.models.figures import StoredFigures
from app.models.idea import Idea
from app.models.roadmap import RoadmapDemand
from app.services import aggregates, boards, dashboard, insights, merges, roadmap, segments, votes
from app.services.dashboard import Filters
from tests.factories import make_idea, make_roadmap_item, make_user

ANONYMOUS = AnonymousUserMixin()


@pytest.fixture
def admin(app):
    return make_user("admin", name="Ada Admin")


@pytest.fixture
def pm(app):
    return make_user("product_manager", name="Pat PM")


@pytest.fixture
def beta(admin):
    """A private board."""
    board = boards.create_board(admin, "Enterprise beta", visibility="private")
    db.session.commit()
    return board


def granted_member(admin, board):
    """A member who may see the private board, through a segment granted access."""
    member = make_user(name="Granted member")
    testers = segments.create_segment(admin, f"Testers of {board.name}", 1)
    segments.assign_emails(admin, testers, member.email)
    boards.grant_segment(admin, board, testers)
    db.session.commit()
    return member


def on_board(pm, idea: Idea, board) -> Idea:
    boards.move_idea(pm, idea, board)
    db.session.commit()
    return idea


def shown(viewer, item_id: int) -> int:
    """The demand `viewer` reads on the roadmap board's card of the item."""
    cards = [card for column in roadmap.board(viewer).values() for card in column]
    return {card.item.id: card.demand for card in cards}[item_id]


def stored_matches_counted(item_ids: list[int]) -> bool:
    return all(
        aggregates.stored_demand(item_ids, public=public) == aggregates.demand_counts(item_ids, public=public)
        for public in (False, True)
    )


@pytest.fixture
def linked(pm, beta):
    """An item linked to a public idea and to one on the private board.

    Voters: the public idea's author and `fan` (who voted for both) on the public board; the
    private idea's author and `insider` on the private board only.
    """
    public = make_idea(title="Export to CSV")
    private = on_board(pm, make_idea(title="Export to the data warehouse"), beta)
    fan, insider = make_user(name="Fan"), make_user(name="Insider")
    for idea in (public, private):
        votes.cast_vote(fan, idea)
    votes.cast_vote(insider, private)
    item = make_roadmap_item(pm, "Exports everywhere")
    roadmap.set_ideas(pm, roadmap.get_item(pm, item.id), [public.id, private.id])
    db.session.commit()
    return item, public, private, fan, insider


def test_only_the_team_reads_the_votes_on_private_boards(admin, pm, beta, linked):
    item, public, private, fan, insider = linked
    granted = granted_member(admin, beta)

    assert shown(pm, item.id) == shown(make_user("moderator"), item.id) == 4
    # Visitors and members, granted the board or not, read the public count: the same for all.
    for viewer in (ANONYMOUS, make_user(), granted):
        assert shown(viewer, item.id) == 2
        assert roadmap.item_page(viewer, item.id).demand == 2
    assert roadmap.item_page(pm, item.id).demand == 4
    assert stored_matches_counted([item.id])


def test_the_item_page_lists_only_the_linked_ideas_the_viewer_may_see(admin, pm, beta, linked):
    item, public, private, fan, insider = linked
    granted = granted_member(admin, beta)

    for viewer in (ANONYMOUS, make_user()):
        assert [idea.id for idea in roadmap.item_page(viewer, item.id).ideas] == [public.id]
        card = next(card for card in roadmap.board(viewer)["planned"] if card.item.id == item.id)
        assert ([idea.id for idea in card.ideas], card.idea_count) == ([public.id], 1)
    # The private idea has more votes (its author, the fan, the insider): first for those who see it.
    for viewer in (granted, pm):
        assert [idea.id for idea in roadmap.item_page(viewer, item.id).ideas] == [private.id, public.id]


def test_each_vote_moves_the_public_count_only_on_a_public_board(pm, linked):
    item, public, private, fan, insider = linked
    newcomer = make_user()
    steps = [
        # A new voter on the private board: only the team's count moves.
        (lambda: votes.cast_vote(newcomer, private), (5, 2)),
        # The insider, counted already, now also votes in public: only the public count moves.
        (lambda: votes.cast_vote(insider, public), (5, 3)),
        # The fan takes back the public vote but keeps the private one: out of the public count only.
        (lambda: votes.retract_vote(fan, public), (5, 2)),
        (lambda: votes.retract_vote(fan, private), (4, 2)),
        (lambda: votes.retract_vote(insider, public), (4, 1)),
    ]
    for step, (everyone, in_public) in steps:
        step()
        db.session.commit()
        assert (shown(pm, item.id), shown(ANONYMOUS, item.id)) == (everyone, in_public)
        assert stored_matches_counted([item.id])


def test_linking_and_unlinking_count_both_again(pm, linked):
    item, public, private, fan, insider = linked
    item = roadmap.get_item(pm, item.id)
    roadmap.unlink_idea(pm, item, public.id)
    db.session.commit()
    assert (shown(pm, item.id), shown(ANONYMOUS, item.id)) == (3, 0)
    roadmap.link_idea(pm, item, public.id)
    db.session.commit()
    assert (shown(pm, item.id), shown(ANONYMOUS, item.id)) == (4, 2)


def test_the_demand_follows_a_board_turning_private_and_public_again(admin, pm, beta, linked):
    item, public, private, fan, insider = linked
    boards.update_board(admin, beta, {"visibility": "public"})
    db.session.commit()
    assert (shown(pm, item.id), shown(ANONYMOUS, item.id)) == (4, 4)
    boards.update_board(admin, beta, {"visibility": "private"})
    db.session.commit()
    assert (shown(pm, item.id), shown(ANONYMOUS, item.id)) == (4, 2)
    # A change of name alone counts nothing again, and changes nothing.
    boards.update_board(admin, beta, {"name": "Enterprise pilot"})
    db.session.commit()
    assert (shown(pm, item.id), shown(ANONYMOUS, item.id)) == (4, 2)
    assert stored_matches_counted([item.id])


def test_the_demand_follows_an_idea_moving_between_boards(pm, beta, linked):
    item, public, private, fan, insider = linked
    on_board(pm, public, beta)
    assert (shown(pm, item.id), shown(ANONYMOUS, item.id)) == (4, 0)
    on_board(pm, private, boards.default_board())
    assert (shown(pm, item.id), shown(ANONYMOUS, item.id)) == (4, 3)  # the private idea's voters
    assert stored_matches_counted([item.id])


def test_a_merge_into_a_public_idea_brings_the_private_votes_into_the_public_count(pm, linked):
    item, public, private, fan, insider = linked
    moderator = make_user("moderator")
    merges.merge_ideas(moderator, private.id, public.id)
    db.session.commit()
    # Every voter of the private idea now votes for the public one.
    assert (shown(pm, item.id), shown(ANONYMOUS, item.id)) == (4, 4)
    assert stored_matches_counted([item.id])


def test_the_worker_counts_the_public_demand_again(app, pm, linked):
    item, public, private, fan, insider = linked
    db.session.execute(update(RoadmapDemand).values(public_voters=RoadmapDemand.voters))
    db.session.commit()
    assert shown(ANONYMOUS, item.id) == 4
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert (shown(pm, item.id), shown(ANONYMOUS, item.id)) == (4, 2)


# ---- Staff figures by board ----


@pytest.fixture
def two_boards(pm, beta):
    """Two ideas on the default board and two on the private one, with votes."""
    default = [make_idea(title="Dark mode"), make_idea(title="Faster search")]
    private = [
        on_board(pm, make_idea(title="Audit log export"), beta),
        on_board(pm, make_idea(title="Single sign-on"), beta),
    ]
    for person in [make_user() for _ in range(3)]:
        votes.cast_vote(person, private[1])
    votes.cast_vote(make_user(), default[0])
    db.session.commit()
    return default, private


def titles(page) -> list[str]:
    return [row.idea.title for row in page.items]


def test_the_dashboard_counts_every_board_or_only_the_one_asked_for(pm, beta, two_boards):
    everything = dashboard.top_ideas(pm, Filters())
    assert set(titles(everything)) == {"Dark mode", "Faster search", "Audit log export", "Single sign-on"}
    assert everything.total == 4
    for sort in dashboard.SORTS:
        narrowed = dashboard.top_ideas(pm, Filters(board=beta.slug, sort=sort))
        assert sorted(titles(narrowed)) == ["Audit log export", "Single sign-on"]
        assert narrowed.total == 2
    default = dashboard.top_ideas(pm, Filters(board="ideas", sort="trending"))
    assert (sorted(titles(default)), default.total) == (["Dark mode", "Faster search"], 2)
    rows, _ = dashboard.all_ranked(pm, Filters(board=beta.slug))
    assert [row.idea.title for row in rows] == ["Single sign-on", "Audit log export"]


def test_the_response_panel_follows_the_board(pm, beta, two_boards):
    default, private = two_boards
    db.session.execute(update(Idea).values(created_at=utcnow() - timedelta(days=3)))
    db.session.commit()
    panel = dashboard.response_panel(pm, board=beta.slug)
    assert sorted(entry.idea.title for entry in panel.waiting) == ["Audit log export", "Single sign-on"]
    assert (panel.answered, panel.unanswered) == (0, 2)
    assert dashboard.response_panel(pm).unanswered == 4


def test_an_unknown_board_is_not_found_and_counts_nothing(pm, two_boards):
    for call in (
        lambda: dashboard.top_ideas(pm, Filters(board="no-such-board")),
        lambda: dashboard.all_ranked(pm, Filters(board="no-such-board")),
    ):
        with pytest.raises(NotFound, match="No such board"):
            call()


def test_insights_count_one_board_from_its_own_stored_figures(pm, beta, two_boards):
    now = insights.refresh_figures()
    db.session.commit()
    assert db.session.get(StoredFigures, insights.figures_name(beta.id)) is not None
    everything = insights.insights(pm, now=now)
    narrowed = insights.insights(pm, now=now, board=beta)
    default = insights.insights(pm, now=now, board=boards.default_board())
    # Each idea's author voted for it.
    assert (everything.idea_total, sum(week.votes for week in everything.weeks)) == (4, 4 + 4)
    assert (narrowed.idea_total, sum(week.votes for week in narrowed.weeks)) == (2, 2 + 3)
    assert (default.idea_total, sum(week.votes for week in default.weeks)) == (2, 2 + 1)
    assert sum(week.ideas for week in narrowed.weeks) == 2
    assert narrowed.as_of == now


def test_insights_of_a_board_the_worker_has_not_counted_yet_are_counted_at_once(admin, pm, two_boards):
    insights.refresh_figures()
    db.session.commit()
    fresh = boards.create_board(admin, "Mobile app")
    db.session.commit()
    idea = on_board(pm, make_idea(title="Offline mode"), fresh)
    figures = insights.insights(pm, board=fresh)
    assert figures.idea_total == 1
    assert [status for status, count in figures.funnel if count] == [idea.status]


def test_the_roadmap_of_one_board_for_staff(pm, beta, linked):
    item, public, private, fan, insider = linked
    other = make_roadmap_item(pm, "Nothing on the beta board")
    roadmap.link_idea(pm, roadmap.get_item(pm, other.id), public.id)
    db.session.commit()

    planned = roadmap.board(pm, idea_board=beta)["planned"]
    assert [card.item.id for card in planned] == [item.id]
    card = planned[0]
    # The private idea's voters only: its author, the fan and the insider.
    assert ([idea.id for idea in card.ideas], card.idea_count, card.demand) == ([private.id], 1, 3)
    default = roadmap.board(pm, idea_board=boards.default_board())["planned"]
    assert {card.item.id: card.demand for card in default} == {item.id: 2, other.id: 2}
    with pytest.raises(Forbidden):
        roadmap.board(make_user(), idea_board=boards.default_board())
