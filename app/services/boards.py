"""Boards: created, changed and archived by admins; private ones opened to chosen members.

Who sees a board is decided in app/visibility.py alone; this module keeps the boards and the
grants it reads. Every change is written to the audit log.
"""

import re
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.models.base import utcnow
from app.models.board import BOARD_VISIBILITIES, Board, BoardDomain, BoardMember, BoardSegment
from app.models.idea import Category, Idea
from app.models.segment import Segment
from app.models.user import User
from app.permissions import require
from app.services import audit
from app.services.board_lookup import forget_boards
from app.services.categories import slugify
from app.services.fields import FieldTable, Text
from app.services.transactions import savepoint
from app.visibility import forget_board_access, visible_boards, visible_ideas

TEXTS = FieldTable(
    Text("name", "Name", low=1, high=60, missing="Give the board a name.", called="the name"),
    Text(
        "slug",
        "Slug",
        high=40,
        called="the slug",
        hint="Its address: /b/slug/. Lower-case letters, digits and hyphens; made from the name if empty.",
    ),
    Text(
        "description",
        "Description",
        high=500,
        lines=True,
        called="the description",
        hint="Shown at the top of the board: which product, or who it is for.",
    ),
)
NO_BOARD = "No such board, or it is not visible to you."
_slug_pattern = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
_domain_pattern = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class BoardAccess:
    """Who may see a private board besides the team."""

    members: list[tuple[BoardMember, User]]
    segments: list[Segment]
    domains: list[str]


def default_board() -> Board:
    """Where ideas go when no board is named (there is always one: the migration makes it)."""
    board = db.session.scalar(select(Board).where(Board.is_default.is_(True)))
    if board is None:  # pragma: no cover - a database the migrations did not make
        raise NotFound("This site has no default board.")
    return board


def board_by_slug(actor, slug: str | None) -> Board:
    """The board `actor` may see by this slug, else NotFound (a private board's name included)."""
    board = db.session.scalar(
        select(Board).where(Board.slug == (slug or "").strip().lower(), visible_boards(actor))
    )
    if board is None:
        raise NotFound(NO_BOARD)
    return board


def board_for_new_idea(actor, slug: str | None) -> Board:
    """The board an idea goes to: the named one (NotFound if `actor` may not see it; Invalid if
    archived), or the default board when none is named."""
    if not slug:
        return default_board()
    board = board_by_slug(actor, slug)
    if board.is_archived:
        raise Invalid({"board": [f"The board “{board.name}” is archived and takes no new ideas."]})
    return board


def list_boards(actor, with_archived: bool = False) -> list[Board]:
    """The boards `actor` may see, in their order."""
    stmt = select(Board).where(visible_boards(actor)).order_by(Board.position, Board.name)
    if not with_archived:
        stmt = stmt.where(Board.archived_at.is_(None))
    return list(db.session.scalars(stmt))


def idea_counts(actor, boards: list[Board]) -> dict[int, int]:
    """How many listed ideas (not deleted or merged) `actor` may see on each board: one query."""
    if not boards:
        return {}
    rows = db.session.execute(
        select(Idea.board_id, func.count())
        .where(
            Idea.board_id.in_([board.id for board in boards]),
            visible_ideas(actor),
            Idea.deleted_at.is_(None),
            Idea.status != "merged",
        )
        .group_by(Idea.board_id)
    )
    return dict(rows.all())


def _check(values: dict, fields: dict[str, list[str]], board: Board | None) -> dict[str, object]:
    """The cleaned values among name, slug, description, visibility and position; problems in `fields`."""
    wanted = {name: values[name] for name in ("name", "slug", "description") if name in values}
    texts = TEXTS.check(wanted, fields) if wanted else {}
    clean: dict[str, object] = {name: texts[name] for name in wanted if name not in fields}
    if "slug" in wanted and "slug" not in fields:
        slug = (texts["slug"] or "").lower() or (slugify(texts.get("name", ""), 40) if board is None else "")
        if not slug and board is not None:
            fields["slug"] = ["Give the board a slug."]
        elif not _slug_pattern.match(slug):
            fields["slug"] = ["Use lower-case letters, digits and single hyphens, at most 40 characters."]
        elif db.session.scalar(
            select(Board.id).where(Board.slug == slug, Board.id != (board.id if board else 0))
        ):
            fields["slug"] = [f"Another board already uses the slug “{slug}”."]
        else:
            clean["slug"] = slug
    if "visibility" in values:
        if values["visibility"] not in BOARD_VISIBILITIES:
            fields["visibility"] = ["Choose public or private."]
        else:
            clean["visibility"] = values["visibility"]
    if "position" in values:
        position = values["position"]
        if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= 10_000:
            fields["position"] = ["Give a whole number from 0 to 10,000."]
        else:
            clean["position"] = position
    return clean


def _save(board: Board, values: dict[str, object]) -> None:
    """Write the values; a slug another request took since the check is Invalid, nothing kept."""
    try:
        with savepoint():
            for name, value in values.items():
                setattr(board, name, value)
            db.session.add(board)
            db.session.flush()
    except IntegrityError as error:
        if "slug" not in str(error.orig):
            raise
        raise Invalid({"slug": [f"Another board already uses the slug “{values.get('slug')}”."]}) from None
    forget_board_access()
    forget_boards()


def create_board(actor, name, slug="", description="", visibility="public", position=None) -> Board:
    """Add a board (at the end unless a position is given)."""
    require(actor, "board.manage")
    fields: dict[str, list[str]] = {}
    values = {"name": name, "slug": slug or "", "description": description or "", "visibility": visibility}
    if position is not None:
        values["position"] = position
    clean = _check(values, fields, None)
    if fields:
        raise Invalid(fields)
    if "position" not in clean:
        clean["position"] = (db.session.scalar(select(func.max(Board.position))) or 0) + 1
    board = Board(created_at=utcnow(), is_default=False)
    _save(board, clean)
    audit.record(actor, "board.create", "board", board.id, after=board.name)
    return board


def update_board(actor, board: Board, values: dict) -> Board:
    """Change any of name, slug, description, visibility, position; `archived` (bool) archives or
    brings back; `default` (true) makes it where new ideas go."""
    require(actor, "board.manage")
    fields: dict[str, list[str]] = {}
    clean = _check(values, fields, board)
    archived = values.get("archived")
    make_default = values.get("default")
    if archived is not None and not isinstance(archived, bool):
        fields["archived"] = ["Say true or false."]
    if make_default is not None and make_default is not True:
        fields["default"] = ["Make another board the default instead."]
    if fields:
        raise Invalid(fields)
    if board.is_default and (archived or clean.get("visibility") == "private"):
        raise Conflict("The default board stays public and open: make another board the default first.")
    if make_default and (
        (archived if archived is not None else board.is_archived)
        or clean.get("visibility", board.visibility) == "private"
    ):
        raise Conflict("Only a public board that is not archived can be the default.")
    before = f"{board.name} ({board.visibility}{', archived' if board.is_archived else ''})"
    if archived is not None and archived != board.is_archived:
        clean["archived_at"] = utcnow() if archived else None
    if make_default and not board.is_default:
        db.session.execute(
            Board.__table__.update().where(Board.is_default.is_(True)).values(is_default=False)
        )
        clean["is_default"] = True
    turns = "visibility" in clean and clean["visibility"] != board.visibility
    _save(board, clean)
    if turns:
        from app.services import aggregates

        aggregates.recount_demand_of_board(board.id)
    after = f"{board.name} ({board.visibility}{', archived' if board.is_archived else ''})"
    if archived and "archived_at" in clean:
        audit.record(actor, "board.archive", "board", board.id, before=before, after=after)
    else:
        audit.record(actor, "board.update", "board", board.id, before=before, after=after)
    return board


def board_access(actor, board: Board) -> BoardAccess:
    require(actor, "board.manage")
    members = [
        (grant, user)
        for grant, user in db.session.execute(
            select(BoardMember, User)
            .join(User, User.id == BoardMember.user_id)
            .where(BoardMember.board_id == board.id)
            .order_by(func.lower(User.display_name))
        )
    ]
    segments = list(
        db.session.scalars(
            select(Segment)
            .join(BoardSegment, BoardSegment.segment_id == Segment.id)
            .where(BoardSegment.board_id == board.id)
            .order_by(Segment.name)
        )
    )
    domains = list(
        db.session.scalars(
            select(BoardDomain.domain).where(BoardDomain.board_id == board.id).order_by(BoardDomain.domain)
        )
    )
    return BoardAccess(members=members, segments=segments, domains=domains)


def grant_member(actor, board: Board, user: User) -> bool:
    """Let `user` see the board; False when they already could by name. They are told."""
    require(actor, "board.manage")
    if user.is_deleted:
        raise NotFound("No such member.")
    exists_ = db.session.get(BoardMember, (board.id, user.id))
    if exists_ is not None:
        return False
    try:
        with savepoint():
            db.session.add(
                BoardMember(board_id=board.id, user_id=user.id, granted_by_id=actor.id, created_at=utcnow())
            )
            db.session.flush()
    except IntegrityError:
        return False  # granted by a request at the same moment
    forget_board_access()
    audit.record(actor, "board.grant", "board", board.id, after=f"member {user.display_name} (#{user.id})")
    from app.services import notifications

    if board.is_private:
        notifications.notify(
            [
                notifications.Recipient(
                    user.id, "board", f"You were invited to the private board “{board.name}”."
                )
            ],
            board_path(board),
            actor.id,
        )
    return True


def revoke_member(actor, board: Board, user_id: int) -> bool:
    """Take back a member's access by name (access by segment or domain stays); False if none."""
    require(actor, "board.manage")
    gone = db.session.execute(
        delete(BoardMember).where(BoardMember.board_id == board.id, BoardMember.user_id == user_id)
    ).rowcount
    if not gone:
        return False
    forget_board_access()
    audit.record(actor, "board.revoke", "board", board.id, before=f"member #{user_id}")
    return True


def grant_segment(actor, board: Board, segment: Segment) -> bool:
    require(actor, "board.manage")
    if db.session.get(BoardSegment, (board.id, segment.id)) is not None:
        return False
    db.session.add(BoardSegment(board_id=board.id, segment_id=segment.id, created_at=utcnow()))
    db.session.flush()
    forget_board_access()
    audit.record(actor, "board.grant", "board", board.id, after=f"segment {segment.name}")
    return True


def revoke_segment(actor, board: Board, segment_id: int) -> bool:
    require(actor, "board.manage")
    gone = db.session.execute(
        delete(BoardSegment).where(BoardSegment.board_id == board.id, BoardSegment.segment_id == segment_id)
    ).rowcount
    if gone:
        forget_board_access()
        audit.record(actor, "board.revoke", "board", board.id, before=f"segment #{segment_id}")
    return bool(gone)


def clean_domain(domain: str) -> str:
    """The domain in lower case without a leading @, or Invalid."""
    value = (domain or "").strip().lower().removeprefix("@")
    if not _domain_pattern.match(value):
        raise Invalid({"domain": ["Give a domain such as example.com."]})
    return value


def grant_domain(actor, board: Board, domain: str) -> bool:
    require(actor, "board.manage")
    value = clean_domain(domain)
    if db.session.get(BoardDomain, (board.id, value)) is not None:
        return False
    db.session.add(BoardDomain(board_id=board.id, domain=value, created_at=utcnow()))
    db.session.flush()
    forget_board_access()
    audit.record(actor, "board.grant", "board", board.id, after=f"domain {value}")
    return True


def revoke_domain(actor, board: Board, domain: str) -> bool:
    require(actor, "board.manage")
    value = (domain or "").strip().lower()
    gone = db.session.execute(
        delete(BoardDomain).where(BoardDomain.board_id == board.id, BoardDomain.domain == value)
    ).rowcount
    if gone:
        forget_board_access()
        audit.record(actor, "board.revoke", "board", board.id, before=f"domain {value}")
    return bool(gone)


def board_path(board: Board) -> str:
    from app.links import site_path

    return site_path("boards.detail", slug=board.slug)


def move_idea(actor, idea: Idea, board: Board) -> bool:
    """Move an idea to another board (staff); its followers are told. False when it is there already.

    A category of another board no longer fits and is taken off.
    """
    require(actor, "idea.move_board")
    if idea.board_id == board.id:
        return False
    if board.is_archived:
        raise Invalid({"board": [f"The board “{board.name}” is archived and takes no new ideas."]})
    before = db.session.scalar(select(Board.name).where(Board.id == idea.board_id))
    idea.board_id = board.id
    if idea.category_id is not None:
        category_board = db.session.scalar(select(Category.board_id).where(Category.id == idea.category_id))
        if category_board is not None and category_board != board.id:
            idea.category_id = None
    idea.updated_at = utcnow()
    db.session.flush()
    from app.services import aggregates

    # After the idea's row, as a vote does: the public roadmap counts votes on public boards only.
    aggregates.recount_demand_of_ideas([idea.id])
    audit.record(actor, "idea.move", "idea", idea.id, before=before, after=board.name)
    from app.links import site_path
    from app.services import follows, notifications

    notifications.notify(
        [
            notifications.Recipient(user_id, "board", f"“{idea.title}” moved to the board “{board.name}”.")
            for user_id in follows.follower_ids(idea.id)
        ],
        site_path("ideas.detail", idea_id=idea.id),
        actor.id,
    )
    return True
