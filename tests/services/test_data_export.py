"""The data export: one document with every kind of record the account has, and no secrets."""

import json

import pytest
from flask_login import AnonymousUserMixin

from app.errors import Unauthorized
from app.extensions import db
from app.services import comments, data_export, follows, moderation, prototypes, sessions, votes
from tests.factories import (
    PASSWORD,
    make_api_token,
    make_comment,
    make_flag,
    make_idea,
    make_identity,
    make_launch,
    make_notification,
    make_participant,
    make_prototype,
    make_round,
    make_round_response,
    make_segment,
    make_user,
)

KEYS = [
    "profile",
    "ideas",
    "comments",
    "votes",
    "flags",
    "round_responses",
    "launches",
    "notifications",
    "follows",
    "sessions",
    "identities",
]


def test_an_account_with_nothing_yet_has_every_key(app):
    data = data_export.export_account(make_user())

    assert list(data) == KEYS
    assert all(data[key] == [] for key in KEYS if key not in ("profile", "sessions"))


def test_every_kind_of_record_appears(app):
    ann = make_user(email="ann@example.com", name="Ann Archer", username="ann")
    other = make_user()
    idea = make_idea(ann, "Dark mode for reports", "Night shifts need it.")
    others_idea = make_idea(other, "Export to PDF")
    prototype = make_prototype(title="Clickable dark mode")
    comment = make_comment(others_idea, ann, "Count me in")
    follows.follow_idea(ann, others_idea)
    votes.cast_vote(ann, others_idea)
    prototypes.cast_vote(ann, prototype)
    flag = make_flag(make_comment(others_idea, other, "Buy cheap pills"), ann, "spam", "An advert")
    round_ = make_round(title="First look")
    make_round_response(round_, ann)
    launch = make_launch(title="Night pilot", capacity=1)
    make_participant(launch, ann, "I work nights")
    make_notification(ann, "Someone mentioned you")
    sessions.start_session(ann, "Mozilla/5.0 (Windows NT 10.0) Firefox/128.0", signed_in_with="github")
    make_identity(ann, "github", "gh-42", "ann@github.example")
    make_api_token(ann, "CRM sync")
    make_segment("Enterprise", [ann])
    db.session.commit()

    data = data_export.export_account(ann)

    assert data["profile"]["email"] == "ann@example.com"
    assert data["profile"]["display_name"] == "Ann Archer"
    assert data["profile"]["username"] == "ann"
    assert data["profile"]["segments"] == ["Enterprise"]
    assert [token["name"] for token in data["profile"]["api_tokens"]] == ["CRM sync"]
    assert [(i["id"], i["title"], i["body"]) for i in data["ideas"]] == [
        (idea.id, "Dark mode for reports", "Night shifts need it.")
    ]
    assert [(c["id"], c["body"], c["on"]["idea_id"]) for c in data["comments"]] == [
        (comment.id, "Count me in", others_idea.id)
    ]
    assert {(v["on"], v["id"], v["title"]) for v in data["votes"]} == {
        ("idea", idea.id, "Dark mode for reports"),  # the author's own vote
        ("idea", others_idea.id, "Export to PDF"),
        ("prototype", prototype.id, "Clickable dark mode"),
    }
    assert all(v["voted_at"].endswith("Z") for v in data["votes"])
    assert [(f["id"], f["reason"], f["note"]) for f in data["flags"]] == [(flag.id, "spam", "An advert")]
    [response] = data["round_responses"]
    assert response["round_title"] == "First look"
    assert sorted(a["answer"] for a in response["answers"] if a["kind"] == "text") == ["Quick and clear."]
    assert [a["answer"] for a in response["answers"] if a["kind"] == "rating"] == [4]
    assert [(p["title"], p["state"], p["screening_answer"]) for p in data["launches"]] == [
        ("Night pilot", "enrolled", "I work nights")
    ]
    assert "Someone mentioned you" in [n["message"] for n in data["notifications"]]
    assert {f["idea_id"] for f in data["follows"]} == {idea.id, others_idea.id}
    assert [(s["device"], s["signed_in_with"]) for s in data["sessions"]] == [
        ("Firefox on Windows", "github")
    ]
    assert data["identities"] == [
        {
            "provider": "github",
            "subject": "gh-42",
            "email": "ann@github.example",
            "created_at": data["identities"][0]["created_at"],
            "last_used_at": data["identities"][0]["last_used_at"],
        }
    ]
    json.dumps(data)  # one JSON document


def test_no_secret_is_in_it(app):
    ann = make_user()
    plain = make_api_token(ann)
    record = sessions.start_session(ann, "Firefox")
    db.session.commit()

    text = json.dumps(data_export.export_account(ann))

    for secret in (ann.password_hash, plain, record.key_hash, ann.session_key, PASSWORD):
        assert secret not in text
    assert "hash" not in text


def test_others_hidden_items_keep_the_vote_but_not_their_title(app):
    ann, moderator = make_user(), make_user("moderator")
    idea = make_idea(make_user(), "Something awful", voters=[ann])
    moderation.hide_item(moderator, "idea", idea.id, "Abusive")
    db.session.commit()

    [vote] = data_export.export_account(ann)["votes"]

    assert (vote["id"], vote["title"]) == (idea.id, None)


def test_own_deleted_posts_are_included(app):
    ann = make_user()
    idea = make_idea(make_user(), "Open idea")
    comment = make_comment(idea, ann, "My own words")
    comments.delete_comment(ann, comment)
    db.session.commit()

    [exported] = data_export.export_account(ann)["comments"]

    assert (exported["body"], exported["deleted"]) == ("My own words", True)


def test_only_the_account_itself_exports_it(app):
    with pytest.raises(Unauthorized):
        data_export.export_account(AnonymousUserMixin())
