"""Votes staff record on a customer's behalf: the form on the idea page, and the customer's
withdrawal from their profile."""

from flask import Blueprint, flash, redirect, url_for
from flask_login import login_required

from app.extensions import db
from app.forms.proxy_votes import RecordVoteForm
from app.services import ideas, proxy_votes
from app.web.ideas import render_idea_page
from app.web.support import call_with_form, current_actor

bp = Blueprint("proxy_votes", __name__)


@bp.post("/ideas/<int:idea_id>/votes/record")
@login_required
def record(idea_id: int):
    idea = ideas.get_idea(current_actor(), idea_id)
    form = RecordVoteForm()
    if form.validate_on_submit():
        ok, result = call_with_form(
            form,
            proxy_votes.record_vote,
            current_actor(),
            idea,
            form.email.data,
            name=form.name.data,
            source=form.source.data,
            note=form.note.data,
        )
        if ok:
            customer, added = result
            db.session.commit()
            if added:
                flash(f"{customer.display_name}'s vote is recorded and counts now.", "success")
            else:
                flash(f"{customer.display_name}'s vote counted already; nothing changed.", "info")
            return redirect(url_for("ideas.detail", idea_id=idea_id, _anchor="recorded-votes"))
    flash("No vote was recorded: please correct the marked field.", "error")
    return render_idea_page(idea_id, status=422, vote_record_form=form)


@bp.post("/ideas/<int:idea_id>/votes/recorded/withdraw")
@login_required
def withdraw(idea_id: int):
    actor = current_actor()
    idea = proxy_votes.withdraw_vote(actor, idea_id)
    db.session.commit()
    flash(f"Your vote for “{idea.title}” is withdrawn.", "success")
    return redirect(url_for("users.profile", user_id=actor.id, _anchor="recorded-votes"))
