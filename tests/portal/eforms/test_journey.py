"""Whole journeys, start to confirmation: one case with all the resident gave, and the way to track it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from crm_bridge.models import Attachment, Case, Contact, Customer, OutboxMessage
from crm_bridge.working_days import add_working_days
from portal.eforms.models import FormDraft

from ..helpers import count, page, rows, text
from .journeys import JOURNEYS, picture, send, upload, walk


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def assert_confirmation(response, case: Case) -> None:
    assert response.status_code == 200
    main = page(response).main
    assert text(main.h1) == "Your request has been sent"
    assert case.reference in text(main.find(class_="govuk-panel__body"))
    assert f"acknowledge your request by {long_date(case.acknowledge_due)}" in text(main)
    assert f"reply in full by {long_date(case.respond_due)}" in text(main)
    assert main.find("a", href=f"/track/{case.tracking_token}", string="Track your request")


def assert_recorded_as_web_contact(case: Case) -> None:
    [contact] = rows(Contact)
    assert (contact.channel, contact.case_id, contact.customer_id) == ("web", case.id, case.customer_id)
    assert contact.service_group == case.service_group
    assert case.channel == "web"


def test_missed_bin_report_becomes_one_case_with_every_answer(client):
    walk(client, "missed-bin")

    confirmation = send(client, "missed-bin")

    [case] = rows(Case)
    assert case.request_type == "missed-bin"
    assert case.answers == {"bin": "blue", "collection_date": "2026-11-03", "out_by_time": "yes"}
    assert case.details == "The recycling was left on the pavement."
    assert case.location == {
        "address": "12 Station Road, Northdale",
        "postcode": "ND1 2AB",
        "lat": None,
        "lng": None,
    }
    assert (case.service_group, case.queue, case.status) == ("environment", "waste-and-recycling", "new")
    customer = case.customer
    assert (customer.name, customer.email, customer.phone) == (
        "Ann Example",
        "ann@example.com",
        "+441632960001",
    )
    assert customer.preferred_contact == "email"
    assert_recorded_as_web_contact(case)
    [message] = rows(OutboxMessage)
    assert (message.kind, message.case_id) == ("acknowledgement", case.id)
    assert message.payload["email"] == "ann@example.com"
    assert message.payload["reference"] == case.reference
    assert_confirmation(confirmation, case)
    assert "email a confirmation to ann@example.com" in text(page(confirmation).main)
    assert the_draft_reference() == case.reference


def the_draft_reference() -> str | None:
    [draft] = rows(FormDraft)
    return draft.case_reference


def test_fly_tipping_asks_what_was_seen_on_page_two_and_sends_the_photo(client, app):
    pages = JOURNEYS["fly-tipping"]
    walk(client, "fly-tipping", until="photos")
    assert upload(client, "fly-tipping", picture()).location == "/report/fly-tipping/photos"
    assert client.post("/report/fly-tipping/photos", data={}).location == "/report/fly-tipping/your-details"
    client.post("/report/fly-tipping/your-details", data=pages["your-details"])

    assert_confirmation(send(client, "fly-tipping"), case := rows(Case)[0])

    assert case.answers == {
        "what": "furniture",
        "amount": "van",
        "saw_it_happen": "yes",
        "witness_details": "A white van, about 10pm.",
    }
    assert case.location["address"] == "Lay-by on Mill Lane"
    assert case.location["postcode"] is None
    [attachment] = rows(Attachment)
    assert (attachment.case_id, attachment.content_type) == (case.id, "image/jpeg")
    stored = Path(app.instance_path) / "uploads" / attachment.stored_name
    assert stored.stat().st_size == attachment.size
    assert_recorded_as_web_contact(case)


def test_complaint_is_filed_under_the_service_complained_about(client):
    walk(client, "complaint")

    confirmation = send(client, "complaint")

    [case] = rows(Case)
    assert case.answers == {
        "category": "officer-behaviour",
        "service_group": "parking",
        "outcome_wanted": "An apology.",
        "previous_reference": "",
    }
    assert case.details == "The warden was rude to me."
    assert case.location is None
    assert (case.service_group, case.queue, case.interaction_type) == (
        "parking",
        "complaints",
        "making_complaint",
    )
    assert (case.complaint_stage, case.complaint_category) == (1, "officer-behaviour")
    assert case.respond_due == add_working_days(case.created_at, 15)
    assert_recorded_as_web_contact(case)
    assert count(OutboxMessage) == 1
    assert_confirmation(confirmation, case)


def test_bus_pass_renewal_keeps_the_date_of_birth_and_pass_number(client):
    walk(client, "bus-pass")

    check = client.get("/report/bus-pass/check-answers")

    summary = text(page(check).find(class_="govuk-summary-list"))
    assert "Your date of birth 9 April 1950" in summary
    assert "Your bus pass number NDC 1234 5678" in summary
    assert "Where" not in summary  # a bus pass has no location page
    confirmation = send(client, "bus-pass")
    [case] = rows(Case)
    assert case.answers == {"request": "renew", "date_of_birth": "1950-04-09", "pass_number": "NDC 1234 5678"}
    assert (case.queue, case.location) == ("concessionary-fares", None)
    assert_confirmation(confirmation, case)


def test_general_enquiry_without_a_place_or_an_email_is_sent_by_phone(client):
    walk(client, "general-enquiry")

    confirmation = send(client, "general-enquiry")

    [case] = rows(Case)
    assert case.answers == {"service_group": None}
    assert case.details == "When is the library open?"
    assert case.location is None  # the place was optional and left empty
    assert (case.customer.email, case.customer.phone) == (None, "+441632960001")
    assert case.customer.preferred_contact == "phone"
    assert rows(OutboxMessage) == []  # no email address: no acknowledgement to send
    assert_confirmation(confirmation, case)
    assert "confirmation email" not in text(page(confirmation).main)


def test_general_enquiry_with_a_place_keeps_it(client):
    pages = {
        **JOURNEYS["general-enquiry"],
        "location": {"address": "Northdale Library", "postcode": "ND1 1AA"},
    }
    walk(client, "general-enquiry", pages)

    send(client, "general-enquiry")

    assert rows(Case)[0].location["address"] == "Northdale Library"


def test_a_returning_customer_is_matched_not_duplicated(client, app):
    walk(client, "complaint")
    send(client, "complaint")
    other = app.test_client()
    shouting = {**JOURNEYS["bus-pass"]["your-details"], "email": "ANN@example.com"}
    walk(other, "bus-pass", {**JOURNEYS["bus-pass"], "your-details": shouting})

    send(other, "bus-pass")

    [customer] = rows(Customer)
    assert [case.request_type for case in customer.cases] == ["complaint", "bus-pass"]


def test_journey_works_with_csrf_protection_on(csrf_client):
    """Every page's form carries its token: the journey a resident's browser makes, field by field."""
    start_page = page(csrf_client.get("/report/complaint?q=Rude+warden"))
    token = start_page.find("input", attrs={"name": "csrf_token"})["value"]
    response = csrf_client.post("/report/complaint", data={"csrf_token": token, "q": "Rude warden"})
    for step, data in JOURNEYS["complaint"].items():
        assert response.location == f"/report/complaint/{step}"
        form = page(csrf_client.get(response.location)).main.find("form")
        hidden = {field["name"]: field["value"] for field in form.find_all("input", type="hidden")}
        response = csrf_client.post(response.location, data={**hidden, **data})
    check = page(csrf_client.get(response.location)).main.find("form")
    token = check.find("input", attrs={"name": "csrf_token"})["value"]

    response = csrf_client.post("/report/complaint/check-answers", data={"csrf_token": token})

    assert response.location == "/report/complaint/confirmation"
    [case] = rows(Case)
    assert case.details == "The warden was rude to me."
