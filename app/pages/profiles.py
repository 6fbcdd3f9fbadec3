"""A member's profile page."""

from typing import Any

from app.services import profiles as profile_service
from app.services.profiles import Profile


def profile_page(actor: Any, user_id: int) -> Profile:
    """Everything the profile page shows: the member, their ideas, comments and counts."""
    return profile_service.profile_page(actor, user_id)
