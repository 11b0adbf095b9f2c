"""The embedded database's per-connection settings."""

from __future__ import annotations

import sqlalchemy as sa

from portal import create_app
from portal.db import db


def test_sqlite_connections_get_wal_foreign_keys_and_a_larger_page_cache(tmp_path):
    url = f"sqlite:///{tmp_path / 'set-up.db'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLITE_CACHE_MB": 48,
            "SQLITE_BUSY_TIMEOUT_SECONDS": 12,
            "TESTING": True,
        }
    )
    with app.app_context(), db.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("cache_size") == -48 * 1024
        assert pragma("busy_timeout") == 12_000
        assert connection.scalar(sa.text("SELECT 1")) == 1
