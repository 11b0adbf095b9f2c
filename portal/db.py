"""The shared database setup: the one SQLAlchemy object every package's models use.

Kept free of Flask's request machinery so knowledge_base and crm_bridge may import it (and nothing else
of the portal but portal.domain)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    """Timestamps are stored in UTC without a zone, the same on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)
