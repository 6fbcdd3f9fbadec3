"""Configuration, read from environment variables.

`COCREATE_ENV` picks the profile: `development` (the default, used by `make run`),
`production` (what a deployment sets) or `testing` (the test suite).
"""

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str) -> list[str]:
    """Read a comma-separated list, lower-cased, blanks dropped ("a.com, B.com" -> ["a.com", "b.com"])."""
    return [part.strip().lower() for part in os.environ.get(name, "").split(",") if part.strip()]


def database_url(url: str | None) -> str:
    """Normalise a database URL so that PostgreSQL always goes through psycopg 3."""
    if not url:
        return f"sqlite:///{INSTANCE / 'cocreate.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def development_secret_key() -> str:
    """A random key kept under instance/ so development sessions survive restarts."""
    path = INSTANCE / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


class Config:
    ENV_NAME = "base"
    SITE_NAME = os.environ.get("SITE_NAME", "Cocreate")
    # Base of every link that leaves the site (emails, feeds); never taken from the request.
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")
    SECRET_KEY = os.environ.get("SECRET_KEY")

    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")
    # Rendered fragments keyed by the versions of what they show, and list totals kept until
    # the ideas change (app/fragments.py, app/pagecache.py): in Redis with REDIS_URL, else in
    # each process, at most FRAGMENT_CACHE_ENTRIES of them.
    FRAGMENT_CACHE = env_bool("FRAGMENT_CACHE", True)
    FRAGMENT_CACHE_ENTRIES = env_int("FRAGMENT_CACHE_ENTRIES", 5000)

    # Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust.
    TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
    MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
    # Prototype images (re-encoded, random names); the prototype forms accept up to 8 of 5 MB each.
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE / "uploads"))
    MAX_UPLOAD_REQUEST_LENGTH = env_int("MAX_UPLOAD_REQUEST_LENGTH", 48 * 1024 * 1024)

    SESSION_COOKIE_NAME = "cocreate_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_NAME = "cocreate_remember"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_SSL_STRICT = True

    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Failed sign-ins make the next try wait longer each time (app/throttle.py), up to these caps:
    # from the address that keeps failing, and for the account from everywhere.
    SIGNIN_DELAY_CAP_ADDRESS = env_int("SIGNIN_DELAY_CAP_ADDRESS", 900)
    SIGNIN_DELAY_CAP_ACCOUNT = env_int("SIGNIN_DELAY_CAP_ACCOUNT", 30)
    RATELIMIT_SIGNIN_IP = os.environ.get("RATELIMIT_SIGNIN_IP", "20 per minute;200 per hour")
    RATELIMIT_REGISTER = os.environ.get("RATELIMIT_REGISTER", "10 per hour")
    RATELIMIT_RESET = os.environ.get("RATELIMIT_RESET", "5 per hour")
    # Writes per account (per IP address when signed out), web and API together; accounts younger
    # than a day get the *_NEW_ACCOUNT limits. Only POST and DELETE count: reading is never limited,
    # and a form sent back with a mistake costs nothing. Sized so a person never meets them and a
    # script is stopped within a minute (docs/decisions.md, "Rate limits a person never meets").
    RATELIMIT_IDEAS = os.environ.get("RATELIMIT_IDEAS", "10 per minute;100 per day")
    RATELIMIT_IDEAS_NEW_ACCOUNT = os.environ.get("RATELIMIT_IDEAS_NEW_ACCOUNT", "5 per minute;20 per day")
    RATELIMIT_COMMENTS = os.environ.get("RATELIMIT_COMMENTS", "20 per minute;300 per hour")
    RATELIMIT_COMMENTS_NEW_ACCOUNT = os.environ.get(
        "RATELIMIT_COMMENTS_NEW_ACCOUNT", "10 per minute;100 per hour"
    )
    RATELIMIT_ROUND_ANSWERS = os.environ.get("RATELIMIT_ROUND_ANSWERS", "10 per minute;100 per hour")
    RATELIMIT_ROUND_ANSWERS_NEW_ACCOUNT = os.environ.get(
        "RATELIMIT_ROUND_ANSWERS_NEW_ACCOUNT", "5 per minute;50 per hour"
    )
    RATELIMIT_VOTES = os.environ.get("RATELIMIT_VOTES", "60 per minute")
    RATELIMIT_VOTES_NEW_ACCOUNT = os.environ.get("RATELIMIT_VOTES_NEW_ACCOUNT", "30 per minute")
    RATELIMIT_FLAGS = os.environ.get("RATELIMIT_FLAGS", "20 per hour")
    RATELIMIT_FLAGS_NEW_ACCOUNT = os.environ.get("RATELIMIT_FLAGS_NEW_ACCOUNT", "5 per hour")
    RATELIMIT_JOINS = os.environ.get("RATELIMIT_JOINS", "20 per minute")
    RATELIMIT_JOINS_NEW_ACCOUNT = os.environ.get("RATELIMIT_JOINS_NEW_ACCOUNT", "10 per minute")
    # Member suggestions while an @mention is typed: a few per second of typing, per account.
    RATELIMIT_SUGGEST = os.environ.get("RATELIMIT_SUGGEST", "120 per minute")

    PASSWORD_RESET_TTL = timedelta(hours=1)
    # How long the unsubscribe link in an email works.
    UNSUBSCRIBE_LINK_DAYS = env_int("UNSUBSCRIBE_LINK_DAYS", 60)
    # How long authors may edit their own ideas and comments (moderators and staff always can).
    EDIT_WINDOW_MINUTES = env_int("EDIT_WINDOW_MINUTES", 30)
    # Flags from this many different members hide an item until a moderator reviews it.
    FLAG_HIDE_THRESHOLD = env_int("FLAG_HIDE_THRESHOLD", 3)

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")  # smtp | file
    MAIL_DIR = os.environ.get("MAIL_DIR", str(INSTANCE / "mail"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = env_int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL", False)
    MAIL_FROM = os.environ.get("MAIL_FROM", "Cocreate <no-reply@localhost>")
    OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
    # Webhooks refuse private, loopback and link-local targets unless this is on (a receiver
    # on the same host or network; the tests turn it on to deliver to a local receiver).
    WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", False)

    # Single sign-on (docs/sso.md). Any OpenID Connect provider, found by discovery at the issuer:
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "")
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
    OIDC_LABEL = os.environ.get("OIDC_LABEL", "Single sign-on")
    # Only addresses at these domains may sign in through it (empty: any).
    OIDC_ALLOWED_DOMAINS = env_list("OIDC_ALLOWED_DOMAINS")
    # Presets for GitHub and Google: set the pair to offer the button.
    GITHUB_CLIENT_ID = os.environ.get("GITHUB_CLIENT_ID", "")
    GITHUB_CLIENT_SECRET = os.environ.get("GITHUB_CLIENT_SECRET", "")
    GOOGLE_CLIENT_ID = os.environ.get("GOOGLE_CLIENT_ID", "")
    GOOGLE_CLIENT_SECRET = os.environ.get("GOOGLE_CLIENT_SECRET", "")
    # Addresses at these domains may not sign in with a password: they must use single sign-on.
    SSO_ONLY_DOMAINS = env_list("SSO_ONLY_DOMAINS")
    # The shared secret (at least 32 bytes) the company's app signs sign-in tokens with (/auth/sso).
    SSO_SECRET = os.environ.get("SSO_SECRET", "")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False  # the debugger would show stack traces; `flask run --debug` opts in
    # create_app() falls back to development_secret_key() when SECRET_KEY is unset.
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_SSL_STRICT = False
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "file")


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105 - fixed key for the test suite only
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_SSL_STRICT = False
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    # Every test renders through the fragment cache, as production does; tests/conftest.py gives
    # each test its own scopes folder, and this one is for apps made without it.
    CACHE_SCOPE_FOLDER = str(Path(tempfile.gettempdir()) / "cocreate-test-cache-scopes")
    REDIS_URL = None  # each test keeps its state in memory; tests/test_scale_out.py brings its own
    MAIL_BACKEND = "file"
    SERVER_NAME = None
    # Never the instance folder; tests that upload point it at their own tmp_path.
    UPLOAD_DIR = str(Path(tempfile.gettempdir()) / "cocreate-test-uploads")


class ProductionConfig(Config):
    ENV_NAME = "production"


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def config_from_env() -> type[Config]:
    """The configuration class named by COCREATE_ENV (development when unset)."""
    name = os.environ.get("COCREATE_ENV", "development").strip().lower()
    if name not in CONFIGS:
        raise RuntimeError(f"COCREATE_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
