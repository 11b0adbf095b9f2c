"""Subject access, erasure and retention: what the council holds about a resident, out or gone.

- `export_customer` gathers everything held about a customer (see docs/data-protection.md for the list);
  `export_csv` turns it into one CSV of section, record, field, value rows.
- `erase_customer` anonymises the customer and the personal fields of their cases, deletes their photos,
  drafts and undelivered messages, and keeps what the statistics need (dates, status, service, channel,
  request type, complaint stage and outcome).
- `apply_retention` anonymises closed cases past the retention period, customers left with nothing but
  anonymised cases, and deletes abandoned form drafts and chat sessions; satisfaction comments of those
  cases and customers, and any older than the period, are erased (the ratings stay).

crm_bridge does not import the portal's models: the e-form drafts (`portal_form_draft`) and chat sessions
(`chat_session`, `chat_message`) are reached as tables by name through `db.metadata`."""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from portal.db import db, utcnow

from .audit import audit
from .catalogue import default_catalogue
from .customers import clear_restriction
from .models import Attachment, Case, Contact, Customer, OutboxMessage, SatisfactionRating
from .staff.models import StaffUser

log = logging.getLogger(__name__)

ERASED = "[erased]"
ERASED_NAME = "Erased"
EXPORT_FORMAT = "subject-access/1"
EXPORT_SECTIONS = (
    "customer",
    "merged_records",
    "cases",
    "contacts",
    "satisfaction_ratings",
    "outbox_messages",
    "form_drafts",
)
DRAFT_TABLE = "portal_form_draft"
CHAT_TABLES = ("chat_session", "chat_message")
DRAFT_RETENTION_DAYS = 30
# Answers picked from the form's own list are kept (statistics, not prose); text and dates (a date of
# birth) are erased.
KEPT_ANSWER_TYPES = ("choice", "yes_no")
# What a delivered message keeps: enough to count it, nothing to reach the resident with.
KEPT_PAYLOAD_KEYS = ("case_id", "reference", "lang")


def upload_folder() -> Path:
    return Path(current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads")


# Subject access ---------------------------------------------------------------------------------------


def export_customer(customer: Customer, actor: StaffUser | None) -> dict:
    """Everything held about the customer, as plain JSON-ready data; the export is audited."""
    cases = list(db.session.scalars(sa.select(Case).where(Case.customer_id == customer.id).order_by(Case.id)))
    case_ids = [case.id for case in cases]
    contacts = list(
        db.session.scalars(sa.select(Contact).where(_contacts_of(customer.id, case_ids)).order_by(Contact.id))
    )
    data = {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(utcnow()),
        "customer": _customer_record(customer),
        "merged_records": [
            {"id": other.id, "created_at": _iso(other.created_at)}
            for other in db.session.scalars(
                sa.select(Customer).where(Customer.merged_into_id == customer.id).order_by(Customer.id)
            )
        ],
        "cases": [_case_record(case) for case in cases],
        "contacts": [_contact_record(contact) for contact in contacts],
        "satisfaction_ratings": [
            _rating_record(rating) for rating in _ratings_of([contact.id for contact in contacts], case_ids)
        ],
        "outbox_messages": [_message_record(message) for message in _messages_about(customer, case_ids)],
        "form_drafts": [_plain(dict(row)) for row in _drafts_of([case.reference for case in cases])],
    }
    audit(actor, "export", "customer", customer.id, cases=len(cases), contacts=len(contacts))
    db.session.commit()
    return data


def export_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def export_csv(data: dict) -> bytes:
    """One CSV (UTF-8 with a byte-order mark, for spreadsheets) of section, record, field, value rows.
    Nested values are flattened into dotted field names (`answers.bin`, `events.2.text`); a value a
    spreadsheet would run as a formula is prefixed with an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "record", "field", "value"])
    for section in ("format", "exported_at", *EXPORT_SECTIONS):
        if section not in data:
            continue
        value = data[section]
        records = value if isinstance(value, list) else [value]
        for number, record in enumerate(records, start=1):
            for name, item in _flatten(record):
                writer.writerow([section, number, name, _spreadsheet_safe(item)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _flatten(value, prefix: str = ""):
    if isinstance(value, dict):
        if not value and prefix:
            yield prefix, ""
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        if not value and prefix:
            yield prefix, ""
        for index, item in enumerate(value):
            yield from _flatten(item, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield prefix or "value", "" if value is None else str(value)


def _spreadsheet_safe(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _plain(value):
    """A database row's values as JSON-ready data."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _customer_record(customer: Customer) -> dict:
    return {
        "id": customer.id,
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "address": customer.address,
        "postcode": customer.postcode,
        "preferred_language": customer.preferred_lang,
        "preferred_contact_method": customer.preferred_contact,
        "needs_interpreter": customer.needs_interpreter,
        "created_at": _iso(customer.created_at),
        "updated_at": _iso(customer.updated_at),
        "anonymised_at": _iso(customer.anonymised_at),
        "restriction": {
            "reason": customer.restriction_reason,
            "terms": customer.restriction_terms,
            "review_on": _iso(customer.restriction_review_on),
            "set_at": _iso(customer.restriction_set_at),
        }
        if customer.restricted
        else None,
    }


def _case_record(case: Case) -> dict:
    return {
        "reference": case.reference,
        "request_type": case.request_type,
        "service_group": case.service_group,
        "queue": case.queue,
        "status": case.status,
        "channel": case.channel,
        "language": case.lang,
        "created_at": _iso(case.created_at),
        "updated_at": _iso(case.updated_at),
        "acknowledge_due": _iso(case.acknowledge_due),
        "respond_due": _iso(case.respond_due),
        "acknowledged_at": _iso(case.acknowledged_at),
        "resolved_at": _iso(case.resolved_at),
        "answers": _plain(case.answers or {}),
        "details": case.details,
        "location": _plain(case.location),
        "transcript": _plain(case.transcript or []),
        "searches": _plain(case.searches or []),
        "interpreter_needed": case.interpreter_needed,
        "complaint_stage": case.complaint_stage,
        "complaint_category": case.complaint_category,
        "complaint_outcome": case.complaint_outcome,
        "ombudsman_referred_at": _iso(case.ombudsman_referred_at),
        "external_reference": case.external_reference,
        "merged_into": case.merged_into.reference if case.merged_into else None,
        "anonymised_at": _iso(case.anonymised_at),
        # Internal notes too: a subject access request covers what staff wrote about the resident.
        "events": [
            {
                "at": _iso(event.created_at),
                "kind": event.kind,
                "status": event.status,
                "text": event.text,
                "author": event.author,
                "shown_to_resident": event.public,
            }
            for event in case.events
        ],
        "attachments": [
            {
                "file": attachment.stored_name,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "added_at": _iso(attachment.created_at),
            }
            for attachment in case.attachments
        ],
    }


def _contact_record(contact: Contact) -> dict:
    return {
        "id": contact.id,
        "channel": contact.channel,
        "service_group": contact.service_group,
        "interaction_type": contact.interaction_type,
        "language": contact.lang,
        "started_at": _iso(contact.started_at),
        "ended_at": _iso(contact.ended_at),
        "resolved_at_first_point": contact.resolved_at_first_point,
        "avoidable": contact.avoidable,
        "avoidable_reason": contact.avoidable_reason,
        "satisfaction": contact.satisfaction,
        "article": contact.article_slug,
        "summary": contact.summary,
        "case": contact.case.reference if contact.case else None,
    }


def _rating_record(rating: SatisfactionRating) -> dict:
    return {
        "given_at": _iso(rating.created_at),
        "moment": rating.moment,
        "rating": rating.rating,
        "comment": rating.comment,
        "channel": rating.channel,
        "language": rating.lang,
        "contact": rating.contact_id,
        "case": rating.case.reference if rating.case else None,
    }


def _ratings_of(contact_ids: list[int], case_ids: list[int]) -> list[SatisfactionRating]:
    """Ratings of the customer's transactions: their contacts' and their cases'."""
    conditions = [SatisfactionRating.contact_id.in_(contact_ids)] if contact_ids else []
    conditions += [SatisfactionRating.case_id.in_(case_ids)] if case_ids else []
    if not conditions:
        return []
    statement = sa.select(SatisfactionRating).where(sa.or_(*conditions)).order_by(SatisfactionRating.id)
    return list(db.session.scalars(statement))


def _erase_ratings(ratings: list[SatisfactionRating]) -> int:
    """The comment may name the resident; the rating itself is a statistic and stays."""
    erased = 0
    for rating in ratings:
        if rating.comment and rating.comment != ERASED:
            rating.comment = ERASED
            erased += 1
    return erased


def _message_record(message: OutboxMessage) -> dict:
    return {
        "kind": message.kind,
        "payload": _plain(message.payload or {}),
        "created_at": _iso(message.created_at),
        "delivered_at": _iso(message.delivered_at),
        "attempts": message.attempts,
    }


def _contacts_of(customer_id: int, case_ids: list[int]):
    condition = Contact.customer_id == customer_id
    return sa.or_(condition, Contact.case_id.in_(case_ids)) if case_ids else condition


def _messages_about(customer: Customer, case_ids: list[int]) -> list[OutboxMessage]:
    """Messages for their cases, and any message (its case gone) addressed to their email or phone."""
    messages = []
    if case_ids:
        messages = list(
            db.session.scalars(
                sa.select(OutboxMessage).where(OutboxMessage.case_id.in_(case_ids)).order_by(OutboxMessage.id)
            )
        )
    addresses = {value for value in (customer.email, customer.phone) if value}
    if addresses:
        orphans = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.case_id.is_(None)))
        messages += [m for m in orphans if addresses & set(map(str, (m.payload or {}).values()))]
    return messages


def _table(name: str) -> sa.Table | None:
    return db.metadata.tables.get(name)


def _drafts_of(references: list[str]) -> list:
    table = _table(DRAFT_TABLE)
    if table is None or not references:
        return []
    statement = sa.select(table).where(table.c.case_reference.in_(references)).order_by(table.c.id)
    return list(db.session.execute(statement).mappings())


# Erasure ----------------------------------------------------------------------------------------------


@dataclass
class ErasureReport:
    cases: int = 0
    attachments: int = 0
    messages_deleted: int = 0
    messages_stripped: int = 0
    contacts: int = 0
    drafts: int = 0
    ratings: int = 0
    files: list[str] = field(default_factory=list)


class ErasureError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def erase_customer(customer: Customer, actor: StaffUser | None, folder: Path | None = None) -> ErasureReport:
    """The right to erasure: the customer and every personal field of their cases anonymised, their
    photos, drafts and undelivered messages deleted; what the statistics count is kept. Audited."""
    if customer.merged_into_id is not None:
        raise ErasureError("merged")
    folder = folder or upload_folder()
    now = utcnow()
    report = ErasureReport()
    cases = list(db.session.scalars(sa.select(Case).where(Case.customer_id == customer.id)))
    case_ids = [case.id for case in cases]
    for message in _messages_about(customer, case_ids):
        _erase_message(message, report)
    contacts = list(db.session.scalars(sa.select(Contact).where(_contacts_of(customer.id, case_ids))))
    for contact in contacts:
        report.contacts += _erase_contact(contact)
    report.ratings = _erase_ratings(_ratings_of([contact.id for contact in contacts], case_ids))
    for case in cases:
        _anonymise_case(case, now, report)
    _anonymise_customer(customer, now)
    audit(
        actor,
        "erase",
        "customer",
        customer.id,
        cases=report.cases,
        attachments=report.attachments,
        messages_deleted=report.messages_deleted,
        messages_stripped=report.messages_stripped,
        contacts=report.contacts,
        drafts=report.drafts,
        ratings=report.ratings,
    )
    db.session.commit()
    _delete_files(folder, report.files)
    return report


def _anonymise_customer(customer: Customer, now: datetime) -> None:
    customer.name = ERASED_NAME
    customer.email = None
    customer.phone = None
    customer.address = ""
    customer.postcode = None
    clear_restriction(customer)
    customer.anonymised_at = now


def _anonymise_case(case: Case, now: datetime, report: ErasureReport) -> None:
    """Every free-text or identifying field of the case; kept: reference, request type, service, queue,
    status, channel, language, dates, choices picked from lists, complaint stage, category and outcome."""
    case.answers = _erased_answers(case)
    case.details = ERASED if case.details else ""
    case.location = _coarse_location(case.location)
    case.transcript = [
        {key: (ERASED if key == "text" else value) for key, value in entry.items()}
        if isinstance(entry, dict)
        else ERASED
        for entry in case.transcript or []
    ]
    case.searches = [
        {key: (ERASED if key in ("query", "q", "text") else value) for key, value in entry.items()}
        if isinstance(entry, dict)
        else ERASED
        for entry in case.searches or []
    ]
    for event in case.events:
        if event.text:
            event.text = ERASED
    for attachment in list(case.attachments):
        report.files.append(attachment.stored_name)
        report.attachments += 1
    case.attachments = []
    report.drafts += _delete_drafts([case.reference], report)
    case.anonymised_at = now
    report.cases += 1


def _erased_answers(case: Case) -> dict:
    request_type = default_catalogue().get(case.request_type)
    types = {question.code: question.type for question in request_type.questions} if request_type else {}
    kept = {}
    for code, value in (case.answers or {}).items():
        if types.get(code) in KEPT_ANSWER_TYPES or code == "service_group" or value in (None, "", [], {}):
            kept[code] = value
        else:
            kept[code] = ERASED
    return kept


def postcode_district(postcode: str | None) -> str | None:
    """The outward code ("ND1" of "ND1 1AA"): an area of thousands of homes, enough for statistics."""
    compact = (postcode or "").replace(" ", "").upper()
    if len(compact) < 5:
        return None
    return compact[:-3]


def _coarse_location(location: dict | None) -> dict | None:
    """The postcode district, and a point rounded to two decimal places (about a kilometre)."""
    if not location:
        return location
    lat, lng = location.get("lat"), location.get("lng")
    return {
        "postcode": postcode_district(location.get("postcode")),
        "address": "",
        "lat": round(lat, 2) if isinstance(lat, int | float) else None,
        "lng": round(lng, 2) if isinstance(lng, int | float) else None,
    }


def _erase_message(message: OutboxMessage, report: ErasureReport) -> None:
    """Not yet delivered: deleted, so nothing more is sent. Delivered: kept for the counts, stripped of
    the addresses (and of an error message, which may quote one)."""
    if message.delivered_at is None:
        db.session.delete(message)
        report.messages_deleted += 1
        return
    message.payload = {
        key: value for key, value in (message.payload or {}).items() if key in KEPT_PAYLOAD_KEYS
    }
    message.last_error = None
    report.messages_stripped += 1


def _erase_contact(contact: Contact) -> int:
    if not contact.summary:
        return 0
    contact.summary = ERASED
    return 1


def _delete_drafts(references: list[str], report: ErasureReport) -> int:
    table = _table(DRAFT_TABLE)
    rows = _drafts_of([ref for ref in references if ref])
    if table is None or not rows:
        return 0
    for row in rows:
        report.files += [photo.get("stored_name") for photo in row["photos"] or [] if isinstance(photo, dict)]
    db.session.execute(sa.delete(table).where(table.c.id.in_([row["id"] for row in rows])))
    return len(rows)


def _delete_files(folder: Path, names: list[str]) -> None:
    """After the commit: a failed transaction must not leave rows pointing at deleted files."""
    from .photos import photo_path

    for name in set(filter(None, names)):
        path = photo_path(folder, name)
        if path is not None:
            try:
                path.unlink()
            except OSError:
                log.exception("could not delete an erased photo")


# Retention --------------------------------------------------------------------------------------------


@dataclass
class RetentionReport:
    cases: int = 0
    customers: int = 0
    drafts: int = 0
    chats: int = 0
    attachments: int = 0
    files: list[str] = field(default_factory=list)
    ratings: int = 0

    def __str__(self) -> str:
        return (
            f"{self.cases} cases anonymised, {self.customers} customers anonymised, "
            f"{self.drafts} form drafts deleted, {self.chats} chat sessions deleted, "
            f"{self.ratings} rating comments erased"
        )


CLOSED_STATUSES = ("resolved", "closed")


def apply_retention(
    older_than_days: int,
    now: datetime | None = None,
    actor: StaffUser | None = None,
    *,
    dry_run: bool = False,
    folder: Path | None = None,
) -> RetentionReport:
    """Anonymises the personal fields of resolved and closed cases whose closure is older than the period,
    then customers left with only anonymised cases and no contact within the period; deletes form drafts
    and chat sessions untouched for DRAFT_RETENTION_DAYS (and the drafts' photos no case holds)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=older_than_days)
    report = RetentionReport()
    cases = _closed_cases_before(cutoff)
    customers = _customers_past_retention(cutoff, {case.id for case in cases})
    draft_rows, chat_ids = _stale_drafts_and_chats(now - timedelta(days=DRAFT_RETENTION_DAYS))
    if dry_run:
        return RetentionReport(len(cases), len(customers), len(draft_rows), len(chat_ids))
    for case in cases:
        _anonymise_case(case, now, report)
        for message in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.case_id == case.id)):
            _erase_message(message, ErasureReport())
        contacts = list(db.session.scalars(sa.select(Contact).where(Contact.case_id == case.id)))
        for contact in contacts:
            _erase_contact(contact)
        report.ratings += _erase_ratings(_ratings_of([contact.id for contact in contacts], [case.id]))
        audit(actor, "anonymise", "case", case.id, reason="retention")
    for customer in customers:
        _anonymise_customer(customer, now)
        contacts = list(db.session.scalars(sa.select(Contact).where(Contact.customer_id == customer.id)))
        for contact in contacts:
            _erase_contact(contact)
        report.ratings += _erase_ratings(_ratings_of([contact.id for contact in contacts], []))
        audit(actor, "anonymise", "customer", customer.id, reason="retention")
        report.customers += 1
    # Ratings of no one in particular (an answer, a kiosk visit): their comments go with the same period.
    report.ratings += _erase_ratings(
        list(db.session.scalars(sa.select(SatisfactionRating).where(SatisfactionRating.created_at < cutoff)))
    )
    report.drafts += _delete_stale_drafts(draft_rows, report)
    report.chats = _delete_chats(chat_ids)
    db.session.commit()
    _delete_files(folder or upload_folder(), report.files)
    return report


def _closed_cases_before(cutoff: datetime) -> list[Case]:
    """Resolved or closed, not yet anonymised, and closed before the cutoff: the time of the last status
    event that closed it, else resolved_at, else its last update."""
    candidates = db.session.scalars(
        sa.select(Case)
        .where(Case.status.in_(CLOSED_STATUSES), Case.anonymised_at.is_(None), Case.created_at < cutoff)
        .order_by(Case.id)
    )
    found = []
    for case in candidates:
        closing = [e.created_at for e in case.events if e.kind == "status" and e.status in CLOSED_STATUSES]
        closed_at = max(closing) if closing else case.resolved_at or case.updated_at
        if closed_at < cutoff:
            found.append(case)
    return found


def _customers_past_retention(cutoff: datetime, anonymising: set[int]) -> list[Customer]:
    customers = db.session.scalars(
        sa.select(Customer).where(
            Customer.anonymised_at.is_(None), Customer.merged_into_id.is_(None), Customer.created_at < cutoff
        )
    )
    found = []
    for customer in customers:
        cases_done = all(case.anonymised_at or case.id in anonymising for case in customer.cases)
        recent_contact = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Contact)
            .where(Contact.customer_id == customer.id, Contact.started_at >= cutoff)
        )
        if cases_done and not recent_contact:
            found.append(customer)
    return found


def _stale_drafts_and_chats(before: datetime) -> tuple[list, list[int]]:
    drafts, chats = [], []
    table = _table(DRAFT_TABLE)
    if table is not None:
        drafts = list(db.session.execute(sa.select(table).where(table.c.updated_at < before)).mappings())
    session_table = _table(CHAT_TABLES[0])
    if session_table is not None:
        chats = list(
            db.session.scalars(sa.select(session_table.c.id).where(session_table.c.updated_at < before))
        )
    return drafts, chats


def _delete_stale_drafts(rows: list, report: RetentionReport) -> int:
    table = _table(DRAFT_TABLE)
    if table is None or not rows:
        return 0
    names = [p.get("stored_name") for row in rows for p in row["photos"] or [] if isinstance(p, dict)]
    # A submitted draft's photos are its case's attachments now: those files stay with the case.
    held = set(
        db.session.scalars(sa.select(Attachment.stored_name).where(Attachment.stored_name.in_(names)))
        if names
        else []
    )
    report.files += [name for name in names if name and name not in held]
    result = db.session.execute(sa.delete(table).where(table.c.id.in_([row["id"] for row in rows])))
    return result.rowcount


def _delete_chats(ids: list[int]) -> int:
    if not ids:
        return 0
    sessions, messages = (_table(name) for name in CHAT_TABLES)
    if messages is not None:
        db.session.execute(sa.delete(messages).where(messages.c.session_id.in_(ids)))
    db.session.execute(sa.delete(sessions).where(sessions.c.id.in_(ids)))
    return len(ids)
