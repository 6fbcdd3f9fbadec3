"""What users read for each stored value: the label and badge tone of every state, and the
wording of every other choice a page or form offers.

Each table maps a stored value to a `Look`. Python code asks `label()` / `tone()` / `choices()`;
templates reach the same functions through the `labels` global and draw state badges with the
`state_badge` macro of templates/_macros/ui.html. Badge tones are those of the design system:
neutral, info, accent, success, danger.
"""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Look:
    label: str
    tone: str = "neutral"
    # A short explanation, shown as the badge's title.
    hint: str = ""


def _plain(table: dict) -> dict[object, Look]:
    return {key: Look(text) for key, text in table.items()}


IDEA_STATUS = {
    "open": Look("Open"),
    "under_review": Look("Under review", "info"),
    "planned": Look("Planned", "accent"),
    "in_progress": Look("In progress", "accent"),
    "shipped": Look("Shipped", "success"),
    "declined": Look("Declined", "danger"),
    "merged": Look("Merged"),
}
PROTOTYPE_STATUS = {
    "draft": Look("Draft", "info"),
    "published": Look("Published", "success"),
    "archived": Look("Archived"),
}
LAUNCH_STATUS = {
    "draft": Look("Draft", "info"),
    "recruiting": Look("Recruiting", "success"),
    "running": Look("Running", "accent"),
    "completed": Look("Completed"),
    "cancelled": Look("Cancelled", "danger"),
}
PARTICIPANT_STATE = {
    "enrolled": Look("Enrolled", "success"),
    "waitlisted": Look("On the waitlist", "accent"),
    "withdrawn": Look("Withdrawn"),
    "removed": Look("Removed", "danger"),
}
ROADMAP_STATUS = {
    "planned": Look("Planned", "accent"),
    "in_progress": Look("In progress", "info"),
    "shipped": Look("Shipped", "success"),
    "cancelled": Look("Cancelled"),
}
ROUND_STATE = {
    "scheduled": Look("Scheduled", "info"),
    "open": Look("Open", "success"),
    "closed": Look("Closed"),
}
ASSUMPTION_KIND = {
    "value": Look("Value", "info", hint="Do customers want it?"),
    "execution": Look("Execution", "accent", hint="Can we deliver it?"),
    "scale": Look("Scale", hint="Can it grow?"),
}
ASSUMPTION_RESULT = {
    "confirmed": Look("Confirmed", "success"),
    "refuted": Look("Refuted", "danger"),
    "inconclusive": Look("Inconclusive"),
}
DECISION = {
    "scale": Look("Scale it", "success"),
    "iterate": Look("Iterate", "accent"),
    "stop": Look("Stop", "danger"),
}
FLAG_STATUS = {
    "open": Look("Open", "info"),
    "dismissed": Look("Dismissed"),
    "upheld": Look("Upheld", "danger"),
}
FLAG_REASON = _plain(
    {
        "spam": "Spam",
        "abuse": "Abusive or rude",
        "off_topic": "Off topic",
        "duplicate": "Duplicate of another idea",
        "other": "Something else",
    }
)
ROLE = {
    "member": Look("Member"),
    "moderator": Look("Moderator", "accent"),
    "product_manager": Look("Product manager", "accent"),
    "admin": Look("Admin", "accent"),
}
QUESTION_KIND = _plain(
    {
        "rating": "Rating (1–5)",
        "nps": "Likelihood to recommend (0–10)",
        "choice": "One choice",
        "multi": "Several choices",
        "text": "Free text",
    }
)
# The words before a journey step's title: what kind of thing it is.
JOURNEY_KIND = _plain(
    {
        "created": "",
        "status": "",
        "prototype": "Prototype",
        "round": "Feedback round",
        "launch": "Learning launch",
        "roadmap": "On the roadmap",
        "shipped": "Released",
    }
)
WEBHOOK_EVENT = _plain(
    {
        "idea.created": "An idea is posted",
        "idea.status_changed": "An idea's status changes",
        "comment.created": "Someone comments on an idea",
        "vote.cast": "Someone votes for an idea",
        "roadmap.shipped": "A public roadmap item ships",
        "launch.outcome": "A learning launch's outcome is recorded",
    }
)
IDEA_SORT = _plain({"trending": "Trending", "top": "Top", "new": "New", "discussed": "Most discussed"})
DASHBOARD_SORT = _plain(
    {
        "votes": "Most votes",
        "weighted": "Weighted votes",
        "trending": "Trending",
        "recent": "Votes in 30 days",
        "comments": "Most discussed",
    }
)
NOTIFICATION_KIND = _plain(
    {
        "comment": "Comment",
        "reply": "Reply",
        "mention": "Mention",
        "status": "Status change",
        "launch": "Learning launch",
        "moderation": "Moderation",
        "vote": "Vote recorded for you",
    }
)
# Where staff heard the demand behind a vote they recorded on a customer's behalf.
VOTE_SOURCE = _plain(
    {
        "sales": "Sales conversation",
        "support": "Support request",
        "interview": "Customer interview",
        "other": "Elsewhere",
    }
)
# Site settings, as the audit log names them.
SETTING = _plain(
    {
        "premoderation_enabled": "Pre-moderation",
        "premoderation_first_posts": "Pre-moderation: first posts held",
        "premoderation_max_links": "Pre-moderation: links allowed from new accounts",
        "ranking_explanations_public": "“Why this rank?” for everyone",
    }
)
# A setting switched on or off, as the audit log stores it.
# Identity providers, as an identity's row in the settings names them when the provider is not
# (or no longer) configured; a configured provider's own label (OIDC_LABEL) comes first.
IDENTITY_PROVIDER = _plain(
    {"oidc": "Single sign-on", "google": "Google", "github": "GitHub", "company": "Your company's app"}
)
SWITCH = _plain({"True": "On", "False": "Off"})
RATING = _plain({1: "1 (lowest)", 2: "2", 3: "3", 4: "4", 5: "5 (highest)"})
# Impact and effort of a roadmap item.
SCORE = _plain({1: "1 — very low", 2: "2 — low", 3: "3 — medium", 4: "4 — high", 5: "5 — very high"})

FAMILIES: dict[str, dict] = {
    "idea_status": IDEA_STATUS,
    "prototype_status": PROTOTYPE_STATUS,
    "launch_status": LAUNCH_STATUS,
    "participant_state": PARTICIPANT_STATE,
    "roadmap_status": ROADMAP_STATUS,
    "round_state": ROUND_STATE,
    "assumption_kind": ASSUMPTION_KIND,
    "assumption_result": ASSUMPTION_RESULT,
    "decision": DECISION,
    "flag_status": FLAG_STATUS,
    "flag_reason": FLAG_REASON,
    "role": ROLE,
    "question_kind": QUESTION_KIND,
    "journey_kind": JOURNEY_KIND,
    "webhook_event": WEBHOOK_EVENT,
    "idea_sort": IDEA_SORT,
    "dashboard_sort": DASHBOARD_SORT,
    "notification_kind": NOTIFICATION_KIND,
    "vote_source": VOTE_SOURCE,
    "setting": SETTING,
    "identity_provider": IDENTITY_PROVIDER,
    "switch": SWITCH,
    "rating": RATING,
    "score": SCORE,
}


def look(family: str, key: object) -> Look:
    """The look of `key`; an unknown key reads as itself, in a neutral badge."""
    found = FAMILIES[family].get(key)
    return found if found is not None else Look(str(key))


def label(family: str, key: object, default: str | None = None) -> str:
    """The label of `key`; `default` (if given) for a key the table does not know."""
    if default is not None and key not in FAMILIES[family]:
        return default
    return look(family, key).label


def tone(family: str, key: object) -> str:
    return look(family, key).tone


def keys(family: str) -> tuple:
    return tuple(FAMILIES[family])


def items(family: str, only: Iterable | None = None) -> list[tuple]:
    """(key, label) pairs in the table's order, or in the order of `only`."""
    return [(key, label(family, key)) for key in (FAMILIES[family] if only is None else only)]
