"""The Flask application factory: configuration, extensions, blueprints and commands."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from . import config as portal_config
from . import request_logging, security
from .extensions import babel, csrf, db, kb_search, login_manager, migrate, wtforms_helpers
from .i18n import select_locale
from .json_provider import HtmlSafeJSONProvider
from .rate_limits import rate_limits
from .urls import TextSegment

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_PATH") or None)
    app.json = HtmlSafeJSONProvider(app)
    app.url_map.converters.update(default=TextSegment, string=TextSegment)  # before any route is added
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(portal_config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    request_logging.init_app(app)  # first: its request id is on every later hook's log lines
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(Path(__file__).parent / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    _init_extensions(app)
    _register_blueprints(app)
    rate_limits.init_app(app)  # after the blueprints: it wraps their views (docs/rate-limits.md)
    _register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    from . import all_models  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    wtforms_helpers.init_app(app)
    kb_search.init_app(app)
    security.init_app(app)
    from .database_setup import configure_sqlite

    configure_sqlite(app)


def _register_blueprints(app: Flask) -> None:
    from crm_bridge.open311.views import open311
    from kiosk.views import kiosk

    from .admin import admin
    from .articles.views import articles
    from .auth.views import auth
    from .chat.views import chat
    from .contacts import contacts
    from .customers import customers
    from .eforms.views import eforms
    from .errors import register_error_handlers
    from .kb_editor import kb_editor
    from .layout import register_layout
    from .main.views import main
    from .performance import performance
    from .reception import reception
    from .reports import reports
    from .satisfaction import satisfaction
    from .search.views import api, search
    from .tracking.views import tracking
    from .workbench import workbench

    for blueprint in (main, search, api, articles, chat, eforms, tracking, kiosk, performance, satisfaction):
        app.register_blueprint(blueprint)
    # staff: guard_staff_blueprint
    for blueprint in (auth, workbench, customers, contacts, kb_editor, admin, reception, reports):
        app.register_blueprint(blueprint)
    csrf.exempt(open311)  # partner apps authenticate with an api_key, not a session
    app.register_blueprint(open311)
    register_layout(app)
    register_error_handlers(app)


def _register_commands(app: Flask) -> None:
    from kiosk.visits import forget_old_check_ins

    app.extensions["retention_hooks"] = {"Kiosk check-ins forgotten": forget_old_check_ins}
    from crm_bridge.cli import crm_cli
    from knowledge_base.cli import kb_cli

    from .admin.cli import users_cli

    app.cli.add_command(kb_cli)
    app.cli.add_command(crm_cli)
    app.cli.add_command(users_cli)
