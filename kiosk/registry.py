"""Registering kiosks and recognising them: no Flask request machinery here.

An admin registers a kiosk and gets a one-time enrolment code (valid for a day). Opening the enrolment
address on the device exchanges the code for a device token, which the device keeps in a cookie; the
database keeps only hashes of both. Revoking a kiosk makes its token worthless at once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from crm_bridge.audit import audit
from portal.db import db, utcnow

from .models import Kiosk

ENROLMENT_VALID_FOR = timedelta(hours=24)


class KioskError(ValueError):
    """A kiosk cannot be registered, enrolled or changed as asked; the message says why."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def register_kiosk(name: str, location: str, actor) -> tuple[Kiosk, str]:
    """A new kiosk and its one-time enrolment code (shown to the admin once, never stored)."""
    name = (name or "").strip()
    if not name:
        raise KioskError("Enter a name for the kiosk")
    if db.session.scalar(sa.select(Kiosk).where(sa.func.lower(Kiosk.name) == name.lower())):
        raise KioskError("A kiosk with this name already exists")
    kiosk = Kiosk(name=name, location=(location or "").strip(), created_by_id=getattr(actor, "id", None))
    code = _new_enrolment(kiosk)
    db.session.add(kiosk)
    db.session.flush()
    audit(actor, "create", "kiosk", kiosk.id)
    db.session.commit()
    return kiosk, code


def renew_enrolment(kiosk: Kiosk, actor) -> str:
    """A new enrolment code, e.g. for a replaced device; the old device token stops working."""
    code = _new_enrolment(kiosk)
    kiosk.token_hash = None
    kiosk.revoked_at = None
    audit(actor, "update", "kiosk", kiosk.id, change="enrolment")
    db.session.commit()
    return code


def revoke_kiosk(kiosk: Kiosk, actor) -> None:
    kiosk.revoked_at = utcnow()
    kiosk.token_hash = None
    kiosk.enrolment_code_hash = None
    audit(actor, "update", "kiosk", kiosk.id, change="revoked")
    db.session.commit()


def enrol_device(code: str) -> tuple[Kiosk, str] | None:
    """The kiosk whose unexpired enrolment code this is, and its new device token; None otherwise."""
    if not code:
        return None
    kiosk = db.session.scalar(sa.select(Kiosk).where(Kiosk.enrolment_code_hash == _digest(code)))
    if kiosk is None or kiosk.enrolment_expires_at is None or kiosk.enrolment_expires_at < utcnow():
        return None
    token = secrets.token_urlsafe(32)
    kiosk.token_hash = _digest(token)
    kiosk.enrolment_code_hash = None
    kiosk.enrolment_expires_at = None
    kiosk.enrolled_at = utcnow()
    audit(None, "update", "kiosk", kiosk.id, change="enrolled")
    db.session.commit()
    return kiosk, token


def kiosk_for_token(token: str | None) -> Kiosk | None:
    if not token:
        return None
    kiosk = db.session.scalar(sa.select(Kiosk).where(Kiosk.token_hash == _digest(token)))
    return kiosk if kiosk is not None and kiosk.active else None


def list_kiosks() -> list[Kiosk]:
    return list(db.session.scalars(sa.select(Kiosk).order_by(Kiosk.name)))


def _new_enrolment(kiosk: Kiosk) -> str:
    code = secrets.token_urlsafe(18)
    kiosk.enrolment_code_hash = _digest(code)
    kiosk.enrolment_expires_at = utcnow() + ENROLMENT_VALID_FOR
    return code
