"""Votes staff record on a customer's behalf, in the API (shared API.md: Boards)."""

from app.api.auth import current_actor, token_required
from app.api.blueprint import bp
from app.api.parsing import json_object
from app.api.schemas import user_json
from app.extensions import db
from app.services import ideas, proxy_votes


@bp.post("/ideas/<int:idea_id>/votes")
@token_required
def record_customer_vote(idea_id: int):
    """201 when the customer's vote was added, 200 when it counted already."""
    actor = current_actor()
    data = json_object()
    idea = ideas.get_idea(actor, idea_id)
    customer, added = proxy_votes.record_vote(
        actor,
        idea,
        data.get("email"),
        name=data.get("name"),
        source=data.get("source"),
        note=data.get("note"),
    )
    body = {"voted": True, "vote_count": idea.vote_count, "user": user_json(customer)}
    db.session.commit()
    return body, 201 if added else 200
