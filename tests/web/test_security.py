"""Security baseline: headers, cookie flags, CSRF, rate limits and error pages."""

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models.user import User
from config import ProductionConfig
from tests.conftest import Client, make_config
from tests.factories import make_user


def test_every_response_has_the_security_headers(client):
    for path in ["/", "/sign-in", "/nope", "/healthz", "/api/v1/me"]:
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_scripts_or_styles(client, login):
    login(make_user())
    for path in ["/", "/account/settings", "/register", "/users/1"]:
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html
        assert " style=" not in html
        assert " onclick=" not in html


def test_development_cookies_are_httponly_and_lax(client):
    make_user(email="ann@example.com")
    response = client.post_form(
        "/sign-in", {"email": "ann@example.com", "password": "correct horse battery", "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("cocreate_session=", "cocreate_remember="):
        cookie = next(c for c in cookies if c.startswith(name))
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure(tmp_path, monkeypatch):
    config = type(
        "Prod",
        (ProductionConfig,),
        {"SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://", "MAIL_DIR": str(tmp_path)},
    )
    app = create_app(config)
    app.test_client_class = Client
    with app.app_context():
        db.create_all()
        make_user(email="ann@example.com")
        client = app.test_client()
        html = client.get("/sign-in", base_url="https://localhost").get_data(as_text=True)
        token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post(
            "/sign-in",
            base_url="https://localhost",
            headers={"Referer": "https://localhost/sign-in"},
            data={
                "csrf_token": token,
                "email": "ann@example.com",
                "password": "correct horse battery",
                "remember": "y",
            },
        )
        assert response.status_code == 302
        for cookie in response.headers.getlist("Set-Cookie"):
            assert "Secure" in cookie
            assert "HttpOnly" in cookie
        assert "Strict-Transport-Security" in response.headers


def test_production_refuses_to_start_without_secret_key():
    config = type("Prod", (ProductionConfig,), {"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_form_posts_without_csrf_token_are_refused(client):
    response = client.post(
        "/register",
        data={"email": "new@example.com", "display_name": "New", "password": "a long enough secret"},
    )
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_form_posts_with_a_forged_csrf_token_are_refused(client):
    response = client.post(
        "/register",
        data={"csrf_token": "forged", "email": "a@example.com", "display_name": "New", "password": "x" * 12},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_sign_in_is_slowed_down_per_account(client):
    make_user(email="ann@example.com")
    token = client.csrf_token("/sign-in")
    for _ in range(5):
        response = client.post(
            "/sign-in", data={"csrf_token": token, "email": "ann@example.com", "password": "bad"}
        )
        assert response.status_code == 200
    response = client.post(
        "/sign-in",
        data={"csrf_token": token, "email": "ANN@example.com", "password": "correct horse battery"},
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many failed attempts to sign in to this account" in response.get_data(as_text=True)
    # Another account from the same address is still allowed.
    other = client.post("/sign-in", data={"csrf_token": token, "email": "bob@example.com", "password": "bad"})
    assert other.status_code == 200


def test_sign_in_is_rate_limited_per_ip(tmp_path):
    app = create_app(make_config(tmp_path, RATELIMIT_SIGNIN_IP="3 per minute"))
    app.test_client_class = Client
    with app.app_context():
        db.create_all()
        client = app.test_client()
        token = client.csrf_token("/sign-in")
        for number in range(3):
            data = {"csrf_token": token, "email": f"u{number}@example.com", "password": "bad"}
            assert client.post("/sign-in", data=data).status_code == 200
        data = {"csrf_token": token, "email": "another@example.com", "password": "bad"}
        assert client.post("/sign-in", data=data).status_code == 429


def test_rate_limits_can_be_turned_off(tmp_path):
    app = create_app(make_config(tmp_path, RATELIMIT_ENABLED=False))
    app.test_client_class = Client
    with app.app_context():
        db.create_all()
        client = app.test_client()
        token = client.csrf_token("/sign-in")
        for _ in range(8):
            data = {"csrf_token": token, "email": "ann@example.com", "password": "bad"}
            assert client.post("/sign-in", data=data).status_code == 200


def test_password_reset_requests_are_rate_limited(client):
    token = client.csrf_token("/forgot-password")
    for _ in range(5):
        client.post("/forgot-password", data={"csrf_token": token, "email": "ann@example.com"})
    response = client.post("/forgot-password", data={"csrf_token": token, "email": "ann@example.com"})
    assert response.status_code == 429


def test_404_page_is_in_the_site_style(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html
    assert 'class="site-header"' in html


def test_500_page_shows_no_stack_trace(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html
    assert "secret internals" not in html
    assert "Traceback" not in html


def test_api_500_is_error_json_without_details(app, client):
    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("secret internals")

    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json == {
        "error": {"code": "internal_error", "message": response.json["error"]["message"]}
    }
    assert "secret internals" not in response.get_data(as_text=True)


def test_too_large_requests_are_refused(tmp_path):
    app = create_app(make_config(tmp_path, MAX_CONTENT_LENGTH=1024))
    app.test_client_class = Client
    with app.app_context():
        db.create_all()
        client = app.test_client()
        response = client.post("/register", data={"display_name": "x" * 5000})
        assert response.status_code == 413
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_trusted_proxy_headers_give_the_client_address_for_rate_limits(tmp_path):
    app = create_app(make_config(tmp_path, TRUSTED_PROXIES=1, RATELIMIT_SIGNIN_IP="2 per minute"))
    app.test_client_class = Client
    with app.app_context():
        db.create_all()
        client = app.test_client()
        token = client.csrf_token("/sign-in")

        def attempt(ip: str, number: int) -> int:
            data = {"csrf_token": token, "email": f"u{number}@example.com", "password": "bad"}
            return client.post("/sign-in", data=data, headers={"X-Forwarded-For": ip}).status_code

        assert [attempt("203.0.113.1", n) for n in range(3)] == [200, 200, 429]
        assert attempt("203.0.113.2", 9) == 200
