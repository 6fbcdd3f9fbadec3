"""The people behind ideas, and the words that tell them what became of the ideas they back.

A supporter proposed an idea, voted for it or follows it. Status news names the idea and says
why the person hears of it: "“Dark mode” shipped — you voted for it".
"""

from collections import defaultdict

from sqlalchemy import literal, select, union_all

from app import labels
from app.extensions import db
from app.models.idea import Idea, IdeaFollow, IdeaVote

# Why a person hears about an idea, strongest first: proposed it, voted for it, follows it.
RELATIONS = ("proposed", "voted", "follows")
_PHRASES = {
    "proposed": ("you proposed it", "you proposed them"),
    "voted": ("you voted for it", "you voted for them"),
    "follows": ("you follow it", "you follow them"),
}
NAMED_AT_MOST = 3
# A sentence that fits an email subject line; longer titles leave fewer of them named.
HEADLINE_MAX = 200


def supporters(ideas: list[Idea], followers_only: bool = False) -> dict[int, dict[int, str]]:
    """{user id: {idea id: relation}} for everyone who votes for or follows any of `ideas` (one query).

    `followers_only`: only people who still follow (an idea's own status news goes to followers,
    so whoever unfollowed hears nothing; their vote still says why the others hear).
    """
    if not ideas:
        return {}
    ids = [idea.id for idea in ideas]
    authors = {idea.id: idea.author_id for idea in ideas}
    rows = union_all(
        select(IdeaVote.user_id, IdeaVote.idea_id, literal("voted").label("how")).where(
            IdeaVote.idea_id.in_(ids)
        ),
        select(IdeaFollow.user_id, IdeaFollow.idea_id, literal("follows").label("how")).where(
            IdeaFollow.idea_id.in_(ids)
        ),
    ).subquery()
    found: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for user_id, idea_id, how in db.session.execute(select(rows.c.user_id, rows.c.idea_id, rows.c.how)):
        found[user_id][idea_id].add(how)
    result: dict[int, dict[int, str]] = {}
    for user_id in sorted(found):
        ways = {
            idea_id: hows
            for idea_id, hows in found[user_id].items()
            if not followers_only or "follows" in hows
        }
        if ways:
            result[user_id] = {
                idea_id: "proposed" if authors[idea_id] == user_id else min(hows, key=RELATIONS.index)
                for idea_id, hows in sorted(ways.items())
            }
    return result


def status_news(ideas: list[Idea], relations: list[str]) -> str:
    """One sentence naming `ideas` (all now in the same status) and why the reader hears of them.

    "“Dark mode” shipped — you voted for it"; "“A” and “B” are now planned — you voted for them".
    """
    several = len(ideas) > 1
    status = ideas[0].status
    if status == "shipped":
        what = "shipped"
    else:
        what = f"{'are' if several else 'is'} now {labels.label('idea_status', status).lower()}"
    kinds = set(relations)
    why = _PHRASES[kinds.pop()][several] if len(kinds) == 1 else "you support them"
    for count in range(min(len(ideas), NAMED_AT_MOST), 0, -1):
        sentence = f"{_named(ideas, count)} {what} — {why}"
        if len(sentence) <= HEADLINE_MAX:
            break
    return sentence


def _named(ideas: list[Idea], count: int) -> str:
    titles = [f"“{idea.title}”" for idea in ideas[:count]]
    more = len(ideas) - count
    if more:
        return f"{', '.join(titles)} and {more} more"
    if len(titles) > 1:
        return f"{', '.join(titles[:-1])} and {titles[-1]}"
    return titles[0]
