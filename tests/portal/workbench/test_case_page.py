"""The case page: everything captured, the history, the clocks, the external CRM, restrictions, merges,
photos served to staff only, scope and the audit of every read; the interpreter question end to end."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_login import login_user

from crm_bridge.audit import AuditEvent
from crm_bridge.handoff import CustomerDetails, StoredPhoto
from crm_bridge.models import CaseEvent, OutboxMessage
from crm_bridge.photos import store_photo
from crm_bridge.workbench.sla import uk_today
from portal.db import db
from portal.workbench.views import render_case_page

from ..eforms.journeys import JOURNEYS, picture, send, walk
from ..helpers import assert_well_formed, page, rows, text


def audit_rows(case_id: int) -> list[AuditEvent]:
    return [row for row in rows(AuditEvent) if row.object_type == "case" and row.object_id == str(case_id)]


def summary_value(response, key: str) -> str:
    return text(page(response).select_one(f'[data-row="{key}"] .govuk-summary-list__value'))


def test_everything_captured_is_shown(staff_client, create_case):
    client, _user = staff_client("advisor")
    case = create_case(
        lang="pl",
        transcript=({"role": "resident", "kind": "question", "text": "my bin was not emptied", "at": "x"},),
        searches=({"query": "missed bin green"},),
    )
    response = client.get(f"/staff/cases/{case.reference}")
    assert assert_well_formed(response, 200) == f"Case {case.reference}"
    main = text(page(response).main)
    for shown in (
        "Which bin was missed? Green bin (general waste)",
        "When should it have been collected? 20 November 2026",
        "Was the bin out by 6.30am? Yes",
        "Bin left at the kerb.",
        "14 Acacia Avenue",
        "ND1 1AA",
        "Ann Smith",
        "ann@example.org",
        "+441632960123",
        "missed bin green",
        "my bin was not emptied",
    ):
        assert shown in main, shown
    assert summary_value(response, "channel") == "Web"
    assert summary_value(response, "language") == "Polski"
    assert summary_value(response, "interpreter") == "Not asked for"
    assert summary_value(response, "status") == "Received"
    assert summary_value(response, "assigned") == "Unassigned"
    assert page(response).select_one(".app-case-actions")  # the column case actions fill in


def test_sla_clocks_and_assignment_are_shown(staff_client, create_case, create_staff):
    client, _user = staff_client("advisor")
    officer = create_staff("service_officer", name="Olive Officer")
    case = create_case(status="in_progress")
    case.acknowledge_due = uk_today() - timedelta(days=20)
    case.acknowledged_at = datetime.combine(case.acknowledge_due, datetime.min.time()).replace(hour=9)
    case.respond_due = uk_today() - timedelta(days=1)
    case.assigned_to_id = officer.id
    db.session.commit()
    response = client.get(f"/staff/cases/{case.reference}")
    assert "Met" in summary_value(response, "acknowledge-due")
    assert "Breached" in summary_value(response, "respond-due")
    assert "working day" in summary_value(response, "respond-due")
    assert summary_value(response, "assigned") == "Olive Officer"
    assert summary_value(response, "status") == "In progress"


def test_every_view_is_audited(staff_client, create_case):
    client, user = staff_client("advisor")
    case = create_case()
    client.get(f"/staff/cases/{case.reference}")
    client.get(f"/staff/cases/{case.reference.lower()}")
    audited = audit_rows(case.id)
    assert [(row.action, row.actor_id) for row in audited] == [("view", user.id), ("view", user.id)]
    assert "Ann" not in str(audited[0].detail)


def test_officer_outside_the_group_gets_404_and_nothing_is_audited(staff_client, create_case):
    client, _user = staff_client("service_officer", service_groups=["parking"])
    case = create_case()
    assert client.get(f"/staff/cases/{case.reference}").status_code == 404
    assert client.get("/staff/cases/NDC-26-999999").status_code == 404
    assert audit_rows(case.id) == []
    own, _user = staff_client("service_officer", service_groups=["environment"])
    assert own.get(f"/staff/cases/{case.reference}").status_code == 200


def test_event_history_marks_internal_notes_and_public_updates(staff_client, create_case):
    client, _user = staff_client("advisor")
    case = create_case()
    case.events.append(CaseEvent(kind="internal_note", text="Crew says the road was blocked.", author="Al"))
    case.events.append(CaseEvent(kind="public_update", text="We will collect tomorrow.", public=True))
    case.events.append(
        CaseEvent(kind="external_update", text="Crew dispatched", author="External CRM", public=True)
    )
    db.session.commit()
    events = page(client.get(f"/staff/cases/{case.reference}")).select(".app-case-event")
    by_kind = {event["data-event-kind"]: text(event) for event in events}
    assert set(by_kind) == {"created", "internal_note", "public_update", "external_update"}
    assert "Internal note" in by_kind["internal_note"] and "Sent to resident" not in by_kind["internal_note"]
    assert "Sent to resident" in by_kind["public_update"]
    assert "Crew dispatched" in by_kind["external_update"] and "External CRM" in by_kind["external_update"]
    assert events[0]["data-event-kind"] == "external_update"  # newest first


def test_external_crm_reference_and_delivery_state(staff_client, create_case):
    client, _user = staff_client("advisor")
    case = create_case()
    response = client.get(f"/staff/cases/{case.reference}")
    assert not page(response).select('[data-row="external-reference"]')  # never pushed: nothing to say
    db.session.add(
        OutboxMessage(
            kind="crm_push",
            case_id=case.id,
            idempotency_key=f"crm_push:{case.reference}",
            attempts=3,
            last_error="connection refused",
            next_attempt_at=datetime(2026, 12, 1, 10, 0),
        )
    )
    db.session.commit()
    failing = client.get(f"/staff/cases/{case.reference}")
    assert summary_value(failing, "external-reference") == "Not known yet"
    delivery = summary_value(failing, "crm-delivery")
    assert "Failing" in delivery and "3 attempts: connection refused" in delivery
    assert "1 December 2026, 10:00" in delivery
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "crm_push"))
    message.delivered_at = datetime(2026, 7, 1, 8, 30)  # 09:30 in British summer time
    case.external_reference = "CRM-4411"
    case.external_state = "open"
    db.session.commit()
    delivered = client.get(f"/staff/cases/{case.reference}")
    assert summary_value(delivered, "external-reference") == "CRM-4411"
    assert summary_value(delivered, "external-state") == "open"
    assert summary_value(delivered, "crm-delivery") == "Delivered 1 July 2026, 09:30"


def test_restricted_customer_banner(staff_client, create_case):
    client, _user = staff_client("advisor")
    case = create_case()
    customer = case.customer
    customer.restriction_reason = "Unreasonably persistent complainant"
    customer.restriction_terms = "Contact by email only, to the complaints officer"
    customer.restriction_review_on = date(2027, 3, 31)
    db.session.commit()
    response = client.get(f"/staff/cases/{case.reference}")
    assert_well_formed(response, 200)
    banner = text(page(response).find(id="restriction-banner"))
    assert "Contact with this customer is restricted" in banner
    assert "Unreasonably persistent complainant" in banner
    assert "Contact by email only, to the complaints officer" in banner
    assert "31 March 2027" in banner
    other = create_case(customer=CustomerDetails(name="Dee Ray", email="dee@example.org"))
    assert page(client.get(f"/staff/cases/{other.reference}")).find(id="restriction-banner") is None


def test_customer_history_within_scope(staff_client, create_case):
    case = create_case()
    same_group = create_case(request_type="fly-tipping", answers={"what": "furniture"})
    other_group = create_case(request_type="bus-pass", answers={"request": "new"}, location=None)
    advisor, _user = staff_client("advisor")
    history = page(advisor.get(f"/staff/cases/{case.reference}"))
    others = text(history.select_one(".app-case-other-cases"))
    assert same_group.reference in others and other_group.reference in others
    assert len(history.select(".app-case-contacts li")) == 3  # one contact per hand-off
    officer, _user = staff_client("service_officer")
    scoped = page(officer.get(f"/staff/cases/{case.reference}"))
    others = text(scoped.select_one(".app-case-other-cases"))
    assert same_group.reference in others and other_group.reference not in others
    assert len(scoped.select(".app-case-contacts li")) == 2


def test_the_customer_page_is_linked_for_those_who_may_open_it(staff_client, create_case):
    case = create_case()
    customer_page = f"/staff/customers/{case.customer_id}"
    advisor, _user = staff_client("advisor")
    assert page(advisor.get(f"/staff/cases/{case.reference}")).find("a", href=customer_page) is not None
    assert advisor.get(customer_page).status_code == 200
    officer, _user = staff_client("service_officer")
    assert page(officer.get(f"/staff/cases/{case.reference}")).find("a", href=customer_page) is None
    assert officer.get(customer_page).status_code == 403


def test_merged_cases_link_both_ways(staff_client, create_case):
    client, _user = staff_client("advisor")
    kept, duplicate = create_case(), create_case(status="closed")
    duplicate.merged_into_id = kept.id
    db.session.commit()
    merged = page(client.get(f"/staff/cases/{duplicate.reference}"))
    link = merged.select_one(".app-case-merged a")
    assert link["href"] == f"/staff/cases/{kept.reference}"
    carried_on = client.get(f"/staff/cases/{kept.reference}")
    assert duplicate.reference in summary_value(carried_on, "merged-from")


def test_complaint_stage_outcome_and_ombudsman(staff_client, create_case):
    client, _user = staff_client("advisor")
    case = create_case(
        request_type="complaint",
        answers={"category": "officer-behaviour", "service_group": "parking", "outcome_wanted": "Sorry"},
        location=None,
    )
    case.complaint_outcome = "partly_upheld"
    case.ombudsman_referred_at = datetime(2026, 11, 2, 12, 0)
    db.session.commit()
    response = client.get(f"/staff/cases/{case.reference}")
    assert summary_value(response, "complaint-stage") == "Stage 1 (officer-behaviour)"
    assert summary_value(response, "complaint-outcome") == "Partly upheld"
    assert summary_value(response, "ombudsman") == "2 November 2026, 12:00"


def test_photos_are_served_to_staff_only_and_audited(app, client, staff_client, create_case):
    stored = store_photo(picture(), Path(app.config["UPLOAD_FOLDER"]))
    case = create_case(photos=(StoredPhoto(stored.stored_name, stored.content_type, stored.size),))
    other = create_case()
    [attachment] = case.attachments
    url = f"/staff/cases/{case.reference}/photos/{attachment.id}"
    staff, user = staff_client("advisor")
    shown = page(staff.get(f"/staff/cases/{case.reference}")).select_one(".app-case-photos img")
    assert shown["src"] == url and shown["alt"]
    response = staff.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data == (Path(app.config["UPLOAD_FOLDER"]) / stored.stored_name).read_bytes()
    assert audit_rows(case.id)[-1].detail == {"attachment_id": attachment.id}
    assert client.get(url).status_code == 302  # not signed in: to the sign-in page
    assert staff.get(f"/staff/cases/{other.reference}/photos/{attachment.id}").status_code == 404
    officer, _user = staff_client("service_officer", service_groups=["parking"])
    assert officer.get(url).status_code == 404
    viewed = [row for row in audit_rows(case.id) if row.detail.get("attachment_id")]
    assert [row.actor_id for row in viewed] == [user.id]


def test_interpreter_question_end_to_end(client, staff_client):
    journey = JOURNEYS["missed-bin"]
    pages = {**journey, "your-details": {**journey["your-details"], "interpreter": "yes"}}
    walk(client, "missed-bin", pages, until="your-details")
    form_page = client.get("/report/missed-bin/your-details")
    assert_well_formed(form_page, 200)
    question = page(form_page).find("input", attrs={"name": "interpreter", "value": "yes"})
    fieldset = question.find_parent("fieldset")
    assert "Do you need an interpreter?" in text(fieldset) and "arrange" in text(fieldset)
    walk(client, "missed-bin", pages)
    check = client.get("/report/missed-bin/check-answers")
    assert "Do you need an interpreter? Yes" in text(page(check).find(class_="govuk-summary-list"))
    confirmation = send(client, "missed-bin")
    reference = text(page(confirmation).find(class_="govuk-panel__body")).split()[-1]
    staff, _user = staff_client("advisor")
    case_page = staff.get(f"/staff/cases/{reference}")
    assert "Interpreter may be needed" in summary_value(case_page, "interpreter")
    assert "may need an interpreter" in text(page(case_page).select_one(".app-case-customer"))
    listed = page(staff.get("/staff/cases?interpreter=yes")).select("tr.app-queue-row")
    assert [row["data-reference"] for row in listed] == [reference]


def test_the_interpreter_question_is_optional(client):
    walk(client, "missed-bin")  # no answer to it
    check = text(page(client.get("/report/missed-bin/check-answers")).find(class_="govuk-summary-list"))
    assert "interpreter" not in check


def test_render_case_page_for_case_actions(app, create_case, create_staff):
    """Case actions show the page again through render_case_page, with their own status and context."""
    case = create_case()
    with app.test_request_context(f"/staff/cases/{case.reference}"):
        login_user(create_staff("advisor"))
        html, status = render_case_page(case, 422, extra_for_a_form="unused")
    assert status == 422
    assert f"Case {case.reference}" in html
    assert audit_rows(case.id) == []  # re-rendering after an action is not another read
