"""Ideas: propose, edit, change status, list, search and read one idea's page."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, false, select, update
from sqlalchemy.orm import joinedload, selectinload

from app import labels
from app.errors import Invalid, NotFound
from app.extensions import db
from app.links import site_path
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import STATUSES, Category, Idea, IdeaImage, IdeaStatusChange, IdeaVote
from app.models.user import User
from app.permissions import is_moderator, is_signed_in, require, require_state
from app.services import audit, boards, follows, premoderation, supporters, votes, webhook_events
from app.services import categories as category_service
from app.services.fields import FieldTable, Text
from app.services.images import apply_image_change, check_image_change
from app.services.mentions import find_mentions
from app.services.notifications import Recipient, notify
from app.services.pagination import Page, paginate
from app.services.search import apply_search, search_document, search_terms, similar_candidates
from app.text import excerpt, render_markdown
from app.uploads import Upload
from app.versions import COUNTERS_ONLY
from app.visibility import hidden_boards, visible_comments, visible_ideas

# An idea's texts: the rules, the messages, the form's labels and hints, the API's fields.
TEXTS = FieldTable(
    Text(
        "title",
        "Title",
        low=5,
        high=120,
        missing="The title needs at least 5 characters; say what you need in a few words.",
        called="the title",
        hint="What do you need? One sentence, like “Export reports to CSV”.",
    ),
    Text(
        "body",
        "Description",
        high=10_000,
        markdown=True,
        too_long="The description can have at most {high:,} characters (it has {length:,}).",
        hint="Why it matters to you, and how you work around it today. Markdown works, "
        "and @username mentions someone.",
    ),
)
# The public note of a status change (required when declining: the service says so).
STATUS_NOTE = Text(
    "status_note",
    "Public note",
    high=2_000,
    markdown=True,
    too_long="Keep the note to {high:,} characters or fewer.",
    hint="Shown in the idea's history and sent to its followers. Required when declining.",
)
SORTS = ("trending", "top", "new", "discussed")
_ORDER = {
    "trending": (Idea.trending_score.desc(), Idea.id.desc()),
    "top": (Idea.vote_count.desc(), Idea.id.desc()),
    "new": (Idea.created_at.desc(), Idea.id.desc()),
    "discussed": (Idea.comment_count.desc(), Idea.id.desc()),
}
UNSET: Any = object()


def get_idea(actor: Any, idea_id: int, with_images: bool = False) -> Idea:
    """The idea if it exists and `actor` may see it, else NotFound; `with_images` loads its images."""
    stmt = (
        select(Idea)
        .options(joinedload(Idea.author), joinedload(Idea.category))
        .where(Idea.id == idea_id, visible_ideas(actor))
    )
    if with_images:
        stmt = stmt.options(selectinload(Idea.images))
    idea = db.session.scalar(stmt)
    if idea is None:
        raise NotFound("No such idea, or it is not visible to you.")
    return idea


def idea_url(idea: Idea) -> str:
    return site_path("ideas.detail", idea_id=idea.id)


def _validate(
    actor: Any,
    title: str | None,
    body: str | None,
    category_slug: str | None,
    fields: dict[str, list[str]] | None = None,
    board_id: int | None = None,
) -> tuple[str, str, Category | None]:
    """The checked title, body and category (one of the board's, when `board_id` is known);
    Invalid names every problem, those in `fields` too."""
    fields = dict(fields or {})
    texts = TEXTS.check({"title": title, "body": body}, fields)
    category = None
    if category_slug:
        category = category_service.category_by_slug(category_slug)
        # A category of a board the actor may not see is as unknown as one that never was.
        if category is None or (category.board_id is not None and category.board_id in hidden_boards(actor)):
            category = None
            fields["category"] = ["Choose one of the listed categories."]
        elif board_id is not None and category.board_id not in (None, board_id):
            fields["category"] = ["That category belongs to another board; choose one of this board's."]
    if fields:
        raise Invalid(fields)
    return texts["title"], texts["body"], category


def create_idea(
    actor: User,
    title: str,
    body: str = "",
    category: str | None = None,
    images: list[Upload] | None = None,
    board: str | None = None,
) -> Idea:
    """Propose an idea on a board (the default one unless `board` names another), with up to
    MAX_IMAGES images; the author's vote and follow come with it.

    Every field is checked first: a refused image leaves no idea and no file behind. A board the
    actor may not see is NotFound.
    """
    require(actor, "idea.create")
    fields: dict[str, list[str]] = {}
    images_change = check_image_change([], "idea", fields, add=images)
    board_row = None
    try:
        board_row = boards.board_for_new_idea(actor, board)
    except Invalid as error:
        fields.update(error.fields)
    board_id = board_row.id if board_row else None
    title, body, category_row = _validate(actor, title, body, category, fields, board_id)
    linked, mentioned = find_mentions(body)
    now = utcnow()
    idea = Idea(
        title=title,
        body=body,
        body_html=render_markdown(linked),
        excerpt=excerpt(body, 280),
        search_text=search_document(title, body),
        category_id=category_row.id if category_row else None,
        board_id=board_row.id,
        author_id=actor.id,
        is_pending=premoderation.needs_review(actor, f"{title} {body}"),
        created_at=now,
        updated_at=now,
        images=[],
    )
    db.session.add(idea)
    db.session.flush()
    apply_image_change(idea.images, images_change, IdeaImage)
    votes.add_vote(idea, actor.id)
    follows.follow_idea(actor, idea)
    db.session.flush()
    db.session.refresh(idea)
    _tell_mentioned(actor, idea, mentioned)
    webhook_events.idea_created(idea, actor)
    return idea


def update_idea(
    actor: User,
    idea: Idea,
    title: str | None = None,
    body: str | None = None,
    category: Any = UNSET,
    add_images: list[Upload] | None = None,
    remove_image_ids: list[int] | None = None,
    image_alts: dict[int, str] | None = None,
) -> Idea:
    """Edit title, description, category or images (author within the edit window, staff or moderators).

    Changing images needs the idea from get_idea(..., with_images=True); removed images' files
    are deleted once the change is committed.
    """
    require(actor, "idea.edit", idea)
    before = f"{idea.title}\n\n{idea.body}"
    fields: dict[str, list[str]] = {}
    images_change = None
    if add_images or remove_image_ids or image_alts:
        images_change = check_image_change(
            idea.images, "idea", fields, add=add_images, remove_ids=remove_image_ids, alts=image_alts
        )
    # Without a new category the current one stays (idea.category may not be loaded).
    new_title, new_body, category_row = _validate(
        actor,
        idea.title if title is None else title,
        idea.body if body is None else body,
        None if category is UNSET else category,
        fields,
        idea.board_id,
    )
    idea.title = new_title
    if new_body != idea.body:
        before_ids = {user.id for user in find_mentions(idea.body)[1]}
        linked, mentioned = find_mentions(new_body)
        idea.body = new_body
        idea.body_html = render_markdown(linked)
        _tell_mentioned(actor, idea, [user for user in mentioned if user.id not in before_ids])
        idea.excerpt = excerpt(new_body, 280)
    idea.search_text = search_document(new_title, new_body)
    if category is not UNSET:
        idea.category_id = category_row.id if category_row else None
    if images_change is not None:
        apply_image_change(idea.images, images_change, IdeaImage)
    idea.updated_at = utcnow()
    if actor.id != idea.author_id:
        audit.record(actor, "idea.edit", "idea", idea.id, before=before, after=f"{new_title}\n\n{new_body}")
    db.session.flush()
    return idea


def _tell_mentioned(actor: User, idea: Idea, mentioned: list[User]) -> None:
    """Tell the people an idea's description names (once each: an edit tells only new ones)."""
    message = f"{actor.display_name} mentioned you in “{idea.title}”"
    notify([Recipient(user.id, "mention", message) for user in mentioned], idea_url(idea), actor.id)


def mark_staff_response(idea_id: int, when: datetime) -> None:
    """Remember the first public reply or status change by staff on an idea (once)."""
    db.session.execute(
        update(Idea)
        .where(Idea.id == idea_id, Idea.first_staff_response_at.is_(None))
        .values(first_staff_response_at=when)
    )


def change_status(
    actor: User, idea: Idea, status: str, note: str = "", announce: bool = True
) -> IdeaStatusChange:
    """Move an idea to another status with an optional public note; followers are told.

    `announce=False` leaves telling people to the caller (a roadmap change tells each person once).
    """
    require(actor, "idea.change_status", idea, state=False)
    problems: dict[str, list[str]] = {}
    note = STATUS_NOTE.check(note, problems)
    if status not in STATUSES:
        raise Invalid({"status": [f"Status must be one of: {', '.join(STATUSES)}."]})
    if status == "merged":
        raise Invalid({"status": ["Use “merge” to merge an idea into another; it moves the votes too."]})
    require_state("idea.change_status", idea)
    if status == idea.status:
        raise Invalid({"status": [f"The idea is already “{labels.label('idea_status', status)}”."]})
    if status == "declined" and not note:
        raise Invalid({"status_note": ["Say why the idea is declined; the people who voted will read it."]})
    if problems:
        raise Invalid(problems)
    change = IdeaStatusChange(
        idea_id=idea.id,
        actor_id=actor.id,
        from_status=idea.status,
        to_status=status,
        note=note,
        note_html=render_markdown(note),
        created_at=utcnow(),
    )
    db.session.add(change)
    idea.status = status
    idea.updated_at = change.created_at
    mark_staff_response(idea.id, change.created_at)
    if announce:
        # Followers hear, each told why: "“Dark mode” shipped — you voted for it".
        recipients = [
            Recipient(user_id, "status", supporters.status_news([idea], list(ways.values())))
            for user_id, ways in supporters.supporters([idea], followers_only=True).items()
        ]
        notify(recipients, idea_url(idea), actor.id)
    audit.record(actor, "idea.status", "idea", idea.id, reason=note, before=change.from_status, after=status)
    webhook_events.idea_status_changed(idea, change)
    db.session.flush()
    return change


def set_status(actor: User, idea: Idea, status: str, note: str = "") -> IdeaStatusChange | None:
    """Set the status as an edit does: the status it has already is no change (None), still staff only."""
    if status == idea.status:
        require(actor, "idea.change_status", idea, state=False)
        return None
    return change_status(actor, idea, status, note)


@dataclass
class IdeaList:
    page: Page
    voted_ids: set[int]
    sort: str
    words: list[str]


def _filtered(
    actor: Any, category: str | None, status: str | None, mine: bool, voted: bool, board_id: int | None
) -> Select:
    stmt = (
        select(Idea)
        .options(joinedload(Idea.author), joinedload(Idea.category))
        .where(visible_ideas(actor), Idea.deleted_at.is_(None))
    )
    if board_id is not None:
        stmt = stmt.where(Idea.board_id == board_id)
    if category:
        # A subquery, not a join: PostgreSQL then walks ix_ideas_category_trending for the category.
        stmt = stmt.where(
            Idea.category_id == select(Category.id).where(Category.slug == category).scalar_subquery()
        )
    if status:
        stmt = stmt.where(Idea.status == status)
    elif not mine:
        # Merged ideas live on in their target; lists show them only when asked by status.
        stmt = stmt.where(Idea.status != "merged")
    if mine:
        stmt = stmt.where(Idea.author_id == actor.id) if is_signed_in(actor) else stmt.where(false())
    if voted:
        if is_signed_in(actor):
            stmt = stmt.where(
                select(IdeaVote.idea_id)
                .where(IdeaVote.idea_id == Idea.id, IdeaVote.user_id == actor.id)
                .exists()
            )
        else:
            stmt = stmt.where(false())
    return stmt


def list_ideas(
    actor: Any,
    sort: str | None = None,
    category: str | None = None,
    status: str | None = None,
    mine: bool = False,
    voted: bool = False,
    q: str | None = None,
    page: int = 1,
    per_page: int = 25,
    board: str | None = None,
) -> IdeaList:
    """One page of ideas (of one board when `board` names one the actor may see, else NotFound),
    in a fixed number of queries whatever the page holds."""
    if sort is not None and sort not in SORTS and sort != "relevance":
        raise Invalid({"sort": [f"Sort by one of: {', '.join(SORTS)}."]})
    if status is not None and status not in STATUSES:
        raise Invalid({"status": [f"Status must be one of: {', '.join(STATUSES)}."]})
    board_id = boards.board_by_slug(actor, board).id if board else None
    stmt = _filtered(actor, category, status, mine, voted, board_id)
    words = search_terms(q)
    if words:
        stmt, rank = apply_search(stmt, words)
        sort = sort or "relevance"
        order = (rank, Idea.id.desc()) if sort == "relevance" else _ORDER[sort]
    else:
        sort = "trending" if sort in (None, "relevance") else sort
        order = _ORDER[sort]
    pinned: list[Idea] = []
    if not words:
        # Pinned ideas head page 1 of every sort; the paged query keeps its index order.
        pinned = list(
            db.session.scalars(stmt.where(Idea.pinned_at.is_not(None)).order_by(Idea.pinned_at.desc()))
        )
        stmt = stmt.where(Idea.pinned_at.is_(None))
    # Counting every visible idea is the list's one costly query; its total waits for a write.
    if is_moderator(actor):
        viewer = "moderator"
    else:
        viewer = f"member-{actor.id}" if is_signed_in(actor) else "visitor"
    # A member's "voted" total moves with their votes, which no scope follows: counted each time.
    count_key = None if voted else f"ideas:{viewer}:{board_id}:{category}:{status}:{mine}:{' '.join(words)}"
    result = paginate(stmt.order_by(*order), page, per_page, count_key=count_key)
    shown = (pinned if page == 1 else []) + result.items
    result = Page(items=shown, page=result.page, per_page=result.per_page, total=result.total + len(pinned))
    voted_ids = votes.voted_idea_ids(actor, [idea.id for idea in result.items])
    return IdeaList(page=result, voted_ids=voted_ids, sort=sort, words=words)


def idea_version(idea_id: int) -> int | None:
    """The version of an idea's row (app/versions.py), None when there is no such idea."""
    return db.session.scalar(select(Idea.version).where(Idea.id == idea_id))


def similar_ideas(actor: Any, text: str, limit: int = 5) -> list[Idea]:
    """Up to `limit` visible, unmerged ideas that share words with `text`, best match first."""
    stmt = similar_candidates(text, limit)
    if stmt is None:
        return []
    # Moderators may open deleted ideas (to restore them), but nobody is pointed to one.
    stmt = stmt.where(visible_ideas(actor), Idea.deleted_at.is_(None), Idea.status != "merged")
    return list(db.session.scalars(stmt))


@dataclass
class IdeaPage:
    idea: Idea
    history: list[IdeaStatusChange]
    comments: list[Comment]
    internal_notes: list[Comment]
    voted: bool
    following: bool
    merged_into: Idea | None = None


def idea_page(actor: Any, idea_id: int) -> IdeaPage:
    """Everything the idea page shows, in a fixed number of queries."""
    idea = get_idea(actor, idea_id, with_images=True)
    history = list(
        db.session.scalars(
            select(IdeaStatusChange)
            .options(joinedload(IdeaStatusChange.actor))
            .where(IdeaStatusChange.idea_id == idea.id)
            .order_by(IdeaStatusChange.created_at, IdeaStatusChange.id)
        )
    )
    comment_rows = list(
        db.session.scalars(
            select(Comment)
            .options(joinedload(Comment.author))
            .where(Comment.idea_id == idea.id, visible_comments(actor))
            .order_by(Comment.created_at, Comment.id)
        )
    )
    merged_into = None
    if idea.merged_into_id:
        merged_into = db.session.scalar(
            select(Idea).where(Idea.id == idea.merged_into_id, visible_ideas(actor))
        )
    return IdeaPage(
        idea=idea,
        history=history,
        comments=[c for c in comment_rows if not c.is_internal],
        internal_notes=[c for c in comment_rows if c.is_internal],
        voted=votes.has_voted(actor, idea),
        following=follows.is_following(actor, idea),
        merged_into=merged_into,
    )


def touch_comment_count(idea_id: int, delta: int) -> None:
    """Change an idea's comment count atomically (comments service only)."""
    db.session.execute(
        update(Idea).where(Idea.id == idea_id).values(comment_count=Idea.comment_count + delta),
        execution_options=COUNTERS_ONLY,
    )
