"""Changing the email address: nothing changes until the new address confirms; the old one can undo."""

import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from app.errors import Conflict, Invalid
from app.extensions import db
from app.models.outbox import OutboxMessage
from app.models.user import ApiToken, User, UserSession
from app.services import api_tokens, email_change, sessions
from tests.factories import PASSWORD, make_api_token, make_user

DAY = 24 * 3600


def emails() -> list[dict]:
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "email").order_by(OutboxMessage.id)
    )
    return [row.payload for row in rows]


def token_in(payload: dict, kind: str) -> str:
    return re.search(rf"/account/email/{kind}/(\S+)", payload["text"]).group(1)


def requested(user: User, new_email: str = "new@example.com", days_ago: float = 0) -> str:
    """The confirmation token of a change `user` asked for `days_ago`."""
    made_at = int(time.time() - days_ago * DAY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: made_at)
        email_change.request_email_change(user, new_email, PASSWORD)
    db.session.commit()
    return token_in(emails()[-1], "confirm")


def confirmed(user: User, new_email: str = "new@example.com", days_ago: float = 0) -> str:
    """Confirm a change for `user`; returns the undo token the old address got `days_ago`."""
    # The clock is moved back for both links: a link read "before" it was made is refused.
    token = requested(user, new_email, days_ago)
    made_at = int(time.time() - days_ago * DAY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: made_at)
        email_change.confirm_email_change(token)
    db.session.commit()
    return token_in(emails()[-1], "undo")


def test_a_request_sends_a_link_to_the_new_address_and_changes_nothing(app):
    ann = make_user(email="ann@example.com")

    email_change.request_email_change(ann, "  Ann.New@Example.COM ", PASSWORD)
    db.session.commit()

    [mail] = emails()
    assert mail["to"] == "ann.new@example.com"
    assert "/account/email/confirm/" in mail["text"]
    assert db.session.get(User, ann.id).email == "ann@example.com"


@pytest.mark.parametrize(
    ("new_email", "password", "field", "message"),
    [
        ("new@example.com", "wrong password", "password", "Your password is not correct."),
        ("new@example.com", "", "password", "Your password is not correct."),
        ("not-an-address", PASSWORD, "new_email", "Enter a valid email address"),
        ("", PASSWORD, "new_email", "Enter your email address."),
        ("ann@example.com", PASSWORD, "new_email", "This is your address already."),
        ("bob@example.com", PASSWORD, "new_email", "Another account uses this email address already."),
    ],
)
def test_a_request_is_refused_with_a_reason_and_sends_nothing(app, new_email, password, field, message):
    ann = make_user(email="ann@example.com")
    make_user(email="bob@example.com")

    with pytest.raises(Invalid) as refused:
        email_change.request_email_change(ann, new_email, password)

    assert message in refused.value.fields[field][0]
    assert emails() == []


def test_an_account_without_a_password_asks_for_none(app):
    ann = make_user(email="ann@example.com")
    ann.password_hash = ""
    db.session.commit()

    email_change.request_email_change(ann, "new@example.com")

    assert emails()[0]["to"] == "new@example.com"


def test_confirming_changes_the_address_marks_it_confirmed_and_tells_the_old_one(app):
    ann = make_user(email="ann@example.com")
    token = requested(ann)

    change = email_change.confirm_email_change(token)
    db.session.commit()

    assert change.new_email == "new@example.com"
    user = db.session.get(User, ann.id)
    assert user.email == "new@example.com"
    assert user.is_email_verified
    notice = emails()[-1]
    assert notice["to"] == "ann@example.com"
    assert "changed from ann@example.com to new@example.com" in notice["text"]
    assert "/account/email/undo/" in notice["text"]
    assert "within 7 days" in notice["text"]


def test_a_confirmation_link_works_once(app):
    ann = make_user(email="ann@example.com")
    token = requested(ann)
    email_change.confirm_email_change(token)
    db.session.commit()

    with pytest.raises(Conflict, match="This link was used already"):
        email_change.confirm_email_change(token)
    assert len(emails()) == 2  # the request and the one notice


def test_a_confirmation_link_expires(app):
    ann = make_user(email="ann@example.com")
    token = requested(ann, days_ago=4)

    with pytest.raises(Conflict, match="expired"):
        email_change.confirm_email_change(token)
    assert db.session.get(User, ann.id).email == "ann@example.com"


def test_an_altered_link_is_refused(app):
    ann = make_user(email="ann@example.com")
    token = requested(ann)

    for bad in (token[:-2] + "xx", "", "nonsense"):
        with pytest.raises(Conflict, match="not valid"):
            email_change.confirm_email_change(bad)
    # Each link has its own salt: a confirmation token does not undo.
    with pytest.raises(Conflict, match="not valid"):
        email_change.undo_email_change(token)
    assert db.session.get(User, ann.id).email == "ann@example.com"


def test_confirming_is_refused_when_the_address_was_taken_meanwhile(app):
    ann = make_user(email="ann@example.com")
    token = requested(ann, "wanted@example.com")
    make_user(email="wanted@example.com")

    with pytest.raises(Conflict, match="Another account uses this email address already"):
        email_change.confirm_email_change(token)
    assert db.session.get(User, ann.id).email == "ann@example.com"


def test_an_older_confirmation_link_dies_once_the_address_changed_another_way(app):
    ann = make_user(email="ann@example.com")
    first = requested(ann, "first@example.com")
    email_change.confirm_email_change(requested(ann, "second@example.com"))
    db.session.commit()

    with pytest.raises(Conflict, match="the account's address changed since"):
        email_change.confirm_email_change(first)
    assert db.session.get(User, ann.id).email == "second@example.com"


def test_an_address_never_confirmed_gets_no_undo_link(app):
    ann = make_user(email="typo@example.com")
    ann.email_verified_at = None
    db.session.commit()

    email_change.confirm_email_change(requested(ann))
    db.session.commit()

    assert [mail["to"] for mail in emails()] == ["new@example.com"]
    assert db.session.get(User, ann.id).is_email_verified


def test_undoing_puts_the_old_address_back_and_ends_every_session_and_token(app):
    ann = make_user(email="ann@example.com")
    sessions.start_session(ann, "Firefox")
    sessions.start_session(ann, "Safari")
    make_api_token(ann)
    undo = confirmed(ann)
    db.session.get(User, ann.id).email_verified_at = None
    db.session.commit()

    change = email_change.undo_email_change(undo)
    db.session.commit()

    assert change.old_email == "ann@example.com"
    user = db.session.get(User, ann.id)
    assert user.email == "ann@example.com"
    assert user.is_email_verified
    assert db.session.scalars(select(UserSession).where(UserSession.user_id == ann.id)).all() == []
    assert api_tokens.list_tokens(user) == []
    assert all(token.revoked_at for token in db.session.scalars(select(ApiToken)))


def test_an_undo_link_works_once(app):
    ann = make_user(email="ann@example.com")
    undo = confirmed(ann)
    email_change.undo_email_change(undo)
    db.session.commit()

    with pytest.raises(Conflict, match="undone already"):
        email_change.undo_email_change(undo)


def test_an_undo_link_works_for_seven_days(app):
    ann = make_user(email="ann@example.com")
    email_change.undo_email_change(confirmed(ann, days_ago=6.9))
    assert db.session.get(User, ann.id).email == "ann@example.com"

    bob = make_user(email="bob@example.com")
    stale = confirmed(bob, "bob.new@example.com", days_ago=7.1)
    with pytest.raises(Conflict, match="expired: it worked for 7 days"):
        email_change.undo_email_change(stale)
    assert db.session.get(User, bob.id).email == "bob.new@example.com"


def test_an_undo_link_still_works_after_a_second_change(app):
    # Whoever took the account can't shut the owner out by changing the address once more.
    ann = make_user(email="ann@example.com")
    undo = confirmed(ann, "thief@example.com")
    confirmed(ann, "thief2@example.com")

    email_change.undo_email_change(undo)

    assert db.session.get(User, ann.id).email == "ann@example.com"


def test_an_undo_is_refused_when_another_account_took_the_old_address(app):
    ann = make_user(email="ann@example.com")
    undo = confirmed(ann)
    make_user(email="ann@example.com")

    with pytest.raises(Conflict, match="another account uses the old address"):
        email_change.undo_email_change(undo)
    assert db.session.get(User, ann.id).email == "new@example.com"


def test_links_of_a_deleted_account_do_nothing(app):
    from app.services import account_deletion

    ann = make_user(email="ann@example.com")
    pending = requested(ann, "other@example.com")
    undo = confirmed(ann)
    account_deletion.delete_account(ann, ann, "delete my account")
    db.session.commit()

    for link, use in ((pending, email_change.confirm_email_change), (undo, email_change.undo_email_change)):
        with pytest.raises(Conflict, match="no longer exists"):
            use(link)
    assert db.session.get(User, ann.id).email == f"deleted-{ann.id}@invalid"


def test_an_address_taken_between_the_check_and_the_change_is_a_clear_refusal(app, monkeypatch):
    ann = make_user(email="ann@example.com")
    token = requested(ann, "wanted@example.com")
    make_user(email="wanted@example.com")
    # As if the other account took the address just after the check.
    monkeypatch.setattr(email_change, "_used_by_another", lambda email, user: False)

    with pytest.raises(Conflict, match="Another account uses this email address already"):
        email_change.confirm_email_change(token)

    db.session.commit()  # the rest of the transaction goes on
    assert db.session.get(User, ann.id).email == "ann@example.com"
    assert [mail["to"] for mail in emails()] == ["wanted@example.com"]
