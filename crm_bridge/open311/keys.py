"""API keys for partner apps that POST Open311 requests.

A key is shown once, when it is made; only its SHA-256 hash is stored, so a copy of the database gives
no one a working key. A key is looked up by its hash (a random 256-bit key needs no slow hash)."""

from __future__ import annotations

import hashlib
import re
import secrets

import sqlalchemy as sa

from portal.db import db, utcnow

from ..models import Open311ApiKey

KEY_PREFIX = "o311_"
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,59}")


class ApiKeyError(ValueError):
    """A key cannot be made or revoked as asked (a bad or taken name, an unknown name)."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(name: str) -> str:
    """Make a key for a partner; returns the key itself, which is never stored and cannot be shown again."""
    if not NAME_PATTERN.fullmatch(name):
        raise ApiKeyError("a key's name is 1 to 60 lower-case letters, digits, '.', '_' or '-'")
    if find_key(name) is not None:
        raise ApiKeyError(f"there is already a key named {name!r}")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    db.session.add(Open311ApiKey(name=name, key_hash=hash_key(key)))
    db.session.commit()
    return key


def revoke_key(name: str) -> Open311ApiKey:
    api_key = find_key(name)
    if api_key is None:
        raise ApiKeyError(f"there is no key named {name!r}")
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        db.session.commit()
    return api_key


def check_key(key: str | None) -> Open311ApiKey | None:
    """The live (not revoked) key this is, else None."""
    if not key:
        return None
    return db.session.scalar(
        sa.select(Open311ApiKey).where(
            Open311ApiKey.key_hash == hash_key(key), Open311ApiKey.revoked_at.is_(None)
        )
    )


def find_key(name: str) -> Open311ApiKey | None:
    return db.session.scalar(sa.select(Open311ApiKey).where(Open311ApiKey.name == name))


def list_keys() -> list[Open311ApiKey]:
    return list(db.session.scalars(sa.select(Open311ApiKey).order_by(Open311ApiKey.name)))
