"""Fixtures for the portal's tests; the shared ones (app, client, sample_content...) are in ../conftest.py."""

from __future__ import annotations

import pytest
from jinja2 import BytecodeCache

from portal import create_app
from portal.db import db


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept for the session: every test makes a new app, whose templates are the same.
    Jinja keys the cache on each template's source, so an edited template is compiled afresh."""

    def __init__(self):
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self._compiled:
            bucket.bytecode_from_string(self._compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = MemoryBytecodeCache()


@pytest.fixture(autouse=True)
def _reuse_compiled_templates(request):
    """Only for tests that use an app: the autouse must not pull `app` (and a database) into the others."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").jinja_env.bytecode_cache = COMPILED_TEMPLATES


@pytest.fixture
def csrf_app(app):
    """The application as residents meet it, with CSRF protection on, over the same database as `app`."""
    protected = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": True,
            "SERVER_NAME": "localhost",
        }
    )
    protected.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    yield protected
    with protected.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def csrf_client(csrf_app):
    return csrf_app.test_client()
