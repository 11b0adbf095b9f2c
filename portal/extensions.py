"""Extensions are created here unbound and bound to an application in create_app with init_app."""

from __future__ import annotations

from dataclasses import replace

from flask_babel import Babel
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers

from knowledge_base.search.engine import EngineConfig
from knowledge_base.search_service import KnowledgeBaseSearch

from .auth.access import login_manager
from .db import db

babel = Babel()
csrf = CSRFProtect()
migrate = Migrate()
wtforms_helpers = WTFormsHelpers()


class KnowledgeBaseSearchExtension:
    """Holds each application's search index (one per process), configured from the app's config."""

    def init_app(self, app) -> None:
        config = EngineConfig()
        if app.config.get("SEARCH_CONFIDENCE_THRESHOLD") is not None:
            config = replace(config, confidence_threshold=app.config["SEARCH_CONFIDENCE_THRESHOLD"])
        app.extensions["knowledge_base_search"] = KnowledgeBaseSearch(config)

    @staticmethod
    def service(app) -> KnowledgeBaseSearch:
        return app.extensions["knowledge_base_search"]


kb_search = KnowledgeBaseSearchExtension()

__all__ = ["babel", "csrf", "db", "kb_search", "login_manager", "migrate", "wtforms_helpers"]
