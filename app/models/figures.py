"""Figures computed by the worker for staff pages, with the moment they were computed."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow


class StoredFigures(db.Model):
    """One page's figures (say, "insights") as of `computed_at`; see app/services/aggregates.py."""

    __tablename__ = "stored_figures"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    data: Mapped[Any] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
