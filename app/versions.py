"""Row versions and cache scopes, moved on by the very transaction that changes them.

A `Versioned` row (ideas, comments, members, categories) carries a `version` that every UPDATE
of a shown column moves on, whether the change comes from the ORM (a title edited, a status
changed, a name changed) or from a bulk statement (the vote and comment counters). Rendered
fragments are keyed by these versions (app/fragments.py), so a change makes its own fragments
unreachable at the moment it commits, and leaves every other fragment alone.

Sums over many rows (list totals) cannot be keyed by one row; they belong to a *scope*. The
"ideas" scope is which ideas exist and where they are listed (created, deleted,
edited, moved to a status or category, hidden, merged; a category renamed or deleted). Votes
and comments do not touch it. The "lists" scope is everything an idea list or the roadmap board
shows, votes and comments included: signed-out visitors' copies of those pages are kept until it
moves (app/pagecache.py).
A transaction that changed a scope moves the scope's generation on after it commits
(app/pagecache.py keeps the generations).
"""

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session

from app.models.base import Versioned

IDEAS_SCOPE = "ideas"
# Everything an idea page shows besides its idea's own row (whose version is part of the page's
# key): comments, members' names, categories, images, history, the prototypes, launches and
# roadmap items linked to it, other ideas' titles. Any write moves it but those to the tables
# below, which no idea page shows, and the counters of an idea (a vote moves only its version).
PAGES_SCOPE = "idea-pages"
_UNSHOWN_TABLES = frozenset(
    {
        "idea_votes",
        "idea_vote_days",
        "idea_follows",
        "roadmap_demands",
        "idempotency_keys",
        "identities",
        "sso_token_uses",
        "notifications",
        "outbox_messages",
        "user_sessions",
        "password_reset_tokens",
        "api_tokens",
        "webhooks",
        "webhook_deliveries",
        "audit_entries",
        "flags",
        "stored_figures",
    }
)
# What the idea lists and the roadmap board show of ideas: which, in which order, with which
# counts. Every change to an idea (a vote or a comment too), a category or the roadmap moves it.
LISTS_SCOPE = "lists"
# Columns of an idea that change no list's membership or order by themselves being counted.
_IDEA_COUNTERS = frozenset(
    {"vote_count", "comment_count", "trending_score", "weighted_votes", "first_staff_response_at", "version"}
)
# Boards and who may see them: which ideas each reader's lists and counts hold.
_ACCESS_TABLES = frozenset({"boards", "board_members", "board_segments", "board_domains", "user_segments"})
# Bulk UPDATEs that only move these counters say so with this execution option.
COUNTERS_ONLY = {"counters_only": True}


def _changed_columns(obj: Versioned) -> set[str]:
    state = inspect(obj)
    return {
        attr.key for attr in state.attrs if attr.key in state.committed_state and attr.history.has_changes()
    }


def _before_flush(session: Session, flush_context, instances) -> None:
    from app.models.idea import Category, Idea
    from app.models.roadmap import RoadmapIdea, RoadmapItem
    from app.models.user import User

    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Idea | Category | RoadmapItem | RoadmapIdea):
            touch_scope(session, LISTS_SCOPE)
        if type(obj).__tablename__ in _ACCESS_TABLES:
            touch_scope(session, IDEAS_SCOPE)
            touch_scope(session, LISTS_SCOPE)
    # A new member is shown nowhere until they write something (which moves the scope then).
    for obj in (*(obj for obj in session.new if not isinstance(obj, User)), *session.deleted):
        if type(obj).__tablename__ not in _UNSHOWN_TABLES:
            touch_scope(session, PAGES_SCOPE)
    for obj in session.dirty:
        if not isinstance(obj, Versioned):
            if type(obj).__tablename__ not in _UNSHOWN_TABLES:
                touch_scope(session, PAGES_SCOPE)
            continue
        changed = _changed_columns(obj)
        shown = type(obj).shown_columns
        if changed and (shown is None or changed & shown):
            obj.version = type(obj).version + 1
            if not isinstance(obj, Idea) or changed - _IDEA_COUNTERS:
                touch_scope(session, PAGES_SCOPE)
        if isinstance(obj, Idea) and changed - _IDEA_COUNTERS:
            touch_scope(session, IDEAS_SCOPE)
        if isinstance(obj, Category) and "slug" in changed:
            touch_scope(session, IDEAS_SCOPE)  # lists are filtered by the slug
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Idea):
            touch_scope(session, IDEAS_SCOPE)
    # A deleted category leaves its ideas uncategorized (the database sets it, unseen here).
    if any(isinstance(obj, Category) for obj in session.deleted):
        touch_scope(session, IDEAS_SCOPE)


def _on_execute(state: ORMExecuteState) -> None:
    """Bulk UPDATEs of versioned rows move their versions on in the same statement; bulk writes
    touch the scopes of what they change."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    from app.models.idea import Category, Idea
    from app.models.roadmap import RoadmapDemand, RoadmapIdea, RoadmapItem

    for mapper in state.all_mappers:
        cls = mapper.class_
        if state.is_update and issubclass(cls, Versioned):
            state.statement = state.statement.values(version=cls.version + 1)
        if cls is Idea and not state.execution_options.get("counters_only"):
            touch_scope(state.session, IDEAS_SCOPE)
        if cls.__tablename__ not in _UNSHOWN_TABLES and not (
            cls is Idea and state.execution_options.get("counters_only")
        ):
            touch_scope(state.session, PAGES_SCOPE)
        if cls in (Idea, Category, RoadmapItem, RoadmapIdea, RoadmapDemand):
            touch_scope(state.session, LISTS_SCOPE)
        if cls.__tablename__ in _ACCESS_TABLES:
            touch_scope(state.session, IDEAS_SCOPE)
            touch_scope(state.session, LISTS_SCOPE)


def touch_scope(session: Session, scope: str) -> None:
    session.info.setdefault("cocreate_scopes", set()).add(scope)


def touched_scopes(session: Session) -> set[str]:
    """The scopes this transaction changed, forgotten once asked (after its commit)."""
    return session.info.pop("cocreate_scopes", set())


def init_app() -> None:
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
