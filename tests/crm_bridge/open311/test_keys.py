"""API keys: shown once, stored as a SHA-256 hash, revocable; and `flask crm api-keys`."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from crm_bridge.models import Open311ApiKey
from crm_bridge.open311 import keys
from portal.db import db


def test_a_new_key_works_and_only_its_hash_is_stored(app):
    key = keys.create_key("fixmystreet")
    stored = db.session.scalar(sa.select(Open311ApiKey))
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in (stored.name, stored.key_hash)
    assert keys.check_key(key).name == "fixmystreet"


def test_keys_are_unguessable_and_different(app):
    first, second = keys.create_key("one"), keys.create_key("two")
    assert first != second
    assert len(first) >= 40


@pytest.mark.parametrize("attempt", [None, "", "o311_wrong", "fixmystreet"])
def test_a_missing_or_unknown_key_is_refused(app, attempt):
    keys.create_key("fixmystreet")
    assert keys.check_key(attempt) is None


def test_a_revoked_key_stops_working(app):
    key = keys.create_key("fixmystreet")
    keys.revoke_key("fixmystreet")
    assert keys.check_key(key) is None
    assert keys.find_key("fixmystreet").revoked_at is not None


@pytest.mark.parametrize("name", ["", "Has Spaces", "-dash-first", "x" * 61])
def test_a_bad_name_is_refused(app, name):
    with pytest.raises(keys.ApiKeyError):
        keys.create_key(name)


def test_a_name_is_used_once(app):
    keys.create_key("fixmystreet")
    with pytest.raises(keys.ApiKeyError, match="already"):
        keys.create_key("fixmystreet")


def test_revoking_an_unknown_name_is_refused(app):
    with pytest.raises(keys.ApiKeyError, match="no key"):
        keys.revoke_key("nobody")


def test_cli_creates_lists_and_revokes(runner):
    created = runner.invoke(args=["crm", "api-keys", "create", "fixmystreet"])
    assert created.exit_code == 0, created.output
    key = created.output.strip().splitlines()[-1]
    assert keys.check_key(key).name == "fixmystreet"

    listed = runner.invoke(args=["crm", "api-keys", "list"])
    assert "fixmystreet" in listed.output
    assert "active" in listed.output
    assert key not in listed.output

    revoked = runner.invoke(args=["crm", "api-keys", "revoke", "fixmystreet"])
    assert revoked.exit_code == 0
    assert keys.check_key(key) is None
    assert "revoked" in runner.invoke(args=["crm", "api-keys", "list"]).output


def test_cli_reports_mistakes_without_a_traceback(runner):
    runner.invoke(args=["crm", "api-keys", "create", "fixmystreet"])
    again = runner.invoke(args=["crm", "api-keys", "create", "fixmystreet"])
    unknown = runner.invoke(args=["crm", "api-keys", "revoke", "nobody"])
    assert (again.exit_code, unknown.exit_code) == (1, 1)
    assert "already" in again.output
    assert "no key" in unknown.output


def test_cli_list_with_no_keys(runner):
    assert "No API keys." in runner.invoke(args=["crm", "api-keys", "list"]).output
