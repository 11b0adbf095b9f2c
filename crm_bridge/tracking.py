"""Finding a case for the resident who made it: by its tracking token, or by reference and email together.
A reference alone never reveals a case: a wrong reference and a wrong email get the same answer after the
same work (one query, one comparison), so neither the answer nor its timing tells whether a reference
exists. Tracking tokens are 256 random bits from `secrets` (crm_bridge.handoff); docs/rate-limits.md."""

from __future__ import annotations

import hmac

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.db import db

from .models import Case, Customer

OPEN_STATUSES = ("new", "acknowledged", "in_progress", "waiting_for_customer")
MAX_TOKEN = 64  # the column's width; tokens are 43 characters
# Compared with the email given when the reference has no email to compare with, so that case costs the same.
NO_EMAIL = "\x00no email on record\x00"


def case_by_token(token: str) -> Case | None:
    if not token or len(token) > MAX_TOKEN:
        return None
    query = sa.select(Case).where(Case.tracking_token == token).options(selectinload(Case.events))
    return db.session.scalar(query)


def case_by_reference_and_email(reference: str, email: str) -> Case | None:
    query = (
        sa.select(Case, Customer.email)
        .outerjoin(Customer, Case.customer_id == Customer.id)
        .where(Case.reference == reference.strip().upper())
    )
    row = db.session.execute(query).first()
    case, on_record = row if row is not None else (None, None)
    matches = _same_email(on_record or NO_EMAIL, email)
    return case if case is not None and on_record and matches else None


def _same_email(on_record: str, given: str) -> bool:
    """Case-insensitive, in constant time, for any characters (compare_digest takes only ASCII str)."""
    return hmac.compare_digest(on_record.lower().encode("utf-8"), given.strip().lower().encode("utf-8"))
