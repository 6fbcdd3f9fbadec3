"""Templates ask `can()` or a model's predicate; the words and tones of states live in app/labels.py."""

import re
from pathlib import Path

import pytest

from app import labels
from app.models.idea import STATUSES, VOTE_SOURCES
from app.models.launch import (
    ASSUMPTION_KINDS,
    ASSUMPTION_RESULTS,
    DECISIONS,
    LAUNCH_STATUSES,
    PARTICIPANT_STATES,
)
from app.models.moderation import FLAG_REASONS, FLAG_STATUSES
from app.models.prototype import PROTOTYPE_STATUSES
from app.models.roadmap import ROADMAP_STATUSES
from app.models.round import QUESTION_KINDS, RoundState
from app.models.user import ROLES

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

# A status, state, decision, result or role (`idea.status`, `page.my_state`, `state`) compared with
# a string or a tuple of strings: `== 'merged'`, `!= "draft"`, `in ('recruiting', 'running')`.
_NAMED = r"[\w.]*\b(?:\w*status|\w*state|decision|result|role|target|audience)\b"
_LITERAL = r"""(?:'[^']*'|"[^"]*"|\(\s*['"])"""
STATE_COMPARISON = re.compile(rf"{_NAMED}\s*(?:==|!=|\bnot\s+in\b|\bin\b)\s*{_LITERAL}")
# A label or tone table written into a template: `{% set tones = {...} %}`, `{% set labels = {...} %}`.
LOCAL_TABLE = re.compile(r"{%-?\s*set\s+\w*(?:tones|labels)\s*=\s*{")
# A label or tone table anywhere in app/ but app/labels.py.
PYTHON_TABLE = re.compile(r"^\s*[A-Z_]*_(?:LABELS|TONES)\s*(?::[^=]+)?=", re.M)


def state_comparisons(text: str) -> list[str]:
    return [match.group(0) for match in STATE_COMPARISON.finditer(text)]


@pytest.mark.parametrize(
    "snippet",
    [
        "{% set closed = idea.status in ('declined', 'merged') %}",
        "{% if launch.status == 'completed' %}",
        "{% if launch.status not in ('completed', 'cancelled') %}",
        "{% if prototype.status != 'published' %}",
        "{% set joined = page.my_state in ('enrolled', 'waitlisted') %}",
        "{% if row.my_state not in ('enrolled', 'waitlisted') %}",
        "{%- if state == 'scheduled' -%}",
        "{% if card.state == 'open' %}",
        "{% if status == 'shipped' %}",
        '{% if item.status == "cancelled" %}',
        "{% if user.role != 'member' %}",
        "{% if result == 'confirmed' %}",
        "{{ 'Leave' if page.my_state == 'waitlisted' else 'Withdraw' }}",
        "{% if target == 'completed' %}",
        "{{ 'danger' if target == 'cancelled' else 'primary' }}",
        "{% if results.round.audience == 'launch' %}",
    ],
)
def test_the_scan_finds_state_comparisons(snippet):
    assert state_comparisons(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "{% if launch.is_final %}",
        "{% if can(current_user, 'idea.vote', idea) %}",
        "{{ state_badge('idea_status', idea.status) }}",
        "{% if args.get('status') == key %}",
        "{% if kind == 'comment' %}",
    ],
)
def test_the_scan_lets_predicates_and_choices_pass(snippet):
    assert not state_comparisons(snippet)


def test_no_template_compares_a_state_with_a_string():
    found = {
        f"{path.relative_to(TEMPLATES)}:{number}: {hit}"
        for path in TEMPLATES.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        for hit in state_comparisons(line)
    }
    assert not found, "ask can() or a model predicate instead:\n" + "\n".join(sorted(found))


def test_no_template_keeps_its_own_label_or_tone_table():
    found = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if LOCAL_TABLE.search(path.read_text())
    ]
    assert not found


def test_label_tables_live_only_in_app_labels():
    found = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "app").rglob("*.py")
        if path.name != "labels.py" and PYTHON_TABLE.search(path.read_text())
    ]
    assert not found


def test_one_state_badge_macro():
    macros = re.compile(r"{%-?\s*macro\s+(\w*(?:status|state|decision|result|kind)_badge)\b")
    found = {
        f"{path.relative_to(TEMPLATES)}: {name}"
        for path in TEMPLATES.rglob("*.html")
        for name in macros.findall(path.read_text())
    }
    assert found == {"_macros/ui.html: state_badge"}


@pytest.mark.parametrize(
    ("family", "values"),
    [
        ("idea_status", STATUSES),
        ("prototype_status", PROTOTYPE_STATUSES),
        ("launch_status", LAUNCH_STATUSES),
        ("participant_state", PARTICIPANT_STATES),
        ("roadmap_status", ROADMAP_STATUSES),
        ("round_state", tuple(RoundState)),
        ("assumption_kind", ASSUMPTION_KINDS),
        ("assumption_result", ASSUMPTION_RESULTS),
        ("decision", DECISIONS),
        ("flag_status", FLAG_STATUSES),
        ("flag_reason", FLAG_REASONS),
        ("role", ROLES),
        ("question_kind", QUESTION_KINDS),
        ("vote_source", VOTE_SOURCES),
    ],
)
def test_every_state_has_a_label_and_a_tone(family, values):
    assert labels.keys(family) == tuple(values)
    for value in values:
        look = labels.look(family, value)
        assert look.label
        assert look.tone in {"neutral", "info", "accent", "success", "danger"}
