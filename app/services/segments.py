"""Customer segments: groups of members (a plan, a company size) that admins define and fill.

The staff dashboard shows each idea's demand per segment and, when a product manager asks,
weighs votes by segment: a voter counts at the largest weight among their segments, or 1
without one. Raw counts are always shown beside weighted ones. Each idea's weighted votes are
stored (app/services/aggregates.py): whatever changes a member's weight here counts again the
ideas they voted for, in the same transaction.
"""

import re
from dataclasses import dataclass
from math import isfinite
from typing import Any

from sqlalchemy import delete, func, select

from app.errors import Invalid, NotFound
from app.extensions import db
from app.models.base import utcnow
from app.models.segment import Segment, UserSegment
from app.models.user import User
from app.permissions import require
from app.services import aggregates, audit
from app.services.categories import slugify
from app.services.fields import FieldTable, Text
from app.services.pagination import Page, paginate

# A segment's texts: the rules, the messages, the form's labels and hints.
TEXTS = FieldTable(
    Text(
        "name",
        "Name",
        low=1,
        high=60,
        missing="Give the segment a name, like “Enterprise plan”.",
        called="the name",
    ),
    Text("description", "Description", high=300, called="the description"),
)
WEIGHT_MIN_EXCLUSIVE, WEIGHT_MAX = 0.0, 100.0
# How many addresses one "add members" submission may hold.
EMAILS_MAX = 500
_EMAIL_SPLIT = re.compile(r"[\s,;]+")
WEIGHT_MESSAGE = "The weight is a number above 0 and at most 100, like 1, 2.5 or 10."


@dataclass(frozen=True)
class SegmentRow:
    segment: Segment
    member_count: int


@dataclass
class Assignment:
    """What adding members by email did."""

    added: list[User]
    already: list[User]
    unknown: list[str]


def _check(
    fields: dict[str, list[str]], name: Any = None, weight: Any = None, description: Any = None
) -> dict[str, Any]:
    texts = {key: value for key, value in (("name", name), ("description", description)) if value is not None}
    values: dict[str, Any] = TEXTS.check(texts, fields)
    if weight is not None:
        number = not isinstance(weight, bool) and isinstance(weight, int | float) and isfinite(weight)
        if number and WEIGHT_MIN_EXCLUSIVE < weight <= WEIGHT_MAX:
            values["weight"] = float(weight)
        else:
            fields["weight"] = [WEIGHT_MESSAGE]
    return values


def _name_taken(name: str, except_id: int | None = None) -> bool:
    stmt = select(Segment.id).where(func.lower(Segment.name) == name.lower())
    if except_id is not None:
        stmt = stmt.where(Segment.id != except_id)
    return db.session.scalar(stmt) is not None


def _free_slug(name: str) -> str:
    """A slug made from the name that no segment uses yet ("Enterprise plan" -> enterprise-plan)."""
    base = slugify(name)[:56].rstrip("-") or "segment"
    taken = set(db.session.scalars(select(Segment.slug).where(Segment.slug.like(f"{base}%"))))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def segments_by_slug(slugs: list[str]) -> list[Segment]:
    """The segments with these slugs (unknown ones are left out)."""
    if not slugs:
        return []
    return list(db.session.scalars(select(Segment).where(Segment.slug.in_(slugs)).order_by(Segment.id)))


def set_user_segments(user: User, segments: list[Segment]) -> None:
    """Make `segments` exactly the user's segments (the company's sign-in token says so)."""
    wanted = {segment.id for segment in segments}
    current = set(db.session.scalars(select(UserSegment.segment_id).where(UserSegment.user_id == user.id)))
    if current - wanted:
        db.session.execute(
            delete(UserSegment).where(
                UserSegment.user_id == user.id, UserSegment.segment_id.in_(current - wanted)
            )
        )
    for segment_id in sorted(wanted - current):
        db.session.add(UserSegment(user_id=user.id, segment_id=segment_id))
    db.session.flush()
    if wanted != current:
        aggregates.recount_weighted_of_voters([user.id])


def get_segment(actor: Any, segment_id: int) -> Segment:
    """The segment, for admins; NotFound when there is none."""
    require(actor, "segment.manage")
    segment = db.session.get(Segment, segment_id)
    if segment is None:
        raise NotFound("No such segment.")
    return segment


def create_segment(actor: User, name: Any, weight: Any = 1.0, description: Any = "") -> Segment:
    """Define a segment (admins)."""
    require(actor, "segment.manage")
    fields: dict[str, list[str]] = {}
    values = _check(fields, name=name or "", weight=weight, description=description or "")
    if "name" not in fields and _name_taken(values["name"]):
        fields["name"] = [f"There is already a segment called “{values['name']}”."]
    if fields:
        raise Invalid(fields)
    segment = Segment(**values, slug=_free_slug(values["name"]), created_at=utcnow())
    db.session.add(segment)
    db.session.flush()
    label = f"{segment.name} (weight {segment.weight:g})"
    audit.record(actor, "segment.create", "segment", segment.id, after=label)
    db.session.flush()
    return segment


def update_segment(
    actor: User, segment: Segment, name: Any = None, weight: Any = None, description: Any = None
) -> Segment:
    """Rename a segment, change its weight or description (admins); None leaves a field as it is."""
    require(actor, "segment.manage", segment)
    fields: dict[str, list[str]] = {}
    values = _check(fields, name=name, weight=weight, description=description)
    if "name" in values and "name" not in fields and _name_taken(values["name"], segment.id):
        fields["name"] = [f"There is already a segment called “{values['name']}”."]
    if fields:
        raise Invalid(fields)
    before = f"{segment.name} (weight {segment.weight:g})"
    weight = segment.weight
    for key, value in values.items():
        setattr(segment, key, value)
    after = f"{segment.name} (weight {segment.weight:g})"
    if before != after or "description" in values:
        audit.record(actor, "segment.update", "segment", segment.id, before=before, after=after)
    db.session.flush()
    if segment.weight != weight:
        aggregates.recount_weighted_of_segment(segment.id)
    return segment


def delete_segment(actor: User, segment: Segment) -> None:
    """Delete a segment (admins); its members stay, without it."""
    require(actor, "segment.manage", segment)
    members = db.session.scalars(
        delete(UserSegment).where(UserSegment.segment_id == segment.id).returning(UserSegment.user_id)
    ).all()
    audit.record(actor, "segment.delete", "segment", segment.id, before=segment.name)
    db.session.delete(segment)
    db.session.flush()
    aggregates.recount_weighted_of_voters(members)


def unassign_member(actor: User, segment: Segment, user_id: int) -> bool:
    """Take a member out of a segment; True when they were in it."""
    require(actor, "segment.manage", segment)
    removed = db.session.execute(
        delete(UserSegment)
        .where(UserSegment.segment_id == segment.id, UserSegment.user_id == user_id)
        .returning(UserSegment.user_id)
    ).first()
    if removed is None:
        return False
    aggregates.recount_weighted_of_voters([user_id])
    email = db.session.scalar(select(User.email).where(User.id == user_id))
    audit.record(actor, "segment.unassign", "segment", segment.id, before=email or f"member #{user_id}")
    db.session.flush()
    return True


def parse_emails(text: Any) -> list[str]:
    """The distinct addresses in `text` (separated by commas, semicolons, spaces or lines), lower-cased."""
    seen: dict[str, None] = {}
    for part in _EMAIL_SPLIT.split(text if isinstance(text, str) else ""):
        part = part.strip().strip("<>").lower()
        if part:
            seen.setdefault(part, None)
    return list(seen)


def assign_emails(actor: User, segment: Segment, text: Any) -> Assignment:
    """Put the members with these email addresses in the segment (three queries, however many)."""
    require(actor, "segment.manage", segment)
    emails = parse_emails(text)
    if not emails:
        raise Invalid({"emails": ["Enter one or more email addresses, one a line or separated by commas."]})
    if len(emails) > EMAILS_MAX:
        message = f"Add at most {EMAILS_MAX} addresses at a time (there are {len(emails)})."
        raise Invalid({"emails": [message]})
    users = list(db.session.scalars(select(User).where(User.email.in_(emails)).order_by(User.email)))
    found = {user.email for user in users}
    existing = set(
        db.session.scalars(
            select(UserSegment.user_id).where(
                UserSegment.segment_id == segment.id, UserSegment.user_id.in_([user.id for user in users])
            )
        )
    )
    added = [user for user in users if user.id not in existing]
    if added:
        db.session.execute(
            UserSegment.__table__.insert(), [{"user_id": user.id, "segment_id": segment.id} for user in added]
        )
        audit.record(
            actor,
            "segment.assign",
            "segment",
            segment.id,
            after=", ".join(user.email for user in added),
        )
        aggregates.recount_weighted_of_voters([user.id for user in added])
    db.session.flush()
    return Assignment(
        added=added,
        already=[user for user in users if user.id in existing],
        unknown=[email for email in emails if email not in found],
    )


def list_segments(actor: Any) -> list[SegmentRow]:
    """Every segment with its number of members, by name (one query); for staff."""
    require(actor, "dashboard.view")
    rows = db.session.execute(
        select(Segment, func.count(UserSegment.user_id))
        .outerjoin(UserSegment, UserSegment.segment_id == Segment.id)
        .group_by(Segment.id)
        .order_by(Segment.name)
    )
    return [SegmentRow(segment, count) for segment, count in rows]


def all_segments() -> list[Segment]:
    """Every segment by name (one query), for reads that have checked permission already."""
    return list(db.session.scalars(select(Segment).order_by(Segment.name)))


def members(actor: Any, segment: Segment, page: int = 1, per_page: int = 50) -> Page:
    """One page of the segment's members, by name (admins)."""
    require(actor, "segment.manage", segment)
    stmt = (
        select(User)
        .join(UserSegment, UserSegment.user_id == User.id)
        .where(UserSegment.segment_id == segment.id)
        .order_by(func.lower(User.display_name), User.id)
    )
    return paginate(stmt, page, per_page)


def user_segments(user_id: int) -> list[Segment]:
    """The segments a member is in, by name."""
    return list(
        db.session.scalars(
            select(Segment)
            .join(UserSegment, UserSegment.segment_id == Segment.id)
            .where(UserSegment.user_id == user_id)
            .order_by(Segment.name)
        )
    )


def heaviest_segment(segments: list[Segment]) -> Segment | None:
    """The segment whose weight counts for a member in `segments`: the heaviest, then by name."""
    if not segments:
        return None
    return sorted(segments, key=lambda segment: (-segment.weight, segment.name.lower(), segment.id))[0]
