"""“Why this rank?”: the trending score taken apart into parts that add up."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import update

from app.errors import NotFound
from app.extensions import db
from app.models.idea import Idea, IdeaVote
from app.models.user import User
from app.services import ideas, rank_explanations, segments, settings, votes
from app.services.ranking import HALF_LIFE, decayed_votes, explain, rounded_parts, vote_weight
from tests.factories import make_idea, make_user

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def close(a: float, b: float) -> bool:
    return a == pytest.approx(b, rel=1e-6, abs=1e-12)


def placed_idea(ages: list[timedelta]) -> Idea:
    """An idea whose votes (the author's included) were cast `ages` before NOW."""
    author = make_user()
    idea = make_idea(author, title="Dark mode for the editor")
    votes.remove_vote(idea, author.id)
    people = [author] + [make_user() for _ in ages[1:]]
    for person, age in zip(people, ages, strict=True):
        votes.add_vote(idea, person.id, voted_at=NOW - age)
    db.session.commit()
    db.session.refresh(idea)
    return idea


AGES = [
    timedelta(hours=1),
    timedelta(days=3),
    timedelta(days=6, hours=23),
    timedelta(days=7),
    timedelta(days=20),
    timedelta(days=29, hours=23),
    timedelta(days=30),
    timedelta(days=95),
    timedelta(days=400),
]


def test_buckets_add_up_to_the_stored_score(app):
    idea = placed_idea(AGES)
    breakdown = rank_explanations.explanation_if_allowed(make_user(role="product_manager"), idea, now=NOW)
    assert [(bucket.label, bucket.count) for bucket in breakdown.buckets] == [
        ("Last 7 days", 3),
        # A vote exactly 30 days old is in "7–30 days", as in the dashboard's votes in 30 days.
        ("7–30 days", 4),
        ("Older", 2),
    ]
    total = sum(bucket.contribution for bucket in breakdown.buckets)
    # The contributions add up to the stored trending score, in votes as of now.
    assert close(total, decayed_votes(idea.trending_score, NOW))
    assert close(breakdown.score, breakdown.stored_score)
    assert close(breakdown.score, total)
    # Each vote counts 2^-(age / half-life).
    expected = sum(2 ** -(age / HALF_LIFE) for age in AGES)
    assert close(breakdown.score, expected)
    assert breakdown.buckets[0].contribution == pytest.approx(
        sum(2 ** -(age / HALF_LIFE) for age in AGES[:3]), rel=1e-9
    )
    # Age decay is what the votes lost: raw votes minus the score.
    assert breakdown.raw_votes == len(AGES)
    assert close(breakdown.age_decay, len(AGES) - breakdown.score)
    assert close(breakdown.raw_votes - breakdown.age_decay, breakdown.score)
    assert close(sum(bucket.decay for bucket in breakdown.buckets), breakdown.age_decay)


def test_rounded_parts_add_up_as_shown(app):
    idea = placed_idea(AGES)
    breakdown = rank_explanations.explanation_if_allowed(make_user(role="admin"), idea, now=NOW)
    shown = breakdown.rounded()
    assert round(sum(shown), 2) == round(breakdown.score, 2)
    assert all(
        abs(part - bucket.contribution) < 0.01 for part, bucket in zip(shown, breakdown.buckets, strict=True)
    )
    # Three thirds shown to two places still add up to one.
    assert rounded_parts([1 / 3, 1 / 3, 1 / 3], 1.0) == [0.34, 0.33, 0.33]
    assert sum(rounded_parts([0.125, 0.125, 0.25], 0.5)) == pytest.approx(0.5)


def test_a_vote_cast_now_counts_one_and_one_a_half_life_ago_counts_half():
    idea = SimpleNamespace(trending_score=vote_weight(NOW) + vote_weight(NOW - HALF_LIFE))
    breakdown = explain(idea, [NOW, NOW - HALF_LIFE], NOW)
    assert breakdown.buckets[0].contribution == pytest.approx(1.0)
    assert breakdown.buckets[1].contribution == pytest.approx(0.5)
    assert breakdown.score == pytest.approx(1.5)
    assert breakdown.age_decay == pytest.approx(0.5)
    assert breakdown.weighted_votes is None


def test_an_idea_without_votes_explains_to_zero():
    breakdown = explain(SimpleNamespace(trending_score=0.0), [], NOW)
    assert breakdown.score == 0
    assert breakdown.age_decay == 0
    assert [bucket.count for bucket in breakdown.buckets] == [0, 0, 0]
    assert breakdown.rounded() == [0.0, 0.0, 0.0]


def test_segment_weighting_is_shown_beside_the_score(app):
    idea = placed_idea([timedelta(days=1)] * 4)
    admin = make_user(role="admin")
    enterprise = segments.create_segment(admin, "Enterprise", 3)
    startup = segments.create_segment(admin, "Startup", 2)
    voters = db.select(User.email).join(IdeaVote, IdeaVote.user_id == User.id).order_by(IdeaVote.user_id)
    emails = list(db.session.scalars(voters))
    segments.assign_emails(admin, enterprise, f"{emails[0]} {emails[1]}")
    segments.assign_emails(admin, startup, f"{emails[1]} {emails[2]}")
    db.session.commit()
    breakdown = rank_explanations.explanation_if_allowed(make_user(role="product_manager"), idea, now=NOW)
    # Raw votes and the score do not change with weights.
    assert breakdown.raw_votes == 4
    assert close(breakdown.score, decayed_votes(idea.trending_score, NOW))
    assert [(share.name, share.voters, share.weight, share.weighted) for share in breakdown.shares] == [
        ("Enterprise", 2, 3.0, 6.0),
        ("Startup", 1, 2.0, 2.0),
        ("No segment", 1, 1.0, 1.0),
    ]
    assert breakdown.weighted_votes == pytest.approx(9.0)


def test_only_staff_see_it_unless_the_setting_says_everyone(app):
    idea = placed_idea([timedelta(days=1)])
    member = make_user()
    assert rank_explanations.explanation_if_allowed(member, idea, now=NOW) is None
    assert rank_explanations.explanation_if_allowed(AnonymousUserMixin(), idea, now=NOW) is None
    settings.update_settings(make_user(role="admin"), ranking_explanations_public=True)
    db.session.commit()
    assert rank_explanations.explanation_if_allowed(member, idea, now=NOW).raw_votes == 1
    assert rank_explanations.explanation_if_allowed(AnonymousUserMixin(), idea, now=NOW).raw_votes == 1


def test_members_never_see_segment_weights(app):
    idea = placed_idea([timedelta(days=1)])
    admin = make_user(role="admin")
    segment = segments.create_segment(admin, "Enterprise", 3)
    segments.assign_emails(admin, segment, db.session.get(User, idea.author_id).email)
    settings.update_settings(admin, ranking_explanations_public=True)
    db.session.commit()
    assert rank_explanations.explanation_if_allowed(make_user(), idea, now=NOW).shares == []
    assert rank_explanations.explanation_if_allowed(admin, idea, now=NOW).weighted_votes == pytest.approx(3.0)


def test_an_idea_one_may_not_see_is_not_found(app):
    idea = placed_idea([timedelta(days=1)])
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(hidden_at=NOW, hidden_reason="spam"))
    db.session.commit()
    settings.update_settings(make_user(role="admin"), ranking_explanations_public=True)
    db.session.commit()
    # The idea page looks the idea up before it asks for the explanation.
    with pytest.raises(NotFound):
        ideas.get_idea(make_user(), idea.id)
    with pytest.raises(NotFound):
        ideas.get_idea(make_user(role="product_manager"), 999_999)
