"""HTML blueprints, one module per feature."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from app.web import account, admin, auth, comments, health, ideas, main, moderation, notifications, users

    for module in (main, auth, account, users, health, ideas, comments, notifications, moderation, admin):
        app.register_blueprint(module.bp)
