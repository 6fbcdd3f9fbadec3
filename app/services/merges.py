"""Merging duplicate ideas, and undoing a merge.

Merging A into B: A's voters become B's voters (each person counted once), A's followers
follow B and are told, A is marked merged and points to B, A's comments stay on A. Every vote
that sat on A is remembered with whether the merge added it to B, so unmerging gives A its
votes back and takes from B only the votes the merge added.
"""

from sqlalchemy import delete, select, update

from app.errors import Conflict, NotFound
from app.extensions import db
from app.models.base import utcnow
from app.models.idea import Idea, IdeaFollow, IdeaStatusChange, IdeaVote
from app.models.moderation import Flag, IdeaMerge, MergedVote
from app.models.user import User
from app.permissions import require
from app.services import aggregates, audit, votes
from app.services.dialect import insert_ignore
from app.services.ideas import idea_url
from app.services.notifications import Recipient, notify


def _locked(idea_id: int) -> Idea:
    # populate_existing: an idea read earlier in this transaction is read again under the lock,
    # so the checks below see what the previous merge committed.
    idea = db.session.scalar(
        select(Idea).where(Idea.id == idea_id).with_for_update().execution_options(populate_existing=True)
    )
    if idea is None:
        raise NotFound("No such idea.")
    return idea


def _lock_pair(first_id: int, second_id: int) -> tuple[Idea, Idea]:
    """Lock two ideas in id order, so merges and unmerges of the same ideas never deadlock."""
    locked = {idea_id: _locked(idea_id) for idea_id in sorted((first_id, second_id))}
    return locked[first_id], locked[second_id]


def merge_ideas(actor: User, source_id: int, target_id: int) -> Idea:
    """Merge idea `source_id` into `target_id`; returns the target."""
    require(actor, "moderation.act")
    if source_id == target_id:
        raise Conflict("An idea cannot be merged into itself.")
    if db.session.get(Idea, target_id) is None:
        raise NotFound(f"There is no idea #{target_id} to merge into.")
    source, target = _lock_pair(source_id, target_id)
    if source.is_merged:
        raise Conflict("This idea is already merged into another one.")
    if target.is_merged or target.is_deleted:
        raise Conflict("The target idea is itself merged or deleted; merge into the idea it points to.")
    now = utcnow()
    merge = IdeaMerge(
        source_id=source.id, target_id=target.id, actor_id=actor.id, source_status=source.status
    )
    db.session.add(merge)
    db.session.flush()
    for vote in db.session.scalars(select(IdeaVote).where(IdeaVote.idea_id == source.id)).all():
        moved = votes.add_vote(target, vote.user_id, voted_at=vote.created_at, **votes.provenance(vote))
        db.session.add(
            MergedVote(merge_id=merge.id, user_id=vote.user_id, voted_at=vote.created_at, moved=moved)
        )
    db.session.execute(delete(IdeaVote).where(IdeaVote.idea_id == source.id))
    # The votes left the source all at once: its days go, and its items count their voters again.
    aggregates.recount_vote_days([source.id])
    aggregates.recount_demand_of_ideas([source.id, target.id])
    db.session.execute(update(Idea).where(Idea.id == source.id).values(vote_count=0, trending_score=0.0))
    follower_ids = list(db.session.scalars(select(IdeaFollow.user_id).where(IdeaFollow.idea_id == source.id)))
    for user_id in follower_ids:
        db.session.execute(insert_ignore(IdeaFollow, idea_id=target.id, user_id=user_id, created_at=now))
    db.session.add(
        IdeaStatusChange(
            idea_id=source.id,
            actor_id=actor.id,
            from_status=source.status,
            to_status="merged",
            note=f"Merged into “{target.title}”.",
            note_html="",
            created_at=now,
        )
    )
    source.status = "merged"
    source.merged_into_id = target.id
    # The duplicate reports on the source are settled by the merge itself.
    db.session.execute(
        update(Flag)
        .where(Flag.target_type == "idea", Flag.target_id == source.id, Flag.status == "open")
        .values(status="upheld", resolved_at=now, resolved_by_id=actor.id)
    )
    source.updated_at = now
    message = f"“{source.title}” was merged into “{target.title}”; its votes count there now"

    notify([Recipient(user_id, "status", message) for user_id in follower_ids], idea_url(target), actor.id)
    audit.record(
        actor,
        "idea.merge",
        "idea",
        source.id,
        reason=f"into idea {target.id}",
        before=merge.source_status,
        after=f"merged into {target.id}",
    )
    db.session.flush()
    db.session.refresh(target)
    return target


def unmerge_idea(actor: User, source_id: int) -> Idea:
    """Undo the last merge of `source_id`: it gets its own votes back; the target keeps its own."""
    require(actor, "moderation.act")
    last_merge = (
        select(IdeaMerge)
        .where(IdeaMerge.source_id == source_id, IdeaMerge.undone_at.is_(None))
        .order_by(IdeaMerge.id.desc())
        .limit(1)
    )
    merge = db.session.scalar(last_merge)
    if merge is None:
        if db.session.get(Idea, source_id) is None:
            raise NotFound("No such idea.")
        raise Conflict("This idea is not merged.")
    source, target = _lock_pair(source_id, merge.target_id)
    # Read again under the locks: another moderator may have unmerged it meanwhile.
    merge = db.session.scalar(last_merge.execution_options(populate_existing=True))
    if not source.is_merged or merge is None or merge.target_id != target.id:
        raise Conflict("This idea is not merged.")
    # A vote staff recorded for someone goes back saying so (when the merge moved it).
    recorded = {
        vote.user_id: votes.provenance(vote)
        for vote in db.session.scalars(
            select(IdeaVote).where(IdeaVote.idea_id == target.id, IdeaVote.source.is_not(None))
        )
    }
    for merged in db.session.scalars(select(MergedVote).where(MergedVote.merge_id == merge.id)).all():
        kept = recorded.get(merged.user_id, {}) if merged.moved else {}
        votes.add_vote(source, merged.user_id, voted_at=merged.voted_at, **kept)
        if merged.moved:
            votes.remove_vote(target, merged.user_id)
    now = utcnow()
    db.session.add(
        IdeaStatusChange(
            idea_id=source.id,
            actor_id=actor.id,
            from_status="merged",
            to_status=merge.source_status,
            note=f"Unmerged from “{target.title}”.",
            note_html="",
            created_at=now,
        )
    )
    source.status = merge.source_status
    source.merged_into_id = None
    source.updated_at = now
    merge.undone_at = now
    audit.record(
        actor,
        "idea.unmerge",
        "idea",
        source.id,
        reason=f"from idea {target.id}",
        before=f"merged into {target.id}",
        after=merge.source_status,
    )
    db.session.flush()
    db.session.refresh(source)
    return source
