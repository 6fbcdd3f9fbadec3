"""Unsubscribe links expire; one-click unsubscribe (RFC 8058) still works; bad links change nothing."""

import time
from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeSerializer
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from app.extensions import db
from app.models.user import User
from app.services import comments, notifications
from tests.factories import make_idea, make_user

DAY = 24 * 60 * 60


def preference(user: User) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).email_notifications


def token_made_days_ago(user: User, days: float) -> str:
    """The link the email would have carried, had it been sent `days` ago."""
    made_at = int(time.time() - days * DAY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: made_at)
        return notifications.unsubscribe_token(user)


def test_one_click_unsubscribe_from_the_mail_header_needs_no_body_cookie_or_token(app, outbox_mail):
    author = make_user(email="ada@example.com")
    comments.add_comment(make_user(), make_idea(author), "Count me in")
    db.session.commit()
    [message] = outbox_mail()
    link = message["List-Unsubscribe"].strip()[1:-1]
    mail_client = app.test_client()  # no session, no CSRF token, nothing posted

    response = mail_client.post(urlsplit(link).path)

    assert response.status_code == 200
    assert "You are unsubscribed" in response.get_data(as_text=True)
    assert preference(author) == "never"


def test_one_click_with_the_rfc_8058_body_unsubscribes(app):
    ann = make_user()
    response = app.test_client().post(
        f"/unsubscribe/{notifications.unsubscribe_token(ann)}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert preference(ann) == "never"


def test_a_link_inside_the_limit_still_works(client):
    ann = make_user()
    token = token_made_days_ago(ann, 59)

    assert "Stop notification emails?" in client.get(f"/unsubscribe/{token}").get_data(as_text=True)
    assert client.post(f"/unsubscribe/{token}").status_code == 200
    assert preference(ann) == "never"


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_expired_link_changes_nothing_and_says_where_the_settings_are(client, method):
    ann = make_user()
    token = token_made_days_ago(ann, 61)

    response = getattr(client, method)(f"/unsubscribe/{token}")

    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "This unsubscribe link has expired" in html
    assert "Unsubscribe links in our emails work for 60 days" in html
    assert "change your email settings in your account" in html
    assert 'href="/sign-in?next=/account/settings%23email"' in html
    assert "<form" not in html.split('class="auth-card', 1)[1]
    assert preference(ann) == "immediately"


def test_the_limit_is_configurable(app, client):
    app.config["UNSUBSCRIBE_LINK_DAYS"] = 7
    ann = make_user()

    response = client.post(f"/unsubscribe/{token_made_days_ago(ann, 8)}")

    assert response.status_code == 410
    assert "work for 7 days" in response.get_data(as_text=True)
    assert preference(ann) == "immediately"


def test_an_undated_link_from_before_links_expired_is_expired(app, client):
    ann = make_user()
    undated = URLSafeSerializer(app.config["SECRET_KEY"], salt="unsubscribe").dumps(ann.id)

    for response in (client.get(f"/unsubscribe/{undated}"), client.post(f"/unsubscribe/{undated}")):
        assert response.status_code == 410
        assert "This unsubscribe link has expired" in response.get_data(as_text=True)
    assert preference(ann) == "immediately"


def test_a_signed_in_reader_of_an_expired_link_goes_straight_to_the_settings(client, login):
    ann = make_user()
    login(ann)
    html = client.get(f"/unsubscribe/{token_made_days_ago(ann, 90)}").get_data(as_text=True)
    assert 'href="/account/settings#email">Email settings</a>' in html


def test_tampered_links_change_nothing_and_answer_a_clear_page(app, client):
    ann, bob = make_user(), make_user()
    token = notifications.unsubscribe_token(ann)
    payload, stamp, signature = token.split(".")
    day_old_stamp = token_made_days_ago(bob, 1).split(".")[1]
    old_stamp = token_made_days_ago(ann, 400).split(".")[1]
    forged = [
        token[:-2] + ("xx" if not token.endswith("xx") else "yy"),  # signature changed
        notifications.unsubscribe_token(bob).split(".")[0] + f".{stamp}.{signature}",  # someone else
        f"{payload}.{old_stamp}.{signature}",  # made to look old: not "expired", forged
        f"{payload}.{day_old_stamp}.{signature}",  # another date
        URLSafeSerializer("another secret", salt="unsubscribe").dumps(ann.id),
        "nonsense",
        "a.b.c.d",
    ]
    for bad in forged:
        for method in (client.get, client.post):
            response = method(f"/unsubscribe/{bad}")
            assert response.status_code == 404, bad
            html = response.get_data(as_text=True)
            assert "This unsubscribe link is not valid" in html
            assert "change your email settings in your account" in html
    assert set(db.session.scalars(select(User.email_notifications))) == {"immediately"}
