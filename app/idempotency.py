"""The same post sent twice makes one thing: `Idempotency-Key` in the API, submission tokens on forms.

A double click, a reload or a retry after a dropped connection sends a post again. Both kinds
of repeat are caught the same way: the first request inserts a row for (account, scope, key)
in the transaction that makes its change, so the change and the key commit together or not at
all, and the unique constraint lets only one of two simultaneous requests through (on
PostgreSQL the second one's insert waits for the first to commit or roll back, then fails).
This is an edge concern, like the rate limits: services never see it.

API (`guard_api` hooks the /api/v1 blueprint): every POST that carries `Idempotency-Key`
from a signed-in account (1 to 255 printable ASCII characters, else 400 `bad_request`; anonymous
posts are refused by their views anyway). The same key with the same method, path, query and
body bytes within KEPT_FOR answers the first response again, status and body, with
`Idempotent-Replayed: true`, and runs nothing (nor counts against a rate limit). The same key
for another request is 422 `idempotency_key_reused`; while the first request is still running,
409 `conflict`. What is stored: the response of a request whose change was committed, whatever
its status (a 500 after the commit included, since the thing exists). A request that commits
nothing (refused with a 4xx, limited with a 429, failed with a 500 before its commit) leaves no
key behind, so the client may retry it with the same key and be answered afresh.

Forms: each rendered form that creates an idea or a comment carries a random hidden
`submission_token`. The view claims it (with the path and the posted fields) right before the
service call, and records the page the new object lives on in the same transaction. Posting
the same form again redirects to that page and makes nothing. The same token with other
content (a page restored from history, edited, sent again) is a new post with a claim of its own.

Keys older than KEPT_FOR are ignored and replaced when used again; `forget_expired` deletes them.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, Response, g, request
from sqlalchemy import delete, event, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from app.errors import BadRequest, Conflict, DomainError
from app.extensions import db
from app.models.base import utcnow
from app.models.idempotency import IdempotencyKey

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX = 255
KEPT_FOR = timedelta(hours=24)

BAD_KEY = f"{HEADER} must be 1 to {KEY_MAX} printable ASCII characters."
IN_FLIGHT = "A request with this Idempotency-Key is still being processed. Try again in a moment."
FORM_IN_FLIGHT = "This form is already being sent. Please wait a moment, then reload the page."
ALREADY_SENT = "You sent this twice; it was posted once."

# Between the claim and the commit, the session remembers the claimed row's id (session.info).
_PENDING = "cocreate_idempotency_pending"
_COMMITTED = "cocreate_idempotency_committed"


class KeyReused(DomainError):
    status, code = 422, "idempotency_key_reused"
    default_message = (
        "This Idempotency-Key was already used for a different request. Use a new key for a new request."
    )


def valid_key(value: str) -> bool:
    """Whether `value` may be a key: 1 to KEY_MAX printable ASCII characters."""
    return 1 <= len(value) <= KEY_MAX and all(" " <= char <= "~" for char in value)


def fingerprint(*parts: str | bytes) -> str:
    """SHA-256 (hex) of the parts; each is length-prefixed, so ("ab", "c") differs from ("a", "bc")."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def _find(user_id: int, scope: str, key: str) -> IdempotencyKey | None:
    return db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.scope == scope, IdempotencyKey.key == key
        )
    )


def claim(user_id: int, scope: str, key: str, asked: str) -> tuple[IdempotencyKey, bool]:
    """Claim `key` for this request: (its new row, True) if it is the first, else (the first's row, False).

    The new row is flushed in the caller's transaction, to commit with the change it guards.
    A row older than KEPT_FOR is forgotten first. When another request inserted the same key
    first, this waits for it to end (PostgreSQL) and rolls the session back.
    """
    row = _find(user_id, scope, key)
    if row is not None and row.created_at > utcnow() - KEPT_FOR:
        return row, False
    if row is not None:
        db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == row.id))
    row = IdempotencyKey(user_id=user_id, scope=scope, key=key, fingerprint=asked)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        first = _find(user_id, scope, key)
        if first is None:  # the first one was forgotten in between: let the client try again
            raise Conflict(IN_FLIGHT) from None
        return first, False
    return row, True


# The API ------------------------------------------------------------------------------------


def check_api_key() -> Response | None:
    """Before an API view: answer a repeated POST from the store, or claim its key for this one."""
    if request.method != "POST" or HEADER not in request.headers:
        return None
    user = g.get("api_user")
    if user is None or not user.is_authenticated:
        return None  # nothing anonymous creates anything: the view answers 401
    key = request.headers[HEADER]
    if not valid_key(key):
        raise BadRequest(BAD_KEY)
    asked = fingerprint(request.method, request.path, request.query_string, request.get_data(cache=True))
    row, first = claim(user.id, "api", key, asked)
    if first:
        db.session.info[_PENDING] = row.id
        return None
    if row.fingerprint != asked:
        raise KeyReused()
    if not row.is_complete:
        raise Conflict(IN_FLIGHT)
    return _replay(row)


def _replay(row: IdempotencyKey) -> Response:
    response = Response(row.response_body or "", status=row.status_code, content_type=row.content_type)
    if row.location:
        response.headers["Location"] = row.location
    response.headers[REPLAYED_HEADER] = "true"
    return response


def keep_api_response(response: Response) -> Response:
    """After an API view: store the response of a keyed request whose change was committed."""
    if request.method != "POST":
        return response
    db.session.info.pop(_PENDING, None)  # not committed: the key rolls back with the change
    row_id = db.session.info.pop(_COMMITTED, None)
    if row_id is None or response.is_streamed:
        return response
    try:
        db.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == row_id, IdempotencyKey.status_code.is_(None))
            .values(
                status_code=response.status_code,
                response_body=response.get_data(as_text=True),
                content_type=response.content_type,
                location=response.headers.get("Location"),
                completed_at=utcnow(),
            )
        )
        db.session.commit()
    except SQLAlchemyError:
        # The change is made; repeats of this key answer 409 until the key expires.
        db.session.rollback()
        log.exception("Could not store the response for idempotency key row %s", row_id)
    return response


def guard_api(bp: Blueprint) -> None:
    """Honour Idempotency-Key on the blueprint's POSTs; register after its authentication hook."""
    bp.before_request(check_api_key)
    bp.after_request(keep_api_response)


def _note_commit(session: Session) -> None:
    row_id = session.info.pop(_PENDING, None)
    if row_id is not None:
        session.info[_COMMITTED] = row_id


def _note_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


if not event.contains(Session, "after_commit", _note_commit):
    event.listen(Session, "after_commit", _note_commit)
    event.listen(Session, "after_rollback", _note_rollback)


# Forms --------------------------------------------------------------------------------------


def new_token() -> str:
    """A fresh one-time token for a rendered form's hidden `submission_token` field."""
    return secrets.token_urlsafe(24)


@dataclass
class Submission:
    """A form post's claim on its token; `earlier` is the page the same post led to before, if any."""

    row: IdempotencyKey | None = None
    earlier: str | None = None

    def done(self, location: str) -> None:
        """Record the page this post led to, in the transaction that makes its change."""
        if self.row is not None:
            self.row.location = location
            self.row.status_code = 303
            self.row.completed_at = utcnow()


def claim_submission(actor, token: str | None, *content: str | int | None) -> Submission:
    """Claim a form's `token` for this post, right before its change (same transaction).

    `content` is what the form posted (its fields); with the path it tells a repeat of the same
    post from another post under an old token. Without a usable token nothing is guarded.
    """
    if not token or not valid_key(token) or not actor.is_authenticated:
        return Submission()
    asked = fingerprint(request.path, *("" if value is None else str(value) for value in content))
    row, first = claim(actor.id, "web", fingerprint(token, asked), asked)
    if first:
        return Submission(row=row)
    if not row.is_complete or not row.location:
        raise Conflict(FORM_IN_FLIGHT)
    return Submission(earlier=row.location)


def forget_expired(now: datetime | None = None) -> int:
    """Delete the keys older than KEPT_FOR (they are ignored anyway); returns how many. Caller commits."""
    cutoff = (now or utcnow()) - KEPT_FOR
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    return result.rowcount
