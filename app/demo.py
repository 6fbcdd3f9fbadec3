"""Demonstration content for `flask seed-demo`: built with the same service functions as the site."""

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager

from app.extensions import db
from app.services import accounts

DEMO_PASSWORD = "cocreate-demo"  # noqa: S105 - documented demo password, demo data only

DEMO_USERS = [
    ("admin@example.com", "Ada Admin", "admin"),
    ("pm@example.com", "Priya Product", "product_manager"),
    ("mod@example.com", "Mo Moderator", "moderator"),
    ("member@example.com", "Mia Member", "member"),
    ("sam@example.com", "Sam Rivera", "member"),
    ("lee@example.com", "Lee Chen", "member"),
    ("noor@example.com", "Noor Haddad", "member"),
    ("jonas@example.com", "Jonas Berg", "member"),
]

Progress = Callable[[Iterable, str], AbstractContextManager]


def seed(progress: Progress) -> None:
    """Create the demo accounts (later features add their content here)."""
    with progress(DEMO_USERS, "Creating demo accounts") as rows:
        for email, name, role in rows:
            accounts.register_user(email, name, DEMO_PASSWORD, role=role)
    db.session.commit()


def demo_logins() -> list[tuple[str, str]]:
    """(email, role) of the demo accounts that exist in this database."""
    return [(email, role) for email, _, role in DEMO_USERS if accounts.find_user_by_email(email) is not None]
