"""Posting, replying to, editing and deleting comments on ideas."""

from flask import Blueprint

bp = Blueprint("comments", __name__)
