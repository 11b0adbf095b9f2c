"""Liveness (/healthz: the process answers, nothing else) and readiness (/readyz: the database answers, its
schema is at the migrations' head, Redis answers when configured), on SQLite and PostgreSQL.

The test fixtures make the schema with create_all, which leaves no Alembic version behind: readiness on
them says "not migrated", and the ready case runs the real migrations on an empty database of its own."""

from __future__ import annotations

import socket
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from portal import create_app
from portal.db import db
from portal.main.health import known_revisions, migration_heads
from tests.conftest import TEST_CONFIG

REDIS_URL = "redis://127.0.0.1:6379/0"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when this returns: nothing listens there


@pytest.fixture
def make_app(tmp_path, monkeypatch):
    """make_app(database_url, **config) -> an application on that database; engines disposed after."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    made = []

    def make(database_url: str, **config):
        made.append(create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **config}))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def migrated_database_url(_schema, tmp_path):
    """An empty database (a new SQLite file, or a new PostgreSQL schema) upgraded to head by Alembic."""
    if _schema.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
        cleanup = None
    else:
        schema = f"readyz_{uuid.uuid4().hex[:8]}"
        server = sa.create_engine(_schema.split("?")[0])
        with server.begin() as connection:
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
        url = f"{_schema.split('?')[0]}?options=-csearch_path%3D{schema}"
        cleanup = (server, schema)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    if cleanup:
        server, schema = cleanup
        with server.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        server.dispose()


def set_version(app, revision: str) -> None:
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision}
        )


def test_healthz_answers_without_asking_the_database(make_app):
    app = make_app(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/nowhere")

    response = app.test_client().get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_readyz_names_a_database_that_does_not_answer(make_app):
    app = make_app(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/nowhere")

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.get_json() == {
        "status": "not ready",
        "checks": {"database": "unreachable", "migrations": "unknown", "redis": "not configured"},
    }


def test_readyz_is_not_ready_on_a_schema_alembic_never_made(client):
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.get_json()["checks"] == {
        "database": "ok",
        "migrations": "not migrated",
        "redis": "not configured",
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_at_the_migrations_head(make_app, migrated_database_url):
    app = make_app(migrated_database_url)

    response = app.test_client().get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "redis": "not configured"},
    }


def test_readyz_is_not_ready_while_migrations_are_pending(make_app, migrated_database_url):
    app = make_app(migrated_database_url)
    older = sorted(
        known_revisions(app.extensions["migrate"].directory)
        - migration_heads(app.extensions["migrate"].directory)
    )[0]
    set_version(app, older)

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.get_json()["checks"]["migrations"] == "pending"


def test_readyz_stays_ready_on_a_database_a_newer_release_migrated(make_app, migrated_database_url):
    app = make_app(migrated_database_url)
    set_version(app, "a0a0a0a0a0a0")  # a revision this code does not know

    response = app.test_client().get("/readyz")

    assert response.status_code == 200
    assert response.get_json()["checks"]["migrations"] == "ahead"


def test_readyz_checks_redis_when_it_is_configured(make_app, migrated_database_url):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({error})")

    ready = make_app(migrated_database_url, REDIS_URL=REDIS_URL).test_client().get("/readyz")
    missing = make_app(migrated_database_url, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    not_ready = missing.test_client().get("/readyz")

    assert ready.status_code == 200
    assert ready.get_json()["checks"]["redis"] == "ok"
    assert not_ready.status_code == 503
    assert not_ready.get_json()["checks"] == {"database": "ok", "migrations": "ok", "redis": "unreachable"}


def test_probes_are_never_rate_limited(make_app, _schema):
    app = make_app(_schema, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()

    statuses = {client.get(path).status_code for path in ("/healthz", "/readyz") for _ in range(150)}

    assert 429 not in statuses
    assert "rate_limits" in app.extensions  # the limiter was on
