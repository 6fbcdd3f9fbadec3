"""Linking ideas from staff forms: finding ideas by title or number, and reading what a form names.

Prototypes, learning launches and roadmap items link the ideas they answer. Staff pick them by
searching titles (the picker), by ticking the ideas already linked or found, or by typing numbers,
idea links or exact titles. Only ideas everyone may see are offered; a reference to anything else
is refused with a message that names it, and nothing is saved.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from app.errors import BadRequest, Invalid
from app.extensions import db
from app.models.idea import Idea
from app.permissions import require
from app.text import normalize_line
from app.visibility import listed_ideas, visible_ideas

QUERY_MAX = 200  # no title is longer; SQLite refuses LIKE patterns past 50,000 bytes
FIND_LIMIT = 8
SEARCH_WORDS = 5
MAX_ID = 2**31
# "12", "#12", or a link to an idea page ("/ideas/12", "https://…/ideas/12?tab=votes#comments").
_NUMBER = re.compile(r"^#?(\d{1,10})$")
_LINK = re.compile(r"^\S*/ideas/(\d{1,10})(?:[/?#]\S*)?$")
_SEPARATORS = re.compile(r"[\s,;]+")


def find_ideas(
    actor: Any, words: str | None, exclude: Iterable[int] | Any = (), limit: int = FIND_LIMIT
) -> list[Idea]:
    """Ideas to link whose title has every word (or whose number is given), most voted first.

    Hidden, pending, deleted and merged ideas are never offered. `exclude` is ids or a subquery
    of ids (ideas linked already).
    """
    require(actor, "idea.link")
    words = normalize_line(words or "")
    if not words:
        return []
    if len(words) > QUERY_MAX:
        raise BadRequest(f"Search for at most {QUERY_MAX} characters.")
    stmt = select(Idea).where(listed_ideas(actor), Idea.status != "merged")
    number = _reference_number(words)
    if number is not None:
        stmt = stmt.where(or_(Idea.id == number, Idea.title.icontains(words, autoescape=True)))
    else:
        for word in words.split()[:SEARCH_WORDS]:
            stmt = stmt.where(Idea.title.icontains(word, autoescape=True))
    if not isinstance(exclude, list | tuple | set | frozenset) or exclude:
        stmt = stmt.where(Idea.id.not_in(exclude))
    return list(db.session.scalars(stmt.order_by(Idea.vote_count.desc(), Idea.id).limit(limit)))


def _reference_number(text: str) -> int | None:
    """The idea number a token names ("12", "#12", an idea link), else None."""
    match = _NUMBER.match(text) or _LINK.match(text)
    return int(match.group(1)) if match else None


def _split(text: str) -> list[str]:
    """The references in a text: numbers and links separated by commas or spaces, titles by commas."""
    parts: list[str] = []
    for line in text.splitlines():
        for part in re.split(r"[,;]", line):
            part = part.strip()
            if not part:
                continue
            tokens = _SEPARATORS.split(part)
            if all(_reference_number(token) is not None for token in tokens):
                parts.extend(tokens)
            else:
                parts.append(normalize_line(part))
    return parts


def search_words(text: str | None) -> str:
    """The first reference in a text that is not a number or link: what to search for."""
    return next((part for part in _split(text or "") if _reference_number(part) is None), "")


def _by_title(actor: Any, title: str) -> list[Idea]:
    return list(
        db.session.scalars(
            select(Idea)
            .where(listed_ideas(actor), func.lower(Idea.title) == title.lower())
            .order_by(Idea.vote_count.desc(), Idea.id)
            .limit(2)
        )
    )


def resolve_references(actor: Any, ticked: Iterable[int], text: str | None) -> list[int]:
    """The ids a staff form links: the ticked ideas, then those its text names, once each.

    The text holds idea numbers ("12", "#12"), idea links or exact titles, separated by commas.
    Ticked ids are passed on as they are (the feature's service checks them, so an idea linked
    before it was hidden can stay); a reference in the text must name an idea everyone may see.
    Raises Invalid on `idea_ids` naming every reference that names no such idea.
    """
    require(actor, "idea.link")
    ids = list(dict.fromkeys(ticked))
    problems: list[str] = []
    numbers: list[int] = []
    for part in _split(text or ""):
        number = _reference_number(part)
        if number is not None:
            numbers.append(number)
            continue
        found = _by_title(actor, part)
        if len(found) == 1:
            ids.append(found[0].id)
        elif found:
            problems.append(f"Several ideas are titled “{part}”: tick the one you mean below.")
        elif find_ideas(actor, part, limit=1):
            problems.append(f"No idea is titled exactly “{part}”: tick the ones you mean below.")
        else:
            problems.append(f"“{part}” is not an idea number, link or title, and no title has those words.")
    problems.extend(_check_numbers(actor, numbers))
    if problems:
        raise Invalid({"idea_ids": problems})
    ids.extend(numbers)
    return list(dict.fromkeys(ids))


def _check_numbers(actor: Any, numbers: list[int]) -> list[str]:
    """What is wrong with each typed idea number: none, hidden, pending, deleted or merged."""
    wanted = [number for number in dict.fromkeys(numbers) if 0 < number < MAX_ID]
    found = {
        idea.id: idea
        for idea in db.session.scalars(select(Idea).where(Idea.id.in_(wanted), visible_ideas(actor)))
    }
    problems = []
    for number in dict.fromkeys(numbers):
        idea = found.get(number)
        if idea is None or idea.deleted_at is not None:
            problems.append(f"No idea #{number}.")
        elif idea.hidden_at is not None:
            problems.append(f"Idea #{number} is hidden: it cannot be linked while it is.")
        elif idea.is_pending:
            problems.append(f"Idea #{number} is waiting for moderation: link it once it is approved.")
        elif idea.is_merged:
            problems.append(f"Idea #{number} is merged into #{idea.merged_into_id}: link that one instead.")
    return problems


@dataclass
class Picker:
    """The linked-ideas part of a staff form: the ideas chosen, and those a search found."""

    chosen: list[Idea]
    found: list[Idea]
    words: str


def picker(actor: Any, chosen_ids: Iterable[int], words: str | None = None) -> Picker:
    """The chosen ideas `actor` may see, in the given order, and the ideas `words` find (two queries)."""
    require(actor, "idea.link")
    chosen_ids = [number for number in dict.fromkeys(chosen_ids) if 0 < number < MAX_ID]
    by_id = {}
    if chosen_ids:
        by_id = {
            idea.id: idea
            for idea in db.session.scalars(
                select(Idea).where(Idea.id.in_(chosen_ids), visible_ideas(actor), Idea.deleted_at.is_(None))
            )
        }
    words = normalize_line(words or "")[:QUERY_MAX]
    return Picker(
        chosen=[by_id[number] for number in chosen_ids if number in by_id],
        found=find_ideas(actor, words, exclude=chosen_ids) if words else [],
        words=words,
    )
