"""Create the PostgreSQL database DATABASE_URL names when it is missing (`make stack`); idempotent.

Connects to the server's `postgres` database as the same user. SQLite needs nothing: the file is made by
the first migration."""

from __future__ import annotations

import os
import sys

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


def ensure_database(url: str) -> bool:
    """True when the database was created, False when it was there already (or is not PostgreSQL)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgres"):
        return False
    server = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True, connect_timeout=5) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,))
        if found.fetchone() is not None:
            return False
        try:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parsed.database)))
        except psycopg.errors.DuplicateDatabase:  # made by another run between the look and the create
            return False
    return True


if __name__ == "__main__":
    if ensure_database(os.environ["DATABASE_URL"]):
        print(f"Created the database {make_url(os.environ['DATABASE_URL']).database}", file=sys.stderr)
