"""The one hand-off: a structured submission in, a case out.

Web and kiosk forms, the chat assistant, Open311 clients and advisors all call `hand_off`; nothing else
creates cases. In one transaction it matches or creates the customer, creates the case with its reference,
tracking token and due dates, records the contact, the first public event, and writes to the outbox the
acknowledgement and any push to an external CRM. Submitting the same submission key again returns the case
already made: a double click or a resubmitted form never creates two."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime

import phonenumbers
import sqlalchemy as sa

from portal.db import db, utcnow
from portal.domain import CHANNELS

from .catalogue import Catalogue, default_catalogue
from .contacts import record_contact
from .models import Attachment, Case, CaseEvent, Contact, Customer, OutboxMessage
from .working_days import add_working_days

DEFAULT_REFERENCE_PREFIX = "NDC"


@dataclass(frozen=True)
class CustomerDetails:
    name: str = ""
    email: str | None = None
    phone: str | None = None
    address: str = ""
    postcode: str | None = None
    preferred_contact: str = "email"


@dataclass(frozen=True)
class Location:
    postcode: str | None = None
    address: str = ""
    lat: float | None = None
    lng: float | None = None

    def as_dict(self) -> dict:
        return {"postcode": self.postcode, "address": self.address, "lat": self.lat, "lng": self.lng}


@dataclass(frozen=True)
class StoredPhoto:
    """A photo already checked, re-encoded and stored (crm_bridge.photos)."""

    stored_name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Submission:
    request_type: str
    submission_key: str
    channel: str
    lang: str = "en"
    answers: dict = field(default_factory=dict)
    details: str = ""
    customer: CustomerDetails | None = None
    location: Location | None = None
    photos: tuple[StoredPhoto, ...] = ()
    transcript: tuple[dict, ...] = ()
    searches: tuple[dict, ...] = ()
    started_at: datetime | None = None
    kiosk_id: int | None = None
    interpreter_needed: bool = False
    # Assisted channels: the advisor who logged the contact, and why it was avoidable (if it was).
    logged_by_id: int | None = None
    avoidable_reason: str | None = None


class HandOffError(ValueError):
    """The submission cannot become a case (unknown request type or channel): a caller's mistake."""


@dataclass(frozen=True)
class HandOffSettings:
    reference_prefix: str = DEFAULT_REFERENCE_PREFIX
    push_to_crm: bool = False


def hand_off(
    submission: Submission, settings: HandOffSettings | None = None, catalogue: Catalogue | None = None
) -> Case:
    settings = settings or HandOffSettings()
    request_type = (catalogue or default_catalogue()).get(submission.request_type)
    if request_type is None:
        raise HandOffError(f"unknown request type {submission.request_type!r}")
    if submission.channel not in CHANNELS:
        raise HandOffError(f"unknown channel {submission.channel!r}")
    existing = find_by_submission_key(submission.submission_key)
    if existing is not None:
        return existing
    try:
        case = _create_case(submission, request_type, settings)
        db.session.commit()
    except sa.exc.IntegrityError:
        # The same submission committed by a concurrent request a moment ago: that case is the answer.
        db.session.rollback()
        existing = find_by_submission_key(submission.submission_key)
        if existing is None:
            raise
        return existing
    return case


def find_by_submission_key(key: str) -> Case | None:
    return db.session.scalar(sa.select(Case).where(Case.submission_key == key))


def _create_case(submission: Submission, request_type, settings: HandOffSettings) -> Case:
    now = utcnow()
    customer = match_customer(submission.customer, submission.lang) if submission.customer else None
    if customer is not None and submission.interpreter_needed:
        customer.needs_interpreter = True
    case = Case(
        tracking_token=secrets.token_urlsafe(32),
        submission_key=submission.submission_key,
        request_type=request_type.code,
        service_group=_service_group(request_type, submission.answers),
        queue=request_type.queue,
        interaction_type=request_type.interaction_type,
        channel=submission.channel,
        lang=submission.lang,
        answers=dict(submission.answers),
        details=submission.details,
        location=submission.location.as_dict() if submission.location else None,
        transcript=list(submission.transcript),
        searches=list(submission.searches),
        customer=customer,
        created_at=now,
        acknowledge_due=add_working_days(now, _acknowledge_days(request_type, submission.channel)),
        respond_due=add_working_days(now, request_type.respond_days),
        interpreter_needed=submission.interpreter_needed,
        complaint_stage=_complaint_stage(request_type, submission.answers),
        complaint_category=submission.answers.get("category")
        if request_type.feedback == "complaint"
        else None,
    )
    case.attachments = [
        Attachment(stored_name=p.stored_name, content_type=p.content_type, size=p.size)
        for p in submission.photos
    ]
    case.events.append(
        CaseEvent(kind="created", status="new", text="", author="", public=True, created_at=now)
    )
    db.session.add(case)
    db.session.flush()
    case.reference = format_reference(settings.reference_prefix, now, case.id)
    _contact(submission, case, customer, now)
    for message in _outbox_messages(case, customer, settings):
        db.session.add(message)
    return case


# Published standards that depend on the channel rather than the request type.
LETTER_ACKNOWLEDGE_DAYS = 5


def _acknowledge_days(request_type, channel: str) -> int:
    """Letters are acknowledged within 5 working days (the council's standard for post)."""
    if channel == "post":
        return max(request_type.acknowledge_days, LETTER_ACKNOWLEDGE_DAYS)
    return request_type.acknowledge_days


def _complaint_stage(request_type, answers: dict) -> int | None:
    """Stage 1 is the service's own reply; naming an earlier complaint asks for its review, stage 2."""
    if request_type.feedback != "complaint":
        return None
    return 2 if (answers.get("previous_reference") or "").strip() else 1


def format_reference(prefix: str, when: datetime, number: int) -> str:
    """NDC-26-004217: the council's prefix, the year and the case number (from the database, so unique)."""
    return f"{prefix}-{when:%y}-{number:06d}"


def _service_group(request_type, answers: dict) -> str:
    """A complaint or comment about a service belongs to that service's figures."""
    chosen = answers.get("service_group")
    if request_type.feedback and chosen:
        return chosen
    return request_type.service_group


def match_customer(details: CustomerDetails, lang: str) -> Customer:
    """The existing record with this email or phone number, else a new one: one view across services."""
    email = (details.email or "").strip().lower() or None
    phone = normalise_phone(details.phone)
    conditions = []
    if email:
        conditions.append(sa.func.lower(Customer.email) == email)
    if phone:
        conditions.append(Customer.phone == phone)
    customer = None
    if conditions:
        customer = db.session.scalar(sa.select(Customer).where(sa.or_(*conditions)).order_by(Customer.id))
    if customer is None:
        customer = Customer(preferred_lang=lang)
        db.session.add(customer)
    customer.name = details.name or customer.name
    customer.email = email or customer.email
    customer.phone = phone or customer.phone
    customer.address = details.address or customer.address
    customer.postcode = details.postcode or customer.postcode
    customer.preferred_contact = details.preferred_contact or customer.preferred_contact
    customer.preferred_lang = lang
    return customer


def normalise_phone(phone: str | None) -> str | None:
    """E.164 (+441632960000), read as a UK number unless it says otherwise, so '+44 (0)1632 960000' and
    '01632 960000' meet; a number that cannot be read is kept as its digits."""
    if not phone or not phone.strip():
        return None
    try:
        parsed = phonenumbers.parse(phone, "GB")
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", phone) or None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _contact(submission: Submission, case: Case, customer: Customer | None, now: datetime) -> Contact:
    return record_contact(
        submission.channel,
        case.interaction_type,
        submission.lang,
        resolved_at_first_point=False,
        service_group=case.service_group,
        started_at=submission.started_at or now,
        summary=case.request_type,
        case=case,
        customer=customer,
        logged_by_id=submission.logged_by_id,
        kiosk_id=submission.kiosk_id,
        avoidable=submission.avoidable_reason is not None,
        avoidable_reason=submission.avoidable_reason,
    )


def _outbox_messages(case: Case, customer: Customer | None, settings: HandOffSettings) -> list[OutboxMessage]:
    messages = []
    if customer is not None and customer.email:
        messages.append(
            OutboxMessage(
                kind="acknowledgement",
                case_id=case.id,
                idempotency_key=f"acknowledgement:{case.reference}",
                payload={
                    "case_id": case.id,
                    "reference": case.reference,
                    "email": customer.email,
                    "lang": case.lang,
                },
            )
        )
    if settings.push_to_crm:
        messages.append(
            OutboxMessage(
                kind="crm_push",
                case_id=case.id,
                idempotency_key=f"crm_push:{case.reference}",
                payload={"case_id": case.id, "reference": case.reference},
            )
        )
    return messages
