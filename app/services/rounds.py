"""Feedback rounds on prototypes: create and edit them, answer them, announce them, list them.

A round's state (scheduled, open, closed) follows the clock. Members in its audience answer once
and may change their answers until it closes; the unique (round_id, user_id) constraint keeps
one response per person even when a form is sent twice. Questions are fixed from the first answer.
Results and the CSV export live in app/services/round_results.py.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import labels
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.links import site_path
from app.models.base import utcnow
from app.models.idea import IdeaFollow
from app.models.launch import ACTIVE_STATUSES, Launch
from app.models.prototype import Prototype, PrototypeIdea
from app.models.round import (
    AUDIENCES,
    QUESTION_KINDS,
    FeedbackRound,
    RoundAnswer,
    RoundQuestion,
    RoundResponse,
)
from app.models.user import User
from app.permissions import is_signed_in, is_staff, require
from app.services import audit, prototypes
from app.services.dialect import insert_ignore
from app.services.fields import FieldTable, Text
from app.services.notifications import Recipient, notify
from app.services.timezones import DEFAULT_ZONE, check_zone, local_to_utc, utc_to_local
from app.text import normalize_line
from app.visibility import (
    in_audience,
    is_public,
    launch_audience,
    may_see,
    public_prototypes,
    visible_prototypes,
    visible_rounds,
)

# A round's texts: the rules, the messages, the form's labels and hints, the API's fields.
TEXTS = FieldTable(
    Text(
        "title",
        "Title",
        low=3,
        high=120,
        missing="The title needs at least 3 characters, like “Round 1: first look”.",
        called="the title",
        not_text="Give the round a title.",
        hint="People see it in the invitation, like “Round 2: the new checkout”.",
    ),
)
QUESTIONS_MIN, QUESTIONS_MAX = 1, 20
PROMPT_MAX = 300
OPTIONS_MIN, OPTIONS_MAX = 2, 12
OPTION_MAX = 120
TEXT_MAX = 2_000
CHOICE_KINDS = ("choice", "multi")
RATING_VALUES = range(1, 6)
NPS_VALUES = range(0, 11)
NO_ROUND = "No such feedback round, or it is not visible to you."
LAUNCH_NOT_ACTIVE = (
    "That launch is {status}; a check-in round asks the participants of a launch that is "
    "recruiting or running."
)
NOT_IN_AUDIENCE = "This round asks the participants of a learning launch, and you are not one of them."
QUESTIONS_LOCKED = (
    "The questions can't change any more: {people} answered already, and their answers must keep "
    "meaning what they meant. You can still change the title and the dates, or start a new round."
)
UNSET: Any = object()


def when(value: datetime, zone: ZoneInfo | None = None) -> str:
    """`12 Mar 2026, 14:05 UTC`, as messages show dates; with a zone, `… 09:05 (America/New_York)`."""
    if zone is None or zone.key == DEFAULT_ZONE:
        return f"{value:%-d %b %Y, %H:%M} UTC"
    return f"{utc_to_local(value, zone):%-d %b %Y, %H:%M} ({zone.key})"


# ---- Who may see a round ----


def load_round(actor: Any, round_id: int) -> tuple[FeedbackRound, Prototype]:
    """The round (questions loaded) and its prototype, if `actor` may see them, else NotFound."""
    round_ = db.session.scalar(
        select(FeedbackRound)
        .options(selectinload(FeedbackRound.questions))
        .where(FeedbackRound.id == round_id)
    )
    if round_ is None:
        raise NotFound(NO_ROUND)
    try:
        prototype = prototypes.get_prototype(actor, round_.prototype_id, with_parts=False)
    except NotFound:
        # Said as for a round that never was: naming its prototype would tell it exists.
        raise NotFound(NO_ROUND) from None
    if not may_see(actor, round_):
        raise NotFound(NO_ROUND)
    return round_, prototype


def get_round(actor: Any, round_id: int) -> FeedbackRound:
    """The round with its questions, if `actor` may see it (staff, or its audience), else NotFound."""
    return load_round(actor, round_id)[0]


# ---- Creating and editing ----


def _in_utc(opens_at: Any, closes_at: Any, time_zone: Any, fields: dict[str, list[str]]) -> tuple[Any, Any]:
    """With a time zone, times given without one are wall-clock times there; the rest stay as given."""
    if time_zone is None:
        return opens_at, closes_at
    zone = check_zone(time_zone, fields)
    return tuple(
        local_to_utc(value, zone, name, fields)
        if isinstance(value, datetime) and value.tzinfo is None
        else value
        for name, value in (("opens_at", opens_at), ("closes_at", closes_at))
    )


def _check_window(opens_at: Any, closes_at: Any, fields: dict[str, list[str]], now: datetime | None) -> None:
    """Both times aware, opening before closing; `now` given: the round must not be over already."""
    for name, value in (("opens_at", opens_at), ("closes_at", closes_at)):
        if name in fields:
            continue
        if not isinstance(value, datetime):
            fields[name] = ["Give a date and time, like 2026-05-01T09:00:00Z."]
        elif value.tzinfo is None or value.utcoffset() is None:
            fields[name] = ["Give the time with its time zone (UTC)."]
    if fields.keys() & {"opens_at", "closes_at"}:
        return
    if closes_at <= opens_at:
        fields["closes_at"] = ["The round must close after it opens."]
    elif now is not None and closes_at <= now:
        fields["closes_at"] = ["This closing time has passed; a round needs time to collect answers."]


def _check_audience(audience: Any, launch_id: Any, fields: dict[str, list[str]]) -> None:
    if audience not in AUDIENCES:
        fields["audience"] = ["Choose the audience: “everyone” or “launch”."]
    elif audience == "launch":
        if launch_id is None:
            fields["launch_id"] = ["Choose the learning launch whose participants are asked."]
            return
        if isinstance(launch_id, bool) or not isinstance(launch_id, int):
            fields["launch_id"] = ["`launch_id` must be the id of a learning launch (a whole number)."]
            return
        status = db.session.scalar(select(Launch.status).where(Launch.id == launch_id))
        if status is None:
            fields["launch_id"] = [f"There is no learning launch #{launch_id}."]
        elif status not in ACTIVE_STATUSES:
            fields["launch_id"] = [LAUNCH_NOT_ACTIVE.format(status=status)]
    elif launch_id is not None:
        fields["launch_id"] = ["A launch goes only with the audience “launch”."]


def _check_options(kind: str, options: Any, errors: list[str]) -> list[str] | None:
    if kind not in CHOICE_KINDS:
        if options:
            errors.append(
                f"Options are only for “{labels.label('question_kind', 'choice')}” "
                f"and “{labels.label('question_kind', 'multi')}” questions: "
                "clear them, or make this a choice question."
            )
        return None
    if not isinstance(options, list) or not all(isinstance(option, str) for option in options):
        errors.append(f"Give {OPTIONS_MIN} to {OPTIONS_MAX} options, as a list of text.")
        return None
    cleaned = [normalize_line(option) for option in options]
    cleaned = [option for option in cleaned if option]
    if not OPTIONS_MIN <= len(cleaned) <= OPTIONS_MAX:
        errors.append(f"Give between {OPTIONS_MIN} and {OPTIONS_MAX} options (this has {len(cleaned)}).")
    elif len({option.casefold() for option in cleaned}) != len(cleaned):
        errors.append("Each option must be different from the others.")
    elif any(len(option) > OPTION_MAX for option in cleaned):
        errors.append(f"Keep each option to {OPTION_MAX} characters or fewer.")
    return cleaned


def check_questions(questions: Any) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Clean question definitions; errors are keyed `questions` or `questions.<index>.<part>`.

    Each question is a mapping with `kind`, `prompt`, `required` (default false) and `options`
    (choice and multi only: 2–12 distinct texts).
    """
    fields: dict[str, list[str]] = {}
    if not isinstance(questions, list):
        return [], {"questions": ["Send the questions as a list."]}
    if not QUESTIONS_MIN <= len(questions) <= QUESTIONS_MAX:
        return [], {"questions": [f"A round has {QUESTIONS_MIN} to {QUESTIONS_MAX} questions."]}
    cleaned = []
    for index, raw in enumerate(questions):
        key = f"questions.{index}"
        if not isinstance(raw, Mapping):
            fields[key] = ["Each question is an object with kind, prompt, required and options."]
            continue
        kind = raw.get("kind")
        if kind not in QUESTION_KINDS:
            fields[f"{key}.kind"] = [f"Choose the kind: {', '.join(QUESTION_KINDS)}."]
        prompt = raw.get("prompt")
        prompt = normalize_line(prompt) if isinstance(prompt, str) else ""
        if not prompt:
            fields[f"{key}.prompt"] = ["Write the question."]
        elif len(prompt) > PROMPT_MAX:
            fields[f"{key}.prompt"] = [
                f"Keep the question to {PROMPT_MAX} characters (it has {len(prompt)})."
            ]
        required = raw.get("required", False)
        if not isinstance(required, bool):
            fields[f"{key}.required"] = ["Required is true or false."]
        option_errors: list[str] = []
        options = _check_options(kind, raw.get("options"), option_errors) if kind in QUESTION_KINDS else None
        if option_errors:
            fields[f"{key}.options"] = option_errors
        cleaned.append({"kind": kind, "prompt": prompt, "required": required is True, "options": options})
    return cleaned, fields


def create_round(
    actor: User,
    prototype: Prototype,
    title: Any,
    opens_at: Any,
    closes_at: Any,
    questions: Any,
    audience: Any = "everyone",
    launch_id: Any = None,
    now: datetime | None = None,
    time_zone: Any = None,
) -> FeedbackRound:
    """Start a feedback round on a prototype; followers of its ideas hear at once if it is open.

    With `time_zone` (an IANA name, as the round form sends), times without a zone are wall-clock
    times there; without it they are refused.
    """
    require(actor, "round.create", prototype)
    now = now or utcnow()
    fields: dict[str, list[str]] = {}
    title = TEXTS["title"].check(title, fields)
    opens_at, closes_at = _in_utc(opens_at, closes_at, time_zone, fields)
    _check_window(opens_at, closes_at, fields, now)
    _check_audience(audience, launch_id, fields)
    cleaned, question_errors = check_questions(questions)
    fields.update(question_errors)
    if fields:
        raise Invalid(fields)
    round_ = FeedbackRound(
        prototype_id=prototype.id,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        audience=audience,
        launch_id=launch_id if audience == "launch" else None,
        created_by_id=actor.id,
        created_at=now,
    )
    round_.questions = [RoundQuestion(position=index, **question) for index, question in enumerate(cleaned)]
    db.session.add(round_)
    db.session.flush()
    audit.record(actor, "round.create", "round", round_.id, after=_describe(round_))
    _announce_if_open(round_, prototype, now)
    return round_


def _describe(round_: FeedbackRound) -> str:
    """A round as the audit log shows it: title, window and how many questions."""
    count = len(round_.questions)
    return (
        f"“{round_.title}”, {when(round_.opens_at)} – {when(round_.closes_at)}, "
        f"{count} question{'' if count == 1 else 's'}"
    )


def response_count(round_id: int) -> int:
    return db.session.scalar(select(func.count(RoundResponse.id)).where(RoundResponse.round_id == round_id))


def _same_questions(current: list[RoundQuestion], cleaned: list[dict[str, Any]]) -> bool:
    return [(q.kind, q.prompt, q.required, q.options or None) for q in current] == [
        (q["kind"], q["prompt"], q["required"], q["options"] or None) for q in cleaned
    ]


def update_round(
    actor: User,
    round_: FeedbackRound,
    title: Any = UNSET,
    opens_at: Any = UNSET,
    closes_at: Any = UNSET,
    questions: Any = UNSET,
    now: datetime | None = None,
    time_zone: Any = None,
) -> FeedbackRound:
    """Change a round's title, dates or questions; questions are refused once anyone answered.

    `round_` comes from get_round() (its questions loaded). Unchanged questions are not a change.
    Times without a zone are wall-clock times in `time_zone`, as for create_round.
    """
    require(actor, "round.create", round_)
    now = now or utcnow()
    # Answers take a shared lock on the round (PostgreSQL), so questions and a first answer never cross.
    db.session.execute(select(FeedbackRound.id).where(FeedbackRound.id == round_.id).with_for_update())
    fields: dict[str, list[str]] = {}
    new_title = round_.title if title is UNSET else TEXTS["title"].check(title, fields)
    new_opens = round_.opens_at if opens_at is UNSET else opens_at
    new_closes = round_.closes_at if closes_at is UNSET else closes_at
    new_opens, new_closes = _in_utc(new_opens, new_closes, time_zone, fields)
    # Staff may close a round early, so an edited closing time may lie in the past.
    _check_window(new_opens, new_closes, fields, None)
    cleaned: list[dict[str, Any]] | None = None
    if questions is not UNSET:
        cleaned, question_errors = check_questions(questions)
        fields.update(question_errors)
    if fields:
        raise Invalid(fields)
    before = _describe(round_)
    changed = [
        part
        for part, differs in (
            ("title", new_title != round_.title),
            ("dates", (new_opens, new_closes) != (round_.opens_at, round_.closes_at)),
            ("questions", cleaned is not None and not _same_questions(round_.questions, cleaned)),
        )
        if differs
    ]
    if "questions" in changed:
        answered = response_count(round_.id)
        if answered:
            raise Conflict(
                QUESTIONS_LOCKED.format(people="1 person" if answered == 1 else f"{answered} people")
            )
        db.session.execute(delete(RoundQuestion).where(RoundQuestion.round_id == round_.id))
        new_questions = [
            RoundQuestion(round_id=round_.id, position=index, **question)
            for index, question in enumerate(cleaned)
        ]
        db.session.add_all(new_questions)
        db.session.flush()
        set_committed_value(round_, "questions", new_questions)
    round_.title = new_title
    round_.opens_at = new_opens
    round_.closes_at = new_closes
    if changed:
        audit.record(
            actor,
            "round.update",
            "round",
            round_.id,
            reason=f"Changed {', '.join(changed)}",
            before=before,
            after=_describe(round_),
        )
    db.session.flush()
    prototype = db.session.get(Prototype, round_.prototype_id)
    _announce_if_open(round_, prototype, now)
    return round_


# ---- Answering ----


def _check_answer(question: RoundQuestion, value: Any) -> tuple[Any, str | None]:
    """The stored form of one answer, or an error message."""
    kind = question.kind
    if kind in ("rating", "nps"):
        allowed = RATING_VALUES if kind == "rating" else NPS_VALUES
        # bool is an int in Python; True must not pass for 1.
        if type(value) is not int or value not in allowed:
            return None, f"Choose a whole number from {allowed[0]} to {allowed[-1]}."
        return value, None
    options = question.options or []
    if kind == "choice":
        if not isinstance(value, str) or value not in options:
            return None, "Choose one of the listed options."
        return value, None
    if kind == "multi":
        if not isinstance(value, list) or not value:
            return None, "Choose at least one of the listed options."
        if not all(isinstance(item, str) and item in options for item in value):
            return None, "Choose only among the listed options."
        if len(set(value)) != len(value):
            return None, "Choose each option at most once."
        # Stored in the order the options are listed, whatever order they came in.
        return [option for option in options if option in value], None
    if not isinstance(value, str) or not value.strip():
        return None, "Write an answer, or leave this question out."
    text = value.strip()
    if len(text) > TEXT_MAX:
        return None, f"Keep the answer to {TEXT_MAX:,} characters or fewer (it has {len(text):,})."
    return text, None


def check_answers(questions: list[RoundQuestion], answers: Any) -> dict[int, Any]:
    """Validate answers keyed by question id; every error is keyed by the question id as a string."""
    if not isinstance(answers, Mapping):
        raise Invalid({"answers": ["Send the answers as an object keyed by question id."]})
    by_key = {str(question.id): question for question in questions}
    fields: dict[str, list[str]] = {}
    values: dict[int, Any] = {}
    for key, value in answers.items():
        question = by_key.get(str(key))
        if question is None:
            fields[str(key)] = ["This round has no such question."]
            continue
        if value is None:
            continue
        clean, error = _check_answer(question, value)
        if error:
            fields[str(key)] = [error]
        else:
            values[question.id] = clean
    for question in questions:
        if question.required and question.id not in values and str(question.id) not in fields:
            fields[str(question.id)] = ["This question needs an answer."]
    if not values and not fields:
        fields["answers"] = ["Answer at least one question."]
    if fields:
        raise Invalid(fields, "Some answers need attention; nothing was saved.")
    return values


def _check_may_answer(actor: Any, round_: FeedbackRound, now: datetime) -> None:
    require(actor, "round.answer", round_)
    if not in_audience(actor, round_):
        raise Forbidden(NOT_IN_AUDIENCE)
    state = round_.state_at(now)
    if state.is_scheduled:
        raise Conflict(f"This round opens on {when(round_.opens_at)}; come back then to answer.")
    if state.is_closed:
        raise Conflict(f"This round closed on {when(round_.closes_at)}; answers are no longer taken.")


def submit_response(
    actor: User, round_: FeedbackRound, answers: Any, now: datetime | None = None
) -> tuple[RoundResponse, bool]:
    """Store the actor's answers, replacing their earlier ones; returns (response, created).

    `round_` comes from get_round() (its questions loaded). Refused outside the window, outside
    the audience or with any invalid answer; then nothing is stored.
    """
    now = now or utcnow()
    _check_may_answer(actor, round_, now)
    db.session.execute(
        select(FeedbackRound.id).where(FeedbackRound.id == round_.id).with_for_update(read=True)
    )
    # Read the questions again under the lock: an edit may have replaced them since the page loaded.
    questions = list(
        db.session.scalars(
            select(RoundQuestion).where(RoundQuestion.round_id == round_.id).order_by(RoundQuestion.position)
        )
    )
    values = check_answers(questions, answers)
    # ON CONFLICT DO NOTHING rather than a savepoint: on SQLite a savepoint that opens the
    # transaction commits when released (see moderation.flag_item).
    response_id = db.session.execute(
        insert_ignore(
            RoundResponse, round_id=round_.id, user_id=actor.id, created_at=now, updated_at=now
        ).returning(RoundResponse.id)
    ).scalar()
    created = response_id is not None
    if not created:
        response_id = db.session.scalar(
            select(RoundResponse.id)
            .where(RoundResponse.round_id == round_.id, RoundResponse.user_id == actor.id)
            .with_for_update()
        )
        db.session.execute(
            update(RoundResponse).where(RoundResponse.id == response_id).values(updated_at=now)
        )
        db.session.execute(delete(RoundAnswer).where(RoundAnswer.response_id == response_id))
    db.session.add_all(
        RoundAnswer(response_id=response_id, question_id=question_id, value=value)
        for question_id, value in values.items()
    )
    db.session.flush()
    return db.session.get(RoundResponse, response_id), created


def my_response(actor: Any, round_id: int) -> tuple[RoundResponse | None, dict[int, Any]]:
    """The actor's response to a round and its answers by question id (None, {} if none)."""
    if not is_signed_in(actor):
        return None, {}
    response = db.session.scalar(
        select(RoundResponse).where(RoundResponse.round_id == round_id, RoundResponse.user_id == actor.id)
    )
    if response is None:
        return None, {}
    answers = db.session.execute(
        select(RoundAnswer.question_id, RoundAnswer.value).where(RoundAnswer.response_id == response.id)
    )
    return response, dict(answers.all())


@dataclass
class RoundPage:
    round: FeedbackRound
    prototype: Prototype
    state: str
    in_audience: bool
    may_answer: bool
    response: RoundResponse | None
    answers: dict[int, Any]


def round_page(actor: Any, round_id: int, now: datetime | None = None) -> RoundPage:
    """What the answer page shows, in a fixed number of queries."""
    round_, prototype = load_round(actor, round_id)
    state = round_.state_at(now or utcnow())
    response, answers = my_response(actor, round_.id)
    member = in_audience(actor, round_)
    return RoundPage(
        round=round_,
        prototype=prototype,
        state=state,
        in_audience=member,
        may_answer=member and state.is_open and not actor.is_suspended,
        response=response,
        answers=answers,
    )


# ---- The rounds section of a prototype page, and a member's answered rounds ----


@dataclass
class RoundCard:
    round: FeedbackRound
    state: str
    answered: bool
    in_audience: bool
    response_count: int | None  # staff only


def prototype_rounds(actor: Any, prototype: Prototype, now: datetime | None = None) -> list[RoundCard]:
    """The rounds of a prototype that `actor` may see, newest first, in at most three queries."""
    now = now or utcnow()
    staff = is_staff(actor)
    rounds = list(
        db.session.scalars(
            select(FeedbackRound)
            .where(FeedbackRound.prototype_id == prototype.id, visible_rounds(actor))
            .order_by(FeedbackRound.opens_at.desc(), FeedbackRound.id.desc())
        )
    )
    if not rounds:
        return []
    ids = [round_.id for round_ in rounds]
    answered: set[int] = set()
    if is_signed_in(actor):
        answered = set(
            db.session.scalars(
                select(RoundResponse.round_id).where(
                    RoundResponse.round_id.in_(ids), RoundResponse.user_id == actor.id
                )
            )
        )
    counts = response_counts(ids) if staff else {}
    return [
        RoundCard(
            round=round_,
            state=round_.state_at(now),
            answered=round_.id in answered,
            in_audience=in_audience(actor, round_),
            response_count=counts.get(round_.id, 0) if staff else None,
        )
        for round_ in rounds
    ]


def answered_rounds(user: User, limit: int = 20) -> list[tuple[FeedbackRound, Prototype, RoundResponse]]:
    """The rounds `user` answered, last answered first, for their own profile (one query)."""
    rows = db.session.execute(
        select(FeedbackRound, Prototype, RoundResponse)
        .join(RoundResponse, RoundResponse.round_id == FeedbackRound.id)
        .join(Prototype, Prototype.id == FeedbackRound.prototype_id)
        .where(
            RoundResponse.user_id == user.id,
            Prototype.status != "draft",
            visible_prototypes(user),
        )
        .order_by(RoundResponse.updated_at.desc(), RoundResponse.id.desc())
        .limit(limit)
    )
    return [(round_, prototype, response) for round_, prototype, response in rows]


# ---- Announcing open rounds ----


def round_url(round_: FeedbackRound) -> str:
    return site_path("rounds.detail", round_id=round_.id)


def _announceable(prototype: Prototype) -> bool:
    """Rounds of a prototype are announced once it is published, and not while hidden or deleted."""
    return prototype.is_published and is_public(prototype)


def _announce_if_open(round_: FeedbackRound, prototype: Prototype, now: datetime) -> int:
    """Tell followers of the prototype's ideas that the round is open, once; returns how many heard."""
    if round_.announced_at is not None or round_.state_at(now) != "open" or not _announceable(prototype):
        return 0
    if round_.is_for_launch:
        # A check-in round: every enrolled participant of the launch, whatever they follow.
        audience_ids = launch_audience(round_.launch_id)
    else:
        audience_ids = (
            select(IdeaFollow.user_id)
            .join(PrototypeIdea, PrototypeIdea.idea_id == IdeaFollow.idea_id)
            .where(PrototypeIdea.prototype_id == prototype.id)
        )
    people = db.session.scalars(select(User).where(User.id.in_(audience_ids)).order_by(User.id))
    message = (
        f"Feedback wanted on “{prototype.title}”: “{round_.title}” is open until {when(round_.closes_at)}"
    )
    recipients = [Recipient(user.id, "status", message) for user in people]
    sent = notify(recipients, round_url(round_), round_.created_by_id)
    round_.announced_at = now
    db.session.flush()
    return len(sent)


def announce_open_rounds(now: datetime | None = None) -> int:
    """Announce every open round not announced yet (the worker calls this); returns rounds announced.

    Safe to run repeatedly and from several workers: each round is announced once (announced_at,
    rows locked with SKIP LOCKED on PostgreSQL). Rounds of unpublished, hidden or deleted prototypes wait.
    """
    now = now or utcnow()
    rows = db.session.execute(
        select(FeedbackRound, Prototype)
        .join(Prototype, Prototype.id == FeedbackRound.prototype_id)
        .where(
            FeedbackRound.announced_at.is_(None),
            FeedbackRound.opens_at <= now,
            FeedbackRound.closes_at > now,
            Prototype.status == "published",
            public_prototypes(),
        )
        .order_by(FeedbackRound.id)
        .with_for_update(skip_locked=True, of=FeedbackRound)
    ).all()
    for round_, prototype in rows:
        _announce_if_open(round_, prototype, now)
    return len(rows)


def response_counts(round_ids: list[int]) -> dict[int, int]:
    """How many responses each of the rounds has (rounds without any are left out)."""
    rows = db.session.execute(
        select(RoundResponse.round_id, func.count(RoundResponse.id))
        .where(RoundResponse.round_id.in_(round_ids))
        .group_by(RoundResponse.round_id)
    )
    return dict(rows.all())
