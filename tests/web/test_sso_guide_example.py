"""The Python example in docs/sso.md makes a link that really signs a customer in."""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from app.extensions import db
from app.models.user import User

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "sso.md"
SECRET = "k" * 48


def python_example() -> str:
    return re.search(r"```python\n(.*?)```", GUIDE.read_text(), re.S).group(1)


def test_the_guides_python_example_signs_the_customer_in(app, client):
    app.config["SSO_SECRET"] = SECRET
    env = {**os.environ, "SSO_SECRET": SECRET, "SITE": "http://127.0.0.1:5000/"}
    done = subprocess.run(  # noqa: S603 - our own interpreter running the guide's example
        [sys.executable, "-c", python_example()],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    url = urlsplit(done.stdout.strip())
    assert (url.scheme, url.netloc, url.path) == ("http", "127.0.0.1:5000", "/auth/sso")
    response = client.get(f"{url.path}?{url.query}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/ideas/"
    user = db.session.scalar(select(User))
    assert (user.email, user.display_name) == ("ada@example.com", "Ada Lovelace")
    # The example's token carries a jti: the same link does not work twice.
    assert client.application.test_client().get(f"{url.path}?{url.query}").status_code == 400
