"""Cocreate: a community site for customer co-creation."""

import logging
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

ROOT = Path(__file__).resolve().parent.parent


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route: numbers past a database integer match no route (404), not a crash."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config_class: type | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, errors and CLI."""
    from config import INSTANCE, config_from_env, development_secret_key

    config_class = config_class or config_from_env()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE),
    )
    # Before any blueprint is registered, so every <int:...> rule uses it.
    app.url_map.converters["int"] = DatabaseIdConverter
    app.config.from_object(config_class)
    if not app.config.get("SECRET_KEY"):
        if app.config["ENV_NAME"] != "development":
            raise RuntimeError("SECRET_KEY must be set outside development (see README: Configuration).")
        app.config["SECRET_KEY"] = development_secret_key()
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    from app import cli, database, edges, errors, fragments, pagecache, security, styles, templating
    from app.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    database.configure(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=database.render_migration_item,
        include_object=database.include_in_migrations,
        include_name=database.include_name_in_migrations,
    )
    edges.init_app(app)  # refuses hostile input before CSRF, limits and tokens look at it
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    styles.init_app(app)
    fragments.init_app(app)
    pagecache.init_app(app)
    errors.register_error_handlers(app)
    cli.register(app)

    from app import api, web

    csrf.exempt(api.bp)
    for blueprint in (api.bp, *web.blueprints()):
        app.register_blueprint(blueprint)
    from app.web import layout

    layout.init_app(app)
    from app import ratelimits

    ratelimits.init_app(app)  # wraps registered views, so it comes after every blueprint
    return app
