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

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
HALF_LIFE = timedelta(days=7)


def vote_weight(voted_at: datetime) -> float:
    """What one vote cast at `voted_at` adds to the trending score."""
    return 2.0 ** ((voted_at - EPOCH) / HALF_LIFE)


def decayed_votes(score: float, now: datetime) -> float:
    """The score expressed in votes as of `now` (a vote cast now counts 1)."""
    return score / vote_weight(now)


# ---- "Why this rank?": the trending score taken apart ----

# The explanation's groups of votes by age; "7–30 days" includes a vote exactly 30 days old,
# as the dashboard's "votes in 30 days" does.
BUCKETS = ("Last 7 days", "7–30 days", "Older")
WEEK, MONTH = timedelta(days=7), timedelta(days=30)


def _bucket(age: timedelta) -> int:
    if age < WEEK:
        return 0
    return 1 if age <= MONTH else 2


@dataclass(frozen=True)
class Bucket:
    label: str
    count: int
    # What these votes count for now: each vote 2^-(age / HALF_LIFE).
    contribution: float

    @property
    def decay(self) -> float:
        return self.count - self.contribution


@dataclass(frozen=True)
class SegmentShare:
    """The voters counted at one segment's weight (their heaviest segment), or at 1 without one."""

    segment_id: int | None
    name: str
    weight: float
    voters: int

    @property
    def weighted(self) -> float:
        return self.voters * self.weight


@dataclass(frozen=True)
class Breakdown:
    """An idea's trending score in parts that add up.

    `score` is the sum of the bucket contributions, and it equals `stored_score`, the stored
    `decayed_votes(idea.trending_score, now)` that ranks the idea (to float rounding: the stored
    score is a running sum). `raw_votes - age_decay == score`. Segment weighting is separate from the
    score: `sum(share.weighted) == weighted_votes`, and the raw count stays `raw_votes`.
    """

    now: datetime
    raw_votes: int
    buckets: list[Bucket]
    score: float
    stored_score: float
    shares: list[SegmentShare] = field(default_factory=list)

    @property
    def age_decay(self) -> float:
        return self.raw_votes - self.score

    @property
    def weighted_votes(self) -> float | None:
        return sum(share.weighted for share in self.shares) if self.shares else None

    @property
    def half_life_days(self) -> float:
        return HALF_LIFE / timedelta(days=1)

    def rounded(self, places: int = 2) -> list[float]:
        """The bucket contributions rounded so that they add up to the rounded score, as shown."""
        return rounded_parts([bucket.contribution for bucket in self.buckets], self.score, places)


def rounded_parts(parts: Sequence[float], total: float, places: int = 2) -> list[float]:
    """Round `parts` to `places` decimals so they add up to `total` rounded (largest remainders)."""
    unit = 10**places
    target = round(total * unit)
    floors = [math.floor(part * unit) for part in parts]
    order = sorted(range(len(parts)), key=lambda i: parts[i] * unit - floors[i], reverse=True)
    for i in order[: max(0, target - sum(floors))]:
        floors[i] += 1
    return [value / unit for value in floors]


def explain(
    idea: Any,
    votes_at: Sequence[datetime],
    now: datetime,
    voter_segments: Sequence[Any] | None = None,
) -> Breakdown:
    """Take `idea`'s trending score apart from the times of its votes (one row per vote).

    `voter_segments`, when given, holds one entry per voter: the segment whose weight counts
    for them (an object with `id`, `name`, `weight`), or None for a voter without a segment.
    """
    now_weight = vote_weight(now)
    counts = [0] * len(BUCKETS)
    contributions = [0.0] * len(BUCKETS)
    for voted_at in votes_at:
        index = _bucket(now - voted_at)
        counts[index] += 1
        contributions[index] += vote_weight(voted_at) / now_weight
    buckets = [Bucket(label, counts[i], contributions[i]) for i, label in enumerate(BUCKETS)]
    shares: list[SegmentShare] = []
    if voter_segments is not None:
        grouped: dict[int | None, SegmentShare] = {}
        for segment in voter_segments:
            key = segment.id if segment is not None else None
            share = grouped.get(key)
            if share is None:
                name = segment.name if segment is not None else "No segment"
                weight = float(segment.weight) if segment is not None else 1.0
                share = SegmentShare(key, name, weight, 0)
            grouped[key] = SegmentShare(share.segment_id, share.name, share.weight, share.voters + 1)
        shares = sorted(grouped.values(), key=lambda s: (s.segment_id is None, -s.weighted, s.name))
    return Breakdown(
        now=now,
        raw_votes=len(votes_at),
        buckets=buckets,
        score=sum(contributions),
        stored_score=decayed_votes(idea.trending_score or 0.0, now),
        shares=shares,
    )
