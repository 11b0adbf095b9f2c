"""Public updates reach the resident by email (a real SMTP server, aiosmtpd on 127.0.0.1) and through a
stand-in GOV.UK Notify, in their language; internal notes are never sent."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from flask_babel import force_locale, gettext

from crm_bridge.adapters import adapters_from_config
from crm_bridge.adapters.smtp import message_id
from crm_bridge.handoff import CustomerDetails
from crm_bridge.models import CaseEvent, OutboxMessage
from crm_bridge.outbox import deliver_due
from crm_bridge.workbench.case_actions import add_internal_note, add_public_update, escalate_complaint
from crm_bridge.workbench.duplicates import merge_cases
from portal.db import db

from .conftest import MAIL_FROM, PUBLIC_BASE_URL
from .test_notify import API_KEY, TEMPLATE_ID, accepted

UPDATE_TEMPLATE_ID = str(uuid.uuid4())
WELSH_UPDATE_TEMPLATE_ID = str(uuid.uuid4())


def smtp_adapters(config, port: int) -> dict:
    return adapters_from_config(config(NOTIFIER="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port))


def body_of(email) -> str:
    return email.get_body(preferencelist=("plain",)).get_content()


def without_acknowledgements(emails) -> list:
    """The case updates among the emails sent: acknowledgements are told apart by their subject in the
    language each email was written in."""

    def is_acknowledgement(email) -> bool:
        with force_locale(email["Content-Language"] or "en"):
            opening = gettext("We have received your request: reference %(reference)s", reference="")
        return email["Subject"].startswith(opening.strip())

    return [email for email in emails if not is_acknowledgement(email)]


@pytest.fixture
def advisor(create_staff):
    return create_staff("advisor", name="Alex Advisor")


def test_a_public_update_is_emailed_with_only_its_text_reference_and_link(
    app, make_case, config, smtp_server, advisor
):
    inbox, port = smtp_server()
    case = make_case()
    add_internal_note(case, "SECRET: resident known to the police", advisor)
    event = add_public_update(case, "A crew will empty your bin on Friday.", advisor)

    report = deliver_due(smtp_adapters(config, port))

    assert len(report.delivered) == 2  # the acknowledgement and the update: the note was never queued
    [email] = without_acknowledgements(inbox.emails)
    assert email["To"] == "ann@example.org"
    assert email["Subject"] == f"Update on your request {case.reference}"
    assert email["Message-ID"] == message_id(f"case_update:{case.reference}:{event.id}", MAIL_FROM)
    assert email["Content-Language"] == "en"
    body = body_of(email)
    assert "A crew will empty your bin on Friday." in body
    assert f"{PUBLIC_BASE_URL}/track/{case.tracking_token}" in body
    assert case.reference in body
    for email in inbox.emails:
        assert "SECRET" not in body_of(email)
    assert "Ann Smith" not in body and "Bin left at the kerb" not in body and "01632" not in body


def test_an_update_for_an_internal_event_is_refused_not_sent(app, make_case, config, smtp_server, advisor):
    """Even a forged or mistaken outbox row pointing at an internal note sends nothing."""
    inbox, port = smtp_server()
    case = make_case()
    note = add_internal_note(case, "SECRET note", advisor)
    db.session.add(
        OutboxMessage(
            kind="case_update",
            case_id=case.id,
            idempotency_key="forged",
            payload={"case_id": case.id, "event_id": note.id, "lang": "en"},
        )
    )
    db.session.commit()

    report = deliver_due(smtp_adapters(config, port))

    forged = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.idempotency_key == "forged"))
    assert forged.id in report.failed and "not public" in forged.last_error
    assert all("SECRET" not in body_of(email) for email in inbox.emails)


def test_a_welsh_resident_gets_the_update_in_welsh(app, make_case, config, smtp_server, advisor):
    inbox, port = smtp_server()
    case = make_case(
        lang="cy",
        request_type="complaint",
        answers={"category": "service-failure", "service_group": "environment"},
        location=None,
    )
    escalate_complaint(case, "Resident asked for a review", advisor)

    deliver_due(smtp_adapters(config, port))

    [email] = without_acknowledgements(inbox.emails)
    assert email["Content-Language"] == "cy"
    body = body_of(email)
    welsh_due = format_date(case.respond_due, "d MMMM yyyy", locale="cy")
    assert welsh_due != format_date(case.respond_due, "d MMMM yyyy", locale="en")
    assert welsh_due in body  # the council's own wording is written in the case's language
    assert "Resident asked for a review" not in body  # the reason is internal


def test_residents_of_merged_cases_get_the_survivors_updates(app, make_case, config, smtp_server, advisor):
    inbox, port = smtp_server()
    into = make_case()
    duplicate = make_case(lang="pl", customer=CustomerDetails(name="Piotr", email="piotr@example.org"))
    merge_cases(duplicate, into, advisor)
    add_public_update(into, "Collected today.", advisor)
    add_internal_note(into, "SECRET crew note", advisor)

    deliver_due(smtp_adapters(config, port))

    updates = without_acknowledgements(inbox.emails)
    to_piotr = [e for e in updates if e["To"] == "piotr@example.org"]
    to_ann = [e for e in updates if e["To"] == "ann@example.org"]
    assert len(to_piotr) == 2 and len(to_ann) == 1  # Piotr: the merge notice and the update
    assert all(e["Content-Language"] == "pl" for e in to_piotr)
    with force_locale("pl"):
        merge_notice = gettext(
            "We have joined your report to an existing report of the same problem, so that it is dealt "
            "with once. We will keep you informed here about its progress."
        )
    assert merge_notice.startswith("Połączyliśmy")  # in Polish, Piotr's language
    assert " ".join(merge_notice.split()) in " ".join(body_of(to_piotr[0]).split())
    assert duplicate.reference in body_of(to_piotr[1]) and "Collected today." in body_of(to_piotr[1])
    assert all("SECRET" not in body_of(email) for email in inbox.emails)


def notify_settings(stub, **extra) -> dict:
    return {
        "NOTIFIER": "notify",
        "NOTIFY_API_KEY": API_KEY,
        "NOTIFY_TEMPLATE_ID": TEMPLATE_ID,
        "NOTIFY_BASE_URL": stub.url,
    } | extra


def test_notify_sends_updates_with_the_update_template_in_the_residents_language(
    app, make_case, config, http_stub, advisor
):
    stub = http_stub(accepted)
    case = make_case(lang="cy")
    event = add_public_update(case, "Mae'r criw yn dod ddydd Gwener.", advisor)
    adapters = adapters_from_config(
        config(
            **notify_settings(
                stub,
                NOTIFY_UPDATE_TEMPLATE_ID=UPDATE_TEMPLATE_ID,
                NOTIFY_UPDATE_TEMPLATE_IDS={"cy": WELSH_UPDATE_TEMPLATE_ID},
            )
        )
    )

    deliver_due(adapters)

    [sent] = [r.json for r in stub.requests if r.json["reference"].startswith("case_update:")]
    assert sent["template_id"] == WELSH_UPDATE_TEMPLATE_ID
    assert sent["reference"] == f"case_update:{case.reference}:{event.id}"
    assert sent["personalisation"] == {
        "reference": case.reference,
        "update": "Mae'r criw yn dod ddydd Gwener.",
        "tracking_link": f"{PUBLIC_BASE_URL}/track/{case.tracking_token}",
        "rating_link": "",  # only an update that resolves the case asks how we did
        "show_rating": "no",
    }


def test_without_an_update_template_notify_keeps_updates_queued(app, make_case, config, http_stub, advisor):
    stub = http_stub(accepted)
    case = make_case()
    add_public_update(case, "Soon.", advisor)

    report = deliver_due(adapters_from_config(config(**notify_settings(stub))))

    assert len(report.delivered) == 1 and report.unroutable == 1  # the acknowledgement went; the update waits
    update = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "case_update"))
    assert update.delivered_at is None and "no adapter" in update.last_error
    assert db.session.get(CaseEvent, update.payload["event_id"]).case_id == case.id
