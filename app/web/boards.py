"""Board pages: each board's idea list (/b/<slug>/), and the admin pages that keep boards and
who may see a private one."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from app.errors import Invalid, NotFound
from app.extensions import db
from app.forms.boards import BoardDomainForm, BoardForm, BoardMemberForm, BoardSegmentForm, MoveBoardForm
from app.models.board import Board
from app.models.segment import Segment
from app.pagecache import kept_for_visitors
from app.permissions import require
from app.services import accounts, boards, ideas, usernames
from app.versions import LISTS_SCOPE
from app.web.ideas import idea_list
from app.web.support import call_with_form, current_actor

bp = Blueprint("boards", __name__)


@bp.get("/b/<slug>/")
@kept_for_visitors(LISTS_SCOPE)
def detail(slug: str):
    return idea_list(slug)


# ---- Moving an idea (staff) ----


@bp.post("/ideas/<int:idea_id>/board")
@login_required
def move_idea(idea_id: int):
    actor = current_actor()
    require(actor, "idea.move_board")
    idea = ideas.get_idea(actor, idea_id)
    form = MoveBoardForm()
    if not form.validate_on_submit():
        flash("Your form expired; please try again.", "error")
        return redirect(url_for("ideas.detail", idea_id=idea_id))
    board = boards.board_by_slug(actor, form.board.data)
    if boards.move_idea(actor, idea, board):
        db.session.commit()
        flash(f"Moved to the board “{board.name}”; its followers were told.", "success")
    else:
        flash(f"It is on the board “{board.name}” already.", "info")
    return redirect(url_for("ideas.detail", idea_id=idea_id))


# ---- Admin ----


def _managed_board(board_id: int) -> Board:
    """The board an admin page is about; only admins get this far."""
    require(current_actor(), "board.manage")
    board = db.session.get(Board, board_id)
    if board is None:
        raise NotFound(boards.NO_BOARD)
    return board


@bp.route("/admin/boards", methods=["GET", "POST"])
@login_required
def admin_index():
    actor = current_actor()
    require(actor, "board.manage")
    form = BoardForm()
    if form.validate_on_submit():
        ok, board = call_with_form(
            form,
            boards.create_board,
            actor,
            form.name.data,
            form.slug.data or "",
            form.description.data or "",
            form.visibility.data,
            form.position.data,
        )
        if ok:
            db.session.commit()
            flash(f"Board “{board.name}” added.", "success")
            if board.is_private:
                return redirect(url_for("boards.edit_board", board_id=board.id, _anchor="access-title"))
            return redirect(url_for("boards.admin_index"))
    shown = boards.list_boards(actor, with_archived=True)
    return render_template(
        "admin/boards.html", form=form, boards=shown, counts=boards.idea_counts(actor, shown)
    )


@bp.route("/admin/boards/<int:board_id>", methods=["GET", "POST"])
@login_required
def edit_board(board_id: int):
    actor = current_actor()
    board = _managed_board(board_id)
    form = BoardForm(obj=board)
    if form.validate_on_submit():
        values = {**form.texts(), "visibility": form.visibility.data, "position": form.position.data or 0}
        ok, _ = call_with_form(form, boards.update_board, actor, board, values)
        if ok:
            db.session.commit()
            flash("Board saved.", "success")
            return redirect(url_for("boards.edit_board", board_id=board_id))
    return _edit_page(board, form)


def _edit_page(board: Board, form: BoardForm | None = None, status: int = 200, **forms):
    actor = current_actor()
    segment_form = forms.get("segment_form") or BoardSegmentForm()
    segment_form.segment.choices = [
        (str(segment.id), segment.name)
        for segment in db.session.scalars(select(Segment).order_by(Segment.name))
    ]
    return (
        render_template(
            "admin/board_edit.html",
            board=board,
            form=form or BoardForm(obj=board),
            access=boards.board_access(actor, board),
            member_form=forms.get("member_form") or BoardMemberForm(),
            segment_form=segment_form,
            domain_form=forms.get("domain_form") or BoardDomainForm(),
            idea_count=boards.idea_counts(actor, [board]).get(board.id, 0),
        ),
        status,
    )


@bp.post("/admin/boards/<int:board_id>/state")
@login_required
def change_state(board_id: int):
    """Archive, bring back, or make the default board: one button each."""
    actor = current_actor()
    board = _managed_board(board_id)
    change = request.form.get("change")
    if change == "archive":
        boards.update_board(actor, board, {"archived": True})
        message = f"“{board.name}” is archived: it takes no new ideas, and its ideas keep their links."
    elif change == "restore":
        boards.update_board(actor, board, {"archived": False})
        message = f"“{board.name}” is open again."
    elif change == "default":
        boards.update_board(actor, board, {"default": True})
        message = f"New ideas now go to “{board.name}” unless another board is chosen."
    else:
        raise Invalid({"change": ["Choose archive, restore or default."]})
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("boards.edit_board", board_id=board_id))


@bp.post("/admin/boards/<int:board_id>/members")
@login_required
def add_member(board_id: int):
    actor = current_actor()
    board = _managed_board(board_id)
    form = BoardMemberForm()
    if form.validate_on_submit():
        who = form.who.data.strip()
        user = accounts.find_user_by_email(who) if "@" in who.strip("@") else usernames.user_by_username(who)
        if user is None or user.is_deleted:
            form.who.errors = [*form.who.errors, f"No member has the email address or username “{who}”."]
        else:
            if boards.grant_member(actor, board, user):
                db.session.commit()
                flash(f"{user.display_name} may now see “{board.name}”; they were told.", "success")
            else:
                flash(f"{user.display_name} could see “{board.name}” already.", "info")
            return redirect(url_for("boards.edit_board", board_id=board_id, _anchor="access-title"))
    return _edit_page(board, status=422, member_form=form)


@bp.post("/admin/boards/<int:board_id>/members/<int:user_id>/remove")
@login_required
def remove_member(board_id: int, user_id: int):
    actor = current_actor()
    board = _managed_board(board_id)
    if boards.revoke_member(actor, board, user_id):
        db.session.commit()
        flash("Access taken back. (Access through a segment or an email domain stays.)", "success")
    return redirect(url_for("boards.edit_board", board_id=board_id, _anchor="access-title"))


@bp.post("/admin/boards/<int:board_id>/segments")
@login_required
def add_segment(board_id: int):
    actor = current_actor()
    board = _managed_board(board_id)
    form = BoardSegmentForm()
    segment = None
    if form.validate_on_submit() and (form.segment.data or "").isdigit():
        segment = db.session.get(Segment, int(form.segment.data))
    if segment is None:
        flash("Choose one of the segments.", "error")
    elif boards.grant_segment(actor, board, segment):
        db.session.commit()
        flash(f"Members of “{segment.name}” may now see “{board.name}”.", "success")
    else:
        flash(f"Members of “{segment.name}” could see “{board.name}” already.", "info")
    return redirect(url_for("boards.edit_board", board_id=board_id, _anchor="access-title"))


@bp.post("/admin/boards/<int:board_id>/segments/<int:segment_id>/remove")
@login_required
def remove_segment(board_id: int, segment_id: int):
    actor = current_actor()
    board = _managed_board(board_id)
    if boards.revoke_segment(actor, board, segment_id):
        db.session.commit()
        flash("The segment's access was taken back.", "success")
    return redirect(url_for("boards.edit_board", board_id=board_id, _anchor="access-title"))


@bp.post("/admin/boards/<int:board_id>/domains")
@login_required
def add_domain(board_id: int):
    actor = current_actor()
    board = _managed_board(board_id)
    form = BoardDomainForm()
    if form.validate_on_submit():
        ok, granted = call_with_form(form, boards.grant_domain, actor, board, form.domain.data)
        if ok:
            db.session.commit()
            domain = boards.clean_domain(form.domain.data)
            if granted:
                flash(f"Members with a verified @{domain} address may now see “{board.name}”.", "success")
            else:
                flash(f"@{domain} could see “{board.name}” already.", "info")
            return redirect(url_for("boards.edit_board", board_id=board_id, _anchor="access-title"))
    return _edit_page(board, status=422, domain_form=form)


@bp.post("/admin/boards/<int:board_id>/domains/<path:domain>/remove")
@login_required
def remove_domain(board_id: int, domain: str):
    actor = current_actor()
    board = _managed_board(board_id)
    if boards.revoke_domain(actor, board, domain):
        db.session.commit()
        flash(f"@{domain} no longer opens “{board.name}”.", "success")
    return redirect(url_for("boards.edit_board", board_id=board_id, _anchor="access-title"))
