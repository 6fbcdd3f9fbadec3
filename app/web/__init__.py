"""HTML blueprints, one module per feature."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from app.web import account, admin, auth, comments, health, ideas, main, moderation, notifications, users

    for module in (main, auth, account, users, health, ideas, comments, notifications, moderation, admin):
        app.register_blueprint(module.bp)
    from app.web.prototypes import bp as prototypes_bp

    app.register_blueprint(prototypes_bp)
    from app.web.rounds import bp as rounds_bp

    app.register_blueprint(rounds_bp)
    from app.web.launches import bp as launches_bp

    app.register_blueprint(launches_bp)
    from app.web.roadmap import bp as roadmap_bp

    app.register_blueprint(roadmap_bp)
    from app.web.segments import bp as segments_bp
    from app.web.staff import bp as staff_bp

    app.register_blueprint(staff_bp)
    app.register_blueprint(segments_bp)
    from app.web.webhooks import bp as webhooks_bp

    app.register_blueprint(webhooks_bp)
    from app.web import layout

    layout.init_app(app)
