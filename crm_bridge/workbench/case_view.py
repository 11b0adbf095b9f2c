"""What the case page shows: the case, its SLA clocks, the customer's history within the reader's scope,
merges, and where the case stands in an external CRM. No Flask: the scope and "today" are parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm_bridge.catalogue import default_catalogue
from crm_bridge.models import Attachment, Case, Contact, OutboxMessage
from crm_bridge.photos import photo_path
from portal.db import db

from .sla import Clock, acknowledge_clock, respond_clock

HISTORY_LIMIT = 20


@dataclass(frozen=True)
class Delivery:
    """The push of the case to the external CRM, as the outbox knows it."""

    state: str  # delivered, failing (tried and failed), queued (not tried yet)
    delivered_at: object
    attempts: int
    last_error: str | None
    next_attempt_at: object


@dataclass(frozen=True)
class CasePage:
    case: Case
    request_type: object  # the catalogue's RequestType, or None for a type since withdrawn
    respond: Clock
    acknowledge: Clock
    other_cases: list[Case]
    contacts: list[Contact]
    merged_from: list[Case]
    crm_push: Delivery | None
    answers: list


def find_case(reference: str) -> Case | None:
    """A case by its reference, in any case of letters (NDC-26-000001 or ndc-26-000001)."""
    reference = (reference or "").strip().upper()
    if not reference or len(reference) > 20:
        return None
    query = sa.select(Case).where(Case.reference == reference)
    return db.session.scalar(query.options(selectinload(Case.events), selectinload(Case.attachments)))


def case_page(case: Case, scope: list[str] | None, today: date) -> CasePage:
    return CasePage(
        case=case,
        request_type=default_catalogue().get(case.request_type),
        respond=respond_clock(case.respond_due, case.status, case.resolved_at, today, case.updated_at),
        acknowledge=acknowledge_clock(
            case.acknowledge_due, case.status, case.acknowledged_at, today, case.updated_at
        ),
        other_cases=other_cases(case, scope),
        contacts=customer_contacts(case, scope),
        merged_from=merged_from(case, scope),
        crm_push=crm_push_delivery(case),
        answers=answer_rows(case, default_catalogue().get(case.request_type)),
    )


def other_cases(case: Case, scope: list[str] | None) -> list[Case]:
    """The customer's other cases the reader may see, newest first."""
    if case.customer_id is None:
        return []
    query = sa.select(Case).where(Case.customer_id == case.customer_id, Case.id != case.id)
    if scope is not None:
        query = query.where(Case.service_group.in_(scope))
    return list(db.session.scalars(query.order_by(Case.id.desc()).limit(HISTORY_LIMIT)))


def customer_contacts(case: Case, scope: list[str] | None) -> list[Contact]:
    """The customer's contacts with the council on any channel (of the reader's service groups), newest
    first; without a customer, the contacts recorded with this case."""
    if case.customer_id is None:
        query = sa.select(Contact).where(Contact.case_id == case.id)
    else:
        query = sa.select(Contact).where(Contact.customer_id == case.customer_id)
    if scope is not None:
        query = query.where(Contact.service_group.in_(scope))
    return list(
        db.session.scalars(query.order_by(Contact.started_at.desc(), Contact.id.desc()).limit(HISTORY_LIMIT))
    )


def merged_from(case: Case, scope: list[str] | None) -> list[Case]:
    """The duplicates merged into this case."""
    query = sa.select(Case).where(Case.merged_into_id == case.id)
    if scope is not None:
        query = query.where(Case.service_group.in_(scope))
    return list(db.session.scalars(query.order_by(Case.id)))


def crm_push_delivery(case: Case) -> Delivery | None:
    message = db.session.scalar(
        sa.select(OutboxMessage)
        .where(OutboxMessage.case_id == case.id, OutboxMessage.kind == "crm_push")
        .order_by(OutboxMessage.id.desc())
    )
    if message is None:
        return None
    if message.delivered_at is not None:
        state = "delivered"
    elif message.attempts or message.last_error:
        state = "failing"
    else:
        state = "queued"
    return Delivery(
        state, message.delivered_at, message.attempts, message.last_error, message.next_attempt_at
    )


def attachment_file(case: Case, attachment_id: int, folder: Path) -> tuple[Attachment, Path] | None:
    """A photo of this case (never another case's) and its stored file, if both exist."""
    attachment = next((a for a in case.attachments if a.id == attachment_id), None)
    if attachment is None:
        return None
    path = photo_path(folder, attachment.stored_name)
    return (attachment, path) if path is not None else None


@dataclass(frozen=True)
class AnswerRow:
    """One answer as staff read it: the question's label and the answer (a choice's label, or a date);
    labels are the catalogue's English, translated where shown."""

    label: str
    value: object
    translatable: bool = False  # the value is a catalogue label


def answer_rows(case: Case, request_type) -> list[AnswerRow]:
    questions = {q.code: q for q in request_type.questions} if request_type else {}
    rows = []
    for code, value in (case.answers or {}).items():
        question = questions.get(code)
        if question is None:
            rows.append(AnswerRow(code, value))
        elif question.choices and value in dict(question.choices):
            rows.append(AnswerRow(question.label, dict(question.choices)[value], translatable=True))
        elif question.type == "date" and value:
            try:
                rows.append(AnswerRow(question.label, date.fromisoformat(str(value))))
            except ValueError:
                rows.append(AnswerRow(question.label, value))
        else:
            rows.append(AnswerRow(question.label, value))
    return rows
