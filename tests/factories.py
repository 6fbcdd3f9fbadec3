"""Factories for test data: sensible defaults, keyword overrides, each row committed.

`make_*` goes through the service, so the data is what the site itself would store (with its
side effects: votes, follows, notifications). `make_*_row` writes the row straight to the
database, for tests that want the row without those side effects.
"""

import itertools
from collections.abc import Iterable
from datetime import timedelta
from functools import cache

from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.launch import Launch
from app.models.prototype import Prototype, PrototypeIdea
from app.models.round import FeedbackRound
from app.models.user import User
from app.passwords import hash_password

PASSWORD = "correct horse battery"
HOUR = timedelta(hours=1)
_numbers = itertools.count(1)

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


class ApiCaller:
    """A user with an API token, and the headers that carry it."""

    def __init__(self, role: str = "member", name: str | None = None):
        from app.services import api_tokens

        self.user = make_user(role, name=name)
        _, plain = api_tokens.create_token(self.user, self.user, "Tests")
        db.session.commit()
        self.id = self.user.id
        self.token = plain
        self.headers = {"Authorization": f"Bearer {plain}"}
