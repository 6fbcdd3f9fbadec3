"""Plain factory functions that write straight to the database."""

import itertools
from functools import cache

from app.extensions import db
from app.models.base import utcnow
from app.models.user import User
from app.passwords import hash_password

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


@cache
def _password_hash() -> str:
    # Hashing with argon2 takes a while; every factory user shares one hash of PASSWORD.
    return hash_password(PASSWORD)


def make_user(
    role: str = "member",
    email: str | None = None,
    name: str | None = None,
    commit: bool = True,
    username: str | None = None,
) -> User:
    number = next(_numbers)
    user = User(
        email=(email or f"user{number}@example.com").lower(),
        display_name=name or f"User {number}",
        username=username or f"user{number}",
        password_hash=_password_hash(),
        role=role,
        email_verified_at=utcnow(),
    )
    db.session.add(user)
    if commit:
        db.session.commit()
    return user


def make_idea(
    author: User | None = None,
    title: str = "Export reports to CSV",
    body: str = "So finance can use them.",
    category: str | None = None,
):
    """An idea proposed through the service (with its author's vote and follow), committed."""
    from app.services.ideas import create_idea

    idea = create_idea(author or make_user(), title, body, category)
    db.session.commit()
    return idea


class ApiCaller:
    """A user with an API token, and the headers that carry it."""

    def __init__(self, role: str = "member", name: str | None = None):
        from app.services import api_tokens

        self.user = make_user(role, name=name)
        _, plain = api_tokens.create_token(self.user, self.user, "Tests")
        db.session.commit()
        self.id = self.user.id
        self.token = plain
        self.headers = {"Authorization": f"Bearer {plain}"}
