"""The single sign-on providers this site offers, and their Authlib clients.

Which providers exist follows the configuration (docs/sso.md): the generic OpenID Connect
provider ("oidc", found by discovery at OIDC_ISSUER), Google (OpenID Connect too) and GitHub
(plain OAuth 2.0 with its user API). Authlib does the protocol: the authorization code flow
with PKCE (S256), state and nonce, and the ID token's checks (JWKS signature, issuer, audience,
expiry, nonce). This module only says who the person is from what Authlib returns.
"""

from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import JoseError

from app import labels

# The network faults and protocol refusals a sign-in can meet; each becomes a plain message.
SIGN_IN_FAULTS = (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError, TypeError)

GOOGLE_ISSUER = "https://accounts.google.com"
GITHUB_API = "https://api.github.com/"
# How long one call to a provider may take before the sign-in is given up.
TIMEOUT_SECONDS = 10
# Seconds of clock difference allowed on the ID token's times.
LEEWAY_SECONDS = 60


@dataclass(frozen=True)
class Provider:
    key: str  # in URLs and on identities: "oidc", "google", "github"
    label: str  # on buttons and in messages: "Okta", "Google", "GitHub"
    openid: bool  # OpenID Connect (an ID token) or GitHub's plain OAuth 2.0
    allowed_domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Person:
    """Who the provider says signed in."""

    subject: str
    email: str | None
    name: str | None
    email_verified: bool


def providers(app: Flask | None = None) -> list[Provider]:
    """The configured providers, in the order their buttons show."""
    config = (app or current_app).config
    found = []
    if config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID") and config.get("OIDC_CLIENT_SECRET"):
        found.append(
            Provider(
                "oidc",
                config.get("OIDC_LABEL") or "Single sign-on",
                True,
                tuple(config.get("OIDC_ALLOWED_DOMAINS") or ()),
            )
        )
    if config.get("GOOGLE_CLIENT_ID") and config.get("GOOGLE_CLIENT_SECRET"):
        found.append(Provider("google", "Google", True))
    if config.get("GITHUB_CLIENT_ID") and config.get("GITHUB_CLIENT_SECRET"):
        found.append(Provider("github", "GitHub", False))
    return found


def provider_labels() -> dict[str, str]:
    """Each identity provider's name as people read it."""
    known = {key: labels.label("identity_provider", key) for key in labels.keys("identity_provider")}
    return {**known, **{found.key: found.label for found in providers()}}


def provider(key: str) -> Provider | None:
    return next((found for found in providers() if found.key == key), None)


def _registration(key: str) -> dict[str, Any]:
    config = current_app.config
    common = {"client_kwargs": {"code_challenge_method": "S256", "default_timeout": TIMEOUT_SECONDS}}
    if key == "oidc":
        issuer = config["OIDC_ISSUER"].rstrip("/")
        return {
            **common,
            "client_id": config["OIDC_CLIENT_ID"],
            "client_secret": config["OIDC_CLIENT_SECRET"],
            "server_metadata_url": f"{issuer}/.well-known/openid-configuration",
            "client_kwargs": {**common["client_kwargs"], "scope": "openid email profile"},
        }
    if key == "google":
        return {
            **common,
            "client_id": config["GOOGLE_CLIENT_ID"],
            "client_secret": config["GOOGLE_CLIENT_SECRET"],
            "server_metadata_url": f"{GOOGLE_ISSUER}/.well-known/openid-configuration",
            "client_kwargs": {**common["client_kwargs"], "scope": "openid email profile"},
        }
    return {
        **common,
        "client_id": config["GITHUB_CLIENT_ID"],
        "client_secret": config["GITHUB_CLIENT_SECRET"],
        "access_token_url": "https://github.com/login/oauth/access_token",
        "authorize_url": "https://github.com/login/oauth/authorize",
        "api_base_url": GITHUB_API,
        "client_kwargs": {**common["client_kwargs"], "scope": "read:user user:email"},
    }


def client(key: str):
    """The Authlib client for a configured provider, registered on first use in this app."""
    oauth = current_app.extensions.get("cocreate_oauth")
    if oauth is None:
        oauth = current_app.extensions["cocreate_oauth"] = OAuth(current_app)
    existing = oauth.create_client(key)
    if existing is not None:
        return existing
    return oauth.register(key, **_registration(key))


def authorize_redirect(found: Provider, redirect_uri: str):
    """Send the browser to the provider; Authlib keeps state, nonce and the PKCE verifier."""
    return client(found.key).authorize_redirect(redirect_uri)


def person_from_callback(found: Provider) -> Person:
    """Finish the flow on the callback: Authlib checks state, swaps the code (with the PKCE
    verifier) and verifies the ID token; raises one of SIGN_IN_FAULTS when anything is wrong."""
    oauth_client = client(found.key)
    options = _claims_options(found, oauth_client) if found.openid else None
    token = oauth_client.authorize_access_token(leeway=LEEWAY_SECONDS, claims_options=options)
    if found.openid:
        claims = token.get("userinfo")
        if not claims:
            raise ValueError("the provider sent no ID token")
        return Person(
            subject=str(claims["sub"]),
            email=claims.get("email"),
            name=claims.get("name") or claims.get("preferred_username"),
            email_verified=claims.get("email_verified") is True,
        )
    return github_person(
        oauth_client.get("user", token=token).json(), oauth_client.get("user/emails", token=token).json()
    )


def _issuer(found: Provider) -> str:
    if found.key == "google":
        return GOOGLE_ISSUER
    return current_app.config["OIDC_ISSUER"].rstrip("/")


def _claims_options(found: Provider, oauth_client) -> dict[str, dict[str, Any]]:
    """What the ID token's claims must be, besides the signature and the nonce.

    Left to itself, Authlib checks the audience only through `azp` (a token made for another
    client that names us there would pass), and given any options it drops its own issuer
    check; so the issuer, the audience, the expiry and the subject are all made exact here.
    """
    issuer = oauth_client.load_server_metadata().get("issuer")
    if not issuer or issuer.rstrip("/") != _issuer(found):
        # Discovery names another issuer than the one configured: trust neither.
        raise ValueError(f"discovery names the issuer {issuer!r}")
    return {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": oauth_client.client_id},
        "exp": {"essential": True},
        "sub": {"essential": True},
        "nonce": {"essential": True},
    }


def github_person(user: dict[str, Any], emails: list[dict[str, Any]]) -> Person:
    """A GitHub account from its /user and /user/emails answers: the primary address, verified
    only when GitHub says so."""
    if not isinstance(user, dict) or "id" not in user:
        raise ValueError("GitHub did not say who signed in")
    primary = (
        next(
            (item for item in emails if isinstance(item, dict) and item.get("primary")),
            None,
        )
        if isinstance(emails, list)
        else None
    )
    return Person(
        subject=str(user["id"]),
        email=primary.get("email") if primary else user.get("email"),
        name=user.get("name") or user.get("login"),
        email_verified=bool(primary and primary.get("verified") is True),
    )


def domain_allowed(found: Provider, email: str | None) -> bool:
    """Whether the address is at one of the provider's allowed domains (any, when none are set)."""
    if not found.allowed_domains:
        return True
    domain = (email or "").rsplit("@", 1)[-1].strip().lower()
    return bool(email) and "@" in email and domain in found.allowed_domains


def password_refused(email: str | None) -> bool:
    """Whether the address is at a domain that must sign in with single sign-on (SSO_ONLY_DOMAINS)."""
    domains = current_app.config.get("SSO_ONLY_DOMAINS") or ()
    if not email or "@" not in email:
        return False
    return email.rsplit("@", 1)[-1].strip().lower() in domains
