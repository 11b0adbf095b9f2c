"""Per-connection settings for the embedded database."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from .db import db


def configure_sqlite(app: Flask) -> None:
    """WAL lets readers and one writer work at once; SQLite enforces foreign keys only when asked."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
