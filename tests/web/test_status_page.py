"""The status page for people, the health check for machines, and the footer that links them."""

import re
from datetime import timedelta

from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models.base import utcnow
from app.models.outbox import OutboxMessage
from app.services import status as status_service
from tests.factories import make_user

FOOTER = re.compile(r'<footer class="site-footer">.*?</footer>', re.S)


def footer(html: str) -> str:
    match = FOOTER.search(html)
    assert match, "the page has no footer"
    return match.group(0)


def words(html: str) -> str:
    """The page's text as a reader sees it: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" .", ".")


def email(minutes_ago: int, status: str = "pending", sent_minutes_ago: int | None = None) -> None:
    now = utcnow()
    db.session.add(
        OutboxMessage(
            kind="email",
            payload={"to": "ann@example.com"},
            status=status,
            available_at=now - timedelta(minutes=minutes_ago),
            created_at=now - timedelta(minutes=minutes_ago),
            sent_at=now - timedelta(minutes=sent_minutes_ago) if sent_minutes_ago is not None else None,
        )
    )
    db.session.commit()


def test_the_footer_links_the_status_page_and_not_api_tokens(client, login):
    login(make_user())
    html = footer(client.get("/ideas/").get_data(as_text=True))
    assert '<a href="/status">Status</a>' in html
    assert "/healthz" not in html
    assert "API tokens" not in html
    # The tokens live in the account settings, which the header's account menu opens.
    settings = client.get("/account/settings").get_data(as_text=True)
    assert '<h2 id="tokens-title">API tokens</h2>' in settings
    assert '<a href="#tokens">API tokens</a>' in settings


def test_the_status_page_is_a_page_that_says_how_the_site_is(client):
    email(minutes_ago=3, status="sent", sent_minutes_ago=2)
    response = client.get("/status")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<h1>Site status</h1>" in html
    assert "Everything is working" in html
    assert "Reachable" in html
    assert "Nothing waiting" in html
    assert "Last email sent 2 minutes ago." in words(html)
    assert "<dt>API version</dt><dd>1.0.0</dd>" in html
    assert footer(html)  # styled like the rest of the site


def test_the_status_page_shows_a_mail_backlog_and_its_age(client):
    email(minutes_ago=40)
    email(minutes_ago=5)
    email(minutes_ago=-10)  # retried later: not due yet, so not late
    email(minutes_ago=60 * 30, status="failed")
    html = words(client.get("/status").get_data(as_text=True))
    assert "2 emails waiting; the oldest was due 40 minutes ago" in html
    assert "Email is late" in html
    assert "1 email could not be sent in the last day" not in html  # older than a day
    email(minutes_ago=90, status="failed")
    html = words(client.get("/status").get_data(as_text=True))
    assert "1 email could not be sent in the last day" in html


def test_the_status_page_says_when_the_database_is_unreachable(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(status_service, "_database_revision", refuse)
    response = client.get("/status")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Not reachable" in html
    assert "connection refused" not in html


def test_the_health_check_stays_json_for_machines(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
