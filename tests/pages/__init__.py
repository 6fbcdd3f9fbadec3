from typing import Any


def signed_in(user: Any) -> None:
    """Load `user` as a request's sign-in check does, so a page's query count leaves it out."""
    getattr(user, "role", None)
