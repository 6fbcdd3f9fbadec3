"""HTML blueprints, one module per feature."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from app.web import account, auth, health, main, users

    for module in (main, auth, account, users, health):
        app.register_blueprint(module.bp)
