"""Full-text search and similar ideas: the same hits on SQLite and PostgreSQL.

Every test here runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set
(CI does both), so an expectation written once holds on both databases.
"""

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from app.extensions import db
from app.models.idea import Idea
from app.services import ideas
from app.services.search import MAX_WORDS, query_words
from tests.conftest import ON_POSTGRES
from tests.factories import make_user

ANONYMOUS = AnonymousUserMixin()

CORPUS = [
    ("Export reports as CSV", "Finance wants the monthly totals in a spreadsheet."),
    ("Dark mode", "Easier on the eyes at night."),
    ("Theme settings", "Let me pick colours, for example a dark background."),
    ("Exporting contacts to vCard", "One file per person, please."),
    ("Keyboard shortcuts", "Power users navigate without the mouse; e.g. j/k to move."),
    ("Two-factor sign-in", "Use an authenticator app as a second factor."),
    ("Offline mode for the mobile app", "Read ideas on the train without coverage."),
    ("Bulk edit tags", "Select many ideas and change their tags at once (tag_manager)."),
    ("Menu for the café", "Prices in euros from version 2.5 onwards; see example.com/menu."),
]


@pytest.fixture
def corpus(app) -> dict[str, int]:
    author = make_user()
    made = {title: ideas.create_idea(author, title, body).id for title, body in CORPUS}
    db.session.commit()
    return made


def search(q: str, **kwargs) -> list[str]:
    return [idea.title for idea in ideas.list_ideas(ANONYMOUS, q=q, **kwargs).page.items]


def similar(text: str) -> list[str]:
    return [idea.title for idea in ideas.similar_ideas(ANONYMOUS, text)]


def test_the_database_under_test(app):
    # Guards the docstring's promise: with TEST_DATABASE_URL set, these tests run on PostgreSQL.
    assert db.engine.dialect.name == ("postgresql" if ON_POSTGRES else "sqlite")


@pytest.mark.parametrize(
    ("q", "hits"),
    [
        # title words and body words
        ("keyboard", {"Keyboard shortcuts"}),
        ("spreadsheet", {"Export reports as CSV"}),
        ("train", {"Offline mode for the mobile app"}),
        # every word is a prefix: "export" finds "Exporting", "sho" finds "shortcuts"
        ("export", {"Export reports as CSV", "Exporting contacts to vCard"}),
        ("sho", {"Keyboard shortcuts"}),
        ("vcard", {"Exporting contacts to vCard"}),
        # all words must match, in any order and any case, across title and body
        ("DARK", {"Dark mode", "Theme settings"}),
        ("dark mode", {"Dark mode"}),
        ("colours dark", {"Theme settings"}),
        ("mode offline", {"Offline mode for the mobile app"}),
        ("export finance", {"Export reports as CSV"}),
        ("export banana", set()),
        # punctuation and symbols separate words, like spaces do
        ("two-factor", {"Two-factor sign-in"}),
        ("sign in!", {"Two-factor sign-in"}),
        ("tag_manager", {"Bulk edit tags"}),
        # search syntax is not passed through: quotes and stars are punctuation, NOT is a word
        ('"dark" (mode*)', {"Dark mode"}),
        ("dark NOT mode", set()),
        ("j/k", {"Keyboard shortcuts"}),
        ("zebra", set()),
        ("café", {"Menu for the café"}),
        ("example", {"Menu for the café", "Theme settings"}),
        pytest.param("cafe", {"Menu for the café"}),
        pytest.param("5", {"Menu for the café"}),
        pytest.param("com", {"Menu for the café"}),
    ],
)
def test_search_finds_the_same_hits_on_both_databases(corpus, q, hits):
    assert set(search(q)) == hits


def test_a_title_match_ranks_above_a_body_match(corpus):
    assert search("dark") == ["Dark mode", "Theme settings"]
    assert search("spreadsheet export") == ["Export reports as CSV"]


def test_search_combines_with_sorts(corpus):
    voter = make_user()
    ideas.votes.cast_vote(voter, db.session.get(Idea, corpus["Theme settings"]))
    db.session.commit()
    assert search("dark", sort="top") == ["Theme settings", "Dark mode"]
    assert search("dark", sort="relevance") == ["Dark mode", "Theme settings"]


def test_an_empty_or_symbol_only_query_lists_everything(corpus):
    assert len(search("")) == len(CORPUS)
    assert len(search("  ?! ")) == len(CORPUS)


def test_search_stays_in_step_after_an_edit(corpus):
    staff = make_user("product_manager")
    idea = ideas.get_idea(staff, corpus["Dark mode"])
    ideas.update_idea(staff, idea, title="Night theme", body="A darker palette for late hours.")
    db.session.commit()
    assert search("mode") == ["Offline mode for the mobile app"]
    assert search("night") == ["Night theme"]
    assert search("palette") == ["Night theme"]
    assert set(search("dark")) == {"Night theme", "Theme settings"}  # "darker" starts with "dark"
    assert search("eyes") == []


def test_search_stays_in_step_after_a_delete(corpus):
    db.session.delete(db.session.get(Idea, corpus["Keyboard shortcuts"]))
    db.session.commit()
    assert search("keyboard") == []
    assert search("mouse") == []
    assert set(search("export")) == {"Export reports as CSV", "Exporting contacts to vCard"}


def test_search_pages_count_only_the_hits(corpus):
    author = make_user()
    for n in range(30):
        ideas.create_idea(author, f"Report widget {n:02d}")
    db.session.commit()
    first = ideas.list_ideas(ANONYMOUS, q="widget")
    second = ideas.list_ideas(ANONYMOUS, q="widget", page=2)
    assert first.page.total == 30
    ids = [idea.id for idea in first.page.items + second.page.items]
    assert len(ids) == len(set(ids)) == 30


def test_query_words():
    assert query_words("  Dark MODE, dark-mode!  ") == ["dark", "mode"]
    assert query_words("tag_manager") == ["tag", "manager"]
    assert query_words(None) == []
    assert len(query_words(" ".join(f"word{n}" for n in range(20)))) == MAX_WORDS


# --- similar ideas ---------------------------------------------------------------------------


def test_similar_ideas_best_match_first(corpus):
    assert similar("Dark theme") == ["Theme settings", "Dark mode"]
    # Sharing two words beats sharing one.
    assert similar("export reports") == ["Export reports as CSV", "Exporting contacts to vCard"]
    assert similar("Offline reading on my mobile") == ["Offline mode for the mobile app"]


def test_similar_ideas_are_at_most_five(app):
    author = make_user()
    for n in range(8):
        ideas.create_idea(author, f"Calendar sync variant {n}")
    ideas.create_idea(author, "Calendar sync with Outlook and Google")
    db.session.commit()
    found = similar("calendar sync outlook")
    assert len(found) == 5
    assert found[0] == "Calendar sync with Outlook and Google"


@pytest.mark.parametrize("text", ["", "How can I make it so?", "Please add a new way to do it", "a b c"])
def test_stopwords_and_short_words_alone_find_nothing(corpus, text):
    # Every idea shares words like "the" or "to"; matching on them would suggest everything.
    assert similar(text) == []


def test_similar_ideas_leave_out_merged_ones(corpus):
    idea = db.session.get(Idea, corpus["Dark mode"])
    idea.status, idea.merged_into_id = "merged", corpus["Theme settings"]
    db.session.commit()
    assert set(similar("dark mode")) == {"Offline mode for the mobile app", "Theme settings"}
    assert db.session.scalar(select(Idea.status).where(Idea.id == corpus["Dark mode"])) == "merged"


def test_stopwords_do_not_have_to_appear(corpus):
    assert "Export reports as CSV" in search("export in csv")
    # A query of nothing but stopwords is searched as typed.
    assert "Export reports as CSV" in search("the")
