"""Results of feedback rounds for staff: counts, averages, NPS, option counts, comparison, CSV.

Numbers are exact: averages use decimals and round half away from zero to two places;
percentages and the NPS round half away from zero to whole numbers. Every page of results
takes a fixed number of queries, however many people answered.
"""

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.base import utcnow
from app.models.launch import Launch
from app.models.prototype import Prototype
from app.models.round import FeedbackRound, RoundAnswer, RoundQuestion, RoundResponse
from app.models.user import User
from app.permissions import require
from app.services.csvfile import safe_cell
from app.services.rounds import (
    CHOICE_KINDS,
    NPS_VALUES,
    RATING_VALUES,
    load_round,
    response_counts,
)

NO_ANSWERS = ""  # a comparison cell of a question the round asked but nobody answered


def _percent(part: int, whole: int) -> int:
    """part / whole as a whole percentage, halves rounded away from zero (-12.5 → -13)."""
    return int((Decimal(part * 100) / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class Nps:
    promoters: int
    passives: int
    detractors: int

    @property
    def total(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> int | None:
        """% promoters (9–10) − % detractors (0–6), computed exactly, then rounded half away from zero."""
        if not self.total:
            return None
        return _percent(self.promoters - self.detractors, self.total)


@dataclass
class QuestionResult:
    question: RoundQuestion
    answered: int = 0
    # rating: 1..5 → n; nps: 0..10 → n; choice/multi: option → n (multi counts each chosen option)
    distribution: dict[Any, int] = field(default_factory=dict)
    average: Decimal | None = None
    nps: Nps | None = None
    answers: list[tuple[str, datetime]] = field(default_factory=list)  # text, newest first

    def share(self, count: int) -> int:
        """count as a whole percentage of the people who answered this question."""
        return _percent(count, self.answered) if self.answered else 0


def _question_result(question: RoundQuestion, counts: Iterable[tuple[Any, int]]) -> QuestionResult:
    """Results of one question from (answer value, how many) pairs."""
    result = QuestionResult(question)
    kind = question.kind
    if kind == "rating":
        result.distribution = dict.fromkeys(RATING_VALUES, 0)
    elif kind == "nps":
        result.distribution = dict.fromkeys(NPS_VALUES, 0)
    elif kind in CHOICE_KINDS:
        result.distribution = dict.fromkeys(question.options or [], 0)
    for value, count in counts:
        result.answered += count
        for item in value if kind == "multi" else [value]:
            if item in result.distribution:
                result.distribution[item] += count
    if kind == "rating" and result.answered:
        total = sum(value * count for value, count in result.distribution.items())
        result.average = (Decimal(total) / Decimal(result.answered)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    if kind == "nps":
        spread = result.distribution
        result.nps = Nps(
            promoters=spread[9] + spread[10],
            passives=spread[7] + spread[8],
            detractors=sum(spread[value] for value in range(0, 7)),
        )
    return result


@dataclass
class RoundSummary:
    round: FeedbackRound
    state: str
    response_count: int
    questions: list[QuestionResult]


@dataclass
class ComparisonRow:
    label: str
    kind: str
    option: str | None
    cells: list[Any]  # one per round: Decimal (rating), int (nps, option %), NO_ANSWERS, or None (not asked)


@dataclass
class Results:
    round: FeedbackRound
    prototype: Prototype
    state: str
    response_count: int
    audience_size: int | None
    questions: list[QuestionResult]
    rounds: list[RoundSummary]  # every round of the prototype, oldest first
    comparison: list[ComparisonRow]

    @property
    def response_rate(self) -> int | None:
        """Responses as a whole percentage of the audience (None when it is not known or empty)."""
        if not self.audience_size:
            return None
        return _percent(self.response_count, self.audience_size)


def _audience_size(round_: FeedbackRound, now: datetime) -> int | None:
    """How many people the round asks: active members, or the launch's enrolled participants."""
    if round_.audience == "everyone":
        return active_member_count(now)
    if round_.launch_id is None:
        return None
    return db.session.scalar(select(Launch.enrolled_count).where(Launch.id == round_.launch_id))


def active_member_count(now: datetime | None = None) -> int:
    """Accounts not suspended right now: the audience of a round for everyone."""
    now = now or utcnow()
    return db.session.scalar(
        select(func.count(User.id)).where(
            or_(
                User.suspended_at.is_(None),
                User.suspended_until.is_not(None) & (User.suspended_until <= now),
            )
        )
    )


def _comparison(rounds: list[RoundSummary], current: RoundSummary) -> list[ComparisonRow]:
    """Rows of matching questions (same kind and prompt text) across rounds; the current round's first.

    Ratings compare by average, NPS by score, choices by the share of people choosing each option.
    """
    rows: dict[tuple[str, str, str | None], ComparisonRow] = {}
    column = {summary.round.id: index for index, summary in enumerate(rounds)}
    for summary in [current] + [other for other in rounds if other is not current]:
        for result in summary.questions:
            question = result.question
            if question.kind == "text":
                continue
            if not result.answered:
                options = result.distribution if question.kind in CHOICE_KINDS else [None]
                entries = [(option, NO_ANSWERS) for option in options]
            elif question.kind in CHOICE_KINDS:
                entries = [(option, result.share(count)) for option, count in result.distribution.items()]
            else:
                entries = [(None, result.average if question.kind == "rating" else result.nps.score)]
            for option, value in entries:
                key = (question.kind, question.prompt.casefold(), option.casefold() if option else None)
                if key not in rows:
                    rows[key] = ComparisonRow(question.prompt, question.kind, option, [None] * len(rounds))
                cells = rows[key].cells
                if cells[column[summary.round.id]] is None:
                    cells[column[summary.round.id]] = value
    return list(rows.values())


def round_results(actor: Any, round_id: int, now: datetime | None = None) -> Results:
    """Results of a round and of its sibling rounds, live while open, in a fixed number of queries."""
    require(actor, "round.results")
    now = now or utcnow()
    _, prototype = load_round(actor, round_id)
    prototype_id = prototype.id
    rounds = list(
        db.session.scalars(
            select(FeedbackRound)
            .options(selectinload(FeedbackRound.questions))
            .where(FeedbackRound.prototype_id == prototype_id)
            .order_by(FeedbackRound.opens_at, FeedbackRound.id)
        )
    )
    counts = response_counts([round_.id for round_ in rounds])
    # One grouped query for every answer of every round but free text: (question, value, how many).
    value_text = cast(RoundAnswer.value, Text)
    grouped: dict[int, list[tuple[Any, int]]] = {}
    for question_id, text, count in db.session.execute(
        select(RoundAnswer.question_id, value_text, func.count())
        .join(RoundQuestion, RoundQuestion.id == RoundAnswer.question_id)
        .join(FeedbackRound, FeedbackRound.id == RoundQuestion.round_id)
        .where(FeedbackRound.prototype_id == prototype_id, RoundQuestion.kind != "text")
        .group_by(RoundAnswer.question_id, value_text)
    ):
        grouped.setdefault(question_id, []).append((json.loads(text), count))
    texts: dict[int, list[tuple[str, datetime]]] = {}
    for question_id, value, submitted_at in db.session.execute(
        select(RoundAnswer.question_id, RoundAnswer.value, RoundResponse.updated_at)
        .join(RoundResponse, RoundResponse.id == RoundAnswer.response_id)
        .join(RoundQuestion, RoundQuestion.id == RoundAnswer.question_id)
        .where(RoundResponse.round_id == round_id, RoundQuestion.kind == "text")
        .order_by(RoundResponse.updated_at.desc(), RoundResponse.id.desc())
    ):
        texts.setdefault(question_id, []).append((value, submitted_at))
    summaries = []
    for round_ in rounds:
        results = []
        for question in round_.questions:
            result = _question_result(question, grouped.get(question.id, []))
            if question.kind == "text":
                result.answers = texts.get(question.id, [])
                result.answered = len(result.answers)
            results.append(result)
        summaries.append(RoundSummary(round_, round_.state_at(now), counts.get(round_.id, 0), results))
    current = next(summary for summary in summaries if summary.round.id == round_id)
    audience_size = _audience_size(current.round, now)
    return Results(
        round=current.round,
        prototype=prototype,
        state=current.state,
        response_count=current.response_count,
        audience_size=audience_size,
        questions=current.questions,
        rounds=summaries,
        comparison=_comparison(summaries, current),
    )


# ---- CSV export ----


def _answer_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(value)
    return value


def responses_csv(actor: Any, round_id: int) -> tuple[str, str]:
    """Every response of a round as CSV (filename, text): one row per respondent, one column per question."""
    require(actor, "round.results")
    round_, _ = load_round(actor, round_id)
    responses = db.session.execute(
        select(RoundResponse, User)
        .join(User, User.id == RoundResponse.user_id)
        .where(RoundResponse.round_id == round_.id)
        .order_by(RoundResponse.created_at, RoundResponse.id)
    ).all()
    answers: dict[int, dict[int, Any]] = {}
    for response_id, question_id, value in db.session.execute(
        select(RoundAnswer.response_id, RoundAnswer.question_id, RoundAnswer.value)
        .join(RoundResponse, RoundResponse.id == RoundAnswer.response_id)
        .where(RoundResponse.round_id == round_.id)
    ):
        answers.setdefault(response_id, {})[question_id] = value
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["Respondent ID", "Display name", "Submitted at (UTC)"]
    header += [f"{index}. {question.prompt}" for index, question in enumerate(round_.questions, start=1)]
    writer.writerow([safe_cell(cell) for cell in header])
    for response, user in responses:
        given = answers.get(response.id, {})
        row = [user.id, user.display_name, response.updated_at.strftime("%Y-%m-%d %H:%M:%S")]
        row += [_answer_cell(given.get(question.id)) for question in round_.questions]
        writer.writerow([safe_cell(cell) for cell in row])
    return f"round-{round_.id}-responses.csv", out.getvalue()
