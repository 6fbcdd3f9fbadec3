"""The trending score: a time-decayed vote score, stored on each idea.

Each vote adds 2^((voted_at - EPOCH) / HALF_LIFE) to its idea's `trending_score`, and
retracting it subtracts the same amount. A vote cast one half-life later weighs twice as
much, which is the same as every older vote losing half its weight: the ranking decays with
time without ever recomputing stored scores, and each vote is one atomic
`UPDATE ... SET trending_score = trending_score + w`.

Floats reach 2^1023, so scores stay finite for about 19 years after EPOCH at a one-week
half-life. Before then an operator rebases by dividing every score by the same power of
two (order is unchanged) and moving EPOCH forward by the matching number of half-lives.
"""

from datetime import UTC, datetime, timedelta

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
HALF_LIFE = timedelta(days=7)


def vote_weight(voted_at: datetime) -> float:
    """What one vote cast at `voted_at` adds to the trending score."""
    return 2.0 ** ((voted_at - EPOCH) / HALF_LIFE)


def decayed_votes(score: float, now: datetime) -> float:
    """The score expressed in votes as of `now` (a vote cast now counts 1)."""
    return score / vote_weight(now)
