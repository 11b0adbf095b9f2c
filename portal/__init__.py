"""The resident portal: the Flask application and the pages residents use.

`portal.db` and `portal.domain` are imported by knowledge_base and crm_bridge, so importing this package
must not pull in the application (which imports them back); the factory is loaded on first call."""

from __future__ import annotations


def create_app(test_config: dict | None = None):
    from .app import create_app as _create_app

    return _create_app(test_config)
