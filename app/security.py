"""Security baseline: response headers, session loading and sign-in settings."""

from flask import Flask, Response, request

from app.extensions import login_manager

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.path.startswith("/api/") or response.mimetype == "text/html":
        # Pages differ per viewer; keep them out of shared caches.
        headers.setdefault(
            "Cache-Control", "no-store" if request.path.startswith("/api/") else "private, no-cache"
        )
    return response


@login_manager.user_loader
def _load_user(session_key: str):
    """The user whose server-side session the cookie's key opens (app/services/sessions.py)."""
    from app.extensions import db
    from app.services import sessions

    user = sessions.user_for_key(session_key)
    if user is not None and sessions.touch_if_stale(user.current_session):
        db.session.commit()
    return user


def init_app(app: Flask) -> None:
    app.after_request(_security_headers)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
