"""Merging duplicate ideas and undoing it: voters counted once, scores restored, followers told once."""

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, Forbidden, NotFound
from app.extensions import db
from app.models.idea import Idea, IdeaFollow, IdeaStatusChange, IdeaVote
from app.models.moderation import AuditEntry, IdeaMerge
from app.models.notification import Notification
from app.models.user import User
from app.services import comments, follows, ideas, merges, votes
from tests.concurrency import in_threads
from tests.factories import make_idea, make_user


@pytest.fixture
def moderator(app) -> User:
    return make_user("moderator")


@pytest.fixture
def people(app) -> dict[int, User]:
    """Five members, numbered 1..5 as the scenarios name them."""
    return {n: make_user(name=f"Person {n}") for n in range(1, 6)}


def voters(idea_id: int) -> set[int]:
    return set(db.session.scalars(select(IdeaVote.user_id).where(IdeaVote.idea_id == idea_id)))


def stored(idea_id: int) -> Idea:
    db.session.expire_all()
    return db.session.get(Idea, idea_id)


def followers(idea_id: int) -> set[int]:
    return set(db.session.scalars(select(IdeaFollow.user_id).where(IdeaFollow.idea_id == idea_id)))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def assert_counts_match_rows() -> None:
    """Every idea's vote_count equals its vote rows."""
    db.session.expire_all()
    rows = dict(db.session.execute(select(IdeaVote.idea_id, func.count()).group_by(IdeaVote.idea_id)).all())
    for idea in db.session.scalars(select(Idea)):
        assert idea.vote_count == rows.get(idea.id, 0), idea.title


@pytest.fixture
def pair(app, people):
    """A has voters {1, 2, 3}; B has voters {3, 4}."""
    a = make_idea(people[1], "Dark mode for the app", voters=(people[2], people[3]))
    b = make_idea(people[3], "Night theme please", voters=(people[4],))
    return a, b


def test_merge_counts_each_voter_once_and_unmerge_gives_the_votes_back(app, people, moderator, pair):
    a, b = pair
    ids = {n: people[n].id for n in people}
    assert voters(a.id) == {ids[1], ids[2], ids[3]}
    assert voters(b.id) == {ids[3], ids[4]}
    score_a, score_b = stored(a.id).trending_score, stored(b.id).trending_score

    target = merges.merge_ideas(moderator, a.id, b.id)
    db.session.commit()
    assert target.id == b.id
    assert voters(b.id) == {ids[1], ids[2], ids[3], ids[4]}
    assert voters(a.id) == set()
    assert (stored(b.id).vote_count, stored(a.id).vote_count) == (4, 0)
    assert stored(a.id).trending_score == 0.0
    merged = stored(a.id)
    assert (merged.status, merged.merged_into_id) == ("merged", b.id)
    assert_counts_match_rows()

    restored = merges.unmerge_idea(moderator, a.id)
    db.session.commit()
    assert restored.id == a.id
    assert voters(a.id) == {ids[1], ids[2], ids[3]}
    assert voters(b.id) == {ids[3], ids[4]}
    assert (stored(a.id).vote_count, stored(b.id).vote_count) == (3, 2)
    assert stored(a.id).trending_score == pytest.approx(score_a, rel=1e-9)
    assert stored(b.id).trending_score == pytest.approx(score_b, rel=1e-9)
    unmerged = stored(a.id)
    assert (unmerged.status, unmerged.merged_into_id) == ("open", None)
    assert_counts_match_rows()


def test_moved_votes_keep_their_time(app, people, moderator, pair):
    a, b = pair
    voted_at = db.session.scalar(
        select(IdeaVote.created_at).where(IdeaVote.idea_id == a.id, IdeaVote.user_id == people[2].id)
    )
    merges.merge_ideas(moderator, a.id, b.id)
    db.session.commit()
    moved_at = db.session.scalar(
        select(IdeaVote.created_at).where(IdeaVote.idea_id == b.id, IdeaVote.user_id == people[2].id)
    )
    assert moved_at == voted_at


def test_the_merged_idea_status_comes_back_after_unmerge(app, people, moderator, pair):
    a, b = pair
    ideas.change_status(make_user("product_manager"), a, "planned")
    db.session.commit()
    merges.merge_ideas(moderator, a.id, b.id)
    db.session.commit()
    history = list(
        db.session.scalars(
            select(IdeaStatusChange.to_status)
            .where(IdeaStatusChange.idea_id == a.id)
            .order_by(IdeaStatusChange.id)
        )
    )
    assert history == ["planned", "merged"]
    merges.unmerge_idea(moderator, a.id)
    db.session.commit()
    assert stored(a.id).status == "planned"


def test_followers_of_the_merged_idea_follow_the_target_and_are_told_once(app, people, moderator, pair):
    a, b = pair
    follows.follow_idea(people[5], a)
    follows.follow_idea(moderator, a)
    db.session.commit()
    a_followers = followers(a.id)
    assert people[5].id in a_followers
    merges.merge_ideas(moderator, a.id, b.id)
    db.session.commit()
    assert followers(b.id) >= a_followers
    told = list(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.url == f"/ideas/{b.id}", Notification.kind == "status"
            )
        )
    )
    # Everyone who followed A, once each, including person 3 who followed B already; not the moderator.
    assert sorted(told) == sorted(a_followers - {moderator.id})
    assert people[4].id not in told


def test_after_a_merge_the_source_takes_no_votes_or_comments(app, people, moderator, pair):
    a, b = pair
    merges.merge_ideas(moderator, a.id, b.id)
    db.session.commit()
    merged = stored(a.id)
    with pytest.raises(Conflict):
        votes.cast_vote(people[5], merged)
    with pytest.raises(Conflict):
        comments.add_comment(people[5], merged, "Still here?")
    db.session.rollback()
    assert voters(a.id) == set()


def test_refused_merges_change_nothing(app, people, moderator, pair):
    a, b = pair
    c = make_idea(people[5], "Yet another duplicate")
    with pytest.raises(Conflict, match="itself"):
        merges.merge_ideas(moderator, a.id, a.id)
    with pytest.raises(NotFound):
        merges.merge_ideas(moderator, a.id, 999)
    with pytest.raises(NotFound):
        merges.merge_ideas(moderator, 999, a.id)
    for actor in (people[1], make_user("product_manager")):
        with pytest.raises(Forbidden):
            merges.merge_ideas(actor, a.id, b.id)
    db.session.rollback()
    merges.merge_ideas(moderator, a.id, b.id)
    db.session.commit()
    with pytest.raises(Conflict, match="already merged"):
        merges.merge_ideas(moderator, a.id, c.id)
    db.session.rollback()
    with pytest.raises(Conflict):
        merges.merge_ideas(moderator, c.id, a.id)  # into an idea that is merged itself
    db.session.rollback()
    assert voters(c.id) == {people[5].id}
    assert stored(b.id).vote_count == 4
    assert db.session.scalar(select(func.count(IdeaMerge.id))) == 1
    assert audit_actions() == ["idea.merge"]


def test_unmerging_what_is_not_merged_is_refused(app, people, moderator, pair):
    a, b = pair
    with pytest.raises(Conflict):
        merges.unmerge_idea(moderator, a.id)
    with pytest.raises(NotFound):
        merges.unmerge_idea(moderator, 999)
    merges.merge_ideas(moderator, a.id, b.id)
    db.session.commit()
    with pytest.raises(Forbidden):
        merges.unmerge_idea(people[1], a.id)
    merges.unmerge_idea(moderator, a.id)
    db.session.commit()
    with pytest.raises(Conflict):
        merges.unmerge_idea(moderator, a.id)


def test_merge_unmerge_and_merge_again(app, people, moderator, pair):
    a, b = pair
    for _ in range(2):
        merges.merge_ideas(moderator, a.id, b.id)
        db.session.commit()
        assert (stored(a.id).vote_count, stored(b.id).vote_count) == (0, 4)
        merges.unmerge_idea(moderator, a.id)
        db.session.commit()
        assert (stored(a.id).vote_count, stored(b.id).vote_count) == (3, 2)
    assert audit_actions() == ["idea.merge", "idea.unmerge", "idea.merge", "idea.unmerge"]
    assert_counts_match_rows()


def test_a_vote_retracted_from_the_target_after_the_merge_stays_retracted(app, people, moderator, pair):
    a, b = pair
    merges.merge_ideas(moderator, a.id, b.id)
    db.session.commit()
    votes.retract_vote(people[2], stored(b.id))  # moved there by the merge
    votes.retract_vote(people[4], stored(b.id))  # B's own
    db.session.commit()
    merges.unmerge_idea(moderator, a.id)
    db.session.commit()
    assert voters(a.id) == {people[1].id, people[2].id, people[3].id}
    assert voters(b.id) == {people[3].id}
    assert_counts_match_rows()


def test_merge_and_unmerge_are_audited_once_each(app, people, moderator, pair):
    a, b = pair
    merges.merge_ideas(moderator, a.id, b.id)
    db.session.commit()
    merges.unmerge_idea(moderator, a.id)
    db.session.commit()
    entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.action, e.actor_id, e.target_type, e.target_id) for e in entries] == [
        ("idea.merge", moderator.id, "idea", a.id),
        ("idea.unmerge", moderator.id, "idea", a.id),
    ]
    assert str(b.id) in entries[0].reason
    assert (entries[0].before, entries[1].after) == ("open", "open")


# Concurrency (PostgreSQL)


def _merge(moderator_id: int, source_id: int, target_id: int):
    return lambda: merges.merge_ideas(db.session.get(User, moderator_id), source_id, target_id)


@pytest.mark.postgres
def test_two_merges_of_one_idea_at_once_leave_one_merge(app, people, moderator, pair):
    a, b = pair
    c = make_idea(people[5], "Dark colours everywhere", voters=(people[1],))
    results = in_threads(app, [_merge(moderator.id, a.id, b.id), _merge(moderator.id, a.id, c.id)])
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "NoneType"]
    into = stored(a.id).merged_into_id
    assert into in (b.id, c.id)
    expected = {b.id: {1, 2, 3, 4}, c.id: {1, 2, 3, 5}}[into]
    assert voters(into) == {people[n].id for n in expected}
    assert db.session.scalar(select(func.count(IdeaMerge.id))) == 1
    assert_counts_match_rows()


@pytest.mark.postgres
def test_merges_both_ways_at_once_leave_one_merge(app, people, moderator, pair):
    a, b = pair
    results = in_threads(app, [_merge(moderator.id, a.id, b.id), _merge(moderator.id, b.id, a.id)])
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "NoneType"]
    statuses = sorted([stored(a.id).status, stored(b.id).status])
    assert statuses == ["merged", "open"]
    survivor = a.id if stored(a.id).status == "open" else b.id
    assert stored(survivor).vote_count == 4
    assert_counts_match_rows()


@pytest.mark.postgres
def test_two_ideas_merged_into_one_at_once_count_each_voter_once(app, people, moderator, pair):
    a, b = pair
    c = make_idea(people[5], "Dark colours everywhere", voters=(people[1], people[4]))
    results = in_threads(app, [_merge(moderator.id, a.id, c.id), _merge(moderator.id, b.id, c.id)])
    assert results == [None, None]
    assert voters(c.id) == {people[n].id for n in (1, 2, 3, 4, 5)}
    assert stored(c.id).vote_count == 5
    assert_counts_match_rows()


@pytest.mark.postgres
@pytest.mark.parametrize("rounds", [5])
def test_a_merge_and_an_unmerge_of_the_same_pair_at_once_do_not_deadlock(app, people, moderator, rounds):
    for _ in range(rounds):
        a = make_idea(people[1], "Dark mode for the app", voters=(people[2],))
        b = make_idea(people[3], "Night theme please", voters=(people[4],))
        merges.merge_ideas(moderator, b.id, a.id)  # b (the higher id) into a
        db.session.commit()
        a_id, b_id, moderator_id = a.id, b.id, moderator.id
        # Unmerging b locks b and a; merging a into b locks a and b: both in id order, so no deadlock.
        results = in_threads(
            app,
            [
                lambda: merges.unmerge_idea(db.session.get(User, moderator_id), b_id),  # noqa: B023
                _merge(moderator_id, a_id, b_id),
            ],
        )
        # Either the unmerge came first and the merge followed, or the merge found b merged.
        assert results[0] is None
        assert results[1] is None or isinstance(results[1], Conflict), results[1]
        a_now, b_now = stored(a_id), stored(b_id)
        if results[1] is None:
            assert (a_now.status, b_now.status) == ("merged", "open")
            assert voters(b_id) == {people[n].id for n in (1, 2, 3, 4)}
        else:
            assert (a_now.status, b_now.status) == ("open", "open")
            assert voters(a_id) == {people[1].id, people[2].id}
        assert_counts_match_rows()
