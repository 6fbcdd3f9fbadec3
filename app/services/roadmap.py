"""The roadmap: staff plan items, link the ideas they answer, and close the loop when they ship.

When an item's status changes its linked ideas follow (shipped -> shipped), and every voter and
follower of any linked idea hears once, whatever number of linked ideas they supported.
Private items are for staff only: customers hear about the ideas, never the private item.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, true, union
from sqlalchemy.orm import aliased, joinedload

from app import labels
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.links import site_path
from app.models.base import utcnow
from app.models.board import Board
from app.models.idea import Idea, IdeaFollow, IdeaVote
from app.models.roadmap import ROADMAP_STATUSES, RoadmapIdea, RoadmapItem
from app.models.user import User
from app.permissions import can, require
from app.services import aggregates, audit, idea_links, supporters, webhook_events
from app.services import ideas as idea_service
from app.services.dialect import insert_ignore
from app.services.fields import NOT_HERE, FieldTable, Text
from app.services.notifications import MESSAGE_MAX, Recipient, notify
from app.services.pagination import DEFAULT_PER_PAGE, Page, paginate
from app.text import excerpt, normalize_line
from app.visibility import is_public, sees_every_board, visible_ideas, visible_items

# An item's texts: the rules, the messages, the form's labels and hints, the API's fields.
TEXTS = FieldTable(
    Text(
        "title",
        "Title",
        low=3,
        high=120,
        missing="The title needs at least 3 characters.",
        called="the title",
        not_text="Give the title as text.",
        hint="What customers will get, like “CSV export for every report”.",
    ),
    Text(
        "description",
        "Description",
        high=20_000,
        markdown=True,
        html=True,
        rows=6,
        not_text="Write it as text (Markdown).",
        hint="What it is and why. Markdown works.",
    ),
    Text(
        "target",
        "Target",
        high=40,
        called="the target",
        not_text="Give the target as text, like “2027 Q1”.",
        hint="Optional, free text like “2027 Q1” or “Spring”.",
    ),
    Text(
        "release_note",
        "Release note",
        high=20_000,
        markdown=True,
        html=True,
        rows=4,
        not_text="Write it as text (Markdown).",
        hint="Optional; shown on the changelog once shipped. Markdown works. Everyone who voted "
        "for or follows a linked idea is told once, with this note.",
    ),
)
STATUSES = ROADMAP_STATUSES
# The board's columns, left to right; cancelled items are not on the board.
COLUMNS = ("planned", "in_progress", "shipped")
# What linked ideas become when their item reaches a status, and the statuses they move from.
IDEA_FOLLOWS = {
    "planned": ("planned", ("open", "under_review")),
    "in_progress": ("in_progress", ("open", "under_review", "planned")),
    "shipped": ("shipped", ("open", "under_review", "planned", "in_progress")),
}
NO_ITEM = "No such roadmap item, or it is not visible to you."
UNSET: Any = object()
# Ids are 32-bit integers: a larger number in a URL or body names nothing (and must not reach the driver).
MAX_ID = 2**31


def item_url(item: RoadmapItem) -> str:
    return site_path("roadmap.detail", item_id=item.id)


def get_item(actor: Any, item_id: int) -> RoadmapItem:
    """The item if it exists and `actor` may see it, else NotFound."""
    if not 0 < item_id < MAX_ID:
        raise NotFound(NO_ITEM)
    item = db.session.scalar(
        select(RoadmapItem)
        .options(joinedload(RoadmapItem.author))
        .where(RoadmapItem.id == item_id, visible_items(actor))
        .execution_options(populate_existing=True)
    )
    if item is None:
        raise NotFound(NO_ITEM)
    return item


# ---- Validation ----


def _check_fields(fields: dict[str, list[str]], **given: Any) -> dict[str, Any]:
    """The given fields, checked; problems go to `fields`."""
    checked = TEXTS.check({name: value for name, value in given.items() if name in TEXTS}, fields)
    for name, value in given.items():
        if name in TEXTS:
            continue
        if name in ("impact", "effort"):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5
            ):
                fields[name] = [f"{name.capitalize()} is a whole number from 1 to 5, or empty."]
            checked[name] = value
        elif name == "is_public":
            if not isinstance(value, bool):
                fields["public"] = ["Say true or false: is the item on the public roadmap?"]
            checked["is_public"] = value
        else:
            fields[name] = [NOT_HERE]
    return checked


# ---- Writing ----


def create_item(
    actor: User,
    title: Any,
    *,
    status: Any = "planned",
    is_public: Any = True,
    impact: Any = None,
    effort: Any = None,
    idea_ids: Iterable[int] = (),
    **texts: Any,
) -> RoadmapItem:
    """Put an item on the roadmap (staff), linked to `idea_ids` (see `set_ideas`).

    `texts` are the other fields of TEXTS (description, target, release_note), empty when left out.
    """
    require(actor, "roadmap.manage")
    fields: dict[str, list[str]] = {}
    values = _check_fields(
        fields,
        **TEXTS.defaults({"title": title, **texts}),
        is_public=is_public,
        impact=impact,
        effort=effort,
    )
    if status not in STATUSES:
        fields["status"] = [f"Status must be one of: {', '.join(STATUSES)}."]
    if fields:
        raise Invalid(fields)
    now = utcnow()
    item = RoadmapItem(
        **values,
        status=status,
        shipped_at=now if status == "shipped" else None,
        author_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "roadmap.create", "roadmap_item", item.id, after=item.title)
    db.session.flush()
    set_ideas(actor, item, idea_ids)
    return item


def update_item(
    actor: User, item: RoadmapItem, idea_ids: Iterable[int] | None = None, **changes: Any
) -> RoadmapItem:
    """Edit an item's fields (staff); keys left out stay as they are. Status: `change_status`.

    With `idea_ids`, the item's linked ideas become those (see `set_ideas`).
    """
    require(actor, "roadmap.manage", item)
    fields: dict[str, list[str]] = {}
    values = _check_fields(fields, **changes)
    if fields:
        raise Invalid(fields)
    if idea_ids is not None:
        set_ideas(actor, item, idea_ids)
    before = item.title
    for name, value in values.items():
        setattr(item, name, value)
    item.updated_at = utcnow()
    audit.record(actor, "roadmap.update", "roadmap_item", item.id, before=before, after=item.title)
    db.session.flush()
    return item


def change_status(actor: User, item: RoadmapItem, status: Any, release_note: Any = None) -> RoadmapItem:
    """Move an item; its linked ideas follow, and their voters and followers hear once each."""
    require(actor, "roadmap.manage", item)
    fields: dict[str, list[str]] = {}
    if status not in STATUSES:
        fields["status"] = [f"Status must be one of: {', '.join(STATUSES)}."]
    note = _check_fields(fields, release_note=release_note) if release_note is not None else None
    if fields:
        raise Invalid(fields)
    if status == item.status:
        raise Conflict(f"The item is {labels.label('roadmap_status', status).lower()} already.")
    before = item.status
    now = utcnow()
    item.status = status
    item.updated_at = now
    if note is not None:
        item.release_note, item.release_note_html = note["release_note"], note["release_note_html"]
    if status == "shipped":
        item.shipped_at = now
    audit.record(actor, "roadmap.status", "roadmap_item", item.id, before=before, after=status)
    moved: list[Idea] = []
    if status in IDEA_FOLLOWS:
        target, movable = IDEA_FOLLOWS[status]
        for idea in _linked_ideas(item.id, movable):
            idea_service.change_status(actor, idea, target, note=_idea_note(item), announce=False)
            moved.append(idea)
    db.session.flush()
    _tell_supporters(actor, item, moved)
    webhook_events.roadmap_shipped(item)
    return item


def _idea_note(item: RoadmapItem) -> str:
    if not item.is_public:
        return ""
    return f"Roadmap: “{item.title}” is {labels.label('roadmap_status', item.status).lower()}."


def _linked_ideas(item_id: int, statuses: Iterable[str] | None = None) -> list[Idea]:
    stmt = (
        select(Idea)
        .join(RoadmapIdea, RoadmapIdea.idea_id == Idea.id)
        .where(RoadmapIdea.roadmap_item_id == item_id, Idea.deleted_at.is_(None))
        .order_by(Idea.id)
    )
    if statuses is not None:
        stmt = stmt.where(Idea.status.in_(tuple(statuses)))
    return list(db.session.scalars(stmt))


def supporter_ids(item_id: int) -> list[int]:
    """Everyone who voted for or follows any idea linked to the item, once each."""
    linked = select(RoadmapIdea.idea_id).where(RoadmapIdea.roadmap_item_id == item_id)
    people = union(
        select(IdeaVote.user_id.label("user_id")).where(IdeaVote.idea_id.in_(linked)),
        select(IdeaFollow.user_id.label("user_id")).where(IdeaFollow.idea_id.in_(linked)),
    ).subquery()
    return list(db.session.scalars(select(people.c.user_id).order_by(people.c.user_id)))


def _tell_supporters(actor: User, item: RoadmapItem, moved: list[Idea]) -> None:
    """One notification per supporter of any linked idea, never the actor, naming their own ideas.

    Each person hears which of the ideas they back moved and why they hear of it ("“Dark mode”
    shipped — you voted for it"); only ideas everyone may see are named.
    """
    shown = {idea.id: idea for idea in moved if is_public(idea)}
    backers = supporters.supporters(list(shown.values()))
    if item.is_public:
        # Supporters whose linked ideas did not move (or are hidden) hear what became of the item.
        recipients = [
            _news(user_id, item, [shown[idea_id] for idea_id in backers.get(user_id, {})], backers)
            for user_id in supporter_ids(item.id)
        ]
        notify(recipients, item_url(item), actor.id)
        return
    # A private item stays private: supporters hear about their own ideas that moved, and only
    # about ideas everyone may see; whoever supports none of those has nothing new to hear.
    # Each person appears in one group (the page of their first idea): still one notification each.
    by_page: dict[int, list[Recipient]] = defaultdict(list)
    for user_id, ways in backers.items():
        ideas = [shown[idea_id] for idea_id in ways]
        by_page[ideas[0].id].append(_news(user_id, item, ideas, backers))
    for idea_id, recipients in by_page.items():
        notify(recipients, site_path("ideas.detail", idea_id=idea_id), actor.id)


def _news(
    user_id: int, item: RoadmapItem, ideas: list[Idea], backers: dict[int, dict[int, str]]
) -> Recipient:
    """The person's notification: their ideas that moved, the item if public, the release note."""
    if ideas:
        headline = supporters.status_news(ideas, list(backers[user_id].values()))
        parts = [f"{headline}."]
        if item.is_public and item.title not in {idea.title for idea in ideas}:
            parts.append(f"Roadmap: “{item.title}”.")
    else:
        headline = f"“{item.title}” is {labels.label('roadmap_status', item.status).lower()}"
        parts = [f"{headline}."]
    if item.is_public and item.is_shipped and item.release_note:
        room = MESSAGE_MAX - len(" ".join(parts)) - 1
        if room > 20:
            parts.append(excerpt(item.release_note, room))
    return Recipient(user_id, "status", " ".join(parts), subject=headline)


def link_idea(actor: User, item: RoadmapItem, idea_id: Any, plan: bool = True) -> bool:
    """Link an idea to the item; linking twice changes nothing. Answers whether a link was made.

    A newly linked open idea moves to planned unless `plan` is False.
    """
    require(actor, "roadmap.manage", item)
    if isinstance(idea_id, bool) or not isinstance(idea_id, int):
        raise Invalid({"idea_id": ["Give the idea's number, like 12."]})
    if not 0 < idea_id < MAX_ID:
        raise Invalid({"idea_id": [f"There is no idea #{idea_id}."]})
    idea = db.session.scalar(
        select(Idea).where(Idea.id == idea_id, visible_ideas(actor), Idea.deleted_at.is_(None))
    )
    if idea is None:
        raise Invalid({"idea_id": [f"There is no idea #{idea_id}."]})
    if idea.is_merged:
        raise Conflict(f"Idea #{idea.id} is merged into #{idea.merged_into_id}; link that one instead.")
    made = db.session.execute(
        insert_ignore(
            RoadmapIdea, roadmap_item_id=item.id, idea_id=idea.id, linked_by_id=actor.id, created_at=utcnow()
        ).returning(RoadmapIdea.idea_id)
    ).first()
    if made is None:
        return False
    audit.record(actor, "roadmap.link", "roadmap_item", item.id, after=f"idea #{idea.id}")
    target = IDEA_FOLLOWS.get(item.status)
    if plan and target and idea.status in target[1]:
        idea_service.change_status(actor, idea, target[0], note=_idea_note(item))
    # After the idea's row: a vote locks the idea, then the demand, and so must this.
    aggregates.recount_demand([item.id])
    db.session.flush()
    return True


def set_ideas(actor: User, item: RoadmapItem, idea_ids: Iterable[int]) -> None:
    """Make the linked ideas `actor` may see exactly `idea_ids`: new ones are linked (open ones
    follow the item's status), others unlinked. Ideas `actor` may not see stay linked.

    Every id is checked before anything changes; problems are Invalid on `idea_ids`.
    """
    require(actor, "roadmap.manage", item)
    wanted = list(dict.fromkeys(idea_ids))
    numbers = [number for number in wanted if 0 < number < MAX_ID]
    ideas = {
        idea.id: idea
        for idea in db.session.scalars(
            select(Idea).where(Idea.id.in_(numbers), visible_ideas(actor), Idea.deleted_at.is_(None))
        )
    }
    problems = [f"There is no idea #{n}." for n in wanted if n not in ideas]
    linked = {idea.id for idea in linked_ideas(actor, [item.id])[item.id]}
    problems += [
        f"Idea #{n} is merged into #{ideas[n].merged_into_id}; link that one instead."
        for n in wanted
        if n in ideas and n not in linked and ideas[n].is_merged
    ]
    if problems:
        raise Invalid({"idea_ids": problems})
    for idea_id in wanted:
        if idea_id not in linked:
            link_idea(actor, item, idea_id)
    for idea_id in sorted(linked - set(wanted)):
        unlink_idea(actor, item, idea_id)


def unlink_idea(actor: User, item: RoadmapItem, idea_id: int) -> bool:
    """Remove a link; unlinking what is not linked changes nothing. The idea keeps its status."""
    require(actor, "roadmap.manage", item)
    if not 0 < idea_id < MAX_ID:
        return False
    removed = db.session.execute(
        delete(RoadmapIdea)
        .where(RoadmapIdea.roadmap_item_id == item.id, RoadmapIdea.idea_id == idea_id)
        .returning(RoadmapIdea.idea_id)
    ).first()
    if removed is None:
        return False
    aggregates.recount_demand([item.id])
    audit.record(actor, "roadmap.unlink", "roadmap_item", item.id, before=f"idea #{idea_id}")
    db.session.flush()
    return True


# ---- Reading ----


def demand(item_ids: list[int], actor: Any = UNSET) -> dict[int, int]:
    """Distinct voters over the linked ideas, per item, as stored (one query; see aggregates):
    over every one of them, or, for an `actor` who does not see every board, over those on
    public boards."""
    # Granted boards do not count: the stored figure is one for all who are not on the team.
    public = actor is not UNSET and not sees_every_board(actor)
    return aggregates.stored_demand(item_ids, public=public)


def linked_ideas(actor: Any, item_ids: list[int], board_id: int | None = None) -> dict[int, list[Idea]]:
    """The ideas `actor` may see linked to each item (with `board_id`, those on that board), by
    votes (one query)."""
    found: dict[int, list[Idea]] = {item_id: [] for item_id in item_ids}
    if item_ids:
        rows = db.session.execute(
            select(RoadmapIdea.roadmap_item_id, Idea)
            .join(Idea, Idea.id == RoadmapIdea.idea_id)
            .where(
                RoadmapIdea.roadmap_item_id.in_(item_ids),
                visible_ideas(actor),
                Idea.deleted_at.is_(None),
                *_on_board(board_id),
            )
            .order_by(Idea.vote_count.desc(), Idea.id)
        )
        for item_id, idea in rows:
            found[item_id].append(idea)
    return found


def linked_idea_ids(item_ids: list[int], actor: Any = UNSET) -> dict[int, list[int]]:
    """Every linked idea id per item, for the API (one query); with `actor`, only ideas they may see."""
    found: dict[int, list[int]] = {item_id: [] for item_id in item_ids}
    if item_ids:
        stmt = (
            select(RoadmapIdea.roadmap_item_id, RoadmapIdea.idea_id)
            .where(RoadmapIdea.roadmap_item_id.in_(item_ids))
            .order_by(RoadmapIdea.idea_id)
        )
        if actor is not UNSET:
            stmt = stmt.join(Idea, Idea.id == RoadmapIdea.idea_id).where(
                visible_ideas(actor), Idea.deleted_at.is_(None)
            )
        for item_id, idea_id in db.session.execute(stmt):
            found[item_id].append(idea_id)
    return found


def items_for_ideas(actor: Any, idea_ids: Iterable[int]) -> dict[int, list[RoadmapItem]]:
    """The items `actor` may see linked to each idea (one query): for idea pages, lists and the API."""
    idea_ids = list(idea_ids)
    found: dict[int, list[RoadmapItem]] = defaultdict(list)
    if idea_ids:
        rows = db.session.execute(
            select(RoadmapIdea.idea_id, RoadmapItem)
            .join(RoadmapItem, RoadmapItem.id == RoadmapIdea.roadmap_item_id)
            .where(RoadmapIdea.idea_id.in_(idea_ids), visible_items(actor))
            .order_by(RoadmapItem.id)
        )
        for idea_id, item in rows:
            found[idea_id].append(item)
    return {idea_id: found.get(idea_id, []) for idea_id in idea_ids}


def _on_board(board_id: int | None) -> tuple[Any, ...]:
    """The condition that an idea is on the board `board_id`, if one is named."""
    return () if board_id is None else (Idea.board_id == board_id,)


def top_linked_ideas(
    actor: Any, item_ids: list[int], per_item: int, board_id: int | None = None
) -> dict[int, tuple[list[Idea], int]]:
    """Each item's `per_item` most voted ideas that `actor` may see (with `board_id`, on that
    board), and how many they may see in all (one query).

    Reads only those ideas: on PostgreSQL each item takes its first ideas through the links'
    index (LATERAL), where fetching every linked idea would make the planner read all ideas once
    a few percent of them are linked; SQLite numbers the linked ideas per item.
    """
    found: dict[int, tuple[list[Idea], int]] = {item_id: ([], 0) for item_id in item_ids}
    if not item_ids:
        return found
    order = (Idea.vote_count.desc(), Idea.id)
    if db.engine.dialect.name == "postgresql":
        shown = (
            RoadmapIdea.roadmap_item_id == RoadmapItem.id,
            visible_ideas(actor),
            Idea.deleted_at.is_(None),
            *_on_board(board_id),
        )
        first = (
            select(Idea, func.count().over().label("shown_count"))
            .join(RoadmapIdea, RoadmapIdea.idea_id == Idea.id)
            .where(*shown)
            .order_by(*order)
            .limit(per_item)
            .lateral("first_ideas")
        )
        stmt = (
            select(RoadmapItem.id, aliased(Idea, first), first.c.shown_count)
            .join(first, true())
            .where(RoadmapItem.id.in_(item_ids))
        )
        stmt = stmt.order_by(RoadmapItem.id, first.c.vote_count.desc(), first.c.id)
    else:
        # Numbered by ids and counts alone; only the ideas kept are read whole.
        ranked = (
            select(
                RoadmapIdea.roadmap_item_id.label("item_id"),
                RoadmapIdea.idea_id.label("idea_id"),
                func.row_number()
                .over(partition_by=RoadmapIdea.roadmap_item_id, order_by=order)
                .label("place"),
                func.count().over(partition_by=RoadmapIdea.roadmap_item_id).label("shown_count"),
            )
            .join(Idea, Idea.id == RoadmapIdea.idea_id)
            .where(
                RoadmapIdea.roadmap_item_id.in_(item_ids),
                visible_ideas(actor),
                Idea.deleted_at.is_(None),
                *_on_board(board_id),
            )
            .subquery()
        )
        stmt = (
            select(ranked.c.item_id, Idea, ranked.c.shown_count)
            .join(Idea, Idea.id == ranked.c.idea_id)
            .where(ranked.c.place <= per_item)
            .order_by(ranked.c.item_id, ranked.c.place)
        )
    for item_id, idea, count in db.session.execute(stmt):
        found[item_id] = ([*found[item_id][0], idea], count)
    return found


@dataclass
class BoardCard:
    item: RoadmapItem
    # The most voted linked ideas `actor` may see: all of them, or the first few on the board.
    ideas: list[Idea]
    # Distinct voters over the linked ideas: every one for the team, those on public boards for
    # anyone else; over one board's ideas when staff narrow the roadmap to it.
    demand: int
    # How many linked ideas `actor` may see in all.
    idea_count: int


SHIPPED_ON_BOARD = 10
# Linked ideas a board card names; it says how many more there are.
IDEAS_ON_CARD = 3


def _cards(
    actor: Any, items: list[RoadmapItem], per_card: int | None = None, board_id: int | None = None
) -> list[BoardCard]:
    """Items with the ideas `actor` may see (all, or the first `per_card`) and their demand
    (two queries); with `board_id`, only that board's ideas and the demand counted over them."""
    ids = [item.id for item in items]
    demands = demand(ids, actor) if board_id is None else aggregates.board_demand_counts(ids, board_id)
    if per_card is None:
        every = linked_ideas(actor, ids, board_id)
        return [BoardCard(item, every[item.id], demands[item.id], len(every[item.id])) for item in items]
    first = top_linked_ideas(actor, ids, per_card, board_id)
    cards = []
    for item in items:
        ideas, count = first[item.id]
        cards.append(BoardCard(item, ideas, demands[item.id], count))
    return cards


def board(
    actor: Any, shipped_limit: int = SHIPPED_ON_BOARD, idea_board: Board | None = None
) -> dict[str, list[BoardCard]]:
    """The roadmap's columns (planned, in progress, shipped) with each card's first ideas, how
    many there are, and demand; four queries.

    Planned and in-progress items come most wanted first; the shipped column holds the latest
    `shipped_limit` items (the changelog has them all).

    With `idea_board` (staff only), the roadmap of one board: the items linked to ideas on it,
    each with those ideas alone and the demand counted over them from the votes (there is no
    stored figure per board).
    """
    board_id = None
    conditions = [visible_items(actor)]
    if idea_board is not None:
        require(actor, "roadmap.manage")
        board_id = idea_board.id
        on_board = (
            select(RoadmapIdea.roadmap_item_id)
            .join(Idea, Idea.id == RoadmapIdea.idea_id)
            .where(Idea.board_id == board_id, visible_ideas(actor), Idea.deleted_at.is_(None))
        )
        conditions.append(RoadmapItem.id.in_(on_board))
    open_items = db.session.scalars(
        select(RoadmapItem)
        .where(*conditions, RoadmapItem.status.in_(("planned", "in_progress")))
        .order_by(RoadmapItem.id)
    )
    shipped = db.session.scalars(
        select(RoadmapItem)
        .where(*conditions, RoadmapItem.status == "shipped")
        .order_by(RoadmapItem.shipped_at.desc(), RoadmapItem.id.desc())
        .limit(shipped_limit)
    )
    columns: dict[str, list[BoardCard]] = {status: [] for status in COLUMNS}
    for card in _cards(actor, [*open_items, *shipped], IDEAS_ON_CARD, board_id):
        columns[card.item.status].append(card)
    for status in ("planned", "in_progress"):
        columns[status].sort(key=lambda card: (-card.demand, card.item.id))
    return columns


def list_items(
    actor: Any, status: str | None = None, page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> Page:
    """One page of items `actor` may see, newest first (for the API)."""
    if status is not None and status not in STATUSES:
        raise Invalid({"status": [f"Status must be one of: {', '.join(STATUSES)}."]})
    stmt = (
        select(RoadmapItem)
        .where(visible_items(actor))
        .order_by(RoadmapItem.updated_at.desc(), RoadmapItem.id.desc())
    )
    if status is not None:
        stmt = stmt.where(RoadmapItem.status == status)
    return paginate(stmt, page, per_page)


@dataclass
class ItemPage:
    item: RoadmapItem
    ideas: list[Idea]
    demand: int
    # Staff only: ideas found by the link picker's search, and what was searched.
    choices: list[Idea]
    words: str


def item_page(actor: Any, item_id: int, words: str | None = None) -> ItemPage:
    """An item with its linked ideas and demand; staff searching `words` also get ideas to link."""
    item = get_item(actor, item_id)
    card = _cards(actor, [item])[0]
    words = normalize_line(words or "")
    choices = idea_choices(actor, words, item) if words and can(actor, "roadmap.manage", item) else []
    return ItemPage(item=item, ideas=card.ideas, demand=card.demand, choices=choices, words=words)


@dataclass
class Changelog:
    page: Page
    ideas: dict[int, list[Idea]]


def changelog_page(actor: Any, page: int = 1, per_page: int = 20) -> Changelog:
    """One page of the changelog with each item's linked ideas (three queries)."""
    result = changelog(actor, page, per_page)
    return Changelog(page=result, ideas=linked_ideas(actor, [item.id for item in result.items]))


def changelog(actor: Any, page: int = 1, per_page: int = 20) -> Page:
    """Shipped items `actor` may see, newest first."""
    stmt = (
        select(RoadmapItem)
        .where(visible_items(actor), RoadmapItem.status == "shipped")
        .order_by(RoadmapItem.shipped_at.desc(), RoadmapItem.id.desc())
    )
    return paginate(stmt, page, per_page)


def idea_choices(actor: Any, words: str, item: RoadmapItem | None = None, limit: int = 10) -> list[Idea]:
    """Ideas for the link picker: by number ("#12", "12") or by words in the title, most voted first."""
    require(actor, "roadmap.manage")
    linked = () if item is None else select(RoadmapIdea.idea_id).where(RoadmapIdea.roadmap_item_id == item.id)
    return idea_links.find_ideas(actor, words, exclude=linked, limit=limit)


def item_choices(actor: Any) -> list[RoadmapItem]:
    """Items an idea can be linked to (not cancelled), for the staff picker on idea pages."""
    require(actor, "roadmap.manage")
    order = {status: number for number, status in enumerate(STATUSES)}
    items = list(
        db.session.scalars(
            select(RoadmapItem).where(RoadmapItem.status != "cancelled").order_by(RoadmapItem.title)
        )
    )
    return sorted(items, key=lambda item: order[item.status])


@dataclass
class IdeaRoadmap:
    """The roadmap block of an idea page: the items it is on and, for staff, items to link it to."""

    items: list[RoadmapItem]
    choices: list[RoadmapItem]


def idea_roadmap(actor: Any, idea_id: int) -> IdeaRoadmap:
    """The items `actor` may see that an idea is on (one query); for staff also the others (one more)."""
    items = items_for_ideas(actor, [idea_id])[idea_id]
    choices: list[RoadmapItem] = []
    if can(actor, "roadmap.manage"):
        linked = {item.id for item in items}
        choices = [item for item in item_choices(actor) if item.id not in linked]
    return IdeaRoadmap(items=items, choices=choices)
