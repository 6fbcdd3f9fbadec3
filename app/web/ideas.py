"""Idea pages: the list, proposing, the idea page, editing, voting, following and status."""

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required

from app import labels
from app.extensions import db
from app.forms.boards import MoveBoardForm
from app.forms.ideas import IdeaForm, StatusForm
from app.forms.proxy_votes import RecordVoteForm
from app.idempotency import ALREADY_SENT, claim_submission
from app.models.idea import STATUSES
from app.pagecache import kept_for_visitors
from app.pages import ideas as idea_pages
from app.permissions import can, require
from app.ratelimits import count_save, form_page
from app.services import boards, follows, ideas, votes
from app.services import categories as category_service
from app.services.board_lookup import board_of, boards_by_id
from app.versions import LISTS_SCOPE, PAGES_SCOPE
from app.web.paging import keep_in_range, list_page_args
from app.web.support import (
    allow_large_uploads,
    call_with_form,
    chosen_uploads,
    current_actor,
    files_not_kept,
    image_alts,
    removed_image_ids,
    safe_next_url,
)

bp = Blueprint("ideas", __name__, url_prefix="/ideas")
allow_large_uploads(bp, {"ideas.new", "ideas.edit"})


@bp.get("/")
@kept_for_visitors(LISTS_SCOPE)
def index():
    return idea_list(request.args.get("board") or None)


def idea_list(board: str | None):
    """The idea list, of every board the viewer sees or of one (the board pages, /b/<slug>/)."""
    page, _ = list_page_args()
    # An unknown sort or status (an old link, a typo) shows the default list, not an error.
    sort = request.args.get("sort") if request.args.get("sort") in (*ideas.SORTS, "relevance") else None
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    data = idea_pages.idea_list_page(
        current_actor(),
        sort=sort,
        category=request.args.get("category") or None,
        status=status,
        mine=request.args.get("mine") == "1",
        voted=request.args.get("voted") == "1",
        q=request.args.get("q"),
        page=page,
        board=board,
    )
    keep_in_range(data.result.page, "idea", "ideas")
    return render_template(
        "ideas/index.html",
        result=data.result,
        categories=data.categories,
        board=data.board,
        boards=data.boards,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    # Refuse before the form is filled in, not after (suspended accounts).
    require(current_actor(), "idea.create")
    form = _new_idea_form()
    if request.method == "GET" and request.args.get("title"):
        form.title.data = request.args["title"]
    similar = []
    if form.validate_on_submit():
        # First, so a form sent twice lands on its idea rather than listing it as a similar one.
        submission = claim_submission(
            current_actor(), form.submission_token.data, form.title.data, form.body.data, form.category.data
        )
        if submission.earlier:
            flash(ALREADY_SENT, "info")
            return redirect(submission.earlier)
        similar = ideas.similar_ideas(current_actor(), form.title.data)
        # Without JavaScript, show the similar ideas once before posting.
        if similar and not form.confirmed.data:
            form.confirmed.data = "1"
            files_not_kept(form.images, "Browsers do not keep files between steps: choose the images again.")
            return render_template("ideas/new.html", form=form, similar=similar, confirming=True)
        ok, idea = call_with_form(
            form,
            ideas.create_idea,
            current_actor(),
            form.title.data,
            form.body.data or "",
            form.category.data or None,
            images=chosen_uploads(form.images),
            board=form.board.data or None,
        )
        if ok:
            submission.done(url_for("ideas.detail", idea_id=idea.id))
            count_save()
            db.session.commit()
            if idea.is_pending:
                flash(
                    "Thanks! New members' first posts wait for a moderator; yours will appear soon.", "info"
                )
            else:
                flash("Your idea is posted, with your vote. Share it so others can vote too.", "success")
            return redirect(url_for("ideas.detail", idea_id=idea.id))
    if form.is_submitted():
        files_not_kept(form.images)
    return render_template("ideas/new.html", form=form, similar=similar, confirming=False)


def _new_idea_form() -> IdeaForm:
    """The propose form; with several boards open to the actor it asks which one (the board page's
    own, or the default, chosen first)."""
    form = IdeaForm()
    open_boards = boards.list_boards(current_actor())
    form.set_boards(open_boards)
    several = len(open_boards) > 1
    form.set_categories(category_service.categories_for(current_actor()), boards_by_id() if several else None)
    if not form.is_submitted():
        wanted = request.args.get("board")
        chosen = next((b for b in open_boards if b.slug == wanted), None) or next(
            (b for b in open_boards if b.is_default), None
        )
        form.board.data = chosen.slug if chosen else None
    return form


@form_page("ideas.new")
def _new_idea_again(message: str):
    """The propose form as it was sent, refused by the rate limit: nothing typed is lost."""
    form = _new_idea_form()
    form.form_errors.append(message)
    return render_template("ideas/new.html", form=form, similar=[], confirming=False)


@bp.get("/similar")
def similar():
    """The similar ideas shown while a title is typed (HTML fragment for the enhancement script)."""
    found = ideas.similar_ideas(current_actor(), request.args.get("q", ""))
    return render_template("ideas/_similar.html", similar=found)


def render_idea_page(
    idea_id: int, status: int = 200, comment_form=None, note_form=None, vote_record_form=None
):
    """The idea page; a refused comment, note or recorded-vote form comes back with its text and messages."""
    data = idea_pages.idea_page(current_actor(), idea_id)
    # Only staff see the status form; made for anyone, it would give every visitor a session
    # cookie (its CSRF token) and keep the page out of shared caches.
    status_form = None
    if can(current_actor(), "idea.change_status", data.idea):
        status_form = StatusForm(status="open" if data.idea.is_merged else data.idea.status)
    shown_boards = boards.list_boards(current_actor())
    move_form = None
    if can(current_actor(), "idea.move_board") and any(b.id != data.idea.board_id for b in shown_boards):
        move_form = MoveBoardForm()
        move_form.set_boards(shown_boards, data.idea.board_id)
    if vote_record_form is None and can(current_actor(), "idea.record_vote", data.idea):
        vote_record_form = RecordVoteForm()
    body = render_template(
        "ideas/detail.html",
        page=data,
        idea=data.idea,
        thread=data.thread,
        status_form=status_form,
        vote_record_form=vote_record_form,
        refused_comment_form=comment_form,
        refused_note_form=note_form,
        prototypes=data.prototypes,
        launches=data.launches,
        roadmap=data.roadmap,
        journey=data.journey,
        board=board_of(data.idea),
        shows_boards=len(shown_boards) > 1,
        move_form=move_form,
    )
    return body, status


@bp.get("/<int:idea_id>")
@kept_for_visitors(PAGES_SCOPE, version_of=ideas.idea_version)
def detail(idea_id: int):
    return render_idea_page(idea_id)


@bp.route("/<int:idea_id>/edit", methods=["GET", "POST"])
@login_required
def edit(idea_id: int):
    idea = ideas.get_idea(current_actor(), idea_id, with_images=True)
    require(current_actor(), "idea.edit", idea)
    form = IdeaForm(obj=idea)
    form.set_categories(
        [c for c in category_service.categories_for(current_actor()) if c.board_id in (None, idea.board_id)]
    )
    if request.method == "GET":
        form.category.data = idea.category.slug if idea.category else ""
    removing = set(removed_image_ids())
    alts = image_alts(idea.images) if request.method == "POST" else {}
    if form.validate_on_submit():
        ok, _ = call_with_form(
            form,
            ideas.update_idea,
            current_actor(),
            idea,
            title=form.title.data,
            body=form.body.data or "",
            category=form.category.data or None,
            add_images=chosen_uploads(form.images),
            remove_image_ids=sorted(removing),
            image_alts=alts,
        )
        if ok:
            db.session.commit()
            flash("Your changes are saved.", "success")
            return redirect(url_for("ideas.detail", idea_id=idea.id))
        # The rollback expired the idea; read it again for the form's image list.
        idea = ideas.get_idea(current_actor(), idea_id, with_images=True)
    if form.is_submitted():
        files_not_kept(form.images)
    return render_template("ideas/edit.html", form=form, idea=idea, removing=removing, alts=alts)


def _vote_response(idea, voted: bool, count: int):
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"voted": voted, "vote_count": count})
    return redirect(safe_next_url("ideas.detail", idea_id=idea.id))


@bp.post("/<int:idea_id>/vote")
@login_required
def vote(idea_id: int):
    """Toggle the viewer's vote: a plain form post, or JSON for the in-place button."""
    idea = ideas.get_idea(current_actor(), idea_id)
    if request.form.get("intent") == "remove" or (
        request.form.get("intent") != "add" and votes.has_voted(current_actor(), idea)
    ):
        count = votes.retract_vote(current_actor(), idea)
        voted = False
    else:
        count = votes.cast_vote(current_actor(), idea)
        voted = True
    db.session.commit()
    return _vote_response(idea, voted, count)


@bp.post("/<int:idea_id>/follow")
@login_required
def follow(idea_id: int):
    idea = ideas.get_idea(current_actor(), idea_id)
    if request.form.get("action") == "unfollow":
        follows.unfollow_idea(current_actor(), idea)
        message = "You no longer follow this idea."
    else:
        follows.follow_idea(current_actor(), idea)
        message = "You follow this idea: you will hear when its status changes."
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("ideas.detail", idea_id=idea.id))


@bp.post("/<int:idea_id>/status")
@login_required
def change_status(idea_id: int):
    idea = ideas.get_idea(current_actor(), idea_id)
    form = StatusForm()
    if form.validate_on_submit():
        ok, _ = call_with_form(
            form, ideas.change_status, current_actor(), idea, form.status.data, form.status_note.data or ""
        )
        if ok:
            db.session.commit()
            flash(
                f"Status changed to “{labels.label('idea_status', form.status.data)}”. Followers are told.",
                "success",
            )
            return redirect(url_for("ideas.detail", idea_id=idea.id))
    for messages in form.errors.values():
        for message in messages:
            flash(message, "error")
    return redirect(url_for("ideas.detail", idea_id=idea.id, _anchor="status"))
