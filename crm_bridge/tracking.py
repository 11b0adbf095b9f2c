"""Finding a case for the resident who made it: by its tracking token, or by reference and email together.
A reference alone never reveals a case."""

from __future__ import annotations

import hmac

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.db import db

from .models import Case, Customer

OPEN_STATUSES = ("new", "acknowledged", "in_progress", "waiting_for_customer")


def case_by_token(token: str) -> Case | None:
    if not token or len(token) > 64:
        return None
    query = sa.select(Case).where(Case.tracking_token == token).options(selectinload(Case.events))
    return db.session.scalar(query)


def case_by_reference_and_email(reference: str, email: str) -> Case | None:
    query = sa.select(Case).join(Customer).where(Case.reference == reference.strip().upper())
    case = db.session.scalar(query)
    if case is None or not case.customer.email:
        return None
    if not hmac.compare_digest(case.customer.email.lower(), email.strip().lower()):
        return None
    return case
