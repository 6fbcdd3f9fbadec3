"""Admin pages for outgoing webhooks: subscribe URLs to events, ping them, read the delivery log."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.extensions import db
from app.forms.webhooks import WebhookForm
from app.permissions import require
from app.services import webhooks
from app.web.support import call_with_form, current_actor

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


@bp.route("", methods=["GET", "POST"])
@login_required
def index():
    require(current_actor(), "webhook.manage")
    form = WebhookForm()
    status = 200
    if form.validate_on_submit():
        ok, webhook = call_with_form(
            form,
            webhooks.create_webhook,
            current_actor(),
            form.url.data,
            form.events.data,
            form.description.data,
            form.is_active.data,
        )
        if ok:
            db.session.commit()
            flash("Webhook added. Copy its signing secret into the receiver now.", "success")
            return redirect(url_for("webhooks.detail", webhook_id=webhook.id, created=1))
    if request.method == "POST":
        status = 422
    body = render_template("admin/webhooks.html", form=form, rows=webhooks.list_webhooks(current_actor()))
    return body, status


@bp.route("/<int:webhook_id>", methods=["GET", "POST"])
@login_required
def detail(webhook_id: int):
    webhook = webhooks.get_webhook(current_actor(), webhook_id)
    form = WebhookForm(obj=webhook)
    status = 200
    if form.validate_on_submit():
        ok, _ = call_with_form(
            form,
            webhooks.update_webhook,
            current_actor(),
            webhook,
            url=form.url.data,
            description=form.description.data or "",
            events=form.events.data,
            is_active=form.is_active.data,
        )
        if ok:
            db.session.commit()
            flash("Webhook saved.", "success")
            return redirect(url_for("webhooks.detail", webhook_id=webhook_id))
    if request.method == "POST":
        status = 422
        db.session.refresh(webhook)
    body = render_template(
        "admin/webhook_detail.html",
        webhook=webhook,
        form=form,
        deliveries=webhooks.delivery_log(current_actor(), webhook),
        just_created=request.args.get("created") == "1",
        log_limit=webhooks.LOG_LIMIT,
    )
    return body, status


@bp.post("/<int:webhook_id>/ping")
@login_required
def ping(webhook_id: int):
    webhook = webhooks.get_webhook(current_actor(), webhook_id)
    webhooks.send_ping(current_actor(), webhook)
    db.session.commit()
    flash("Ping queued: it shows in the delivery log below once the worker has sent it.", "success")
    return redirect(url_for("webhooks.detail", webhook_id=webhook_id))


@bp.post("/<int:webhook_id>/delete")
@login_required
def delete(webhook_id: int):
    webhook = webhooks.get_webhook(current_actor(), webhook_id)
    url = webhook.url
    webhooks.delete_webhook(current_actor(), webhook)
    db.session.commit()
    flash(f"Webhook for {url} deleted, with its delivery log.", "success")
    return redirect(url_for("webhooks.index"))
