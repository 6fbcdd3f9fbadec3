"""Carry what a signed-out visitor meant to do (app/services/intents.py) through sign-in and joining.

The Vote, Follow and Comment links that signed-out visitors see are the same for everyone (the
page cache serves them to all): `/sign-in?next=/ideas/%23idea-12&intent=vote:12`. The sign-in
and registration pages name what will be done and carry it on in a hidden field, signed and
short-lived, so only what the page showed is ever done. Registration puts it into the
confirmation link, which signs the new member in and does it.
"""

from dataclasses import dataclass
from typing import Any

from flask import current_app, flash, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.extensions import db
from app.links import local_path
from app.services import intents
from app.services.intents import Intent

MAX_AGE_SECONDS = 3600  # a sign-in page left open for an hour no longer votes


@dataclass(frozen=True)
class Pending:
    """The intent a sign-in or registration page offers: what it says, and the fields it carries."""

    aim: intents.Aim  # how the page names it: "vote for “Dark mode”"
    token: str  # the signed intent, for the form's hidden field
    query: dict[str, str]  # next and intent, for the link between sign-in and registration


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="sign-in-intent")


def requested() -> Pending | None:
    """The intent the page's address asks for (?intent=vote:12), if its target is there to see."""
    intent = intents.parse(request.args.get("intent"))
    aim = intents.describe(current_user, intent)
    if intent is None or aim is None:
        return None
    query = {"intent": str(intent)}
    next_path = local_path(request.args.get("next"))
    if next_path:
        query["next"] = next_path
    return Pending(aim, _serializer().dumps(str(intent)), query)


def sent() -> Intent | None:
    """The intent the form sent back, if its signature holds and it is recent; else None."""
    try:
        text = _serializer().loads(request.form.get("intent", ""), max_age=MAX_AGE_SECONDS)
    except BadSignature:  # altered, or expired (SignatureExpired is one)
        return None
    return intents.parse(text if isinstance(text, str) else None)


def read(text: str | None) -> Intent | None:
    """The intent a confirmation link carries (signed with the link), or None."""
    return intents.parse(text)


def after_confirming(intent: Intent | None) -> dict[str, str] | None:
    """What a confirmation link should do once it signs the new member in: the intent and `next`."""
    after = {}
    if intent is not None:
        after["intent"] = str(intent)
    next_path = local_path(request.form.get("next") or request.args.get("next"))
    if next_path:
        after["next"] = next_path
    return after or None


def fallback(intent: Intent | None) -> tuple[str, dict[str, Any]]:
    """The endpoint (and its values) to return to when no usable `next` was given."""
    if intent is None:
        return "main.index", {}
    if intent.action == "prototype-vote":
        return "prototypes.detail", {"prototype_id": intent.target_id}
    if intent.action == "comment":
        return "ideas.detail", {"idea_id": intent.target_id, "_anchor": "comment-body"}
    return "ideas.detail", {"idea_id": intent.target_id}


def carry_out(user, intent: Intent | None) -> None:
    """Do the intent as `user` (just signed in), commit, and say what came of it."""
    if intent is None:
        return
    outcome = intents.carry_out(user, intent)
    db.session.commit()
    if outcome.message:
        flash(outcome.message, outcome.tone)


def destination(intent: Intent | None, next_target: str | None) -> str:
    """Where to go once in: `next_target` if it is a page of this site, else the intent's page."""
    endpoint, values = fallback(intent)
    return local_path(next_target) or url_for(endpoint, **values)
