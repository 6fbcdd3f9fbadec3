"""The OpenAPI 3.1 document of the API, as Python data, served at GET /api/v1/openapi.json.

One entry per route of the `api` blueprint (tests/api/test_openapi.py keeps the two in step),
its objects and request bodies in app/api/openapi_schemas.py. `x-who` says who may call each
operation. The human-readable page (/developers/api) is rendered from this document too.
"""

from functools import cache
from typing import Any

from app.api.blueprint import bp
from app.api.openapi_schemas import (
    BODIES,
    BOOLEAN,
    ID,
    INTEGER,
    NUMBER,
    SCHEMAS,
    STRING,
    array,
    enum,
    obj,
    page_of,
    ref,
)
from app.models.idea import STATUSES
from app.models.launch import LAUNCH_STATUSES
from app.models.moderation import FLAG_TARGETS
from app.models.prototype import PROTOTYPE_STATUSES
from app.models.roadmap import ROADMAP_STATUSES
from app.ratelimits import WRITE_ENDPOINTS
from app.services.dashboard import FILTER_STATUSES
from app.services.dashboard import SORTS as DASHBOARD_SORTS
from app.services.ideas import SORTS as IDEA_SORTS
from app.services.pagination import MAX_PAGE, MAX_PER_PAGE

API_VERSION = "1.0.0"

# Who may call an operation: the `x-who` of each operation, in words for the page.
WHO = {
    "anyone": "Anyone; a token is optional and shows what its user may see.",
    "token": "Any valid token.",
    "member": "Members and above, with a token; not while suspended.",
    "moderator": "Moderators and admins.",
    "staff": "Staff: product managers and admins.",
    "admin": "Admins.",
}

TAGS = [
    ("Account", "The caller and their notifications."),
    ("Ideas", "Ideas, categories, votes and similar ideas."),
    ("Boards", "Boards, one per product or group; private ones for chosen members."),
    ("Comments", "Threads on ideas and prototypes."),
    ("Moderation", "Flags, the review queue, hiding, locks, merges, suspensions and the audit log."),
    ("Prototypes", "Early versions to try, vote on and discuss."),
    ("Rounds", "Dated feedback rounds on a prototype: questions, answers and results."),
    ("Launches", "Learning launches: small real-world pilots members can join."),
    ("Roadmap", "What the team plans, builds and ships, and the ideas behind it."),
    ("Staff", "The product team's dashboard."),
    ("Meta", "This document."),
]

# --- responses and parameters ------------------------------------------------------------------

ERRORS = {
    400: ("bad_request", "The body is not a JSON object, or a query parameter is wrong."),
    401: ("unauthorized", "The token is missing where one is needed, or unknown or revoked."),
    403: (
        "forbidden",
        "The caller's role may not do this, the account is suspended, or the thread is locked.",
    ),
    404: ("not_found", "No such object, or the caller may not see it."),
    409: ("conflict", "The object's state forbids it."),
    422: (
        "validation_error",
        "Fields failed validation; `error.fields` names each. On a POST, `idempotency_key_reused`: "
        "the `Idempotency-Key` was already used for another request.",
    ),
    429: ("rate_limited", "Too many requests; `Retry-After` says when to try again."),
}


def _error_response(status: int) -> dict[str, Any]:
    code, description = ERRORS[status]
    codes = {"type": "string", "const": code}
    if status == 422:
        codes = {"type": "string", "enum": [code, "idempotency_key_reused"]}
    schema = {
        "allOf": [ref("Error"), obj({"error": obj({"code": codes})})],
    }
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    if status == 429:
        response["headers"] = {"Retry-After": {"description": "Seconds to wait.", "schema": INTEGER}}
    return response


RESPONSES = {str(status): _error_response(status) for status in ERRORS}
RESPONSES["Error"] = {
    "description": "Any other error, in the same shape.",
    "content": {"application/json": {"schema": ref("Error")}},
}


def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


PAGE_PARAMS = [
    query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "Page number, from 1."),
    query(
        "per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}, "Items a page (default 25)."
    ),
]
FLAG_VALUE = {"type": "string", "enum": ["1", "0", "true", "false"]}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
    "description": "The same key from the same account within 24 hours answers the first response "
    "again and changes nothing; with another body it is 422 `idempotency_key_reused`.",
}


def path_param(name: str) -> dict[str, Any]:
    if name == "target_type":
        return {"name": name, "in": "path", "required": True, "schema": enum(FLAG_TARGETS)}
    if name == "slug":
        return {"name": name, "in": "path", "required": True, "schema": STRING}
    return {"name": name, "in": "path", "required": True, "schema": ID}


# --- operations --------------------------------------------------------------------------------


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def operation(
    method: str,
    path: str,
    endpoint: str,
    tag: str,
    who: str,
    summary: str,
    *,
    ok: int = 200,
    also_ok: tuple[int, ...] = (),
    returns: dict[str, Any] | None = None,
    body: str | None = None,
    body_optional: bool = False,
    params: list[dict[str, Any]] | None = None,
    errors: tuple[int, ...] = (),
    description: str = "",
) -> tuple[str, str, dict[str, Any]]:
    """One operation; the usual errors follow from who may call it, its path, body and query."""
    path_names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    parameters = [path_param(name) for name in path_names] + list(params or [])
    statuses = {401, *errors}
    if method == "post":
        # Every POST honours Idempotency-Key (app/idempotency.py): a bad key is 400, a reused one
        # 422, one whose first request is still running 409.
        parameters.append(IDEMPOTENCY_KEY)
        statuses.update({400, 409, 422})
    if who != "anyone" and who != "token":
        statuses.add(403)
    if path_names:
        statuses.add(404)
    if body or any(p["in"] == "query" for p in parameters):
        statuses.add(400)
    if body:
        statuses.add(422)
    if f"api.{endpoint}" in WRITE_ENDPOINTS:
        statuses.add(429)
    success: dict[str, Any] = {"description": "Done." if returns is None else "OK."}
    if returns is not None:
        success["content"] = _json(returns)
    responses: dict[str, Any] = {str(code): success for code in (ok, *also_ok)}
    for status in sorted(statuses):
        responses[str(status)] = {"$ref": f"#/components/responses/{status}"}
    responses["default"] = {"$ref": "#/components/responses/Error"}
    op: dict[str, Any] = {
        "operationId": endpoint,
        "tags": [tag],
        "summary": summary,
        "x-who": who,
        "security": [{}, {"bearerAuth": []}] if who == "anyone" else [{"bearerAuth": []}],
        "responses": responses,
    }
    if description:
        op["description"] = description
    if parameters:
        op["parameters"] = parameters
    if body:
        op["requestBody"] = {
            "required": not body_optional,
            "content": _json({"$ref": f"#/components/schemas/{body}"}),
        }
    return method, path, op


def _ops() -> list[tuple[str, str, dict[str, Any]]]:
    idea, comment, proto = ref("Idea"), ref("Comment"), ref("Prototype")
    vote, launch, item = ref("VoteState"), ref("Launch"), ref("RoadmapItem")
    op = operation
    return [
        # Account
        op("get", "/me", "me", "Account", "token", "The caller's own account", returns=ref("Me")),
        op(
            "patch", "/me", "update_me", "Account", "token", "Change the caller's display name or username",
            returns=ref("Me"), body="MeChanges",
        ),
        op(
            "get", "/notifications", "list_notifications", "Account", "token",
            "The caller's notifications, newest first",
            returns=page_of(ref("Notification")), params=PAGE_PARAMS,
        ),
        op(
            "post", "/notifications/read-all", "read_all_notifications", "Account", "token",
            "Mark every notification read", ok=204,
        ),
        op(
            "delete", "/me", "delete_me", "Account", "token", "Delete the caller's account", ok=204,
            body="DeleteAccount", errors=(409,),
            description="Personal data goes; ideas, comments and votes stay, shown as “Deleted member”. "
            "Launch seats are given up. Afterwards every token of the account answers 401. "
            "409 for the site's only admin.",
        ),
        op(
            "get", "/me/export", "export_me", "Account", "token",
            "Everything the caller's account wrote or did, as one document", returns=ref("AccountExport"),
        ),
        # Ideas
        op(
            "get", "/categories", "list_categories", "Ideas", "anyone",
            "The categories ideas are filed under", returns=obj({"items": array(ref("Category"))}),
        ),
        op(
            "get", "/ideas", "list_ideas", "Ideas", "anyone", "Ideas, trending first by default",
            returns={"allOf": [page_of(idea), obj({"sort": enum((*IDEA_SORTS, "relevance"))})]},
            params=[
                *PAGE_PARAMS,
                query("sort", enum((*IDEA_SORTS, "relevance")), "Order; with `q` the default is relevance."),
                query("status", enum(STATUSES), "Only ideas with this status."),
                query("category", STRING, "Only ideas in this category (its slug)."),
                query("board", STRING, "Only ideas on this board (its slug); 404 for a board not visible."),
                query("q", STRING, "Full-text search."),
                query("mine", FLAG_VALUE, "Only the caller's own ideas (token)."),
                query("voted", FLAG_VALUE, "Only ideas the caller voted for (token)."),
            ],
        ),
        op(
            "post", "/ideas", "create_idea", "Ideas", "member", "Propose an idea",
            ok=201, returns=idea, body="NewIdea",
            description="The author's vote counts at once; `Location` names the idea's page.",
        ),
        op(
            "get", "/ideas/similar", "similar_ideas", "Ideas", "anyone",
            "Up to five ideas like a text, best match first",
            returns=obj({"items": array(ref("SimilarIdea"), maxItems=5)}),
            params=[query("q", STRING, "The text to match, like a draft title.")],
        ),
        op(
            "get", "/ideas/{idea_id}", "get_idea", "Ideas", "anyone", "One idea",
            returns=idea, description="A merged idea answers 200 with `merged_into` set.",
        ),
        op(
            "patch", "/ideas/{idea_id}", "update_idea", "Ideas", "member",
            "Edit an idea, or move its status (staff)", returns=idea, body="IdeaChanges", errors=(409,),
            description="The author may edit within the edit window; staff may edit and set `status` "
            "(setting the status it has already changes nothing; `declined` needs a `status_note`).",
        ),
        op(
            "post", "/ideas/{idea_id}/vote", "cast_vote", "Ideas", "member", "Vote for an idea (idempotent)",
            returns=vote, errors=(409,), description="409 on merged or declined ideas, 403 when locked.",
        ),
        op(
            "delete", "/ideas/{idea_id}/vote", "retract_vote", "Ideas", "member",
            "Take one's vote back (idempotent)", returns=vote, errors=(409,),
            description="409 on merged or declined ideas, 403 when locked, as for casting a vote.",
        ),
        # Boards
        op(
            "get", "/boards", "list_boards", "Boards", "anyone", "The boards the caller may see, in order",
            returns=obj({"items": array(ref("Board")), "total": INTEGER}),
            params=[query("archived", FLAG_VALUE, "Archived boards too.")],
        ),
        op("get", "/boards/{slug}", "get_board", "Boards", "anyone", "One board", returns=ref("Board")),
        op(
            "post", "/boards", "create_board", "Boards", "admin", "Add a board",
            ok=201, returns=ref("Board"), body="NewBoard",
            description="At the end of the list unless `position` is given; public unless `visibility` "
            "says private.",
        ),
        op(
            "patch", "/boards/{slug}", "update_board", "Boards", "admin",
            "Change, archive or make default a board",
            returns=ref("Board"), body="BoardChanges", errors=(409,),
            description="409 when the default board would become private or archived.",
        ),
        op(
            "post", "/boards/{slug}/access", "grant_access", "Boards", "admin",
            "Let a member see a private board", body="BoardAccess",
            returns=obj({"board": STRING, "user": ref("User"), "access": BOOLEAN, "granted": BOOLEAN}),
            description="`granted` is false when they had access by name already. They are told.",
        ),
        op(
            "delete", "/boards/{slug}/access/{user_id}", "revoke_access", "Boards", "admin",
            "Take back a member's access by name",
            returns=obj({"board": STRING, "user_id": ID, "access": BOOLEAN, "revoked": BOOLEAN}),
            description="Access through a segment or an email domain stays.",
        ),
        op(
            "post", "/ideas/{idea_id}/votes", "record_customer_vote", "Ideas", "staff",
            "Record a customer's vote, heard elsewhere", ok=201, also_ok=(200,), returns=ref("RecordedVote"),
            body="RecordVote", errors=(409,),
            description="The customer's account is found by email, or opened unconfirmed and sent an "
            "invitation. 201 when the vote was added; 200 when that person's vote counted already (their "
            "own, or recorded before), and nothing changes. 409 on merged, declined or locked ideas; 422 "
            "for a deleted or suspended account, or one that may not see the idea.",
        ),
        # Comments
        op(
            "get", "/ideas/{idea_id}/comments", "comments_list", "Comments", "anyone",
            "An idea's comments, oldest first", returns=page_of(comment), params=PAGE_PARAMS,
        ),
        op(
            "post", "/ideas/{idea_id}/comments", "comments_create", "Comments", "member",
            "Comment on an idea", ok=201, returns=comment, body="NewComment", errors=(409,),
            description="403 when the idea is locked; 409 when it was merged into another.",
        ),
        op(
            "get", "/prototypes/{prototype_id}/comments", "prototype_comments_list", "Comments", "anyone",
            "A prototype's comments, oldest first", returns=page_of(comment), params=PAGE_PARAMS,
        ),
        op(
            "post", "/prototypes/{prototype_id}/comments", "prototype_comments_create", "Comments", "member",
            "Comment on a prototype", ok=201, returns=comment, body="NewComment", errors=(409,),
            description="409 unless the prototype is published.",
        ),
        op(
            "patch", "/comments/{comment_id}", "comments_update", "Comments", "member", "Edit a comment",
            returns=comment, body="CommentChanges",
            description="The author within the edit window, or a moderator.",
        ),
        op(
            "delete", "/comments/{comment_id}", "comments_delete", "Comments", "member",
            "Delete a comment (soft)", ok=204,
            description="The author or a moderator; the comment keeps its place in the thread, empty.",
        ),
        # Moderation
        op(
            "post", "/flags", "create_flag", "Moderation", "member", "Flag an idea, comment or prototype",
            ok=201, returns=ref("Flag"), body="NewFlag", errors=(404, 409),
            description="409 when the caller already flagged it.",
        ),
        op(
            "get", "/moderation/queue", "moderation_queue", "Moderation", "moderator",
            "Open flags and pending posts, grouped by item",
            returns=page_of(ref("QueueItem")), params=PAGE_PARAMS,
        ),
        op(
            "post", "/moderation/{target_type}/{target_id}/hide", "hide_item", "Moderation", "moderator",
            "Hide an item", returns=ref("ModeratedItem"), body="Hide", errors=(409,),
        ),
        op(
            "post", "/moderation/{target_type}/{target_id}/restore", "restore_item", "Moderation",
            "moderator", "Restore a hidden or pending item", returns=ref("ModeratedItem"), errors=(409,),
        ),
        op(
            "post", "/ideas/{idea_id}/lock", "lock_idea", "Moderation", "moderator",
            "Lock an idea's thread and votes", returns=idea, errors=(409,), body="Lock", body_optional=True,
            description="An optional `reason` is shown to readers. 409 when the idea is locked already.",
        ),
        op("post", "/ideas/{idea_id}/unlock", "unlock_idea", "Moderation", "moderator", "Unlock an idea",
           returns=idea, errors=(409,), description="409 when the idea is not locked."),
        op(
            "post", "/ideas/{idea_id}/merge", "merge_idea", "Moderation", "moderator",
            "Merge an idea into another", returns=idea, body="Merge", errors=(409,),
            description="Answers the idea that stays; voters of both count once. 409 into itself.",
        ),
        op(
            "post", "/users/{user_id}/suspend", "suspend_user", "Moderation", "moderator",
            "Suspend an account", returns=ref("Suspension"), body="Suspend",
        ),
        op(
            "post", "/users/{user_id}/unsuspend", "unsuspend_user", "Moderation", "moderator",
            "Lift a suspension", returns=ref("Suspension"), errors=(409,),
        ),
        op(
            "get", "/audit", "audit_log", "Moderation", "admin",
            "The audit log, newest first",
            returns=page_of(ref("AuditEntry")),
            params=[
                *PAGE_PARAMS,
                query("actor_id", ID, "Only this user's actions."),
                query("action", STRING, "Only this action, like `idea.hide`."),
                query("since", STRING, "From this ISO 8601 date or date-time."),
                query("until", STRING, "Up to this date (included) or date-time."),
            ],
        ),
        # Prototypes
        op(
            "get", "/prototypes", "list_prototypes", "Prototypes", "anyone",
            "Published prototypes (staff: drafts too)", returns=page_of(proto),
            params=[*PAGE_PARAMS, query("status", enum(PROTOTYPE_STATUSES), "Only this status.")],
        ),
        op(
            "post", "/prototypes", "create_prototype", "Prototypes", "staff", "Add a prototype",
            ok=201, returns=proto, body="NewPrototype",
        ),
        op("get", "/prototypes/{prototype_id}", "get_prototype", "Prototypes", "anyone", "One prototype",
           returns=proto),
        op(
            "patch", "/prototypes/{prototype_id}", "update_prototype", "Prototypes", "staff",
            "Edit, publish or archive a prototype", returns=proto, body="PrototypeChanges", errors=(409,),
        ),
        op(
            "post", "/prototypes/{prototype_id}/vote", "cast_prototype_vote", "Prototypes", "member",
            "Vote for a prototype (idempotent)", returns=vote, errors=(409,),
        ),
        op(
            "delete", "/prototypes/{prototype_id}/vote", "retract_prototype_vote", "Prototypes", "member",
            "Take one's vote back (idempotent)", returns=vote, errors=(409,),
        ),
        # Rounds
        op(
            "post", "/prototypes/{prototype_id}/rounds", "rounds_create", "Rounds", "staff",
            "Start a feedback round", ok=201, returns=ref("Round"), body="NewRound",
        ),
        op(
            "get", "/rounds/{round_id}", "rounds_get", "Rounds", "anyone",
            "One round, with the caller's answers", returns=ref("Round"),
            description="Anyone who may answer it, and staff.",
        ),
        op(
            "patch", "/rounds/{round_id}", "rounds_update", "Rounds", "staff",
            "Change a round's title, dates or questions", returns=ref("Round"), body="RoundChanges",
            errors=(409,), description="Questions only before anyone answered (409 after).",
        ),
        op(
            "post", "/rounds/{round_id}/responses", "rounds_respond", "Rounds", "member", "Answer a round",
            ok=201, also_ok=(200,), returns=ref("RoundResponse"), body="Answers", errors=(409,),
            description="201 the first time, 200 when replacing one's own answers; 409 outside the "
            "window; 404 for members outside the round's audience (403 for staff outside it).",
        ),
        op(
            "get", "/rounds/{round_id}/results", "rounds_results", "Rounds", "staff", "A round's results",
            returns=ref("RoundResults"),
        ),
        # Launches
        op(
            "get", "/launches", "launches_list", "Launches", "anyone", "Learning launches, recruiting first",
            returns=page_of(launch),
            params=[*PAGE_PARAMS, query("status", enum(LAUNCH_STATUSES), "Only this status.")],
            description="Drafts only for staff. List items carry no `assumptions`.",
        ),
        op(
            "post", "/launches", "launches_create", "Launches", "staff", "Plan a launch",
            ok=201, returns=launch, body="NewLaunch",
        ),
        op("get", "/launches/{launch_id}", "launches_get", "Launches", "anyone", "One launch",
           returns=launch),
        op(
            "patch", "/launches/{launch_id}", "launches_update", "Launches", "staff",
            "Edit a launch, move it on, record its outcome", returns=launch, body="LaunchChanges",
            errors=(409,), description="All or nothing: fields, then `status`, then `outcome`.",
        ),
        op(
            "post", "/launches/{launch_id}/join", "launches_join", "Launches", "member",
            "Join a launch (idempotent)", returns=ref("LaunchPlace"), body="Join", body_optional=True,
            errors=(409,), description="Enrolled while seats last, then waitlisted. 409 unless recruiting.",
        ),
        op(
            "delete", "/launches/{launch_id}/join", "launches_leave", "Launches", "member",
            "Withdraw from a launch", returns=ref("LaunchPlace"), errors=(409,),
            description="The first waitlisted member takes the freed seat.",
        ),
        op(
            "get", "/launches/{launch_id}/participants", "launches_participants", "Launches", "staff",
            "Who joined", returns=page_of(ref("Participant")), params=PAGE_PARAMS,
        ),
        # Roadmap
        op(
            "get", "/roadmap", "roadmap_list", "Roadmap", "anyone", "Roadmap items (staff: private ones too)",
            returns=page_of(item),
            params=[*PAGE_PARAMS, query("status", enum(ROADMAP_STATUSES), "Only this status.")],
        ),
        op(
            "post", "/roadmap", "roadmap_create", "Roadmap", "staff", "Put an item on the roadmap",
            ok=201, returns=item, body="NewRoadmapItem",
        ),
        op("get", "/roadmap/{item_id}", "roadmap_get", "Roadmap", "anyone", "One roadmap item", returns=item),
        op(
            "patch", "/roadmap/{item_id}", "roadmap_update", "Roadmap", "staff",
            "Edit or move a roadmap item", returns=item, body="RoadmapItemChanges", errors=(409,),
            description="A new status moves the linked ideas and tells their supporters once each.",
        ),
        op(
            "post", "/roadmap/{item_id}/ideas", "roadmap_link", "Roadmap", "staff", "Link an idea to an item",
            returns=item, body="Link", errors=(409,), description="Linking twice is a no-op.",
        ),
        op(
            "delete", "/roadmap/{item_id}/ideas/{idea_id}", "roadmap_unlink", "Roadmap", "staff",
            "Unlink an idea from an item", returns=item,
        ),
        # Staff
        op(
            "get", "/staff/top-ideas", "top_ideas", "Staff", "staff", "Ideas ranked for the product team",
            errors=(404,),
            returns={
                "allOf": [
                    page_of(ref("StaffIdea")),
                    obj(
                        {
                            "sort": enum(DASHBOARD_SORTS),
                            "weighted": BOOLEAN,
                            "segments": array(obj({"id": ID, "name": STRING, "weight": NUMBER})),
                        }
                    ),
                ]
            },
            params=[
                *PAGE_PARAMS,
                query("sort", enum(DASHBOARD_SORTS), "Order (default votes)."),
                query("status", enum(FILTER_STATUSES), "Only this status."),
                query("category", STRING, "Only this category (slug)."),
                query("board", STRING, "Only this board's ideas (slug); 404 for one the caller may not see."),
                query("from", {"type": "string", "format": "date"}, "Created on or after this day."),
                query("to", {"type": "string", "format": "date"}, "Created on or before this day."),
                query("unlinked", FLAG_VALUE, "Only ideas on no roadmap item."),
                query("unanswered", FLAG_VALUE, "Only ideas no staff member answered yet."),
                query("weighted", FLAG_VALUE, "Weigh votes by segment."),
            ],
        ),
        # Meta
        op(
            "get", "/openapi.json", "openapi_document", "Meta", "anyone", "This OpenAPI 3.1 document",
            returns={"type": "object", "required": ["openapi", "paths"]},
        ),
    ]  # fmt: skip


@cache
def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document (built once)."""
    paths: dict[str, dict[str, Any]] = {}
    for method, path, op in _ops():
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cocreate API",
            "version": API_VERSION,
            "description": (
                "JSON in, JSON out. Authenticate with `Authorization: Bearer <token>` (create one on "
                "your account settings page); public reads work without. Lists take `page` and "
                "`per_page` (1..100) and answer `{items, page, per_page, total}`. Errors answer "
                '`{"error": {"code", "message", "fields"?}}`. Objects may gain fields, never lose them.'
            ),
        },
        "servers": [{"url": bp.url_prefix}],
        "tags": [{"name": name, "description": text} for name, text in TAGS],
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, **BODIES},
            "responses": RESPONSES,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "An API token."}
            },
        },
    }


@bp.get("/openapi.json")
def openapi_document():
    return document()
