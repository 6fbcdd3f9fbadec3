"""Import every model module so the metadata (and Alembic) sees all tables."""

from app.models.board import Board, BoardDomain, BoardMember, BoardSegment
from app.models.comment import Comment
from app.models.figures import StoredFigures
from app.models.idea import Category, Idea, IdeaFollow, IdeaImage, IdeaStatusChange, IdeaVote, IdeaVoteDay
from app.models.idempotency import IdempotencyKey
from app.models.identity import Identity, SsoTokenUse
from app.models.launch import Launch, LaunchAssumption, LaunchIdea, LaunchParticipant, LaunchPrototype
from app.models.moderation import AuditEntry, Flag, IdeaMerge, MergedVote
from app.models.notification import Notification
from app.models.outbox import OutboxMessage
from app.models.prototype import Prototype, PrototypeIdea, PrototypeImage, PrototypeLink, PrototypeVote
from app.models.roadmap import RoadmapDemand, RoadmapIdea, RoadmapItem
from app.models.round import FeedbackRound, RoundAnswer, RoundQuestion, RoundResponse
from app.models.search import FTS_TABLE
from app.models.segment import Segment, UserSegment
from app.models.setting import SiteSetting
from app.models.user import ROLES, ApiToken, PasswordResetToken, User, UserSession
from app.models.webhook import Webhook, WebhookDelivery

__all__ = [
    "Board",
    "BoardDomain",
    "BoardMember",
    "BoardSegment",
    "FTS_TABLE",
    "ROLES",
    "ApiToken",
    "AuditEntry",
    "FeedbackRound",
    "Flag",
    "IdeaMerge",
    "Launch",
    "LaunchAssumption",
    "LaunchIdea",
    "LaunchParticipant",
    "LaunchPrototype",
    "MergedVote",
    "Segment",
    "SiteSetting",
    "StoredFigures",
    "Category",
    "Comment",
    "Idea",
    "IdeaFollow",
    "IdeaImage",
    "IdeaStatusChange",
    "IdeaVote",
    "IdeaVoteDay",
    "IdempotencyKey",
    "Identity",
    "SsoTokenUse",
    "Notification",
    "OutboxMessage",
    "PasswordResetToken",
    "Prototype",
    "PrototypeIdea",
    "PrototypeImage",
    "PrototypeLink",
    "PrototypeVote",
    "RoadmapDemand",
    "RoadmapIdea",
    "RoadmapItem",
    "RoundAnswer",
    "RoundQuestion",
    "RoundResponse",
    "User",
    "UserSegment",
    "UserSession",
    "Webhook",
    "WebhookDelivery",
]
