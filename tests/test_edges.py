"""Hostile input is refused where it comes in (app/edges.py): a 400 that says so, nothing written.

NUL characters crashed PostgreSQL (a 500) from the sign-in, register and search forms and from
`?q=`; lone surrogates and bytes that are no UTF-8 reached the database or the JSON encoder;
JSON nested 1,000 deep overflowed the parser. Run these on PostgreSQL too (TEST_DATABASE_URL).
"""

import io
import json

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.idea import Idea
from app.models.prototype import Prototype
from app.models.user import ApiToken, User
from tests.factories import PASSWORD, ApiCaller, make_idea, make_user
from tests.services.test_uploads import png_bytes

PAGE_MESSAGE = "characters the site does not accept"

# Percent-encoded: a NUL, a lone surrogate (U+D800 as UTF-8 would encode it), and a byte no
# UTF-8 text holds. Werkzeug turns the last two into literal text, PostgreSQL refuses the first.
ENCODED = {"nul": "%00", "surrogate": "%ED%A0%80", "not utf-8": "%FF"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def assert_refused_page(response) -> None:
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    assert PAGE_MESSAGE in response.get_data(as_text=True)


def assert_bad_request_json(response) -> None:
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert response.json["error"]["code"] == "bad_request"
    assert response.json["error"]["message"]


def urlencoded(client, url: str, fields: dict[str, str], page: str | None = None):
    """POST a URL-encoded form written by hand (so it can hold any bytes), with a real CSRF token."""
    token = client.csrf_token(page or url)
    body = "&".join(f"{name}={value}" for name, value in {**fields, "csrf_token": token}.items())
    return client.post(url, data=body, content_type="application/x-www-form-urlencoded")


# ---- Forms and query strings, signed out ----


@pytest.mark.parametrize("kind", ENCODED)
def test_register_refuses_hostile_text_and_creates_no_account(client, kind):
    before = count(User)
    response = urlencoded(
        client,
        "/register",
        {"email": f"ada{ENCODED[kind]}%40example.com", "display_name": "Ada", "password": "x" * 12},
    )

    assert_refused_page(response)
    assert count(User) == before


@pytest.mark.parametrize("kind", ENCODED)
def test_sign_in_refuses_hostile_text(client, kind):
    user = make_user()

    response = urlencoded(client, "/sign-in", {"email": user.email, "password": f"pass{ENCODED[kind]}"})

    assert_refused_page(response)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_sign_in_refuses_nul_in_the_email_field(client):
    response = client.post_form("/sign-in", {"email": "ada\x00@example.com", "password": PASSWORD})

    assert_refused_page(response)


@pytest.mark.parametrize("kind", ENCODED)
@pytest.mark.parametrize("path", ["/ideas/?q=export", "/ideas/similar?q=export", "/sign-in?next=/ideas/"])
def test_query_strings_with_hostile_text_are_refused(client, path, kind):
    make_idea(title="Export reports to CSV")

    assert_refused_page(client.get(path + ENCODED[kind]))


def test_raw_bytes_that_are_no_utf8_in_the_query_string_are_refused(client):
    # A WSGI server hands the raw bytes over as Latin-1 text.
    response = client.get("/ideas/", environ_overrides={"QUERY_STRING": "q=\xed\xa0\x80"})

    assert_refused_page(response)


@pytest.mark.parametrize("path", ["/reset-password/abc%00def", "/unsubscribe/abc%00def"])
def test_nul_in_the_address_is_refused(client, path):
    assert_refused_page(client.get(path))


def test_hostile_text_is_refused_before_the_csrf_check(client):
    response = client.post("/sign-in", data={"email": "a\x00@example.com", "password": "x"})

    assert_refused_page(response)


def test_hostile_posts_do_not_count_against_the_sign_in_limit(app, client):
    app.config["RATELIMIT_SIGNIN_IP"] = "3 per minute"
    user = make_user()
    for _ in range(5):
        assert_refused_page(urlencoded(client, "/sign-in", {"email": user.email, "password": "%00"}))

    response = client.post_form("/sign-in", {"email": user.email, "password": PASSWORD})

    assert response.status_code == 302


# ---- Forms, signed in ----


@pytest.mark.parametrize("kind", ENCODED)
def test_a_new_idea_with_hostile_text_is_refused_and_nothing_is_stored(client, login, kind):
    login(make_user())

    response = urlencoded(
        client, "/ideas/new", {"title": f"Export{ENCODED[kind]} reports", "body": "Please.", "category": ""}
    )

    assert_refused_page(response)
    assert count(Idea) == 0


def test_nul_in_a_multipart_text_field_is_refused(client, login, app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    login(make_user("admin"))
    data = {
        "title": "Clickable\x00 CSV export",
        "description": "Try it.",
        "links": "",
        "idea_ids": "",
        "images": [(io.BytesIO(png_bytes()), "screen.png")],
    }

    response = client.post_form("/prototypes/new", data, content_type="multipart/form-data")

    assert_refused_page(response)
    assert count(Prototype) == 0


def test_uploaded_files_are_not_read_as_text(client, login, app, tmp_path):
    # Every PNG holds NUL bytes and bytes that are no UTF-8: a file part is data, not text.
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    login(make_user("admin"))
    image = png_bytes()
    assert b"\x00" in image
    data = {
        "title": "Clickable CSV export",
        "description": "Try it.",
        "links": "",
        "idea_ids": "",
        "images": [(io.BytesIO(image), "screen.png")],
    }

    response = client.post_form("/prototypes/new", data, content_type="multipart/form-data")

    assert response.status_code == 302
    assert count(Prototype) == 1


# ---- The API ----


@pytest.fixture
def member(app) -> ApiCaller:
    return ApiCaller("member")


def post_raw(client, caller: ApiCaller, body: str | bytes):
    return client.post(
        "/api/v1/ideas",
        data=body,
        headers={**caller.headers, "Content-Type": "application/json"},
    )


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_json_nested_too_deep_is_a_bad_request_and_nothing_is_stored(client, member, depth):
    body = '{"title": "Export reports to CSV", "body": "Please.", "category": ' + nested(depth) + "}"

    response = post_raw(client, member, body)

    assert_bad_request_json(response)
    assert "nested deeper than 64 levels" in response.json["error"]["message"]
    assert count(Idea) == 0


@pytest.mark.parametrize(
    "text",
    [
        r'"Export \ud800 reports"',  # a lone high surrogate, escaped
        r'"Export \udfff reports"',  # a lone low surrogate
        r'"Export \u0000 reports"',
    ],
)
@pytest.mark.parametrize("field", ["title", "body", "category"])
def test_json_text_with_nul_or_lone_surrogates_is_a_bad_request(client, member, field, text):
    fields = {"title": '"Export reports to CSV"', "body": '"Please."', field: text}
    body = "{" + ", ".join(f'"{name}": {value}' for name, value in fields.items()) + "}"

    response = post_raw(client, member, body)

    assert_bad_request_json(response)
    assert count(Idea) == 0


def test_a_lone_surrogate_in_a_key_or_raw_bytes_is_a_bad_request(client, member):
    assert_bad_request_json(post_raw(client, member, r'{"title": "Export reports", "\ud800": 1}'))
    # The surrogate encoded as UTF-8 bytes would be, which no UTF-8 decoder accepts.
    assert_bad_request_json(post_raw(client, member, b'{"title": "Export \xed\xa0\x80 reports"}'))
    assert count(Idea) == 0


def test_a_surrogate_pair_is_ordinary_text(client, member):
    response = post_raw(client, member, r'{"title": "Export reports \ud83d\ude00", "body": "Please."}')

    assert response.status_code == 201
    assert response.json["title"] == "Export reports \N{GRINNING FACE}"


def test_json_nested_64_deep_is_read(app):
    from app.edges import load_json
    from app.errors import BadRequest

    assert load_json(nested(64).encode()) == json.loads(nested(64))
    with pytest.raises(BadRequest):
        load_json(nested(65).encode())


@pytest.mark.parametrize("kind", ENCODED)
def test_api_query_strings_with_hostile_text_are_bad_requests(client, kind):
    assert_bad_request_json(client.get(f"/api/v1/ideas?q=export{ENCODED[kind]}"))


def test_a_hostile_body_is_refused_before_the_token_is_touched(client, member):
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == member.id))
    assert token.last_used_at is None

    assert_bad_request_json(post_raw(client, member, nested(1000)))

    db.session.refresh(token)
    assert token.last_used_at is None
