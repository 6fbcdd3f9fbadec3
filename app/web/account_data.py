"""The account as a whole: downloading its data, deleting it, and an admin deleting a member's."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, session, url_for
from flask_login import login_required, logout_user

from app.errors import NotFound
from app.extensions import db
from app.forms.account_changes import AdminDeleteAccountForm, DeleteAccountForm
from app.permissions import require
from app.services import account_deletion, accounts, data_export
from app.web.account import _settings_page
from app.web.support import call_with_form, current_actor

bp = Blueprint("account_data", __name__)


@bp.get("/account/export")
@login_required
def export():
    """Everything the account wrote or did, as a JSON file to download."""
    user = current_actor()
    data = data_export.export_account(user)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{data_export.export_filename(user)}"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.post("/account/delete")
@login_required
def delete_own():
    form = DeleteAccountForm()
    user = current_actor()
    if form.validate_on_submit():
        ok, _ = call_with_form(
            form, account_deletion.delete_own_account, user, form.confirm.data, form.password.data
        )
        if ok:
            db.session.commit()
            # Every session ended with the account; this browser forgets it too.
            session.clear()
            logout_user()
            flash(
                "Your account is deleted. Your ideas and comments stay, shown as by a deleted member.",
                "success",
            )
            return redirect(url_for("main.index"))
    return _settings_page(422, delete_form=form)


@bp.route("/admin/users/<int:user_id>/delete", methods=["GET", "POST"])
@login_required
def admin_delete(user_id: int):
    actor = current_actor()
    require(actor, "admin.access")
    user = accounts.get_user(user_id)
    if user.is_deleted:
        raise NotFound("No such member.")
    if user.id == actor.id:
        # One's own account goes from the settings page, with the password.
        return redirect(url_for("account.settings", _anchor="delete"))
    form = AdminDeleteAccountForm()
    status = 200
    if form.validate_on_submit():
        name = user.display_name
        ok, _ = call_with_form(form, account_deletion.delete_account, actor, user, form.confirm.data)
        if ok:
            db.session.commit()
            flash(f"The account of {name} is deleted. Their ideas and comments stay, unsigned.", "success")
            return redirect(url_for("admin.users"))
        status = 422
    return render_template("admin/delete_user.html", member=user, form=form), status
