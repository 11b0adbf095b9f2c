"""The single customer view, merging two records of one person, and the persistent-complainant marker.

Services: they take the acting member of staff (`actor`), write their audit rows in the same transaction
as the change and commit. Audit rows name fields and counts, never a resident's personal data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from portal.db import db, utcnow

from .audit import audit
from .handoff import normalise_phone
from .models import Case, Contact, Customer
from .staff.models import StaffUser

RESTRICTION_REVIEW_MAX_MONTHS = 12
MERGE_FILLED_FIELDS = ("name", "email", "phone", "address", "postcode")


class CustomerError(ValueError):
    """A change the rules refuse; `code` says which rule, for the view to word."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# Finding a customer ---------------------------------------------------------------------------------


def find_customers(query: str, limit: int = 50) -> list[Customer]:
    """Customers whose name contains the words, or whose email, phone number, postcode (spaces ignored)
    or one of whose case references is the query. Merged records are left out: they hold nothing."""
    query = (query or "").strip()
    if not query:
        return []
    lowered = query.lower()
    conditions = [
        sa.func.lower(Customer.name).contains(lowered, autoescape=True),
        sa.func.lower(Customer.email) == lowered,
        sa.func.upper(sa.func.replace(Customer.postcode, " ", "")) == query.replace(" ", "").upper(),
        Customer.id.in_(sa.select(Case.customer_id).where(Case.reference == query.upper())),
    ]
    if len(re.sub(r"\D", "", query)) >= 6:
        conditions.append(Customer.phone == normalise_phone(query))
    statement = (
        sa.select(Customer)
        .where(sa.or_(*conditions), Customer.merged_into_id.is_(None), Customer.anonymised_at.is_(None))
        .order_by(Customer.name, Customer.id)
        .limit(limit)
    )
    return list(db.session.scalars(statement))


def resolve_merged(customer: Customer) -> Customer:
    """The record a merged record now lives in (following a chain of merges), else the record itself."""
    seen = {customer.id}
    while customer.merged_into_id is not None:
        customer = db.session.get(Customer, customer.merged_into_id)
        if customer.id in seen:  # cannot happen through merge_customers; never loop forever
            break
        seen.add(customer.id)
    return customer


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the customer's history: a case, or a contact (any channel, assisted or self-service)."""

    kind: str  # "case" or "contact"
    at: datetime
    channel: str
    service_group: str | None
    case: Case | None = None
    contact: Contact | None = None


def customer_history(customer: Customer) -> list[HistoryEntry]:
    """Every case and every contact of the customer, across every service and channel, newest first."""
    cases = list(db.session.scalars(sa.select(Case).where(Case.customer_id == customer.id)))
    case_ids = [case.id for case in cases]
    contact_filter = Contact.customer_id == customer.id
    if case_ids:
        contact_filter = sa.or_(contact_filter, Contact.case_id.in_(case_ids))
    contacts = list(db.session.scalars(sa.select(Contact).where(contact_filter)))
    entries = [
        HistoryEntry("case", case.created_at, case.channel, case.service_group, case=case) for case in cases
    ] + [
        HistoryEntry(
            "contact", contact.started_at, contact.channel, contact.service_group, contact.case, contact
        )
        for contact in contacts
    ]
    # Newest first; at the same moment the case comes before the contact that made it.
    return sorted(entries, key=lambda entry: (entry.at, entry.kind == "case"), reverse=True)


def merged_records(customer: Customer) -> list[Customer]:
    return list(db.session.scalars(sa.select(Customer).where(Customer.merged_into_id == customer.id)))


# Merging --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeResult:
    cases: int
    contacts: int
    filled: tuple[str, ...]


def merge_problem(keep: Customer, other: Customer) -> str | None:
    """Why these two cannot be merged, or None."""
    if keep.id == other.id:
        return "same_record"
    if keep.merged_into_id is not None or other.merged_into_id is not None:
        return "already_merged"
    if keep.anonymised_at is not None or other.anonymised_at is not None:
        return "anonymised"
    return None


def merge_customers(keep: Customer, other: Customer, actor: StaffUser | None) -> MergeResult:
    """Moves every case and contact of `other` to `keep`, fills `keep`'s empty details from `other`, and
    leaves `other` as an empty record pointing to `keep` (so old links still lead somewhere)."""
    problem = merge_problem(keep, other)
    if problem:
        raise CustomerError(problem)
    moved_cases = db.session.execute(
        sa.update(Case).where(Case.customer_id == other.id).values(customer_id=keep.id)
    ).rowcount
    moved_contacts = db.session.execute(
        sa.update(Contact).where(Contact.customer_id == other.id).values(customer_id=keep.id)
    ).rowcount
    # Records merged into `other` earlier now point straight at `keep`.
    db.session.execute(
        sa.update(Customer).where(Customer.merged_into_id == other.id).values(merged_into_id=keep.id)
    )
    filled = [name for name in MERGE_FILLED_FIELDS if not getattr(keep, name) and getattr(other, name)]
    for name in filled:
        setattr(keep, name, getattr(other, name))
    if other.needs_interpreter and not keep.needs_interpreter:
        keep.needs_interpreter = True
        filled.append("needs_interpreter")
    if other.restricted and not keep.restricted:
        for name in ("reason", "terms", "review_on", "set_by_id", "set_at"):
            setattr(keep, f"restriction_{name}", getattr(other, f"restriction_{name}"))
        filled.append("restriction")
    _blank(other)
    other.merged_into_id = keep.id
    db.session.flush()
    db.session.expire(keep, ["cases"])
    db.session.expire(other, ["cases"])
    audit(
        actor,
        "merge",
        "customer",
        keep.id,
        merged_from=other.id,
        cases=moved_cases,
        contacts=moved_contacts,
        filled=filled,
    )
    audit(
        actor, "merge", "customer", other.id, merged_into=keep.id, cases=moved_cases, contacts=moved_contacts
    )
    db.session.commit()
    return MergeResult(moved_cases, moved_contacts, tuple(filled))


def _blank(customer: Customer) -> None:
    customer.name = ""
    customer.email = None
    customer.phone = None
    customer.address = ""
    customer.postcode = None
    clear_restriction(customer)


def clear_restriction(customer: Customer) -> None:
    customer.restriction_reason = None
    customer.restriction_terms = None
    customer.restriction_review_on = None
    customer.restriction_set_by_id = None
    customer.restriction_set_at = None


# The unreasonably persistent complainant marker --------------------------------------------------------


def latest_review_date(today: date) -> date:
    """Twelve months on: the furthest a restriction may run before it must be reviewed."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 1, day=28)


def review_date_problem(review_on: date | None, today: date) -> str | None:
    if review_on is None:
        return "review_missing"
    if review_on <= today:
        return "review_not_future"
    if review_on > latest_review_date(today):
        return "review_too_far"
    return None


def set_restriction(
    customer: Customer,
    reason: str,
    terms: str,
    review_on: date | None,
    actor: StaffUser | None,
    today: date | None = None,
) -> None:
    """Marks the customer as an unreasonably persistent complainant: why, what their contact is limited
    to, and when the decision must be reviewed (in the future, within 12 months)."""
    reason, terms = (reason or "").strip(), (terms or "").strip()
    if not reason:
        raise CustomerError("reason_missing")
    if not terms:
        raise CustomerError("terms_missing")
    problem = review_date_problem(review_on, today or utcnow().date())
    if problem:
        raise CustomerError(problem)
    if customer.merged_into_id is not None or customer.anonymised_at is not None:
        raise CustomerError("already_merged" if customer.merged_into_id else "anonymised")
    change = "changed" if customer.restricted else "set"
    customer.restriction_reason = reason
    customer.restriction_terms = terms
    customer.restriction_review_on = review_on
    customer.restriction_set_by_id = actor.id if actor is not None else None
    customer.restriction_set_at = utcnow()
    audit(
        actor,
        "update",
        "customer",
        customer.id,
        field="restriction",
        change=change,
        review_on=review_on.isoformat(),
    )
    db.session.commit()


def lift_restriction(customer: Customer, actor: StaffUser | None) -> None:
    if not customer.restricted:
        raise CustomerError("not_restricted")
    clear_restriction(customer)
    audit(actor, "update", "customer", customer.id, field="restriction", change="lifted")
    db.session.commit()


def current_restrictions() -> list[Customer]:
    """Every customer under a restriction, the soonest review first."""
    statement = (
        sa.select(Customer)
        .where(Customer.restriction_reason.is_not(None))
        .order_by(Customer.restriction_review_on, Customer.id)
    )
    return list(db.session.scalars(statement))


def restrictions_due_for_review(today: date) -> list[Customer]:
    """Restrictions whose review date has come (or passed): each must be reviewed, renewed or lifted."""
    return [
        customer
        for customer in current_restrictions()
        if customer.restriction_review_on is None or customer.restriction_review_on <= today
    ]


def case_counts(customers: list[Customer]) -> dict[int, int]:
    """How many cases each customer has, for result lists."""
    if not customers:
        return {}
    statement = (
        sa.select(Case.customer_id, sa.func.count())
        .where(Case.customer_id.in_([customer.id for customer in customers]))
        .group_by(Case.customer_id)
    )
    return dict(db.session.execute(statement).all())
