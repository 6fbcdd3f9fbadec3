"""Prototypes: staff create, edit and publish them; members vote; everyone reads the published ones.

A prototype is a draft (seen by staff only), published, or archived (still readable, no
more votes). Publishing for the first time tells the followers of its linked ideas.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import joinedload, selectinload

from app import labels, uploads
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.links import site_path
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea, IdeaFollow
from app.models.prototype import (
    PROTOTYPE_STATUSES,
    Prototype,
    PrototypeIdea,
    PrototypeImage,
    PrototypeLink,
    PrototypeVote,
)
from app.models.round import FeedbackRound
from app.models.user import User
from app.permissions import is_signed_in, require
from app.services import audit
from app.services.dialect import insert_ignore
from app.services.fields import FieldTable, Text
from app.services.images import apply_image_change, check_image_change
from app.services.notifications import Recipient, notify
from app.services.pagination import DEFAULT_PER_PAGE, Page, paginate
from app.text import excerpt, normalize_line
from app.uploads import Upload
from app.visibility import visible_comments, visible_ideas, visible_prototypes

# A prototype's texts: the rules, the messages, the form's labels and hints, the API's fields.
TEXTS = FieldTable(
    Text(
        "title",
        "Title",
        low=5,
        high=120,
        missing="The title needs at least 5 characters.",
        called="the title",
        hint="What people will try, like “Clickable mock-up of CSV export”.",
    ),
    Text(
        "description",
        "Description",
        high=20_000,
        markdown=True,
        html=True,
        called="the description",
        hint="What it is, what to try, and what you want to learn. Markdown works.",
    ),
)
LINKS_MAX = 10
URL_MAX = 2_000
LINK_LABEL_MAX = 120
IDEAS_MAX = 20
MAX_IMAGES = uploads.MAX_IMAGES
STATUSES = PROTOTYPE_STATUSES
# Where each status may go; a prototype never returns to draft once people have seen it.
TRANSITIONS = {"draft": ("published",), "published": ("archived",), "archived": ("published",)}
# The audit log's name for each change of status; any other change is "prototype.status".
STATUS_ACTIONS = {"published": "prototype.publish", "archived": "prototype.archive"}
LINK_SCHEMES = ("http", "https")
UNSET: Any = object()


@dataclass(frozen=True)
class LinkInput:
    """A link as given by a form or the API, before it is checked."""

    url: str
    label: str = ""


def _not_found() -> NotFound:
    return NotFound("No such prototype, or it is not visible to you.")


def get_prototype(actor: Any, prototype_id: int, with_parts: bool = True) -> Prototype:
    """The prototype if it exists and `actor` may see it, else NotFound.

    `with_parts` loads its author, images and links too (two more queries).
    """
    stmt = select(Prototype).where(Prototype.id == prototype_id, visible_prototypes(actor))
    if with_parts:
        stmt = stmt.options(
            joinedload(Prototype.author), selectinload(Prototype.images), selectinload(Prototype.links)
        )
    prototype = db.session.scalar(stmt)
    if prototype is None:
        raise _not_found()
    return prototype


def prototype_url(prototype: Prototype) -> str:
    return site_path("prototypes.detail", prototype_id=prototype.id)


# ---- Validation ----


def _url_problem(url: str) -> str | None:
    """Why `url` is not an absolute http(s) link to a host, or None when it is one."""
    if len(url) > URL_MAX:
        return f"is longer than {URL_MAX:,} characters"
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return "contains spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "is not a valid web address"
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return "is not a web link: only full http:// and https:// addresses are allowed"
    if parts.username is not None or parts.password is not None:
        return "must not contain a user name or password"
    return None


def check_links(links: Iterable[LinkInput], fields: dict[str, list[str]]) -> list[LinkInput]:
    """The links with trimmed URLs and labels; problems are added to `fields["links"]`."""
    links = list(links)
    checked, errors = [], []
    if len(links) > LINKS_MAX:
        errors.append(f"A prototype can have at most {LINKS_MAX} links (this has {len(links)}).")
    for number, link in enumerate(links, start=1):
        url = (link.url or "").strip()
        label = normalize_line(link.label)
        shown = url if len(url) <= 60 else url[:59] + "…"
        problem = "is empty" if not url else _url_problem(url)
        if problem:
            errors.append(f"Link {number} ({shown or 'no address'}) {problem}.")
        elif len(label) > LINK_LABEL_MAX:
            errors.append(f"Link {number}: keep the label to {LINK_LABEL_MAX} characters or fewer.")
        checked.append(LinkInput(url, label))
    if errors:
        fields["links"] = errors
    return checked


def _check_idea_ids(actor: Any, idea_ids: Iterable[Any], fields: dict[str, list[str]]) -> list[int]:
    """The ids, once each, of ideas that exist and `actor` may see; problems go to `fields`."""
    ids: list[int] = []
    for value in idea_ids:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            fields["idea_ids"] = ["Idea numbers are whole numbers, like 12."]
            return []
        if value not in ids:
            ids.append(value)
    if len(ids) > IDEAS_MAX:
        fields["idea_ids"] = [f"Link at most {IDEAS_MAX} ideas (this has {len(ids)})."]
        return []
    if not ids:
        return []
    found = set(
        db.session.scalars(
            select(Idea.id).where(Idea.id.in_(ids), visible_ideas(actor), Idea.deleted_at.is_(None))
        )
    )
    missing = [f"#{idea_id}" for idea_id in ids if idea_id not in found]
    if missing:
        fields["idea_ids"] = [f"There is no idea {', '.join(missing)}; check the numbers."]
        return []
    return ids


# ---- Writing ----


def _set_links(prototype: Prototype, links: list[LinkInput]) -> None:
    prototype.links = [
        PrototypeLink(url=link.url, label=link.label, position=number) for number, link in enumerate(links)
    ]


def _set_ideas(prototype: Prototype, idea_ids: list[int]) -> None:
    db.session.execute(delete(PrototypeIdea).where(PrototypeIdea.prototype_id == prototype.id))
    for idea_id in idea_ids:
        db.session.add(PrototypeIdea(prototype_id=prototype.id, idea_id=idea_id))


def create_prototype(
    actor: User,
    title: str,
    description: str = "",
    idea_ids: Iterable[Any] | None = None,
    links: Iterable[LinkInput] | None = None,
    status: str = "draft",
    images: list[Upload] | None = None,
    **texts: Any,
) -> Prototype:
    """Create a prototype (a draft unless `status` is "published"); staff only.

    `texts` are the other fields of TEXTS, empty when left out.

    Every field is checked before anything is written: a refused image, link or idea
    leaves no row and no file behind.
    """
    require(actor, "prototype.create")
    fields: dict[str, list[str]] = {}
    values = TEXTS.check(TEXTS.defaults({"title": title, "description": description, **texts}), fields)
    checked_links = check_links(links or [], fields)
    checked_ideas = _check_idea_ids(actor, idea_ids or [], fields)
    if status not in ("draft", "published"):
        fields["status"] = ["A new prototype is saved as a draft or published."]
    change = check_image_change([], "prototype", fields, add=images)
    if fields:
        raise Invalid(fields)
    now = utcnow()
    prototype = Prototype(
        **values,
        status="draft",
        author_id=actor.id,
        vote_count=0,
        comment_count=0,
        created_at=now,
        updated_at=now,
        images=[],
        links=[],
    )
    db.session.add(prototype)
    _set_links(prototype, checked_links)
    db.session.flush()
    _set_ideas(prototype, checked_ideas)
    apply_image_change(prototype.images, change, PrototypeImage)
    db.session.flush()
    audit.record(actor, "prototype.create", "prototype", prototype.id, after=prototype.title)
    if status == "published":
        change_status(actor, prototype, "published")
    return prototype


def update_prototype(
    actor: User,
    prototype: Prototype,
    idea_ids: Iterable[Any] | None = None,
    links: Iterable[LinkInput] | None = None,
    add_images: list[Upload] | None = None,
    remove_image_ids: Iterable[int] | None = None,
    image_alts: dict[int, str] | None = None,
    **texts: Any,
) -> Prototype:
    """Edit a prototype (staff): `texts` are fields of TEXTS; what is left out or None stays as it is.

    `image_alts` maps image ids to the text read out in place of each image.

    `prototype` must come from get_prototype() (its images and links loaded). Removed
    images' files are deleted once the change is committed.
    """
    require(actor, "prototype.edit", prototype)
    fields: dict[str, list[str]] = {}
    values = TEXTS.check({name: value for name, value in texts.items() if value is not None}, fields)
    checked_links = None if links is None else check_links(links, fields)
    checked_ideas = None if idea_ids is None else _check_idea_ids(actor, idea_ids, fields)
    change = check_image_change(
        prototype.images, "prototype", fields, add=add_images, remove_ids=remove_image_ids, alts=image_alts
    )
    if fields:
        raise Invalid(fields)
    for name, value in values.items():
        setattr(prototype, name, value)
    if checked_links is not None:
        _set_links(prototype, checked_links)
    if checked_ideas is not None:
        _set_ideas(prototype, checked_ideas)
    apply_image_change(prototype.images, change, PrototypeImage)
    prototype.updated_at = utcnow()
    db.session.flush()
    return prototype


def _notify_published(actor: User, prototype: Prototype) -> None:
    """Tell the followers of the linked ideas, once each, that the prototype can be tried."""
    rows = db.session.execute(
        select(IdeaFollow.user_id, Idea.title)
        .join(Idea, Idea.id == IdeaFollow.idea_id)
        .join(PrototypeIdea, PrototypeIdea.idea_id == Idea.id)
        .where(PrototypeIdea.prototype_id == prototype.id, Idea.deleted_at.is_(None))
        .order_by(IdeaFollow.user_id, Idea.id)
    )
    recipients = [
        Recipient(user_id, "status", f"“{idea_title}” has a prototype to try: “{prototype.title}”")
        for user_id, idea_title in rows
    ]
    notify(recipients, prototype_url(prototype), actor.id)


def change_status(actor: User, prototype: Prototype, status: str) -> Prototype:
    """Publish, archive or publish again; the first publication tells the linked ideas' followers."""
    require(actor, "prototype.change_status", prototype)
    if status not in STATUSES:
        raise Invalid({"status": [f"Status must be one of: {', '.join(STATUSES)}."]})
    if status == prototype.status:
        already = labels.label("prototype_status", status).lower()
        raise Invalid({"status": [f"The prototype is already {already}."]})
    if status not in TRANSITIONS[prototype.status]:
        if status == "draft":
            raise Conflict("A prototype that was published cannot go back to draft; archive it instead.")
        raise Conflict("Publish the draft first; only published prototypes can be archived.")
    now = utcnow()
    audit.record(
        actor,
        STATUS_ACTIONS.get(status, "prototype.status"),
        "prototype",
        prototype.id,
        before=prototype.status,
        after=status,
    )
    prototype.status = status
    prototype.updated_at = now
    if status == "published":
        # Only the request that sets published_at first sends the notifications.
        first = db.session.execute(
            update(Prototype)
            .where(Prototype.id == prototype.id, Prototype.published_at.is_(None))
            .values(published_at=now)
            .returning(Prototype.id)
        ).first()
        if first is not None:
            _notify_published(actor, prototype)
    db.session.flush()
    return prototype


# ---- Votes ----


def _current_count(prototype: Prototype) -> int:
    db.session.refresh(prototype, ["vote_count"])
    return prototype.vote_count


def cast_vote(actor: User, prototype: Prototype) -> int:
    """Vote for a prototype (voting twice changes nothing); returns the new vote count."""
    require(actor, "prototype.vote", prototype)
    # RETURNING, not rowcount: SQLAlchemy reports rowcount -1 for this INSERT on PostgreSQL.
    inserted = db.session.execute(
        insert_ignore(
            PrototypeVote, prototype_id=prototype.id, user_id=actor.id, created_at=utcnow()
        ).returning(PrototypeVote.user_id)
    ).first()
    if inserted is not None:
        db.session.execute(
            update(Prototype).where(Prototype.id == prototype.id).values(vote_count=Prototype.vote_count + 1)
        )
    db.session.flush()
    return _current_count(prototype)


def retract_vote(actor: User, prototype: Prototype) -> int:
    """Take one's vote back (without a vote, nothing changes); returns the new vote count."""
    require(actor, "prototype.vote", prototype)
    removed = db.session.execute(
        delete(PrototypeVote)
        .where(PrototypeVote.prototype_id == prototype.id, PrototypeVote.user_id == actor.id)
        .returning(PrototypeVote.user_id)
    ).first()
    if removed is not None:
        db.session.execute(
            update(Prototype).where(Prototype.id == prototype.id).values(vote_count=Prototype.vote_count - 1)
        )
    db.session.flush()
    return _current_count(prototype)


def voted_prototype_ids(user: Any, prototype_ids: list[int]) -> set[int]:
    """Which of these prototypes `user` voted for, in one query."""
    if not is_signed_in(user) or not prototype_ids:
        return set()
    stmt = select(PrototypeVote.prototype_id).where(
        PrototypeVote.user_id == user.id, PrototypeVote.prototype_id.in_(prototype_ids)
    )
    return set(db.session.scalars(stmt))


def has_voted(user: Any, prototype: Prototype) -> bool:
    return prototype.id in voted_prototype_ids(user, [prototype.id])


# ---- Reading ----


def open_rounds_by_prototype(
    prototype_ids: list[int], now: datetime | None = None
) -> dict[int, FeedbackRound]:
    """The feedback round open now on each of these prototypes (the one closing first), in one query."""
    if not prototype_ids:
        return {}
    now = now or utcnow()
    rounds = db.session.scalars(
        select(FeedbackRound)
        .where(
            FeedbackRound.prototype_id.in_(prototype_ids),
            FeedbackRound.opens_at <= now,
            FeedbackRound.closes_at > now,
        )
        .order_by(FeedbackRound.closes_at.desc(), FeedbackRound.id.desc())
    )
    # Later rows overwrite earlier ones: the round closing soonest wins.
    return {found.prototype_id: found for found in rounds}


def linked_idea_ids(actor: Any, prototype_ids: list[int]) -> dict[int, list[int]]:
    """The ids of the ideas `actor` may see that each prototype is linked to, in one query."""
    if not prototype_ids:
        return {}
    rows = db.session.execute(
        select(PrototypeIdea.prototype_id, PrototypeIdea.idea_id)
        .join(Idea, Idea.id == PrototypeIdea.idea_id)
        .where(PrototypeIdea.prototype_id.in_(prototype_ids), visible_ideas(actor), Idea.deleted_at.is_(None))
        .order_by(PrototypeIdea.prototype_id, PrototypeIdea.idea_id)
    )
    linked: dict[int, list[int]] = {prototype_id: [] for prototype_id in prototype_ids}
    for prototype_id, idea_id in rows:
        linked[prototype_id].append(idea_id)
    return linked


@dataclass
class PrototypeList:
    page: Page
    voted_ids: set[int]
    open_rounds: dict[int, FeedbackRound]
    idea_ids: dict[int, list[int]]
    excerpts: dict[int, str] = field(default_factory=dict)


def list_prototypes(
    actor: Any, status: str | None = None, page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> PrototypeList:
    """One page of the prototypes `actor` may see: current ones first, archived ones last.

    Deleted ones are left out even for moderators, who open them from the review queue.
    A fixed number of queries whatever the page holds.
    """
    if status is not None and status not in STATUSES:
        raise Invalid({"status": [f"Status must be one of: {', '.join(STATUSES)}."]})
    stmt = (
        select(Prototype)
        .options(selectinload(Prototype.images), selectinload(Prototype.links))
        .where(visible_prototypes(actor), Prototype.deleted_at.is_(None))
        .order_by(
            case((Prototype.status == "archived", 1), else_=0),
            func.coalesce(Prototype.published_at, Prototype.created_at).desc(),
            Prototype.id.desc(),
        )
    )
    if status is not None:
        stmt = stmt.where(Prototype.status == status)
    result = paginate(stmt, page, per_page)
    ids = [prototype.id for prototype in result.items]
    return PrototypeList(
        page=result,
        voted_ids=voted_prototype_ids(actor, ids),
        open_rounds=open_rounds_by_prototype(ids),
        idea_ids=linked_idea_ids(actor, ids),
        excerpts={prototype.id: excerpt(prototype.description, 220) for prototype in result.items},
    )


@dataclass
class PrototypePage:
    prototype: Prototype
    ideas: list[Idea]
    voted: bool
    comments: list[Comment] = field(default_factory=list)


def prototype_page(actor: Any, prototype_id: int) -> PrototypePage:
    """Everything the prototype page shows, in a fixed number of queries."""
    prototype = get_prototype(actor, prototype_id)
    linked = list(
        db.session.scalars(
            select(Idea)
            .join(PrototypeIdea, PrototypeIdea.idea_id == Idea.id)
            .where(
                PrototypeIdea.prototype_id == prototype.id,
                visible_ideas(actor),
                Idea.deleted_at.is_(None),
            )
            .order_by(Idea.id)
        )
    )
    comments = list(
        db.session.scalars(
            select(Comment)
            .options(joinedload(Comment.author))
            .where(Comment.prototype_id == prototype.id, visible_comments(actor))
            .order_by(Comment.created_at, Comment.id)
        )
    )
    return PrototypePage(
        prototype=prototype, ideas=linked, voted=has_voted(actor, prototype), comments=comments
    )


def prototypes_for_idea(actor: Any, idea_id: int) -> list[Prototype]:
    """The prototypes `actor` may see that explore this idea, newest first (one query; for the idea page).

    Deleted ones are left out, as in the list.
    """
    return list(
        db.session.scalars(
            select(Prototype)
            .join(PrototypeIdea, PrototypeIdea.prototype_id == Prototype.id)
            .where(
                PrototypeIdea.idea_id == idea_id,
                visible_prototypes(actor),
                Prototype.deleted_at.is_(None),
            )
            .order_by(
                case((Prototype.status == "archived", 1), else_=0),
                func.coalesce(Prototype.published_at, Prototype.created_at).desc(),
                Prototype.id.desc(),
            )
        )
    )
