"""@mentions: "@ada" or "@Ada Lovelace" in comments and idea descriptions, linked to the profile
of the member they name, and the people named, so they can be told.
"""

import re
from collections.abc import Callable

from sqlalchemy import func, or_, select

from app.extensions import db
from app.links import site_path
from app.models.user import User

# "@ada" or "@Ada Lovelace": up to four words after the @, matched against usernames and display names.
# Not after a word character, @, / or \ : emails, URLs (mastodon.social/@ada) and "\@" stay text.
_mention = re.compile(r"(?<![\w@/\\])@(\w[\w.'-]*(?: \w[\w.'-]*){0,3})")
# Code is shown as written, so mentions inside it are neither linked nor notified:
# fenced blocks (to their closing fence, or the end) and inline code spans.
_code = re.compile(
    r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,}).*?(?:^[ \t]{0,3}(?P=fence)[ \t]*$|\Z)"
    r"|(?P<ticks>`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)(?P=ticks)(?!`)",
    re.DOTALL | re.MULTILINE,
)
_markdown_special = re.compile(r"([\\`*_\[\]<>])")
_trailing = ".,;:!?'-"


def _outside_code(text: str, change: Callable[[str], str]) -> str:
    """Apply `change` to the parts of Markdown `text` that are not code."""
    parts, start = [], 0
    for match in _code.finditer(text):
        parts.append(change(text[start : match.start()]))
        parts.append(match.group(0))
        start = match.end()
    parts.append(change(text[start:]))
    return "".join(parts)


def _prefixes(words: str) -> list[str]:
    """The names a mention might mean, longest first: "Ada Lovelace." -> ["Ada Lovelace", "Ada"]."""
    split = words.split(" ")
    names = []
    for length in range(len(split), 0, -1):
        name = " ".join(split[:length]).rstrip(_trailing)
        # "@Ada Lovelace's idea" means Ada Lovelace.
        names += [name, name[:-2]] if name.endswith("'s") else [name]
    return [name for name in names if name]


def find_mentions(body: str) -> tuple[str, list[User]]:
    """Link @mentions to profiles; returns the Markdown to render and the people named.

    "@ada" names the member whose username is ada (any case). Failing that, of the words
    after an @, the longest run that is exactly one person's display name wins ("@Ada
    Lovelace"); a display name that several people share names nobody. When the words spell
    the full display name of the very member the username names, the whole name is linked.
    Code is left alone.
    """
    candidates: set[str] = set()

    def collect(text: str) -> str:
        for match in _mention.finditer(text):
            candidates.update(_prefixes(match.group(1)))
        return text

    _outside_code(body, collect)
    if not candidates:
        return body, []
    lowered = {name.lower() for name in candidates}
    handles = {name for name in lowered if " " not in name}
    # lower() in SQLite folds ASCII only; the exact spelling finds the other names too.
    users = db.session.scalars(
        select(User).where(
            or_(
                User.username.in_(handles),
                func.lower(User.display_name).in_(lowered),
                User.display_name.in_(candidates),
            ),
            # A deleted account can't be named: it has no profile and hears nothing.
            User.deleted_at.is_(None),
        )
    ).all()
    by_username = {user.username: user for user in users}
    by_name: dict[str, dict[int, User]] = {}
    for user in users:
        by_name.setdefault(user.display_name.lower(), {})[user.id] = user
    mentioned: dict[int, User] = {}

    def by_display_name(words: str) -> tuple[str, User | None] | None:
        """The longest display name `words` start with: (name, person, or None when shared)."""
        for name in _prefixes(words):
            people = by_name.get(name.lower())
            if people:
                return name, (next(iter(people.values())) if len(people) == 1 else None)
        return None

    def link(match: re.Match) -> str:
        words = match.group(1)
        named = by_display_name(words)
        handle = next((n for n in _prefixes(words) if " " not in n and n.lower() in by_username), None)
        if handle is not None and not (named and named[1] is by_username[handle.lower()]):
            user = by_username[handle.lower()]
            name, label = handle, user.username
        elif named and named[1] is not None:
            (name, user), label = named, named[1].display_name
        else:
            return match.group(0)
        mentioned[user.id] = user
        label = _markdown_special.sub(r"\\\1", label)
        return f"[@{label}]({site_path('users.profile', user_id=user.id)}){words[len(name) :]}"

    linked = _outside_code(body, lambda text: _mention.sub(link, text))
    return linked, list(mentioned.values())
