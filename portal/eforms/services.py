"""E-forms: a draft per resident per form, kept server-side, handed off once as a case."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _

from crm_bridge.assisted import hand_off_assisted
from crm_bridge.catalogue import RequestType, default_catalogue
from crm_bridge.configured import deliver_now, handoff_settings
from crm_bridge.handoff import CustomerDetails, Location, StoredPhoto, Submission, hand_off
from crm_bridge.models import Case
from crm_bridge.photos import photo_path, store_photo
from crm_bridge.staff.models import StaffUser
from portal.db import db

from .models import FormDraft
from .steps import drop_answers_that_no_longer_apply

MAX_PHOTOS = 3


def request_type_for(code: str) -> RequestType | None:
    return default_catalogue().get(code)


def upload_folder() -> Path:
    return Path(current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads")


def start_draft(request_type: RequestType, channel: str, lang: str, **context) -> FormDraft:
    """context: details (what the resident already typed), transcript and searches that led here, and the
    kiosk it is filled in at."""
    draft = FormDraft(
        key=secrets.token_urlsafe(32),
        request_type=request_type.code,
        channel=channel,
        lang=lang,
        details=context.get("details") or "",
        transcript=list(context.get("transcript") or []),
        searches=list(context.get("searches") or []),
        kiosk_id=context.get("kiosk_id"),
    )
    db.session.add(draft)
    db.session.commit()
    return draft


def find_draft(key: str | None, request_type: RequestType) -> FormDraft | None:
    if not key:
        return None
    query = sa.select(FormDraft).where(FormDraft.key == key, FormDraft.request_type == request_type.code)
    return db.session.scalar(query)


def save_answers(draft: FormDraft, request_type: RequestType, values: dict, details: str | None) -> None:
    answers = {**draft.answers, **{code: _stored(value) for code, value in values.items()}}
    draft.answers = drop_answers_that_no_longer_apply(request_type, answers)
    if details is not None:
        draft.details = details
    db.session.commit()


def _stored(value):
    return value.isoformat() if isinstance(value, date) else value


def form_values(draft: FormDraft, questions) -> dict:
    """The saved answers as a page's form expects them: a date question's stored ISO text as a date."""
    values = {**draft.answers, "details": draft.details}
    for question in questions:
        if question.type == "date" and values.get(question.code):
            values[question.code] = date.fromisoformat(values[question.code])
    return values


def save_location(draft: FormDraft, address: str, postcode: str | None) -> None:
    draft.location = {"address": address or "", "postcode": postcode or None}
    db.session.commit()


def save_customer(draft: FormDraft, details: dict) -> None:
    draft.customer = {key: value or "" for key, value in details.items()}
    db.session.commit()


def add_photo(draft: FormDraft, data: bytes) -> None:
    """Raises PhotoError, with words for the resident, for a file that is not an acceptable picture."""
    stored = store_photo(data, upload_folder())
    draft.photos = [*draft.photos, {"stored_name": stored.stored_name, "size": stored.size}]
    db.session.commit()


def remove_photo(draft: FormDraft, name: str) -> None:
    """Off the draft and off the disk: a photo the resident took back is not kept."""
    path = draft_photo_path(draft, name)
    draft.photos = [photo for photo in draft.photos if photo["stored_name"] != name]
    db.session.commit()
    if path is not None:
        path.unlink(missing_ok=True)


def draft_photo_path(draft: FormDraft, name: str) -> Path | None:
    """Only a photo of this resident's own draft is served back to them."""
    if name not in {photo["stored_name"] for photo in draft.photos}:
        return None
    return photo_path(upload_folder(), name)


@dataclass(frozen=True)
class SummaryRow:
    label: str
    value: str
    step: str


def submit(draft: FormDraft, request_type: RequestType) -> Case:
    """Hand the draft off; the draft's key is the submission key, so a second submit finds the same case."""
    customer = draft.customer or {}
    submission = Submission(
        request_type=request_type.code,
        submission_key=f"form:{draft.key}",
        channel=draft.channel,
        lang=draft.lang,
        answers=drop_answers_that_no_longer_apply(request_type, draft.answers),
        details=draft.details,
        customer=CustomerDetails(
            name=customer.get("name", ""),
            email=customer.get("email") or None,
            phone=customer.get("phone") or None,
            address=customer.get("address", ""),
            preferred_contact=customer.get("preferred_contact") or "email",
        )
        if customer
        else None,
        location=Location(postcode=draft.location.get("postcode"), address=draft.location.get("address", ""))
        if draft.location.get("address") or draft.location.get("postcode")
        else None,
        photos=tuple(StoredPhoto(p["stored_name"], "image/jpeg", p["size"]) for p in draft.photos),
        transcript=tuple(draft.transcript),
        searches=tuple(draft.searches),
        started_at=draft.started_at,
        avoidable_reason=draft.avoidable_reason,
        interpreter_needed=customer.get("interpreter") == "yes",
        kiosk_id=draft.kiosk_id,
    )
    settings = handoff_settings(current_app.config)
    advisor = db.session.get(StaffUser, draft.assisted_by_id) if draft.assisted_by_id else None
    case = hand_off_assisted(submission, advisor, settings) if advisor else hand_off(submission, settings)
    if draft.case_reference != case.reference:
        draft.case_reference = case.reference
        db.session.commit()
    deliver_now(case.id, current_app.config)
    return case


def find_case(reference: str | None) -> Case | None:
    if not reference:
        return None
    return db.session.scalar(sa.select(Case).where(Case.reference == reference))


def summary(draft: FormDraft, request_type: RequestType, steps) -> list[SummaryRow]:
    """Every answer as the resident will check it, with the page to change it on."""
    rows = []
    for step in steps:
        if step.kind == "questions":
            rows += [_answer_row(draft, question, step.slug) for question in step.questions]
        elif step.kind == "location":
            place = ", ".join(
                part for part in (draft.location.get("address"), draft.location.get("postcode")) if part
            )
            rows.append(SummaryRow(_("Where"), place, step.slug))
        elif step.kind == "photos":
            rows.append(SummaryRow(_("Photos"), str(len(draft.photos)), step.slug))
        elif step.kind == "details":
            rows += _customer_rows(draft.customer or {}, step.slug)
    first = steps[0].slug
    rows.insert(len(steps[0].questions), SummaryRow(_(request_type.details_label), draft.details, first))
    return rows


def _customer_rows(customer: dict, step_slug: str) -> list[SummaryRow]:
    methods = {"email": _("Email"), "phone": _("Phone"), "post": _("Post")}
    labels = (
        ("name", _("Name")),
        ("email", _("Email")),
        ("phone", _("Telephone")),
        ("address", _("Address")),
    )
    rows = [SummaryRow(label, customer[key], step_slug) for key, label in labels if customer.get(key)]
    method = customer.get("preferred_contact")
    if method:
        rows.append(SummaryRow(_("How we contact you"), methods.get(method, method), step_slug))
    interpreter = {"yes": _("Yes"), "no": _("No")}.get(customer.get("interpreter") or "")
    if interpreter:
        rows.append(SummaryRow(_("Do you need an interpreter?"), interpreter, step_slug))
    return rows


def _answer_row(draft: FormDraft, question, step_slug: str) -> SummaryRow:
    value = draft.answers.get(question.code)
    shown = _(dict(question.choices)[value]) if value in dict(question.choices) else value
    if question.type == "date" and value:
        shown = format_date(date.fromisoformat(value), "d MMMM y")
    return SummaryRow(_(question.label), shown or "", step_slug)
