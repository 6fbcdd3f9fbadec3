"""Prototype pages: the list, creating and editing (staff), the prototype page, votes, status; images."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from app import uploads
from app.errors import NotFound
from app.extensions import db
from app.forms.accounts import PostForm
from app.forms.prototypes import PrototypeForm, format_links
from app.permissions import require
from app.services import comments as comment_service
from app.services import prototypes
from app.uploads import Upload
from app.web.idea_links import chosen_idea_ids, picker
from app.web.paging import keep_in_range, list_page_args
from app.web.support import call_with_form, safe_next_url

bp = Blueprint("prototypes", __name__, url_prefix="/prototypes")
# Stored images live at /uploads/<name>, outside /prototypes; registered along with `bp`.
uploads_bp = Blueprint("uploads", __name__, url_prefix="/uploads")

# The forms that carry image files may be larger than other requests (8 images of 5 MB).
_UPLOAD_ENDPOINTS = {"prototypes.new", "prototypes.edit"}

STATUS_MESSAGES = {
    "published": "The prototype is published. Followers of its linked ideas are told the first time.",
    "archived": "The prototype is archived: still readable, but it takes no more votes.",
}


@bp.record_once
def _register_uploads(state) -> None:
    state.app.register_blueprint(uploads_bp)


@bp.url_value_preprocessor
def _allow_large_uploads(endpoint: str | None, values) -> None:
    # URL value preprocessors run before every before_request hook, so the limit is raised
    # before CSRF protection reads the form; everywhere else the site-wide limit stays.
    if endpoint in _UPLOAD_ENDPOINTS and request.method == "POST":
        request.max_content_length = current_app.config["MAX_UPLOAD_REQUEST_LENGTH"]


def _actor():
    return current_user._get_current_object()


def _uploads(form: PrototypeForm) -> list[Upload]:
    """The chosen files; a file over the limit is read only one byte past it (then refused)."""
    chosen = []
    for storage in form.images.data or []:
        if storage is None or not getattr(storage, "filename", ""):
            continue  # the empty part browsers send when no file is chosen
        chosen.append(Upload(name=storage.filename, data=storage.stream.read(uploads.MAX_BYTES + 1)))
    return chosen


def _files_not_kept(form: PrototypeForm) -> None:
    """Browsers cannot fill a file input again, so say so when a refused form had files."""
    if any(getattr(storage, "filename", "") for storage in form.images.data or []):
        form.images.errors = [
            *form.images.errors,
            "Files are not kept when the form has a problem: choose the images again.",
        ]


@bp.get("/")
def index():
    page, _ = list_page_args()
    result = prototypes.list_prototypes(_actor(), page=page)
    keep_in_range(result.page, "prototype", "prototypes")
    return render_template("prototypes/index.html", result=result)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require(_actor(), "prototype.create")
    form = PrototypeForm()
    valid = form.validate_on_submit()
    idea_ids = chosen_idea_ids(form)
    if valid and idea_ids is not None:
        chosen = _uploads(form)
        ok, prototype = call_with_form(
            form,
            prototypes.create_prototype,
            _actor(),
            form.title.data,
            form.description.data or "",
            idea_ids=idea_ids,
            links=form.link_inputs(),
            status="published" if request.form.get("publish") else "draft",
            images=chosen,
        )
        if ok:
            db.session.commit()
            if prototype.status == "published":
                flash("The prototype is published. Followers of its linked ideas are told.", "success")
            else:
                flash("The draft is saved; only staff can see it until you publish it.", "success")
            return redirect(url_for("prototypes.detail", prototype_id=prototype.id))
        _files_not_kept(form)
    elif form.is_submitted():
        _files_not_kept(form)
    return render_template("prototypes/new.html", form=form, pick=picker(form))


@bp.get("/<int:prototype_id>")
def detail(prototype_id: int):
    return render_prototype_page(prototype_id)


def render_prototype_page(prototype_id: int, status: int = 200, comment_form=None):
    """The prototype page; a refused comment form comes back with its text and messages."""
    data = prototypes.prototype_page(_actor(), prototype_id)
    body = render_template(
        "prototypes/detail.html",
        page=data,
        prototype=data.prototype,
        status_labels=prototypes.STATUS_LABELS,
        transitions=prototypes.TRANSITIONS,
        thread=comment_service.build_thread(data.comments),
        refused_comment_form=comment_form,
    )
    return body, status


def _image_alts(prototype) -> dict[int, str]:
    alts = {}
    for image in prototype.images:
        value = request.form.get(f"alt-{image.id}")
        if value is not None:
            alts[image.id] = value
    return alts


def _removed_image_ids() -> list[int]:
    return [int(value) for value in request.form.getlist("remove_images") if value.isdigit()]


@bp.route("/<int:prototype_id>/edit", methods=["GET", "POST"])
@login_required
def edit(prototype_id: int):
    prototype = prototypes.get_prototype(_actor(), prototype_id)
    require(_actor(), "prototype.edit", prototype)
    form = PrototypeForm()
    if request.method == "GET":
        form.title.data = prototype.title
        form.description.data = prototype.description
        form.links.data = format_links(prototype.links)
        form.linked_ideas.data = prototypes.linked_idea_ids(_actor(), [prototype.id])[prototype.id]
    removing = set(_removed_image_ids())
    valid = form.validate_on_submit()
    idea_ids = chosen_idea_ids(form)
    if valid and idea_ids is not None:
        chosen = _uploads(form)
        ok, _ = call_with_form(
            form,
            prototypes.update_prototype,
            _actor(),
            prototype,
            title=form.title.data,
            description=form.description.data or "",
            idea_ids=idea_ids,
            links=form.link_inputs(),
            add_images=chosen,
            remove_image_ids=sorted(removing),
            image_alts=_image_alts(prototype),
        )
        if ok:
            db.session.commit()
            flash("Your changes are saved.", "success")
            return redirect(url_for("prototypes.detail", prototype_id=prototype_id))
        _files_not_kept(form)
        # The rollback expired the prototype; read it again for the form's image list.
        prototype = prototypes.get_prototype(_actor(), prototype_id)
    elif form.is_submitted():
        _files_not_kept(form)
        prototype = prototypes.get_prototype(_actor(), prototype_id)
    return render_template(
        "prototypes/edit.html",
        form=form,
        prototype=prototype,
        removing=removing,
        alts=_image_alts(prototype) if request.method == "POST" else {},
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
    form = PostForm()
    if not form.validate_on_submit():
        abort(400)
    prototype = prototypes.get_prototype(_actor(), prototype_id, with_parts=False)
    intent = request.form.get("intent")
    if intent == "remove" or (intent != "add" and prototypes.has_voted(_actor(), prototype)):
        count = prototypes.retract_vote(_actor(), prototype)
        voted = False
    else:
        count = prototypes.cast_vote(_actor(), prototype)
        voted = True
    db.session.commit()
    return _vote_response(prototype_id, voted, count)


@bp.post("/<int:prototype_id>/status")
@login_required
def change_status(prototype_id: int):
    form = PostForm()
    if not form.validate_on_submit():
        abort(400)
    prototype = prototypes.get_prototype(_actor(), prototype_id, with_parts=False)
    status = request.form.get("status", "")
    prototypes.change_status(_actor(), prototype, status)
    db.session.commit()
    flash(STATUS_MESSAGES.get(status, "The status is changed."), "success")
    return redirect(url_for("prototypes.detail", prototype_id=prototype_id))


@uploads_bp.get("/<name>")
def image(name: str):
    """A stored prototype image or thumbnail, for those who may see its prototype."""
    if not uploads.is_upload_name(name):
        raise NotFound("No such image.")
    found = prototypes.image_for_name(_actor(), name)
    if found is None:
        raise NotFound("No such image.")
    stored, prototype = found
    return uploads.send_upload(name, stored.content_type, public=prototypes.is_public(prototype))
