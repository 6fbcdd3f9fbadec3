"""Checking text fields the same way everywhere: one-line texts and Markdown texts.

Each check returns the cleaned value and, on a problem, puts the message under the field's name
in `fields`, so a service can report every problem of a form at once.
"""

from typing import Any

from app.text import normalize_line


def _too_long(label: str, high: int, length: int) -> str:
    return f"Keep {label} to {high:,} characters or fewer (it has {length:,})."


def check_line(
    value: Any,
    name: str,
    fields: dict[str, list[str]],
    *,
    high: int,
    low: int = 0,
    missing: str = "",
    label: str = "it",
    not_text: str | None = None,
) -> str:
    """A one-line text, spaces folded: `missing` when shorter than `low`, too long past `high`.

    With `not_text`, a value that is neither text nor null gets that message; without it, it
    counts as empty.
    """
    if not_text is not None and value is not None and not isinstance(value, str):
        fields[name] = [not_text]
        return ""
    text = normalize_line(value) if isinstance(value, str) else ""
    if len(text) < low:
        fields[name] = [missing]
    elif len(text) > high:
        fields[name] = [_too_long(label, high, len(text))]
    return text


def check_markdown(
    value: Any, name: str, fields: dict[str, list[str]], *, high: int, not_text: str | None = None
) -> str:
    """A Markdown text (line breaks kept), at most `high` characters; null is empty."""
    if not_text is not None and value is not None and not isinstance(value, str):
        fields[name] = [not_text]
        return ""
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > high:
        fields[name] = [_too_long("it", high, len(text))]
    return text
