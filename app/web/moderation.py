"""Moderation pages: members' flags, moderators' actions on ideas, comments and prototypes, the queue."""

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm

from app.extensions import db
from app.forms.moderation import FlagForm, HideForm, MergeForm, ReasonForm
from app.models.comment import Comment
from app.models.idea import Idea
from app.models.prototype import Prototype
from app.permissions import require
from app.services import ideas, merges, moderation
from app.visibility import may_see_id
from app.web.support import call_with_form, current_actor, safe_next_url

bp = Blueprint("moderation", __name__)

# URL segments name kinds in the plural, as the idea pages do; the services take the singular.
KINDS = {"ideas": "idea", "comments": "comment", "prototypes": "prototype"}
# "12", "#12", "/ideas/12", or a pasted link such as https://site/ideas/12#comment-3.
_IDEA_REF = re.compile(r"#?(\d+)|(?:https?://[^/\s]+)?/ideas/(\d+)(?:[/?#]\S*)?", re.IGNORECASE)


def parse_idea_ref(text: str | None) -> int | None:
    """The idea number in `text`: a number, or a link to an idea page; None when there is none."""
    match = _IDEA_REF.fullmatch((text or "").strip())
    if match is None:
        return None
    number = int(match.group(1) or match.group(2))
    # Larger than any database integer: no such idea, and no overflow further down.
    return number if 0 < number < 2**31 else None


@bp.app_context_processor
def moderation_context():
    return {
        "auto_hide_reason": moderation.AUTO_HIDE_REASON,
        # The rows of the flag note and the reasons: the hand-written forms' labels and limits.
        "flag_note": moderation.FLAG_TEXTS["note"],
        "hide_reason": moderation.HIDE_TEXTS["reason"],
        "shown_reason": moderation.SHOWN_REASON_TEXTS["reason"],
    }


def _flash_errors(form: FlaskForm, lead: str) -> None:
    """One message saying nothing changed, and why (the form lives on another page)."""
    # form.errors holds the field messages and, under None, the form-wide ones.
    reasons = [message for messages in form.errors.values() for message in messages]
    flash(" ".join([lead, *reasons]), "error")


def _item_url(target: Idea | Comment | Prototype) -> str:
    if isinstance(target, Prototype):
        return url_for("prototypes.detail", prototype_id=target.id)
    if isinstance(target, Comment):
        if target.prototype_id is not None:
            return url_for(
                "prototypes.detail", prototype_id=target.prototype_id, _anchor=f"comment-{target.id}"
            )
        return url_for("ideas.detail", idea_id=target.idea_id, _anchor=f"comment-{target.id}")
    return url_for("ideas.detail", idea_id=target.id)


def _back(default: str) -> str:
    """Where the form came from (its `next` field, if it is a path on this site), else `default`."""
    return safe_next_url() if request.form.get("next") else default


def _moderator_only() -> None:
    require(current_actor(), "moderation.act")


@bp.post("/flags")
@login_required
def flag():
    """A member flags an idea, a comment or a prototype for moderators."""
    form = FlagForm()
    kind = form.target_type.data or ""
    if kind not in KINDS.values() or not (form.target_id.data or "").isdigit():
        abort(404)
    target_id = int(form.target_id.data)
    reason = form.reason.data or ""
    duplicate_of_id = None
    if reason == "duplicate" and (form.duplicate_of.data or "").strip():
        # Text that names no idea is refused by the service (0 is no idea).
        duplicate_of_id = parse_idea_ref(form.duplicate_of.data) or 0
    ok, _ = call_with_form(
        form,
        moderation.flag_item,
        current_actor(),
        kind,
        target_id,
        reason,
        form.note.data or "",
        duplicate_of_id,
    )
    if not ok:
        _flash_errors(form, "Nothing was flagged.")
        return redirect(_back(url_for("ideas.index")))
    db.session.commit()
    flash("Thanks — a moderator will look at it.", "success")
    if kind == "idea" and not may_see_id(current_actor(), Idea, target_id):
        # The flag hid the idea from the flagger too: its page would answer 404.
        return redirect(url_for("ideas.index"))
    if kind == "prototype" and not may_see_id(current_actor(), Prototype, target_id):
        return redirect(url_for("prototypes.index"))
    return redirect(_back(url_for("ideas.index")))


@bp.get("/moderation")
@login_required
def queue():
    items = moderation.review_queue(current_actor())
    return render_template("moderation/queue.html", items=items)


@bp.post("/moderation/<any(ideas, comments, prototypes):kind>/<int:target_id>/hide")
@login_required
def hide(kind: str, target_id: int):
    _moderator_only()
    form = HideForm()
    ok, target = call_with_form(
        form, moderation.hide_item, current_actor(), KINDS[kind], target_id, form.reason.data
    )
    if not ok:
        _flash_errors(form, "Nothing was hidden.")
        return redirect(_back(url_for("moderation.queue")))
    db.session.commit()
    flash(f"The {KINDS[kind]} is hidden. Its author sees your reason; nobody else sees it.", "success")
    return redirect(_back(_item_url(target)))


@bp.post("/moderation/<any(ideas, comments, prototypes):kind>/<int:target_id>/restore")
@login_required
def restore(kind: str, target_id: int):
    _moderator_only()
    target = moderation.restore_item(current_actor(), KINDS[kind], target_id)
    db.session.commit()
    flash(f"The {KINDS[kind]} is visible to everyone again.", "success")
    return redirect(_back(_item_url(target)))


@bp.post("/moderation/<any(ideas, comments, prototypes):kind>/<int:target_id>/delete")
@login_required
def delete(kind: str, target_id: int):
    _moderator_only()
    target = moderation.delete_item(current_actor(), KINDS[kind], target_id)
    db.session.commit()
    flash(f"The {KINDS[kind]} is deleted. Moderators can restore it from its page.", "success")
    return redirect(_back(_item_url(target)))


@bp.post("/moderation/<any(ideas, comments, prototypes):kind>/<int:target_id>/dismiss")
@login_required
def dismiss(kind: str, target_id: int):
    _moderator_only()
    count = moderation.dismiss_flags(current_actor(), KINDS[kind], target_id)
    db.session.commit()
    flash(f"{count} flag{'' if count == 1 else 's'} dismissed.", "success")
    return redirect(_back(url_for("moderation.queue")))


def _idea_switch(idea_id: int, change, value: bool, message: str):
    """Lock, unlock, pin or unpin; locking and pinning take an optional reason readers see."""
    _moderator_only()
    form = ReasonForm()
    idea = ideas.get_idea(current_actor(), idea_id)
    ok, _ = call_with_form(
        form, change, current_actor(), idea, value, (form.reason.data or "") if value else ""
    )
    if not ok:
        _flash_errors(form, "Nothing was changed.")
        return redirect(_back(url_for("ideas.detail", idea_id=idea_id)))
    db.session.commit()
    flash(message, "success")
    return redirect(_back(url_for("ideas.detail", idea_id=idea_id)))


@bp.post("/moderation/ideas/<int:idea_id>/lock")
@login_required
def lock(idea_id: int):
    return _idea_switch(idea_id, moderation.set_locked, True, "The idea is locked: no new comments or votes.")


@bp.post("/moderation/ideas/<int:idea_id>/unlock")
@login_required
def unlock(idea_id: int):
    return _idea_switch(
        idea_id, moderation.set_locked, False, "The idea is unlocked: members can vote and comment."
    )


@bp.post("/moderation/ideas/<int:idea_id>/pin")
@login_required
def pin(idea_id: int):
    return _idea_switch(idea_id, moderation.set_pinned, True, "The idea is pinned to the top of its lists.")


@bp.post("/moderation/ideas/<int:idea_id>/unpin")
@login_required
def unpin(idea_id: int):
    return _idea_switch(idea_id, moderation.set_pinned, False, "The idea is no longer pinned.")


@bp.get("/moderation/ideas/<int:idea_id>/merge")
@login_required
def merge_search(idea_id: int):
    """Find the idea to merge into: up to five matches to pick from, without JavaScript."""
    _moderator_only()
    idea = ideas.get_idea(current_actor(), idea_id)
    query = (request.args.get("q") or "").strip()
    found = ideas.similar_ideas(current_actor(), query or idea.title, limit=6)
    candidates = [c for c in found if c.id != idea.id and not c.is_deleted][:5]
    return render_template(
        "moderation/merge.html", idea=idea, query=query or idea.title, candidates=candidates, form=MergeForm()
    )


@bp.post("/moderation/ideas/<int:idea_id>/merge")
@login_required
def merge(idea_id: int):
    _moderator_only()
    form = MergeForm()
    target_id = parse_idea_ref(form.target.data)
    if target_id is None:
        flash(
            "Nothing was merged: give the number or link of the idea to merge into, like 12 or /ideas/12.",
            "error",
        )
        return redirect(_back(url_for("moderation.merge_search", idea_id=idea_id)))
    target = merges.merge_ideas(current_actor(), idea_id, target_id)
    db.session.commit()
    flash(
        f"Merged into “{target.title}”: the votes and followers moved there. You can undo it on this page.",
        "success",
    )
    return redirect(url_for("ideas.detail", idea_id=idea_id))


@bp.post("/moderation/ideas/<int:idea_id>/unmerge")
@login_required
def unmerge(idea_id: int):
    _moderator_only()
    source = merges.unmerge_idea(current_actor(), idea_id)
    db.session.commit()
    flash(f"Unmerged: “{source.title}” has its own votes back.", "success")
    return redirect(url_for("ideas.detail", idea_id=idea_id))
