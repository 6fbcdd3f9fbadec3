"""Factories for test data: sensible defaults, keyword overrides, each row committed.

`make_*` goes through the service, so the data is what the site itself would store (with its
side effects: votes, follows, notifications); `make_user` alone writes its row directly, a verified
account. `make_*_row` writes the row straight to the database, for tests that want the row
without those side effects.
"""

import itertools
from collections.abc import Iterable
from datetime import timedelta
from functools import cache

from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.identity import Identity
from app.models.launch import Launch
from app.models.moderation import Flag
from app.models.notification import Notification
from app.models.prototype import Prototype, PrototypeIdea
from app.models.roadmap import RoadmapItem
from app.models.round import FeedbackRound
from app.models.segment import Segment
from app.models.user import User
from app.models.webhook import Webhook
from app.passwords import hash_password

PASSWORD = "correct horse battery"
HOUR = timedelta(hours=1)
_numbers = itertools.count(1)

LAUNCH_SUMMARY = "Pilot users came back every week; the summary email works."

QUESTIONS = [
    {"kind": "rating", "prompt": "How easy was the checkout?", "required": True},
    {"kind": "nps", "prompt": "How likely are you to recommend it?"},
    {"kind": "choice", "prompt": "Which plan would you pick?", "options": ["Basic", "Pro", "Team"]},
    {"kind": "multi", "prompt": "What did you use?", "options": ["Search", "Filters", "Export"]},
    {"kind": "text", "prompt": "Anything else?"},
]


@cache
def _password_hash() -> str:
    # Hashing with argon2 takes a while; every factory user shares one hash of PASSWORD.
    return hash_password(PASSWORD)


def make_user(
    role: str = "member",
    email: str | None = None,
    name: str | None = None,
    commit: bool = True,
    username: str | None = None,
) -> User:
    number = next(_numbers)
    user = User(
        email=(email or f"user{number}@example.com").lower(),
        display_name=name or f"User {number}",
        username=username or f"user{number}",
        password_hash=_password_hash(),
        role=role,
        email_verified_at=utcnow(),
    )
    db.session.add(user)
    if commit:
        db.session.commit()
    return user


def make_idea(
    author: User | None = None,
    title: str = "Export reports to CSV",
    body: str = "So finance can use them.",
    category: str | None = None,
    voters: Iterable[User] = (),
) -> Idea:
    """An idea proposed through the service (with its author's vote and follow), voted for by `voters`."""
    from app.services import ideas, votes

    idea = ideas.create_idea(author or make_user(), title, body, category)
    for voter in voters:
        votes.cast_vote(voter, idea)
    db.session.commit()
    return idea


def make_idea_row(author: User | None = None, title: str = "Faster checkout please") -> Idea:
    """An idea row alone: no vote, no follow."""
    idea = Idea(title=title, author_id=(author or make_user()).id)
    db.session.add(idea)
    db.session.commit()
    return idea


def make_comment(
    target: Idea | Prototype,
    author: User | None = None,
    body: str = "A comment",
    parent: Comment | None = None,
) -> Comment:
    """A comment (or a reply to `parent`) on an idea or a prototype, posted through the service."""
    from app.services import comments

    author = author or make_user()
    parent_id = parent.id if parent else None
    if isinstance(target, Prototype):
        comment = comments.add_prototype_comment(author, target, body, parent_id)
    else:
        comment = comments.add_comment(author, target, body, parent_id)
    db.session.commit()
    return comment


def make_prototype(
    author: User | None = None,
    title: str = "Clickable CSV export",
    description: str = "Try **exporting** a report.",
    status: str = "published",
    idea_ids: Iterable[int] = (),
    links: Iterable = (),
    images: Iterable[bytes] = (),
) -> Prototype:
    """A prototype created through the service (a product manager's, unless `author` is given)."""
    from app.services import prototypes
    from app.uploads import Upload

    prototype = prototypes.create_prototype(
        author or make_user("product_manager"),
        title,
        description,
        idea_ids=list(idea_ids),
        links=list(links),
        status=status,
        images=[Upload(f"image{n}.png", data) for n, data in enumerate(images)],
    )
    db.session.commit()
    return prototype


def make_prototype_row(
    author: User | None = None,
    status: str = "published",
    idea_ids: Iterable[int] = (),
    title: str = "One-page checkout",
) -> Prototype:
    """A prototype row linked to `idea_ids`, without the announcements publishing would send."""
    author = author or make_user("product_manager")
    now = utcnow()
    prototype = Prototype(
        title=title,
        description="Try the new checkout.",
        description_html="<p>Try the new checkout.</p>",
        status=status,
        author_id=author.id,
        created_at=now,
        updated_at=now,
        published_at=now if status != "draft" else None,
    )
    db.session.add(prototype)
    db.session.flush()
    for idea_id in idea_ids:
        db.session.add(PrototypeIdea(prototype_id=prototype.id, idea_id=idea_id))
    db.session.commit()
    return prototype


def make_round(
    staff: User | None = None,
    prototype: Prototype | None = None,
    questions: list[dict] | None = None,
    state: str = "open",
    title: str = "Round 1",
) -> FeedbackRound:
    """A round with `questions` in the given state: created open, then moved in time by its dates."""
    from app.services import rounds

    staff = staff or make_user("product_manager")
    prototype = prototype or make_prototype_row(staff)
    now = utcnow()
    round_ = rounds.create_round(
        staff, prototype, title, now - HOUR, now + 72 * HOUR, questions or QUESTIONS, now=now
    )
    if state == "scheduled":
        round_.opens_at, round_.closes_at = now + 24 * HOUR, now + 72 * HOUR
    elif state == "closed":
        round_.opens_at, round_.closes_at = now - 72 * HOUR, now - HOUR
    db.session.commit()
    return round_


def make_round_row(
    prototype: Prototype, opens_in: timedelta, closes_in: timedelta, title: str = "Round"
) -> FeedbackRound:
    """A round row without questions, open from `opens_in` to `closes_in` from now."""
    now = utcnow()
    round_ = FeedbackRound(
        prototype_id=prototype.id,
        title=title,
        opens_at=now + opens_in,
        closes_at=now + closes_in,
        created_by_id=prototype.author_id,
    )
    db.session.add(round_)
    db.session.commit()
    return round_


def make_launch_row(status: str = "recruiting", capacity: int = 2, author: User | None = None) -> Launch:
    """A launch row in `status`, without the checks and steps the service takes."""
    author = author or make_user("product_manager")
    now = utcnow()
    launch = Launch(
        title="Weekly summary pilot",
        hypothesis="We believe a weekly summary brings members back.",
        success_metric="Active in week 4",
        capacity=capacity,
        status=status,
        starts_at=now,
        ends_at=now + 30 * 24 * HOUR,
        author_id=author.id,
    )
    db.session.add(launch)
    db.session.commit()
    return launch


def make_launch(
    author: User | None = None,
    status: str = "recruiting",
    capacity: int = 2,
    title: str = "Weekly summary pilot",
    assumptions: Iterable = (("value", "Lapsed users read a weekly summary"),),
    outcome: tuple[str, str, str] = ("scale", LAUNCH_SUMMARY, "42%"),
    mover: User | None = None,
    **fields,
) -> Launch:
    """A launch created through the service, then moved on to `status` by `mover` (its author unless given).

    `assumptions` are (kind, statement) pairs or AssumptionInputs; a completed launch gets `outcome`
    (decision, summary, measured metric) with every assumption confirmed. `fields` go to the service.
    """
    from app.services import launches
    from app.services.launches import AssumptionInput, OutcomeInput

    author = author or make_user("product_manager")
    now = utcnow().replace(microsecond=0)
    fields.setdefault("hypothesis", "We believe weekly summaries will bring back lapsed users.")
    fields.setdefault("success_metric", "Share of pilot users active in week 4")
    fields.setdefault("starts_at", now + timedelta(days=7))
    fields.setdefault("ends_at", now + timedelta(days=21))
    launch = launches.create_launch(
        author,
        title=title,
        capacity=capacity,
        assumptions=[a if isinstance(a, AssumptionInput) else AssumptionInput(*a) for a in assumptions],
        status="draft" if status == "draft" else "recruiting",
        **fields,
    )
    db.session.commit()
    mover = mover or author
    steps = {"running": ["running"], "completed": ["running", "completed"], "cancelled": ["cancelled"]}
    for step in steps.get(status, []):
        launch = launches.get_launch(mover, launch.id)
        found = None
        if step == "completed":
            found = OutcomeInput(*outcome, {a.id: "confirmed" for a in launch.assumptions})
        launches.change_status(mover, launch, step, found, start_early=step == "running")
        db.session.commit()
    return launch


def make_participant(launch: Launch, user: User | None = None, answer: str = ""):
    """`user` joins `launch` through the service (enrolled, or waitlisted when full); returns the place."""
    from app.services import participation

    place = participation.join_launch(user or make_user(), launch.id, answer)
    db.session.commit()
    return place


def make_flag(
    target: Idea | Comment | Prototype,
    flagger: User | None = None,
    reason: str = "spam",
    note: str = "",
    duplicate_of: int | None = None,
) -> Flag:
    """A flag on an idea, a comment or a prototype, raised through the service."""
    from app.services import moderation

    kind = {Idea: "idea", Comment: "comment", Prototype: "prototype"}[type(target)]
    flag = moderation.flag_item(flagger or make_user(), kind, target.id, reason, note, duplicate_of)
    db.session.commit()
    return flag


def make_roadmap_item(
    author: User | None = None, title: str = "CSV export for every report", status: str = "planned", **values
) -> RoadmapItem:
    """A roadmap item created planned, then moved on to `status` through the service."""
    from app.services import roadmap

    author = author or make_user("product_manager")
    item = roadmap.create_item(author, title, **values)
    db.session.commit()
    if status != "planned":
        roadmap.change_status(author, roadmap.get_item(author, item.id), status, values.get("release_note"))
        db.session.commit()
    return db.session.get(RoadmapItem, item.id)


def make_notification(
    user: User, message: str = "Look here", url: str = "/ideas/1", actor: User | None = None
) -> Notification:
    """A mention notification for `user`, written by the notification service."""
    from app.services.notifications import Recipient, notify

    [notification] = notify([Recipient(user.id, "mention", message)], url, actor.id if actor else None)
    db.session.commit()
    return notification


def make_webhook(
    admin: User | None = None,
    url: str = "https://hooks.example.com/cocreate",
    events: Iterable[str] | None = None,
    description: str = "",
    is_active: bool = True,
) -> Webhook:
    """A webhook subscribed to `events` (every event unless given), by an admin."""
    from app.services import webhook_events, webhooks

    webhook = webhooks.create_webhook(
        admin or make_user("admin"),
        url,
        list(webhook_events.EVENTS if events is None else events),
        description,
        is_active=is_active,
    )
    db.session.commit()
    return webhook


def make_api_token(user: User, name: str = "Tests", expires_in_days: int | None = None) -> str:
    """A new API token of `user`'s own; returns the plain token."""
    from app.services import api_tokens

    _, plain = api_tokens.create_token(user, user, name, expires_in_days)
    db.session.commit()
    return plain


def make_identity(
    user: User, provider: str = "oidc", subject: str | None = None, email: str | None = None
) -> Identity:
    """An identity at `provider` linked to `user`'s account, as the settings page links one."""
    from app.services import identities

    identity = identities.link_identity(
        user, provider, provider, subject or f"subject-{next(_numbers)}", email or user.email
    )
    db.session.commit()
    return identity


def make_round_response(round_: FeedbackRound, user: User | None = None, answers: dict | None = None):
    """`user`'s answers to an open round made with QUESTIONS (a rating of 4 and a text, unless given)."""
    from app.services import rounds

    user = user or make_user()
    loaded = rounds.get_round(user, round_.id)
    questions = sorted(loaded.questions, key=lambda question: question.position)
    if answers is None:
        answers = {str(questions[0].id): 4, str(questions[-1].id): "Quick and clear."}
    response, _ = rounds.submit_response(user, loaded, answers)
    db.session.commit()
    return response


def make_segment(
    name: str = "Enterprise", members: Iterable[User] = (), admin: User | None = None
) -> Segment:
    """A segment with `members` in it, made by an admin."""
    from app.services import segments

    admin = admin or make_user("admin")
    segment = segments.create_segment(admin, name)
    if members:
        segments.assign_emails(admin, segment, "\n".join(member.email for member in members))
    db.session.commit()
    return segment


class ApiCaller:
    """A user with an API token, and the headers that carry it."""

    def __init__(self, role: str = "member", name: str | None = None):
        self.user = make_user(role, name=name)
        plain = make_api_token(self.user)
        self.id = self.user.id
        self.token = plain
        self.headers = {"Authorization": f"Bearer {plain}"}


def make_board(
    name: str = "Enterprise beta", visibility: str = "public", slug: str = "", admin: User | None = None
):
    """A board made by an admin through the service."""
    from app.services import boards

    board = boards.create_board(admin or make_user("admin"), name, slug, visibility=visibility)
    db.session.commit()
    return board
