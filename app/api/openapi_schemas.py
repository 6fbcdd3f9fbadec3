"""The objects and request bodies of the OpenAPI document (app/api/openapi.py), as JSON Schema.

Enums come from the constants the models and services check, so they cannot drift from the code.
Response objects leave `additionalProperties` open: shared API.md allows extra fields.
"""

from typing import Any

from app.api.parsing import MAX_INT
from app.models.board import BOARD_VISIBILITIES
from app.models.idea import STATUSES, VOTE_SOURCES
from app.models.launch import (
    ASSUMPTION_KINDS,
    ASSUMPTION_RESULTS,
    DECISIONS,
    LAUNCH_STATUSES,
    PARTICIPANT_STATES,
)
from app.models.moderation import FLAG_REASONS, FLAG_STATUSES, FLAG_TARGETS
from app.models.prototype import PROTOTYPE_STATUSES
from app.models.roadmap import ROADMAP_STATUSES
from app.models.round import AUDIENCES, QUESTION_KINDS
from app.models.user import ROLES
from app.services import accounts as account_rules
from app.services import comments as comment_rules
from app.services import ideas as idea_rules
from app.services import launches as launch_rules
from app.services import moderation as moderation_rules
from app.services import prototypes as prototype_rules
from app.services import proxy_votes as proxy_vote_rules
from app.services import roadmap as roadmap_rules
from app.services import rounds as round_rules
from app.services.fields import FieldTable
from app.services.pagination import MAX_PER_PAGE

# --- schema helpers ----------------------------------------------------------------------------

STRING: dict[str, Any] = {"type": "string"}
INTEGER: dict[str, Any] = {"type": "integer"}
ID: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_INT}
COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
NUMBER: dict[str, Any] = {"type": "number"}
TIME: dict[str, Any] = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601 in UTC, `Z` suffix.",
}
URL: dict[str, Any] = {"type": "string", "description": "An absolute URL of the page on this site."}
MARKDOWN: dict[str, Any] = {"type": "string", "description": "Markdown source."}
HTML: dict[str, Any] = {"type": "string", "description": "The sanitized HTML of the Markdown beside it."}


def text_schemas(table: FieldTable, nullable_ok: bool = True) -> dict[str, dict[str, Any]]:
    """The text fields of a feature's table: limits from the same rows the service checks.

    An optional text may be null (empty), unless `nullable_ok` is false (see `parse_texts`).
    """
    schemas = {}
    for row in table:
        schema: dict[str, Any] = {"type": "string", "maxLength": row.high}
        if row.required:
            schema["minLength"] = row.low
        if row.hint:
            schema["description"] = row.hint
        if row.markdown:
            schema["description"] = f"Markdown source. {row.hint}".strip()
        schemas[row.name] = schema if row.required or not nullable_ok else nullable(schema)
    return schemas


def text_output_schemas(table: FieldTable) -> dict[str, dict[str, Any]]:
    """The text fields of a feature's table in a response object, with the HTML of each that has one."""
    schemas: dict[str, dict[str, Any]] = {}
    for row in table:
        schemas[row.name] = MARKDOWN if row.markdown else STRING
        if row.html:
            schemas[f"{row.name}_html"] = HTML
    return schemas


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` or null, the OpenAPI 3.1 way: a type list, or anyOf for a reference or composition."""
    if "type" not in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    result = {**schema, "type": [schema["type"], "null"]}
    if "enum" in schema:
        result["enum"] = [*schema["enum"], None]
    return result


def enum(values: tuple[str, ...] | list[str], description: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "enum": list(values)}
    if description:
        schema["description"] = description
    return schema


def array(items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "array", "items": items, **extra}


def obj(properties: dict[str, Any], required: tuple[str, ...] | str = "all", **extra: Any) -> dict[str, Any]:
    """An object; `required="all"` (the default for responses) requires every property."""
    names = list(properties) if required == "all" else list(required)
    schema: dict[str, Any] = {"type": "object", "properties": properties, **extra}
    if names:
        schema["required"] = names
    return schema


def described(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {**schema, "description": description}


def page_of(item: dict[str, Any]) -> dict[str, Any]:
    """The list envelope of shared API.md."""
    return {
        "allOf": [
            ref("PageMeta"),
            obj({"items": array(item)}),
        ]
    }


# --- objects -----------------------------------------------------------------------------------

USER = obj(
    {
        "id": described(nullable(ID), "null for a deleted account (its name is then “Deleted member”)."),
        "display_name": STRING,
        "role": enum(ROLES),
    }
)
ROADMAP_REF = obj({"id": ID, "title": STRING, "status": enum(ROADMAP_STATUSES)})
MODERATION_STATE = obj(
    {
        "hidden": BOOLEAN,
        "hidden_reason": described(STRING, "Empty unless hidden."),
        "pending": described(BOOLEAN, "Held for review before anyone else sees it."),
        "deleted": BOOLEAN,
    }
)
IMAGE = obj({"url": URL, "thumbnail_url": URL, "width": COUNT, "height": COUNT, "alt": STRING})
BOARD_SLUG = {"type": "string", "pattern": "^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"}
IDEA_FIELDS = {
    "id": ID,
    **text_output_schemas(idea_rules.TEXTS),
    "body_html": HTML,
    "status": enum(STATUSES),
    "category": nullable(obj({"slug": STRING, "name": STRING})),
    "board": described(obj({"slug": STRING, "name": STRING}), "The board the idea is on."),
    "author": ref("User"),
    "vote_count": COUNT,
    "comment_count": COUNT,
    "voted": described(BOOLEAN, "The caller's own vote (false when anonymous)."),
    "locked": BOOLEAN,
    "lock_reason": described(STRING, "Why moderators locked it, shown to readers; empty when none."),
    "pinned": described(BOOLEAN, "Pinned by moderators to the top of the idea lists."),
    "pin_reason": described(STRING, "Why moderators pinned it, shown to readers; empty when none."),
    "merged_into": described(nullable(ID), "The idea this one was merged into."),
    "roadmap_items": array(ref("RoadmapRef")),
    "created_at": TIME,
    "updated_at": TIME,
    "url": URL,
}
IDEA = obj(
    {
        **IDEA_FIELDS,
        "images": described(
            array(IMAGE), "Only on a single idea (GET, POST, PATCH /ideas/{id}), not in lists."
        ),
    },
    required=tuple(IDEA_FIELDS),
)
COMMENT = obj(
    {
        "id": ID,
        "body": described(MARKDOWN, "Markdown source; empty once deleted."),
        "body_html": HTML,
        "author": ref("User"),
        "parent_id": nullable(ID),
        "created_at": TIME,
        "edited_at": nullable(TIME),
        "deleted": BOOLEAN,
    }
)
PROTOTYPE = obj(
    {
        "id": ID,
        **text_output_schemas(prototype_rules.TEXTS),
        "status": enum(PROTOTYPE_STATUSES),
        "vote_count": COUNT,
        "voted": BOOLEAN,
        "comment_count": COUNT,
        "idea_ids": array(ID),
        "links": array(obj({"url": STRING, "label": STRING})),
        "images": array(IMAGE),
        "created_at": TIME,
        "updated_at": TIME,
        "published_at": nullable(TIME),
        "url": URL,
    }
)
QUESTION = obj(
    {
        "id": ID,
        "kind": enum(QUESTION_KINDS),
        "prompt": STRING,
        "required": BOOLEAN,
        "options": described(nullable(array(STRING)), "The choices of a choice or multi question."),
    }
)
ANSWER = {
    "description": "rating: 1..5, nps: 0..10, choice: one option, multi: a list of options, text: a string.",
    "type": ["integer", "string", "array", "null"],
    "items": STRING,
}
ROUND_RESPONSE = obj(
    {
        "id": ID,
        "round_id": ID,
        "answers": described(
            {"type": "object", "additionalProperties": ANSWER}, "Answers keyed by question id (a string)."
        ),
        "created_at": TIME,
        "updated_at": TIME,
    }
)
ROUND = obj(
    {
        "id": ID,
        "prototype_id": ID,
        **text_output_schemas(round_rules.TEXTS),
        "opens_at": TIME,
        "closes_at": TIME,
        "state": enum(("scheduled", "open", "closed")),
        "audience": enum(AUDIENCES),
        "launch_id": nullable(ID),
        "questions": array(ref("Question")),
        "url": URL,
        "my_response": described(nullable(ref("RoundResponse")), "The caller's answers, if any."),
    }
)
QUESTION_RESULT = obj(
    {
        "id": ID,
        "kind": enum(QUESTION_KINDS),
        "prompt": STRING,
        "answered": COUNT,
        "average": described(nullable(NUMBER), "rating questions: the mean of 1..5."),
        "nps": described(
            obj({"score": nullable(INTEGER), "promoters": COUNT, "passives": COUNT, "detractors": COUNT}),
            "nps questions: % promoters − % detractors.",
        ),
        "distribution": described(
            {"type": "object", "additionalProperties": COUNT}, "Answer → count (every kind but text)."
        ),
        "answers": described(array(STRING), "text questions: the answers, newest first."),
    },
    required=("id", "kind", "prompt", "answered"),
)
ROUND_RESULTS = obj(
    {
        "round_id": ID,
        "state": enum(("scheduled", "open", "closed")),
        "response_count": COUNT,
        "audience_size": nullable(COUNT),
        "response_rate": described(nullable(NUMBER), "responses / audience_size, 4 decimals."),
        "questions": array(ref("QuestionResult")),
    }
)
OUTCOME = obj(
    {
        "decision": enum(DECISIONS),
        "summary": MARKDOWN,
        "summary_html": HTML,
        "metric_actual": STRING,
        "completed_at": nullable(TIME),
        "results": described(
            {"type": "object", "additionalProperties": nullable(enum(ASSUMPTION_RESULTS))},
            "Assumption id → result (single launches only).",
        ),
    },
    required=("decision", "summary", "metric_actual"),
)
LAUNCH = obj(
    {
        "id": ID,
        **text_output_schemas(launch_rules.TEXTS),
        "capacity": COUNT,
        "enrolled_count": COUNT,
        "waitlist_count": COUNT,
        "seats_left": COUNT,
        "status": enum(LAUNCH_STATUSES),
        "starts_at": TIME,
        "ends_at": TIME,
        "my_state": described(nullable(enum(PARTICIPANT_STATES)), "The caller's place, if they joined."),
        "my_position": described(nullable(ID), "1-based place on the waitlist."),
        "outcome": nullable(ref("Outcome")),
        "idea_ids": array(ID),
        "prototype_ids": array(ID),
        "created_at": TIME,
        "updated_at": TIME,
        "url": URL,
        "assumptions": described(
            array(
                obj(
                    {
                        "id": ID,
                        "kind": enum(ASSUMPTION_KINDS),
                        "statement": STRING,
                        "result": nullable(enum(ASSUMPTION_RESULTS)),
                    }
                )
            ),
            "Single launches only; list items leave it out.",
        ),
    },
    required=(
        "id", "title", "hypothesis", "description", "success_metric", "capacity", "enrolled_count",
        "waitlist_count", "status", "starts_at", "ends_at", "my_state", "my_position", "outcome",
        "idea_ids", "prototype_ids",
    ),
)  # fmt: skip
PLACE = obj(
    {
        "launch_id": ID,
        "my_state": enum(PARTICIPANT_STATES),
        "my_position": nullable(ID),
        "screening_answer": nullable(STRING),
        "enrolled_count": COUNT,
        "waitlist_count": COUNT,
        "seats_left": COUNT,
    },
    required=("launch_id", "my_state", "my_position", "enrolled_count", "waitlist_count"),
)
PARTICIPANT = obj(
    {
        "user": ref("User"),
        "state": enum(PARTICIPANT_STATES),
        "joined_at": TIME,
        "position": nullable(ID),
        "screening_answer": STRING,
    }
)
ROADMAP_ITEM = obj(
    {
        "id": ID,
        **text_output_schemas(roadmap_rules.TEXTS),
        "status": enum(ROADMAP_STATUSES),
        "public": BOOLEAN,
        "impact": described(nullable(INTEGER), "1..5; staff only (null for others)."),
        "effort": described(nullable(INTEGER), "1..5; staff only (null for others)."),
        "shipped_at": nullable(TIME),
        "idea_ids": array(ID),
        "demand": described(
            COUNT,
            "Distinct voters over the linked ideas: over those on public boards, unless the caller "
            "is on the team (who see every board).",
        ),
        "created_at": TIME,
        "updated_at": TIME,
        "url": URL,
    },
    required=("id", "title", "description", "status", "public", "target", "idea_ids", "demand", "created_at"),
)
NOTIFICATION = obj(
    {"id": ID, "kind": STRING, "message": STRING, "url": STRING, "read": BOOLEAN, "created_at": TIME}
)
FLAG = obj(
    {
        "id": ID,
        "target_type": enum(FLAG_TARGETS),
        "target_id": ID,
        "reason": enum(FLAG_REASONS),
        "note": STRING,
        "duplicate_of_id": nullable(ID),
        "status": enum(FLAG_STATUSES),
        "created_at": TIME,
        "user": ref("User"),
    },
    required=("id", "target_type", "target_id", "reason", "note", "status", "created_at"),
)
QUEUE_ITEM = {
    "allOf": [
        ref("ModerationState"),
        obj(
            {
                "target_type": enum(FLAG_TARGETS),
                "target_id": ID,
                "idea": nullable(ref("Idea")),
                "prototype": nullable(obj({"id": ID, "title": STRING})),
                "comment": nullable(ref("Comment")),
                "author": ref("User"),
                "author_history": obj(
                    {
                        "joined_at": nullable(TIME),
                        "ideas": COUNT,
                        "comments": COUNT,
                        "hidden": COUNT,
                        "suspended": BOOLEAN,
                    }
                ),
                "flag_count": COUNT,
                "flags": array(ref("Flag")),
            }
        ),
    ]
}
AUDIT_ENTRY = obj(
    {
        "id": ID,
        "actor": described(nullable(ref("User")), "null: the site itself."),
        "action": STRING,
        "target_type": STRING,
        "target_id": nullable(INTEGER),
        "reason": nullable(STRING),
        "before": nullable(STRING),
        "after": nullable(STRING),
        "created_at": TIME,
    }
)
SUSPENSION = {
    "allOf": [
        ref("User"),
        obj(
            {
                "suspended": BOOLEAN,
                "suspended_at": nullable(TIME),
                "suspended_until": described(nullable(TIME), "null while suspended: permanently."),
                "suspension_reason": STRING,
            }
        ),
    ]
}
MODERATED_ITEM = {
    "description": "The item (an Idea, a Prototype or a Comment) with its moderation state.",
    "allOf": [
        ref("ModerationState"),
        {
            "anyOf": [
                ref("Idea"),
                ref("Prototype"),
                {"allOf": [ref("Comment"), obj({"idea_id": nullable(ID), "prototype_id": nullable(ID)})]},
            ]
        },
    ],
}
STAFF_IDEA = {
    "allOf": [
        ref("Idea"),
        obj(
            {
                "rank": ID,
                "votes_30d": COUNT,
                "weighted_votes": described(nullable(NUMBER), "null unless votes are weighed by segment."),
                "segment_votes": array(obj({"id": ID, "name": STRING, "votes": COUNT})),
                "first_staff_response_at": nullable(TIME),
            }
        ),
    ]
}
ERROR = obj(
    {
        "error": obj(
            {
                "code": described(
                    STRING,
                    "bad_request, unauthorized, forbidden, not_found, method_not_allowed, conflict, "
                    "payload_too_large, validation_error, rate_limited, internal_error, unavailable.",
                ),
                "message": described(STRING, "A sentence for people."),
                "fields": described(
                    {"type": "object", "additionalProperties": array(STRING)},
                    "validation_error only: the messages of each field that failed.",
                ),
            },
            required=("code", "message"),
        )
    }
)

SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": ERROR,
    "PageMeta": obj({"page": ID, "per_page": {**ID, "maximum": MAX_PER_PAGE}, "total": COUNT}),
    "User": USER,
    "Me": {
        "allOf": [
            ref("User"),
            obj({"email": {"type": "string", "format": "email"}, "email_verified": BOOLEAN}),
        ]
    },
    "Category": obj({"id": ID, "slug": STRING, "name": STRING}),
    "Board": obj(
        {
            "id": ID,
            "slug": STRING,
            "name": STRING,
            "description": STRING,
            "visibility": enum(BOARD_VISIBILITIES),
            "idea_count": described(COUNT, "Listed ideas on it that the caller may see."),
            "position": INTEGER,
            "default": described(BOOLEAN, "Where ideas go when no board is named."),
            "archived": BOOLEAN,
            "url": URL,
        }
    ),
    "RoadmapRef": ROADMAP_REF,
    "ModerationState": MODERATION_STATE,
    "Idea": IDEA,
    "SimilarIdea": obj({"id": ID, "title": STRING, "status": enum(STATUSES), "vote_count": COUNT}),
    "VoteState": obj({"voted": BOOLEAN, "vote_count": COUNT}),
    "Comment": COMMENT,
    "Prototype": PROTOTYPE,
    "Question": QUESTION,
    "Round": ROUND,
    "RoundResponse": ROUND_RESPONSE,
    "QuestionResult": QUESTION_RESULT,
    "RoundResults": ROUND_RESULTS,
    "Outcome": OUTCOME,
    "Launch": LAUNCH,
    "LaunchPlace": PLACE,
    "Participant": PARTICIPANT,
    "RoadmapItem": ROADMAP_ITEM,
    "StaffIdea": STAFF_IDEA,
    "Notification": NOTIFICATION,
    "Flag": FLAG,
    "QueueItem": QUEUE_ITEM,
    "AuditEntry": AUDIT_ENTRY,
    "Suspension": SUSPENSION,
    "ModeratedItem": MODERATED_ITEM,
}

# --- request bodies ----------------------------------------------------------------------------

IDS = nullable(array(ID))
LINK_INPUT = obj({"url": described(STRING, "http or https."), "label": nullable(STRING)}, required=("url",))
QUESTION_INPUT = obj(
    {
        "kind": enum(QUESTION_KINDS),
        "prompt": {"type": "string", "minLength": 1, "maxLength": 300},
        "required": BOOLEAN,
        "options": described(nullable(array(STRING)), "choice and multi: 2 to 12 different options."),
    },
    required=("kind", "prompt"),
)
ASSUMPTION_INPUT = obj(
    {"kind": enum(ASSUMPTION_KINDS), "statement": {"type": "string", "minLength": 5, "maxLength": 300}}
)
OUTCOME_INPUT = obj(
    {
        "decision": enum(DECISIONS),
        "summary": MARKDOWN,
        "metric_actual": STRING,
        "results": described(
            {
                "anyOf": [
                    {"type": "object", "additionalProperties": enum(ASSUMPTION_RESULTS)},
                    array(obj({"id": ID, "result": enum(ASSUMPTION_RESULTS)})),
                ]
            },
            'A result for every assumption: {"<assumption id>": "confirmed"} or [{"id", "result"}].',
        ),
    },
    required=("decision", "summary", "metric_actual"),
)
LAUNCH_FIELDS = {
    **text_schemas(launch_rules.TEXTS),
    "capacity": {"type": "integer", "minimum": 1, "maximum": 10_000},
    "starts_at": TIME,
    "ends_at": TIME,
    "assumptions": nullable(array(ASSUMPTION_INPUT, maxItems=12)),
    "idea_ids": IDS,
    "prototype_ids": IDS,
}
ROADMAP_FIELDS = {
    **text_schemas(roadmap_rules.TEXTS),
    "status": enum(ROADMAP_STATUSES),
    "public": described(BOOLEAN, "On the public roadmap (default true)."),
    "impact": nullable({"type": "integer", "minimum": 1, "maximum": 5}),
    "effort": nullable({"type": "integer", "minimum": 1, "maximum": 5}),
}
PROTOTYPE_FIELDS = {
    **text_schemas(prototype_rules.TEXTS),
    "idea_ids": IDS,
    "links": nullable(array(LINK_INPUT, maxItems=10)),
    "status": enum(PROTOTYPE_STATUSES),
}
ROUND_FIELDS = {
    **text_schemas(round_rules.TEXTS),
    "opens_at": TIME,
    "closes_at": described(TIME, "After opens_at, and not yet passed."),
    "questions": array(QUESTION_INPUT, minItems=1, maxItems=20),
}

BODIES: dict[str, dict[str, Any]] = {
    "NewIdea": obj(
        {
            **text_schemas(idea_rules.TEXTS),
            "category": described(nullable(STRING), "A category slug."),
            "board": described(
                nullable(STRING),
                "A board's slug; the default board when absent. 404 for a board not visible.",
            ),
        },
        required=("title",),
    ),
    "MeChanges": obj(
        {
            "display_name": {"type": "string", "minLength": 2, "maxLength": 50},
            "username": described(
                {"type": "string", "minLength": 2, "maxLength": 30}, "The name @mentions use."
            ),
        }
    ),
    "IdeaChanges": obj(
        {
            **text_schemas(idea_rules.TEXTS, nullable_ok=False),
            "category": nullable(STRING),
            "status": described(
                enum(tuple(s for s in STATUSES if s != "merged")), "Staff only; merge with /merge."
            ),
            "status_note": described(
                nullable({"type": "string", "maxLength": idea_rules.STATUS_NOTE.high}),
                "Staff only, with `status`: why, for the voters.",
            ),
            "board": described(
                STRING, "Staff only: move the idea to this board (its slug); followers are told."
            ),
        },
        required=(),
        minProperties=1,
    ),
    "NewBoard": obj(
        {
            "slug": {**BOARD_SLUG, "description": "Its address, /b/slug/; made from the name when empty."},
            "name": {"type": "string", "minLength": 1, "maxLength": 60},
            "description": {"type": "string", "maxLength": 500},
            "visibility": enum(BOARD_VISIBILITIES),
            "position": {"type": "integer", "minimum": 0, "maximum": 10_000},
        },
        required=("name",),
    ),
    "BoardChanges": obj(
        {
            "slug": BOARD_SLUG,
            "name": {"type": "string", "minLength": 1, "maxLength": 60},
            "description": {"type": "string", "maxLength": 500},
            "visibility": described(enum(BOARD_VISIBILITIES), "The default board stays public."),
            "position": {"type": "integer", "minimum": 0, "maximum": 10_000},
            "archived": described(BOOLEAN, "An archived board takes no new ideas and leaves the menus."),
            "default": described({"type": "boolean", "const": True}, "Make it where new ideas go."),
        },
        required=(),
        minProperties=1,
    ),
    "BoardAccess": obj({"user_id": ID}),
    "NewComment": obj({**text_schemas(comment_rules.TEXTS), "parent_id": nullable(ID)}, required=("body",)),
    "CommentChanges": obj(text_schemas(comment_rules.TEXTS)),
    "NewFlag": obj(
        {
            "target_type": enum(FLAG_TARGETS),
            "target_id": ID,
            "reason": enum(FLAG_REASONS),
            **text_schemas(moderation_rules.FLAG_TEXTS),
            "duplicate_of_id": described(
                nullable(ID), "With reason `duplicate`, optionally: the idea it repeats."
            ),
        },
        required=("target_type", "target_id", "reason"),
    ),
    "Hide": obj(text_schemas(moderation_rules.HIDE_TEXTS)),
    "Lock": obj(text_schemas(moderation_rules.SHOWN_REASON_TEXTS)),
    "Merge": obj({"into_id": described(ID, "The idea that stays.")}),
    "Suspend": obj(
        {
            "days": described(
                nullable({"type": "integer", "minimum": 1, "maximum": 3650}), "null: permanently."
            ),
            **text_schemas(account_rules.SUSPENSION_TEXTS),
        }
    ),
    "NewPrototype": obj(
        {**PROTOTYPE_FIELDS, "status": described(enum(("draft", "published")), "Default draft.")},
        required=("title",),
    ),
    "PrototypeChanges": obj(PROTOTYPE_FIELDS, required=(), minProperties=1),
    "NewRound": obj(
        {
            **ROUND_FIELDS,
            "audience": described(enum(AUDIENCES), "Default everyone."),
            "launch_id": described(nullable(ID), "audience launch: a recruiting or running launch."),
        },
        required=("title", "opens_at", "closes_at", "questions"),
    ),
    "RoundChanges": obj(ROUND_FIELDS, required=(), minProperties=1),
    "Answers": obj(
        {
            "answers": described(
                {"type": "object", "additionalProperties": ANSWER}, 'Keyed by question id: {"12": 4}.'
            )
        }
    ),
    "NewLaunch": obj(
        {**LAUNCH_FIELDS, "status": described(enum(("draft", "recruiting")), "Default draft.")},
        required=("title", "hypothesis", "success_metric", "capacity", "starts_at", "ends_at"),
    ),
    "LaunchChanges": obj(
        {
            **LAUNCH_FIELDS,
            "status": described(enum(LAUNCH_STATUSES), "Moves the launch on; completing needs `outcome`."),
            "outcome": nullable(OUTCOME_INPUT),
        },
        required=(),
        minProperties=1,
    ),
    "Join": obj({"screening_answer": nullable({"type": "string", "maxLength": 2_000})}, required=()),
    "NewRoadmapItem": obj(ROADMAP_FIELDS, required=("title",)),
    "RoadmapItemChanges": obj(ROADMAP_FIELDS, required=(), minProperties=1),
    "Link": obj(
        {"idea_id": ID, "plan": described(BOOLEAN, "Move an open idea along with the item (default true).")},
        required=("idea_id",),
    ),
}

# --- the account as a whole (app/api/me_account.py) ---------------------------------------------

ROWS = array({"type": "object"})
SCHEMAS["AccountExport"] = obj(
    {
        "profile": described(
            {"type": "object"}, "The account: email, names, role, segments, API tokens' names."
        ),
        "ideas": ROWS,
        "comments": ROWS,
        "votes": described(ROWS, "On ideas and prototypes: `on`, `id`, `title`, `voted_at`."),
        "flags": ROWS,
        "round_responses": described(ROWS, "Each with its `answers`."),
        "launches": described(ROWS, "Places in learning launches, and their state."),
        "notifications": ROWS,
        "follows": ROWS,
        "sessions": described(ROWS, "Signed-in devices; never a session key."),
        "identities": described(ROWS, "Sign-in providers: `provider`, `subject`, `email`; never a secret."),
    }
)
BODIES["DeleteAccount"] = obj(
    {"confirm": described(STRING, "Exactly `delete my account`; anything else is 422 and changes nothing.")}
)

# --- votes staff record on a customer's behalf (app/api/proxy_votes.py) ---------------------------

SCHEMAS["RecordedVote"] = obj(
    {
        "voted": {"type": "boolean", "const": True},
        "vote_count": COUNT,
        "user": described(ref("User"), "The customer whose vote it is."),
    }
)
BODIES["RecordVote"] = obj(
    {
        "email": described(
            {"type": "string", "format": "email", "maxLength": 254},
            "The customer's address: their account, or a new one (unconfirmed, invited by email).",
        ),
        **text_schemas(proxy_vote_rules.TEXTS),
        "source": described(nullable(enum(VOTE_SOURCES)), "Where the demand was heard (default other)."),
    },
    required=("email",),
)
