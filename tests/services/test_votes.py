"""Votes: a toggle, one per member, counted atomically, with a time-decayed trending score."""

import random
from datetime import timedelta
from functools import partial

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from app.errors import Conflict, Forbidden, Unauthorized
from app.extensions import db
from app.models.base import utcnow
from app.models.idea import Idea, IdeaFollow, IdeaVote
from app.models.user import User
from app.services import votes
from app.services.ranking import EPOCH, HALF_LIFE, decayed_votes, vote_weight
from tests.concurrency import in_threads
from tests.factories import make_idea, make_user


def vote_rows(idea_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(IdeaVote).where(IdeaVote.idea_id == idea_id))


def weight_of_rows(idea_id: int) -> float:
    stamps = db.session.scalars(select(IdeaVote.created_at).where(IdeaVote.idea_id == idea_id))
    return sum(vote_weight(stamp) for stamp in stamps)


def stored(idea_id: int) -> Idea:
    db.session.expire_all()
    return db.session.get(Idea, idea_id)


def test_the_author_starts_with_their_own_vote(app):
    author = make_user()
    idea = make_idea(author)
    assert stored(idea.id).vote_count == 1
    assert votes.has_voted(author, idea)
    assert vote_rows(idea.id) == 1


def test_voting_counts_once_and_follows_the_idea(app):
    idea = make_idea(make_user())
    voter = make_user()
    assert votes.cast_vote(voter, idea) == 2
    assert votes.cast_vote(voter, idea) == 2  # idempotent
    db.session.commit()
    assert stored(idea.id).vote_count == vote_rows(idea.id) == 2
    assert votes.has_voted(voter, idea)
    follow = select(IdeaFollow).where(IdeaFollow.idea_id == idea.id, IdeaFollow.user_id == voter.id)
    assert db.session.scalar(follow) is not None


def test_retracting_toggles_back_and_is_idempotent(app):
    idea = make_idea(make_user())
    voter = make_user()
    votes.cast_vote(voter, idea)
    assert votes.retract_vote(voter, idea) == 1
    assert votes.retract_vote(voter, idea) == 1  # no vote left: nothing changes
    assert not votes.has_voted(voter, idea)
    assert votes.cast_vote(voter, idea) == 2
    db.session.commit()
    assert stored(idea.id).vote_count == vote_rows(idea.id) == 2


def test_an_author_may_take_back_their_own_vote(app):
    author = make_user()
    idea = make_idea(author)
    assert votes.retract_vote(author, idea) == 0
    db.session.commit()
    assert stored(idea.id).vote_count == vote_rows(idea.id) == 0
    assert stored(idea.id).trending_score == 0.0


@pytest.mark.parametrize("status", ["declined", "merged"])
def test_closed_ideas_refuse_votes_with_a_conflict(app, status):
    author, voter = make_user(), make_user()
    target = make_idea(author, "Target idea")
    idea = make_idea(author)
    votes.cast_vote(voter, idea)
    idea.status = status
    idea.merged_into_id = target.id if status == "merged" else None
    db.session.commit()
    newcomer = make_user()
    with pytest.raises(Conflict):
        votes.cast_vote(newcomer, idea)
    with pytest.raises(Conflict):
        votes.retract_vote(voter, idea)
    db.session.rollback()
    assert stored(idea.id).vote_count == vote_rows(idea.id) == 2
    assert not votes.has_voted(newcomer, idea)


def test_locked_ideas_refuse_votes(app):
    idea = make_idea(make_user())
    idea.is_locked = True
    db.session.commit()
    with pytest.raises(Forbidden):
        votes.cast_vote(make_user(), idea)
    with pytest.raises(Forbidden):
        votes.cast_vote(make_user("admin"), idea)
    db.session.rollback()
    assert stored(idea.id).vote_count == 1


def test_anonymous_cannot_vote(app):
    idea = make_idea(make_user())
    with pytest.raises(Unauthorized):
        votes.cast_vote(AnonymousUserMixin(), idea)
    with pytest.raises(Unauthorized):
        votes.retract_vote(AnonymousUserMixin(), idea)
    assert not votes.has_voted(AnonymousUserMixin(), idea)


def test_vote_weight_doubles_every_half_life():
    assert vote_weight(EPOCH) == 1.0
    assert vote_weight(EPOCH + HALF_LIFE) == 2.0
    assert vote_weight(EPOCH + 3 * HALF_LIFE) == 8.0
    now = EPOCH + 10 * HALF_LIFE
    # Expressed in today's votes: a vote now counts 1, one a half-life old counts 1/2.
    assert decayed_votes(vote_weight(now) + vote_weight(now - HALF_LIFE), now) == pytest.approx(1.5)


def test_trending_score_is_the_sum_of_vote_weights_after_toggling(app, monkeypatch):
    author = make_user()
    voters = [make_user() for _ in range(4)]
    idea = make_idea(author)
    start = utcnow()
    for days, voter in zip([20, 9, 2, 0], voters, strict=True):
        monkeypatch.setattr(votes, "utcnow", lambda days=days: start - timedelta(days=days))
        votes.cast_vote(voter, idea)
    monkeypatch.undo()
    db.session.commit()
    assert stored(idea.id).trending_score == pytest.approx(weight_of_rows(idea.id), rel=1e-12)

    votes.retract_vote(voters[1], idea)  # the 9-day-old vote
    votes.retract_vote(voters[3], idea)  # today's vote
    votes.cast_vote(voters[3], idea)  # cast again today: weighs as a new vote
    votes.retract_vote(author, idea)
    db.session.commit()
    assert stored(idea.id).vote_count == vote_rows(idea.id) == 3
    assert stored(idea.id).trending_score == pytest.approx(weight_of_rows(idea.id), rel=1e-12)

    for voter in (voters[0], voters[2], voters[3]):
        votes.retract_vote(voter, idea)
    db.session.commit()
    assert (stored(idea.id).vote_count, stored(idea.id).trending_score) == (0, 0.0)


@pytest.mark.postgres
def test_parallel_votes_keep_the_count_equal_to_the_rows(app):
    """Many members vote and unvote on one idea at once; the stored counters never drift."""
    author = make_user()
    voters = [make_user(commit=False) for _ in range(30)]
    db.session.commit()
    idea_id = make_idea(author).id
    voter_ids = [voter.id for voter in voters]

    def worker(seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - a reproducible shuffle, not a secret
        for _ in range(3):
            order = voter_ids[:]
            rng.shuffle(order)
            for user_id in order:
                user = db.session.get(User, user_id)
                idea = db.session.get(Idea, idea_id)
                if rng.random() < 0.6:
                    votes.cast_vote(user, idea)
                else:
                    votes.retract_vote(user, idea)
                db.session.commit()

    assert in_threads(app, [partial(worker, seed) for seed in range(8)]) == [None] * 8

    idea = stored(idea_id)
    assert idea.vote_count == vote_rows(idea_id)
    assert 0 < idea.vote_count <= len(voter_ids) + 1
    assert idea.trending_score == pytest.approx(weight_of_rows(idea_id), rel=1e-9)
