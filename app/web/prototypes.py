"""Prototype pages: the list, creating and editing (staff), the prototype page, votes, status; images."""

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required

from app.extensions import db
from app.forms.prototypes import PrototypeForm, format_links
from app.pages import prototypes as prototype_pages
from app.permissions import require
from app.services import prototypes
from app.web.idea_links import chosen_idea_ids, picker
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

bp = Blueprint("prototypes", __name__, url_prefix="/prototypes")

STATUS_MESSAGES = {
    "published": "The prototype is published. Followers of its linked ideas are told the first time.",
    "archived": "The prototype is archived: still readable, but it takes no more votes.",
}


allow_large_uploads(bp, {"prototypes.new", "prototypes.edit"})


@bp.get("/")
def index():
    page, _ = list_page_args()
    result = prototypes.list_prototypes(current_actor(), page=page)
    keep_in_range(result.page, "prototype", "prototypes")
    return render_template("prototypes/index.html", result=result)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_actor(), "prototype.create")
    form = PrototypeForm()
    valid = form.validate_on_submit()
    idea_ids = chosen_idea_ids(form)
    if valid and idea_ids is not None:
        chosen = chosen_uploads(form.images)
        ok, prototype = call_with_form(
            form,
            prototypes.create_prototype,
            current_actor(),
            **form.texts(),
            idea_ids=idea_ids,
            links=form.link_inputs(),
            status="published" if request.form.get("publish") else "draft",
            images=chosen,
        )
        if ok:
            db.session.commit()
            if prototype.is_published:
                flash("The prototype is published. Followers of its linked ideas are told.", "success")
            else:
                flash("The draft is saved; only staff can see it until you publish it.", "success")
            return redirect(url_for("prototypes.detail", prototype_id=prototype.id))
        files_not_kept(form.images)
    elif form.is_submitted():
        files_not_kept(form.images)
    return render_template("prototypes/new.html", form=form, pick=picker(form))


@bp.get("/<int:prototype_id>")
def detail(prototype_id: int):
    return render_prototype_page(prototype_id)


def render_prototype_page(prototype_id: int, status: int = 200, comment_form=None):
    """The prototype page; a refused comment form comes back with its text and messages."""
    data = prototype_pages.prototype_page(current_actor(), prototype_id)
    body = render_template(
        "prototypes/detail.html",
        page=data,
        prototype=data.prototype,
        thread=data.thread,
        refused_comment_form=comment_form,
    )
    return body, status


@bp.route("/<int:prototype_id>/edit", methods=["GET", "POST"])
@login_required
def edit(prototype_id: int):
    prototype = prototypes.get_prototype(current_actor(), prototype_id)
    require(current_actor(), "prototype.edit", prototype)
    form = PrototypeForm()
    if request.method == "GET":
        form.fill_texts(prototype)
        form.links.data = format_links(prototype.links)
        form.linked_ideas.data = prototypes.linked_idea_ids(current_actor(), [prototype.id])[prototype.id]
    removing = set(removed_image_ids())
    valid = form.validate_on_submit()
    idea_ids = chosen_idea_ids(form)
    if valid and idea_ids is not None:
        chosen = chosen_uploads(form.images)
        ok, _ = call_with_form(
            form,
            prototypes.update_prototype,
            current_actor(),
            prototype,
            **form.texts(),
            idea_ids=idea_ids,
            links=form.link_inputs(),
            add_images=chosen,
            remove_image_ids=sorted(removing),
            image_alts=image_alts(prototype.images),
        )
        if ok:
            db.session.commit()
            flash("Your changes are saved.", "success")
            return redirect(url_for("prototypes.detail", prototype_id=prototype_id))
        files_not_kept(form.images)
        # The rollback expired the prototype; read it again for the form's image list.
        prototype = prototypes.get_prototype(current_actor(), prototype_id)
    elif form.is_submitted():
        files_not_kept(form.images)
        prototype = prototypes.get_prototype(current_actor(), prototype_id)
    return render_template(
        "prototypes/edit.html",
        form=form,
        prototype=prototype,
        removing=removing,
        alts=image_alts(prototype.images) if request.method == "POST" else {},
        pick=picker(form),
    )


def _vote_response(prototype_id: int, voted: bool, count: int):
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"voted": voted, "vote_count": count})
    return redirect(safe_next_url("prototypes.detail", prototype_id=prototype_id))


@bp.post("/<int:prototype_id>/vote")
@login_required
def vote(prototype_id: int):
    """Toggle the viewer's vote: a plain form post, or JSON for the in-place button."""
    prototype = prototypes.get_prototype(current_actor(), prototype_id, with_parts=False)
    intent = request.form.get("intent")
    if intent == "remove" or (intent != "add" and prototypes.has_voted(current_actor(), prototype)):
        count = prototypes.retract_vote(current_actor(), prototype)
        voted = False
    else:
        count = prototypes.cast_vote(current_actor(), prototype)
        voted = True
    db.session.commit()
    return _vote_response(prototype_id, voted, count)


@bp.post("/<int:prototype_id>/status")
@login_required
def change_status(prototype_id: int):
    prototype = prototypes.get_prototype(current_actor(), prototype_id, with_parts=False)
    status = request.form.get("status", "")
    prototypes.change_status(current_actor(), prototype, status)
    db.session.commit()
    flash(STATUS_MESSAGES.get(status, "The status is changed."), "success")
    return redirect(url_for("prototypes.detail", prototype_id=prototype_id))
