"""Readiness for a load balancer (docs/deployment.md): may this process be sent residents now?

Ready means the database answers, its schema is at (or past) the migrations this code knows, and Redis
answers when REDIS_URL is set. A database ahead of the code counts as ready: during a deploy the
migrations run first (and are written to keep the previous release working), so the previous release
keeps serving until it is replaced. A database behind the code is not ready: this release would query
tables or columns that are not there yet."""

from __future__ import annotations

import functools
import logging

import sqlalchemy as sa
from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

OK = "ok"
VERSION_TABLE = "alembic_version"  # Alembic's default, which migrations/env.py keeps
REDIS_TIMEOUT_SECONDS = 1.0


@functools.cache
def migration_heads(migrations_dir: str) -> frozenset[str]:
    """The head revisions of the migrations shipped with this code (read once per process)."""
    return frozenset(ScriptDirectory(migrations_dir).get_heads())


@functools.cache
def known_revisions(migrations_dir: str) -> frozenset[str]:
    return frozenset(script.revision for script in ScriptDirectory(migrations_dir).walk_revisions())


def schema_state(connection: sa.Connection, migrations_dir: str) -> str:
    """ok, "ahead" (a revision this code does not know: a newer release migrated it; still ready),
    "not migrated" (no Alembic version: `flask db upgrade` never ran) or "pending" (behind the code)."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return "not migrated"
    version = sa.select(sa.column("version_num")).select_from(sa.table(VERSION_TABLE))
    current = frozenset(connection.scalars(version))
    if not current:
        return "not migrated"
    if current == migration_heads(migrations_dir):
        return OK
    if not current <= known_revisions(migrations_dir):
        return "ahead"
    return "pending"


def database_checks(engine: sa.Engine, migrations_dir: str) -> dict[str, str]:
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            return {"database": OK, "migrations": schema_state(connection, migrations_dir)}
    except sa.exc.SQLAlchemyError as error:
        log.warning("readiness: the database check failed: %s", type(error).__name__, exc_info=True)
        return {"database": "unreachable", "migrations": "unknown"}


def redis_check(client) -> str:
    import redis

    try:
        client.ping()
    except redis.RedisError as error:
        log.warning("readiness: Redis did not answer: %s", type(error).__name__)
        return "unreachable"
    return OK


def redis_client(url: str):
    import redis

    return redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )


READY_STATES = frozenset({OK, "ahead", "not configured"})


def readiness(engine: sa.Engine, migrations_dir: str, redis=None) -> dict[str, str]:
    """Each dependency and its state; `redis` is a client, or None when REDIS_URL is not set."""
    checks = database_checks(engine, migrations_dir)
    checks["redis"] = redis_check(redis) if redis is not None else "not configured"
    return checks


def is_ready(checks: dict[str, str]) -> bool:
    return all(state in READY_STATES for state in checks.values())
