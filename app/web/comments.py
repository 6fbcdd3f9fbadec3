"""Posting, replying to, editing and deleting comments on ideas and prototypes; staff-only notes."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.extensions import db
from app.forms.comments import MARKDOWN_HINT, CommentForm, EditCommentForm, NoteForm
from app.idempotency import ALREADY_SENT, Submission, claim_submission
from app.permissions import edit_window, is_moderator, require
from app.ratelimits import count_save, form_page
from app.services import comments as comment_service
from app.services import ideas, prototypes
from app.web.ideas import render_idea_page
from app.web.prototypes import render_prototype_page
from app.web.support import call_with_form, current_actor

bp = Blueprint("comments", __name__)


@bp.app_context_processor
def comment_context():
    # The hint under the thread's hand-written comment boxes, from the service's row.
    return {"comment_body_hint": MARKDOWN_HINT}


def _idea_page_again(idea_id: int, **forms: FlaskForm):
    """The idea page, with the refused form (its text and messages) where it was, as a 422."""
    flash("Nothing was posted: please correct the marked field.", "error")
    return render_idea_page(idea_id, status=422, **forms)


def _sign_in_first(idea_id: int):
    flash("Please sign in to comment.", "info")
    return redirect(url_for("auth.sign_in", next=url_for("ideas.detail", idea_id=idea_id)))


def _to_comment(comment):
    if comment.prototype_id is not None:
        return redirect(
            url_for("prototypes.detail", prototype_id=comment.prototype_id, _anchor=f"comment-{comment.id}")
        )
    anchor = "internal-notes" if comment.is_internal else f"comment-{comment.id}"
    return redirect(url_for("ideas.detail", idea_id=comment.idea_id, _anchor=anchor))


def _claim(form: CommentForm | NoteForm) -> Submission:
    """This post's claim on its form's token (the same form sent twice makes one comment)."""
    parent_id = getattr(form, "parent_id", None)
    return claim_submission(
        current_actor(), form.submission_token.data, form.body.data, parent_id.data if parent_id else None
    )


def _posted(submission: Submission, comment):
    """Record where the new comment is, in its transaction, count it against the limit, and commit."""
    response = _to_comment(comment)
    submission.done(response.location)
    count_save()
    db.session.commit()
    return response


def _refused(form_class: type[CommentForm] | type[NoteForm], message: str) -> CommentForm | NoteForm:
    """The post as it was sent, with why it was not posted (the rate limit) at its text."""
    form = form_class()
    form.form_errors.append(message)
    return form


@form_page("comments.create")
def _comment_again(message: str, idea_id: int):
    return render_idea_page(idea_id, comment_form=_refused(CommentForm, message))


@form_page("comments.create_note")
def _note_again(message: str, idea_id: int):
    return render_idea_page(idea_id, note_form=_refused(NoteForm, message))


@form_page("comments.create_on_prototype")
def _prototype_comment_again(message: str, prototype_id: int):
    return render_prototype_page(prototype_id, comment_form=_refused(CommentForm, message))


def _already_posted(submission: Submission):
    flash(ALREADY_SENT, "info")
    return redirect(submission.earlier)


@bp.post("/ideas/<int:idea_id>/comments")
def create(idea_id: int):
    if not current_user.is_authenticated:
        return _sign_in_first(idea_id)
    idea = ideas.get_idea(current_actor(), idea_id)
    form = CommentForm()
    if form.validate_on_submit():
        submission = _claim(form)
        if submission.earlier:
            return _already_posted(submission)
        ok, comment = call_with_form(
            form, comment_service.add_comment, current_actor(), idea, form.body.data, form.parent_id.data
        )
        if ok:
            response = _posted(submission, comment)
            flash("Your reply is posted." if comment.parent_id else "Your comment is posted.", "success")
            return response
    elif form.parent_id.errors:
        # A parent id that is not a number is the same mistake as an unknown comment.
        form.parent_id.errors = ["You can only reply to a comment on this idea."]
    return _idea_page_again(idea_id, comment_form=form)


@bp.post("/prototypes/<int:prototype_id>/comments")
def create_on_prototype(prototype_id: int):
    if not current_user.is_authenticated:
        flash("Please sign in to comment.", "info")
        return redirect(url_for("auth.sign_in", next=url_for("prototypes.detail", prototype_id=prototype_id)))
    prototype = prototypes.get_prototype(current_actor(), prototype_id, with_parts=False)
    form = CommentForm()
    if form.validate_on_submit():
        submission = _claim(form)
        if submission.earlier:
            return _already_posted(submission)
        ok, comment = call_with_form(
            form,
            comment_service.add_prototype_comment,
            current_actor(),
            prototype,
            form.body.data,
            form.parent_id.data,
        )
        if ok:
            response = _posted(submission, comment)
            flash("Your reply is posted." if comment.parent_id else "Your comment is posted.", "success")
            return response
    elif form.parent_id.errors:
        form.parent_id.errors = ["You can only reply to a comment on this prototype."]
    flash("Nothing was posted: please correct the marked field.", "error")
    return render_prototype_page(prototype_id, status=422, comment_form=form)


@bp.post("/ideas/<int:idea_id>/notes")
@login_required
def create_note(idea_id: int):
    idea = ideas.get_idea(current_actor(), idea_id)
    form = NoteForm()
    if form.validate_on_submit():
        submission = _claim(form)
        if submission.earlier:
            return _already_posted(submission)
        ok, note = call_with_form(
            form, comment_service.add_internal_note, current_actor(), idea, form.body.data
        )
        if ok:
            response = _posted(submission, note)
            flash("Your internal note is added. Only staff can see it.", "success")
            return response
    return _idea_page_again(idea_id, note_form=form)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int):
    comment = comment_service.get_comment(current_actor(), comment_id)
    require(current_actor(), "comment.edit", comment)
    if comment.prototype_id is not None:
        idea = None
        prototype = prototypes.get_prototype(current_actor(), comment.prototype_id, with_parts=False)
    else:
        idea, prototype = ideas.get_idea(current_actor(), comment.idea_id), None
    author = comment.author  # a refused edit rolls back, and the author must not load lazily then
    form = EditCommentForm(obj=comment)
    if comment.is_internal:
        form.body.label.text = "Internal note"
        form.body.description = "Only staff see this. Markdown works."
    if form.validate_on_submit():
        ok, _ = call_with_form(form, comment_service.edit_comment, current_actor(), comment, form.body.data)
        if ok:
            db.session.commit()
            flash("Your changes are saved.", "success")
            return _to_comment(comment)
    status = 422 if request.method == "POST" else 200
    # Authors see until when they can still change their words; moderators have no limit.
    own_window = not comment.is_internal and not is_moderator(current_actor())
    deadline = comment.created_at + edit_window() if own_window else None
    page = render_template(
        "comments/edit.html",
        form=form,
        comment=comment,
        author=author,
        idea=idea,
        prototype=prototype,
        deadline=deadline,
    )
    return page, status


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete(comment_id: int):
    comment = comment_service.get_comment(current_actor(), comment_id)
    comment_service.delete_comment(current_actor(), comment)
    db.session.commit()
    flash(
        "The note is deleted." if comment.is_internal else "The comment is deleted; replies to it stay.",
        "success",
    )
    return _to_comment(comment)
