"""Fixtures for the portal's tests; the shared ones (app, client, sample_content...) are in ../conftest.py."""

from __future__ import annotations

import pytest
from jinja2 import BytecodeCache


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
    for name in ("app", "csrf_app"):
        if name in request.fixturenames:
            request.getfixturevalue(name).jinja_env.bytecode_cache = COMPILED_TEMPLATES
