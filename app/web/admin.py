"""Admin pages: idea categories."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.extensions import db
from app.forms.accounts import PostForm
from app.forms.ideas import CategoryForm
from app.permissions import require
from app.services import categories as category_service
from app.web.support import call_with_form

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _actor():
    return current_user._get_current_object()


@bp.route("/categories", methods=["GET", "POST"])
@login_required
def categories():
    require(_actor(), "category.manage")
    form = CategoryForm()
    if form.validate_on_submit():
        ok, category = call_with_form(
            form,
            category_service.create_category,
            _actor(),
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
        post_form=PostForm(),
    )


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@login_required
def edit_category(category_id: int):
    require(_actor(), "category.manage")
    category = category_service.get_category(category_id)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        ok, _ = call_with_form(
            form,
            category_service.update_category,
            _actor(),
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
    require(_actor(), "category.manage")
    form = PostForm()
    if form.validate_on_submit():
        category = category_service.get_category(category_id)
        category_service.delete_category(_actor(), category)
        db.session.commit()
        flash(f"Category “{category.name}” deleted; its ideas now have no category.", "success")
    return redirect(url_for("admin.categories"))
