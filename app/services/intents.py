"""What a visitor meant to do before signing in (vote, follow, comment), done once they are in.

An intent is plain text like "vote:12": an action and the id of its idea or prototype. The web
layer carries it through sign-in and registration (signed, so it cannot be altered); this module
reads it, names what it is about, and carries it out with the member as the actor, through the
same services and permission checks as the buttons a member presses.
"""

from dataclasses import dataclass
from typing import Any

from app.errors import DomainError
from app.models.user import User
from app.permissions import require
from app.services import follows, ideas, prototypes, transactions, votes

ACTIONS = ("vote", "follow", "comment", "prototype-vote")
_GONE = "It is no longer there, or you may not see it."


@dataclass(frozen=True)
class Intent:
    action: str
    target_id: int

    def __str__(self) -> str:
        return f"{self.action}:{self.target_id}"


@dataclass(frozen=True)
class Outcome:
    """What to tell the member afterwards (`message` may be empty), and how ("success", "error")."""

    message: str
    tone: str = "success"


def parse(text: str | None) -> Intent | None:
    """The intent written as "action:id", or None when it is not one."""
    action, _, number = (text or "").partition(":")
    if action not in ACTIONS or not number.isascii() or not number.isdigit() or len(number) > 12:
        return None
    return Intent(action, int(number))


def _target(actor: Any, intent: Intent):
    if intent.action == "prototype-vote":
        return prototypes.get_prototype(actor, intent.target_id, with_parts=False)
    return ideas.get_idea(actor, intent.target_id)


@dataclass(frozen=True)
class Aim:
    """How pages name an intent: `doing` ("vote for “Dark mode”") and `done` ("your vote is counted")."""

    doing: str
    done: str


def describe(actor: Any, intent: Intent | None) -> Aim | None:
    """How the sign-in page names the intent, or None when `actor` may not see its target."""
    if intent is None:
        return None
    try:
        title = _target(actor, intent).title
    except DomainError:
        return None
    if intent.action == "follow":
        return Aim(f"follow “{title}”", "you follow it")
    if intent.action == "comment":
        return Aim(f"comment on “{title}”", "you are back at the comment box")
    return Aim(f"vote for “{title}”", "your vote is counted")


def carry_out(actor: User, intent: Intent) -> Outcome:
    """Do what the member meant to do; a refusal changes nothing and says why.

    Voting twice or following again changes nothing either, and says so.
    """
    try:
        target = _target(actor, intent)
    except DomainError:
        return Outcome(f"What you meant to do could not be done. {_GONE}", "error")
    title = target.title
    failures = {
        "vote": f"Your vote for “{title}” was not counted.",
        "prototype-vote": f"Your vote for “{title}” was not counted.",
        "follow": f"You do not follow “{title}”.",
        "comment": f"You cannot comment on “{title}”.",
    }
    try:
        with transactions.savepoint():
            return _do(actor, intent, target)
    except DomainError as error:
        return Outcome(f"{failures[intent.action]} {error.message}", "error")


def _do(actor: User, intent: Intent, target) -> Outcome:
    title = target.title
    if intent.action == "vote":
        if votes.has_voted(actor, target):
            return Outcome(f"You had already voted for “{title}”.", "info")
        votes.cast_vote(actor, target)
        return Outcome(f"Your vote for “{title}” was counted.")
    if intent.action == "prototype-vote":
        if prototypes.has_voted(actor, target):
            return Outcome(f"You had already voted for “{title}”.", "info")
        prototypes.cast_vote(actor, target)
        return Outcome(f"Your vote for “{title}” was counted.")
    if intent.action == "follow":
        if follows.is_following(actor, target):
            return Outcome(f"You already follow “{title}”.", "info")
        follows.follow_idea(actor, target)
        return Outcome(f"You follow “{title}”: you will hear when its status changes.")
    # Commenting happens on the page; here only whether the member may, so a refusal is said at once.
    require(actor, "idea.comment", target, state=False)
    if target.is_merged:
        return Outcome(f"“{title}” was merged into another idea, so it takes no new comments.", "info")
    return Outcome("")
