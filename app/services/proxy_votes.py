"""Votes staff record on a customer's behalf: demand heard on a sales call, in a support request,
in an interview.

Staff name the customer by email. Their account is found, or opened for them: unconfirmed, with
no password, and sent one invitation that names the idea and links to choose a password (the
password link also confirms the address). The vote is an ordinary vote (app/services/votes.py
counts it wherever votes count, weighted by segment too) that also keeps who recorded it, where
the demand was heard and why. A person's vote counts once: recording it again, or racing the
customer's own vote, changes nothing. The customer sees the votes recorded for them on their
profile and may take each back.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from app import labels
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.links import absolute_url, site_path
from app.models.idea import VOTE_SOURCES, Idea, IdeaFollow, IdeaVote
from app.models.user import User
from app.permissions import can, is_signed_in, require, require_state
from app.services import accounts, audit, outbox, transactions, usernames, votes, webhook_events
from app.services.dialect import insert_ignore
from app.services.fields import FieldTable, Text
from app.services.notifications import Recipient, notify
from app.text import normalize_line
from app.visibility import may_see, visible_ideas

# How long the invitation's link to choose a password works (a reset link asked for later works too).
INVITATION_VALID = timedelta(days=7)
# The staff list on an idea page shows this many, newest first, and says how many there are in all.
LISTED = 100
NOTE_MAX = 500

TEXTS = FieldTable(
    Text(
        "name",
        "Their name",
        high=accounts.NAME_MAX,
        called="the name",
        not_text="The name must be text.",
        hint="Only for a new account; an existing account keeps its own name. Without one, the part "
        "of the address before the @ is used.",
    ),
    Text(
        "note",
        "Why",
        high=NOTE_MAX,
        called="the note",
        not_text="The note must be text.",
        hint="What they need it for, in a sentence. Staff see it, and so does the customer on their profile.",
    ),
)
MISSING_EMAIL = "Enter the customer's email address."
BAD_SOURCE = "Choose where you heard it: " + ", ".join(VOTE_SOURCES) + "."
FALLBACK_NAME = "Member"


@dataclass(frozen=True)
class RecordedVote:
    """A vote staff recorded for someone: for whom, by whom (None: that account is gone), when,
    where the demand was heard and why."""

    idea: Idea
    customer: User
    recorded_by: User | None
    created_at: datetime
    source: str
    note: str

    @property
    def source_label(self) -> str:
        return labels.label("vote_source", self.source)

    @property
    def heard(self) -> str:
        return heard_phrase(self.source)


@dataclass(frozen=True)
class RecordedVotes:
    """The newest recorded votes on an idea, and how many there are in all."""

    items: list[RecordedVote]
    total: int


def _checked(email: Any, name: Any, source: Any, note: Any) -> tuple[str, str, str, str]:
    """The fields cleaned; Invalid names every problem at once."""
    fields: dict[str, list[str]] = {}
    if email is not None and not isinstance(email, str):
        fields["email"] = ["The email address must be text."]
    elif not (email or "").strip():
        fields["email"] = [MISSING_EMAIL]
    else:
        email = accounts.normalize_email(email)
        problems = accounts.email_problems(email)
        if problems:
            fields["email"] = problems
    texts = TEXTS.check({"name": name, "note": note}, fields)
    if texts["name"] and "name" not in fields and len(texts["name"]) < accounts.NAME_MIN:
        fields["name"] = [f"A name needs at least {accounts.NAME_MIN} characters."]
    if source is None or source == "":
        source = "other"
    elif source not in VOTE_SOURCES:
        fields["source"] = [BAD_SOURCE]
    if fields:
        raise Invalid(fields)
    return email, texts["name"], source, texts["note"]


def record_vote(
    actor: User, idea: Idea, email: Any, name: Any = None, source: Any = None, note: Any = ""
) -> tuple[User, bool]:
    """Count the vote of the customer with this email for `idea`, recorded by `actor` (staff).

    Returns (the customer, whether a vote was added); `idea.vote_count` is read again. The account
    is found by email, or opened unconfirmed and invited; a person whose vote already counts (their
    own or recorded before) changes nothing. `source` is one of VOTE_SOURCES (default "other").
    """
    require(actor, "idea.record_vote", idea, state=False)
    email, name, source, note = _checked(email, name, source, note)
    require_state("idea.record_vote", idea)
    if email == actor.email:
        raise Invalid({"email": ["That is your own address: use the vote button to vote yourself."]})
    with transactions.savepoint():
        # An account opened here and then refused (it may not see the idea) is undone with it.
        customer, opened = _customer(email, name)
        _check_customer(customer, idea)
    added = votes.add_vote(idea, customer.id, recorded_by_id=actor.id, source=source, note=note)
    if added:
        # Like a member's own vote, it follows the idea: they hear what becomes of it.
        db.session.execute(insert_ignore(IdeaFollow, idea_id=idea.id, user_id=customer.id))
        webhook_events.vote_cast(idea)
        after = f"{customer.display_name} (#{customer.id}), {labels.label('vote_source', source).lower()}"
        audit.record(
            actor,
            "vote.record",
            "idea",
            idea.id,
            reason=note,
            after=after + (", new account" if opened else ""),
        )
        _tell(actor, customer, idea, source, invite=opened)
    db.session.flush()
    # The counters moved in SQL: the caller reads them from the idea.
    db.session.refresh(idea, ["vote_count", "trending_score", "weighted_votes"])
    return customer, added


def _customer(email: str, name: str) -> tuple[User, bool]:
    """The account with this address, or one opened for it now; True when it was opened here."""
    found = accounts.find_user_by_email(email)
    if found is not None:
        return found, False
    display_name = name or _name_from(email)
    for _ in range(3):
        user = User(
            email=email,
            display_name=display_name,
            username=usernames.free_username(display_name),
            # No password and an unconfirmed address until the invitation's link is followed.
            password_hash="",
            role="member",
            email_verified_at=None,
        )
        try:
            with transactions.savepoint():
                db.session.add(user)
        except IntegrityError:
            found = accounts.find_user_by_email(email)
            if found is not None:
                # Opened at the same moment by another request (another staff member's record).
                return found, False
            continue  # someone took the same username at the same moment: choose again
        return user, True
    raise Conflict("Could not choose a free username for the new account; try again.")


def _name_from(email: str) -> str:
    """A display name from the address's local part, made to fit; "Member" when nothing fits."""
    candidate = normalize_line(email.split("@")[0])[: accounts.NAME_MAX].strip()
    return candidate if len(candidate) >= accounts.NAME_MIN else FALLBACK_NAME


def _check_customer(customer: User, idea: Idea) -> None:
    if customer.is_deleted:
        raise Invalid({"email": ["This account was deleted; no vote can be recorded for it."]})
    if customer.is_suspended:
        raise Invalid({"email": ["This member is suspended, so no vote can be recorded for them now."]})
    if not may_see(customer, idea):
        raise Invalid(
            {
                "email": [
                    "This person can't see this idea (it is hidden, waiting for review or on a private "
                    "board they have no access to), so no vote can be recorded for them."
                ]
            }
        )


def heard_phrase(source: str) -> str:
    """Where the demand was heard, in a sentence: "a sales conversation"; "" for "other"."""
    if source == "other":
        return ""
    place = labels.label("vote_source", source).lower()
    return f"{'an' if place[:1] in 'aeiou' else 'a'} {place}"


def _tell(actor: User, customer: User, idea: Idea, source: str, invite: bool) -> None:
    """Tell the customer: a notification, and for an account opened just now the invitation email."""
    heard = heard_phrase(source)
    after = f" after {heard}" if heard else ""
    message = (
        f"{actor.display_name} recorded your vote for “{idea.title}”{after}. "
        "You can withdraw it on your profile."
    )
    url = site_path("ideas.detail", idea_id=idea.id)
    # The invitation is the new account's one email; the notification waits on the site.
    notify([Recipient(customer.id, "vote", message)], url, actor.id, email=not invite)
    if invite:
        site = current_app.config["SITE_NAME"]
        outbox.enqueue_email(
            to=customer.email,
            subject=f"Your vote for “{idea.title}” on {site}",
            template="email/vote_recorded_invitation.txt",
            user=customer,
            recorder=actor.display_name,
            idea_title=idea.title,
            heard=heard,
            idea_url=absolute_url("ideas.detail", idea_id=idea.id),
            password_url=accounts.password_link(customer, INVITATION_VALID),
            valid_days=INVITATION_VALID.days,
        )


def withdraw_vote(actor: User, idea_id: int) -> Idea:
    """Take back the vote staff recorded for the actor on an idea (whatever the idea's state: it
    was not theirs to give). A vote they gave themselves is theirs to retract as usual."""
    require(actor, "idea.withdraw_recorded_vote")
    idea = db.session.scalar(
        select(Idea)
        .join(IdeaVote, IdeaVote.idea_id == Idea.id)
        .where(
            Idea.id == idea_id,
            IdeaVote.user_id == actor.id,
            IdeaVote.source.is_not(None),
            visible_ideas(actor),
        )
    )
    if idea is None:
        raise NotFound("No vote was recorded for you on this idea.")
    votes.remove_vote(idea, actor.id)
    db.session.flush()
    return idea


def _recorded(*where: Any, limit: int | None = None):
    customer, recorder = aliased(User), aliased(User)
    stmt = (
        select(IdeaVote, Idea, customer, recorder, func.count().over())
        .join(Idea, Idea.id == IdeaVote.idea_id)
        .join(customer, customer.id == IdeaVote.user_id)
        .outerjoin(recorder, recorder.id == IdeaVote.recorded_by_id)
        .where(IdeaVote.source.is_not(None), *where)
        .order_by(IdeaVote.created_at.desc(), IdeaVote.user_id.desc())
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = db.session.execute(stmt).all()
    items = [
        RecordedVote(
            idea=idea,
            customer=customer_row,
            recorded_by=recorder_row,
            created_at=vote.created_at,
            source=vote.source,
            note=vote.note,
        )
        for vote, idea, customer_row, recorder_row, _ in rows
    ]
    return RecordedVotes(items, rows[0][4] if rows else 0)


def recorded_votes(actor: Any, idea: Idea) -> RecordedVotes:
    """The votes staff recorded on `idea`: for whom, by whom, when, from where and why (staff
    only; nothing, and no query, for anyone else). One query."""
    if not can(actor, "idea.record_vote"):
        return RecordedVotes([], 0)
    return _recorded(IdeaVote.idea_id == idea.id, limit=LISTED)


def recorded_for(actor: Any, user: User) -> list[RecordedVote]:
    """The votes staff recorded for `user` on ideas they can see, for their own eyes only
    (anyone else gets nothing, with no query). One query."""
    if not is_signed_in(actor) or actor.id != user.id:
        return []
    return _recorded(IdeaVote.user_id == user.id, visible_ideas(actor)).items
