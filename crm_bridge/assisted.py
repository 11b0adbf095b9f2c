"""Assisted contacts: advisors log phone, face-to-face, email and post contacts in seconds, or hand them
off as cases through the one hand-off, so every channel is counted in the same contact table.

No Flask request machinery: the acting member of staff is an argument, and each action writes its audit
row in the same transaction as the change. Audit details hold codes and ids, never a resident's details."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, time

import sqlalchemy as sa

from portal.db import db, utcnow
from portal.domain import ASSISTED_CHANNELS, INTERACTION_TYPES, LANGUAGES, SERVICE_GROUPS

from .audit import audit
from .contacts import record_contact
from .handoff import (
    CustomerDetails,
    HandOffSettings,
    Submission,
    find_by_submission_key,
    hand_off,
    match_customer,
    normalise_phone,
)
from .models import AVOIDABLE_REASONS, Case, Contact, Customer
from .staff.models import StaffUser
from .working_days import UK_TIME

SEARCH_LIMIT = 10


class AssistedContactError(ValueError):
    """A caller's mistake: a code outside the shared vocabulary, or a customer that cannot be used."""


@dataclass(frozen=True)
class AssistedContact:
    """What an advisor records about one interaction. customer_id picks an existing record; otherwise
    customer (details given) is matched on email or phone, or a new record is made."""

    channel: str
    service_group: str
    interaction_type: str
    resolved: bool
    avoidable_reason: str | None = None
    summary: str = ""
    lang: str = "en"
    customer_id: int | None = None
    customer: CustomerDetails | None = None
    started_at: datetime | None = None


def log_assisted_contact(details: AssistedContact, actor: StaffUser) -> Contact:
    """Records the contact (logged by the actor), audits it and commits."""
    _check_codes(details)
    if details.service_group not in SERVICE_GROUPS:
        raise AssistedContactError(f"unknown service group {details.service_group!r}")
    if details.interaction_type not in INTERACTION_TYPES:
        raise AssistedContactError(f"unknown interaction type {details.interaction_type!r}")
    customer, how = _customer_for(details)
    contact = record_contact(
        details.channel,
        details.interaction_type,
        details.lang,
        resolved_at_first_point=details.resolved,
        service_group=details.service_group,
        started_at=details.started_at,
        summary=details.summary,
        customer=customer,
        avoidable=details.avoidable_reason is not None,
        avoidable_reason=details.avoidable_reason,
        logged_by_id=actor.id,
    )
    db.session.flush()
    audit(
        actor,
        "create",
        "contact",
        contact.id,
        channel=details.channel,
        service_group=details.service_group,
        resolved=details.resolved,
        avoidable_reason=details.avoidable_reason,
        customer_id=customer.id if customer else None,
        customer=how,
    )
    db.session.commit()
    return contact


def hand_off_assisted(
    submission: Submission, actor: StaffUser, settings: HandOffSettings | None = None
) -> Case:
    """An advisor hands a contact off as a case: the one hand-off makes the case and its one contact,
    with the assisted channel kept and the advisor as the one who logged it. Audited once per case."""
    if submission.channel not in ASSISTED_CHANNELS:
        raise AssistedContactError(f"not an assisted channel: {submission.channel!r}")
    if submission.avoidable_reason is not None and submission.avoidable_reason not in AVOIDABLE_REASONS:
        raise AssistedContactError(f"unknown avoidable reason {submission.avoidable_reason!r}")
    submission = dataclasses.replace(submission, logged_by_id=actor.id)
    already = find_by_submission_key(submission.submission_key)
    case = hand_off(submission, settings)
    if already is None:
        audit(
            actor,
            "create",
            "case",
            case.id,
            channel=submission.channel,
            request_type=case.request_type,
            customer_id=case.customer_id,
        )
        db.session.commit()
    return case


def customer_for_contact(customer_id: int | None) -> Customer | None:
    """The live record for an id: a merged record leads to the one it was merged into; an anonymised
    record (or an unknown id) is no customer to log a contact against."""
    customer = db.session.get(Customer, customer_id) if customer_id else None
    seen = set()
    while customer is not None and customer.merged_into_id and customer.id not in seen:
        seen.add(customer.id)
        customer = db.session.get(Customer, customer.merged_into_id)
    if customer is None or customer.anonymised_at is not None:
        return None
    return customer


def search_customers(query: str, limit: int = SEARCH_LIMIT) -> list[Customer]:
    """Live customers whose email or phone is the one given, or whose name contains the words given."""
    query = (query or "").strip()
    if not query:
        return []
    live = sa.and_(Customer.merged_into_id.is_(None), Customer.anonymised_at.is_(None))
    if "@" in query:
        condition = sa.func.lower(Customer.email) == query.lower()
    elif any(ch.isdigit() for ch in query):
        phone = normalise_phone(query)
        condition = Customer.phone == phone if phone else sa.false()
    else:
        words = [word for word in query.split() if word][:5]
        condition = sa.and_(*(Customer.name.ilike(f"%{_escape_like(word)}%", escape="\\") for word in words))
    statement = sa.select(Customer).where(live, condition).order_by(Customer.name, Customer.id).limit(limit)
    return list(db.session.scalars(statement))


@dataclass(frozen=True)
class DaySummary:
    contacts: list[Contact]
    by_channel: dict[str, int]
    resolved_rate: int | None  # per cent of the day's contacts resolved at the first point, if any


def contacts_logged_today(actor: StaffUser, now: datetime | None = None) -> DaySummary:
    """The actor's own contacts since midnight (UK time): newest first, counted by channel, with the
    first-point resolution rate (cases handed off count as not resolved at the first point)."""
    start = _uk_midnight_in_utc(now or utcnow())
    statement = (
        sa.select(Contact)
        .where(Contact.logged_by_id == actor.id, Contact.started_at >= start)
        .order_by(Contact.started_at.desc(), Contact.id.desc())
    )
    contacts = list(db.session.scalars(statement))
    by_channel = dict.fromkeys(ASSISTED_CHANNELS, 0)
    for contact in contacts:
        by_channel[contact.channel] = by_channel.get(contact.channel, 0) + 1
    resolved = sum(1 for contact in contacts if contact.resolved_at_first_point)
    rate = round(100 * resolved / len(contacts)) if contacts else None
    return DaySummary(contacts, by_channel, rate)


def logged_contact(contact_id: int | None, actor: StaffUser) -> Contact | None:
    """A contact this member of staff logged (for the "saved" banner); anyone else's is not shown."""
    contact = db.session.get(Contact, contact_id) if contact_id else None
    return contact if contact is not None and contact.logged_by_id == actor.id else None


def uk_time(moment: datetime) -> datetime:
    """A stored (naive UTC) time as the clock on the office wall shows it."""
    return moment.replace(tzinfo=UTC).astimezone(UK_TIME)


def _check_codes(details: AssistedContact) -> None:
    if details.channel not in ASSISTED_CHANNELS:
        raise AssistedContactError(f"not an assisted channel: {details.channel!r}")
    if details.avoidable_reason is not None and details.avoidable_reason not in AVOIDABLE_REASONS:
        raise AssistedContactError(f"unknown avoidable reason {details.avoidable_reason!r}")
    if details.lang not in LANGUAGES:
        raise AssistedContactError(f"unknown language {details.lang!r}")


def _customer_for(details: AssistedContact) -> tuple[Customer | None, str]:
    """(the customer, how it was found: existing, matched, new or none)."""
    if details.customer_id is not None:
        customer = customer_for_contact(details.customer_id)
        if customer is None:
            raise AssistedContactError("the chosen customer cannot take contacts")
        return customer, "existing"
    given = details.customer
    if given is None or not (given.email or given.phone):
        return None, "none"
    customer = match_customer(given, details.lang)
    return customer, "new" if customer.id is None else "matched"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _uk_midnight_in_utc(now: datetime) -> datetime:
    """Naive UTC (as stored) of the start of the UK day `now` (naive UTC) falls in."""
    local = now.replace(tzinfo=UTC).astimezone(UK_TIME)
    midnight = datetime.combine(local.date(), time(0), tzinfo=UK_TIME)
    return midnight.astimezone(UTC).replace(tzinfo=None)
