"""Full-text search over idea titles and bodies, with the same hits on SQLite and PostgreSQL.

SQLite: the FTS5 table `ideas_fts` (kept in step by triggers, unicode61 with diacritics
removed) ranked with bm25. PostgreSQL: `to_tsvector('simple', search_text)` matched by a GIN
index and ranked with ts_rank giving titles more weight; `search_text` is the idea's words as
this module splits and folds them (lower case, accents removed, any non-letter or digit a
separator), so PostgreSQL's parser and locale never decide what a word is. No stemming;
every query word matches as a prefix ("export" finds "exports").
"""

import re
import unicodedata

from sqlalchemy import ColumnElement, Select, column, func, literal_column, select, table

from app.extensions import db
from app.models.idea import Idea

# Letters and digits; "_" separates words as it does in both databases' tokenizers.
_words = re.compile(r"[^\W_]+", re.UNICODE)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "should",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "please",
        "add",
        "allow",
        "make",
        "want",
        "need",
        "like",
        "new",
        "more",
    ]
)
MAX_WORDS = 12

_fts = table("ideas_fts", column("rowid"))


def fold(text: str | None) -> str:
    """Lower case without accents: "Café" -> "cafe"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search_document(title: str, body: str) -> str:
    """The words of an idea as search matches them, stored in `ideas.search_text`."""
    return " ".join(_words.findall(fold(f"{title} {body}")))


def query_words(text: str | None) -> list[str]:
    """The searchable words of a query, folded, in order, without duplicates."""
    seen: list[str] = []
    for word in _words.findall(fold(text)):
        if word not in seen:
            seen.append(word)
    return seen[:MAX_WORDS]


def search_terms(text: str | None) -> list[str]:
    """The words a list search requires: stopwords are dropped unless nothing else is left.

    "export as csv" needs "export" and "csv", not "as"; "the who" still searches for both.
    """
    words = query_words(text)
    meaningful = [word for word in words if word not in STOPWORDS]
    return meaningful or words


def _is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def _pg_document():
    # The same expression as the GIN index ix_ideas_search, so the index is used.
    return func.to_tsvector(literal_column("'simple'"), Idea.search_text)


def _pg_weighted_document():
    return func.setweight(func.to_tsvector(literal_column("'simple'"), Idea.title), literal_column("'A'")).op(
        "||"
    )(func.setweight(func.to_tsvector(literal_column("'simple'"), Idea.body), literal_column("'B'")))


def apply_search(stmt: Select, words: list[str], match_any: bool = False) -> tuple[Select, ColumnElement]:
    """Restrict `stmt` (selecting Idea) to ideas matching `words`; returns it and a rank to order by.

    All words must match, or any of them with `match_any`. Order by the rank ascending.
    """
    if _is_sqlite():
        joiner = " OR " if match_any else " AND "
        expression = joiner.join(f'"{word}"*' for word in words)
        stmt = stmt.join(_fts, _fts.c.rowid == Idea.id).where(
            literal_column("ideas_fts").op("MATCH")(expression)
        )
        # bm25 is lower for better matches; titles weigh ten times the body.
        return stmt, func.bm25(literal_column("ideas_fts"), 10.0, 1.0)
    joiner = " | " if match_any else " & "
    expression = joiner.join(f"{word}:*" for word in words)
    query = func.to_tsquery(literal_column("'simple'"), expression)
    stmt = stmt.where(_pg_document().op("@@")(query))
    return stmt, -func.ts_rank(_pg_weighted_document(), query)


def similar_candidates(text: str, limit: int = 5) -> Select | None:
    """A query for ideas sharing meaningful words with `text`, best first (None: nothing to match)."""
    words = [word for word in query_words(text) if len(word) > 2 and word not in STOPWORDS]
    if not words:
        return None
    stmt, rank = apply_search(select(Idea), words, match_any=True)
    return stmt.order_by(rank, Idea.vote_count.desc(), Idea.id.desc()).limit(limit)
