"""Import every model module so the metadata (and Alembic) sees all tables."""

from app.models.outbox import OutboxMessage
from app.models.user import ROLES, ApiToken, PasswordResetToken, User

__all__ = ["ROLES", "ApiToken", "OutboxMessage", "PasswordResetToken", "User"]
