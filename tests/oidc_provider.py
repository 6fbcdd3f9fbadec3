"""A real OpenID Connect provider on loopback for the sign-in tests: oidc-provider-mock's app,
served by werkzeug on 127.0.0.1 in a thread.

Like a provider that misbehaves (or an attacker in the middle), it can be told to change the
next ID token it issues (`tamper`): another audience, nonce, issuer or expiry, re-signed with
its own key, or signed with a key that is not in its JWKS. It records the token requests, so a
test can check the PKCE verifier that came with them.
"""

import json
import threading
from collections.abc import Callable
from typing import Any

import flask
import oidc_provider_mock
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CALLBACK = "http://localhost/auth/oidc/oidc/callback"


class TestProvider:
    __test__ = False  # not a test class

    def __init__(self) -> None:
        self.app = oidc_provider_mock.app(require_nonce=True, require_client_registration=True)
        self.app.after_request(self._after)
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})
        self.tamper: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        self.foreign_key = False
        self.token_requests: list[dict[str, str]] = []
        # The status of each token answer, after any change: a refusal must come from our checks,
        # not from a provider that failed.
        self.token_answers: list[int] = []

    def start(self) -> "TestProvider":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)
        self.server.server_close()

    def register_client(self, redirect_uri: str = CALLBACK) -> tuple[str, str]:
        """A client registered for our callback; returns its id and secret."""
        answer = requests.post(
            f"{self.url}/oauth2/clients", json={"redirect_uris": [redirect_uri]}, timeout=10
        )
        answer.raise_for_status()
        body = answer.json()
        return body["client_id"], body["client_secret"]

    def set_user(self, sub: str, **claims: Any) -> None:
        requests.put(f"{self.url}/users/{sub}", json=claims, timeout=10).raise_for_status()

    def approve(self, authorize_url: str, sub: str) -> str:
        """Submit the provider's page as the person `sub`; returns where it sends the browser."""
        answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]

    def deny(self, authorize_url: str) -> str:
        answer = requests.post(authorize_url, data={"action": "deny"}, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]

    def _after(self, response: flask.Response) -> flask.Response:
        if flask.request.path != "/oauth2/token":
            return response
        self.token_requests.append(flask.request.form.to_dict())
        if response.status_code == 200 and (self.tamper is not None or self.foreign_key):
            response = self._change(response)
        self.token_answers.append(response.status_code)
        return response

    def _change(self, response: flask.Response) -> flask.Response:
        body = json.loads(response.get_data())
        # The provider keeps its key as an Authlib key; joserfc takes it from its JWK form.
        own_key = RSAKey.import_key(flask.g.oidc_provider_mock_storage.jwk.as_dict(is_private=True))
        token = jwt.decode(body["id_token"], own_key)
        claims = dict(token.claims)
        if self.tamper is not None:
            claims = self.tamper(claims)
        key = own_key
        if self.foreign_key:
            # Same key id, another key: the signature cannot be checked with the provider's JWKS.
            key = RSAKey.generate_key(2048, parameters={"kid": own_key.kid}, private=True)
        body["id_token"] = jwt.encode(dict(token.header), claims, key)
        response.set_data(json.dumps(body))
        return response
