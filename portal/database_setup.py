"""Per-connection settings for the embedded database."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from .db import db


def configure_sqlite(app: Flask) -> None:
    """WAL lets readers and one writer work at once; SQLite enforces foreign keys only when asked; a page
    cache of SQLITE_CACHE_MB (64 MB, against SQLite's 2 MB) keeps the reports' index scans in memory
    (docs/benchmarks.md: the year's dashboard at 1,000,000 contacts)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine
    cache_kib = int(app.config.get("SQLITE_CACHE_MB") or 64) * 1024
    # Several gunicorn workers write to one file: a writer waits for the lock rather than failing the
    # resident's request (the load benchmark saw 5 s run out on an overloaded machine).
    busy_ms = int(float(app.config.get("SQLITE_BUSY_TIMEOUT_SECONDS") or 15) * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms:d}")
        cursor.execute(f"PRAGMA cache_size=-{cache_kib:d}")  # negative: KiB, not pages
        cursor.close()
