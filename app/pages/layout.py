"""What the layout around every page shows of the database: the header's counts."""

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from app.permissions import can
from app.services import moderation, notifications

log = logging.getLogger(__name__)


@dataclass
class Layout:
    # None for visitors, and when the count cannot be read.
    unread_notifications: int | None
    # None unless the viewer sees the moderation queue in the navigation.
    moderation_waiting: int | None


def page_layout(actor: Any) -> Layout:
    """The header's unread count and items waiting for review, in at most two queries.

    A page renders even when a count cannot be read: an error page while the database is away
    must still show its header.
    """
    unread = None
    if actor.is_authenticated:
        try:
            unread = notifications.unread_count(actor)
        except SQLAlchemyError:
            log.exception("Could not count unread notifications")
    waiting = None
    if can(actor, "moderation.access"):
        try:
            waiting = moderation.waiting_count(actor)
        except SQLAlchemyError:
            log.exception("Could not count the items waiting for review")
    return Layout(unread_notifications=unread, moderation_waiting=waiting)
