"""The site's health: JSON for load balancers and monitors, a status page for people."""

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.api.openapi import API_VERSION
from app.extensions import db, limiter
from app.services import status as status_service

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})


@bp.get("/status")
def status():
    """The status page: is the database answering, is email going out, which version runs."""
    state = status_service.site_status()
    body = render_template("health/status.html", state=state, api_version=API_VERSION)
    return body, 200 if state.database_ok else 503
