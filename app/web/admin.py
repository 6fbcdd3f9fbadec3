"""Admin pages: members and their roles, the audit log, site settings and idea categories."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app import labels
from app.extensions import db
from app.forms.admin import AuditFilterForm, RoleForm, SettingsForm
from app.forms.ideas import CategoryForm
from app.permissions import require
from app.services import accounts, members
from app.services import audit as audit_service
from app.services import categories as category_service
from app.services import settings as settings_service
from app.web.paging import keep_in_range, list_page_args
from app.web.support import call_with_form, current_actor, safe_next_url

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/categories", methods=["GET", "POST"])
@login_required
def categories():
    require(current_actor(), "category.manage")
    form = CategoryForm()
    if form.validate_on_submit():
        ok, category = call_with_form(
            form,
            category_service.create_category,
            current_actor(),
            form.name.data,
            form.slug.data or "",
            form.description.data,
        )
        if ok:
            db.session.commit()
            flash(f"Category “{category.name}” added.", "success")
            return redirect(url_for("admin.categories"))
    return render_template(
        "admin/categories.html",
        form=form,
        categories=category_service.list_categories(),
    )


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@login_required
def edit_category(category_id: int):
    require(current_actor(), "category.manage")
    category = category_service.get_category(category_id)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        ok, _ = call_with_form(
            form,
            category_service.update_category,
            current_actor(),
            category,
            form.name.data,
            form.slug.data or "",
            form.description.data or "",
            form.position.data or 0,
        )
        if ok:
            db.session.commit()
            flash("Category saved.", "success")
            return redirect(url_for("admin.categories"))
    return render_template("admin/category_edit.html", form=form, category=category)


@bp.post("/categories/<int:category_id>/delete")
@login_required
def delete_category(category_id: int):
    require(current_actor(), "category.manage")
    category = category_service.get_category(category_id)
    category_service.delete_category(current_actor(), category)
    db.session.commit()
    flash(f"Category “{category.name}” deleted; its ideas now have no category.", "success")
    return redirect(url_for("admin.categories"))


@bp.get("/users")
@login_required
def users():
    require(current_actor(), "user.change_role")
    page, _ = list_page_args()
    result = members.list_members(
        current_actor(),
        q=request.args.get("q"),
        role=request.args.get("role") or None,
        suspended=request.args.get("suspended") == "1",
        page=page,
    )
    keep_in_range(result, "member", "members")
    return render_template("admin/users.html", result=result)


@bp.post("/users/<int:user_id>/role")
@login_required
def change_role(user_id: int):
    require(current_actor(), "user.change_role")
    user = accounts.get_user(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        unchanged = form.role.data == user.role
        ok, _ = call_with_form(form, accounts.change_role, current_actor(), user, form.role.data)
        if not ok:
            for message in form.role.errors:
                flash(message, "error")
        elif unchanged:
            flash(f"{user.display_name} already has the role {user.role_label}.", "info")
        else:
            db.session.commit()
            flash(f"{user.display_name} is now {labels.label('role', user.role)}.", "success")
    return redirect(safe_next_url("admin.users"))


@bp.get("/audit")
@login_required
def audit():
    require(current_actor(), "audit.view")
    page, _ = list_page_args()
    form = AuditFilterForm(formdata=request.args)
    form.set_choices(
        audit_service.audit_actors(current_actor()), audit_service.audit_actions(current_actor())
    )
    result, targets, status = None, {}, 200
    if form.validate():
        filters = audit_service.AuditFilters(
            actor_id=form.actor_id,
            action=form.action.data or None,
            since=form.since_at,
            until=form.until_at,
        )
        result = audit_service.list_audit(current_actor(), filters, page, members.PER_PAGE)
        keep_in_range(result, "entry", "entries")
        targets = audit_service.audit_targets(current_actor(), result.items)
    else:
        status = 422
    body = render_template(
        "admin/audit.html", form=form, result=result, targets=targets, action_label=audit_service.action_label
    )
    return body, status


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    require(current_actor(), "settings.manage")
    current = settings_service.get_settings()
    form = SettingsForm(data=current)
    status = 200
    if form.validate_on_submit():
        changes = {key: form[key].data for key in settings_service.DEFAULTS}
        ok, saved = call_with_form(form, settings_service.update_settings, current_actor(), **changes)
        if ok:
            db.session.commit()
            flash("Settings saved." if saved != current else "Nothing changed.", "success")
            return redirect(url_for("admin.settings"))
    if request.method == "POST":
        flash("Nothing was changed: please correct the marked field.", "error")
        status = 422
    return render_template("admin/settings.html", form=form, current=current), status
