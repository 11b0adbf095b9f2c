"""Tracking a request: the link shows its status, public updates and due date, and nothing internal or
personal; reference and email together find it, and nothing less reveals a case."""

from __future__ import annotations

import pytest

from crm_bridge.handoff import CustomerDetails, Submission, hand_off
from crm_bridge.models import Case, CaseEvent
from portal.db import db

from ..helpers import assert_well_formed, page, text
from .journeys import field_error

NOTE = "Resident is a known repeat caller; check CCTV before replying"


@pytest.fixture
def case(app) -> Case:
    case = hand_off(
        Submission(
            request_type="missed-bin",
            submission_key="form:tracking-test",
            channel="web",
            answers={"bin": "green", "collection_date": "2026-11-03", "out_by_time": "yes"},
            details="Missed again",
            customer=CustomerDetails(name="Ann Example", email="Ann@Example.com", phone="07700 900982"),
        )
    )
    case.events.append(CaseEvent(kind="internal_note", text=NOTE, author="officer", public=False))
    case.events.append(
        CaseEvent(
            kind="public_update", status="in_progress", text="A crew will collect it on Friday.", public=True
        )
    )
    case.status = "in_progress"
    db.session.commit()
    return case


def long_date(day) -> str:
    return f"{day.day} {day:%B %Y}"


def test_tracking_link_shows_status_public_updates_and_due_date(client, case):
    response = client.get(f"/track/{case.tracking_token}")

    assert assert_well_formed(response, 200) == f"Your request {case.reference}"
    main = text(page(response).main)
    assert "Report a missed bin collection" in main
    assert "Status In progress" in main
    assert f"Full reply due by {long_date(case.respond_due)}" in main
    assert "A crew will collect it on Friday." in main
    assert "We received your request." in main


def test_tracking_link_never_shows_internal_notes_or_contact_details(client, case):
    html = client.get(f"/track/{case.tracking_token}").get_data(as_text=True)

    assert NOTE not in html and "CCTV" not in html and "officer" not in html
    assert "ann@example.com" not in html.lower()
    assert "07700" not in html and "7700900982" not in html
    assert "Ann Example" not in html


def test_a_resolved_request_has_no_due_date(client, case):
    case.status = "resolved"
    db.session.commit()

    main = text(page(client.get(f"/track/{case.tracking_token}")).main)

    assert "Status Resolved" in main
    assert "due by" not in main


@pytest.mark.parametrize(
    ("reference", "email"),
    [("{ref}", "ann@example.com"), ("{ref}", "ANN@EXAMPLE.COM"), (" {lower} ", " Ann@Example.com ")],
)
def test_reference_and_email_find_the_request(client, case, reference, email):
    data = {"reference": reference.format(ref=case.reference, lower=case.reference.lower()), "email": email}

    response = client.post("/track", data=data)

    assert response.location == f"/track/{case.tracking_token}"


NOT_FOUND = "We could not find a request with that reference and email address"
EMAIL = "Enter an email address in the correct format, like name@example.com"


@pytest.mark.parametrize(
    ("reference", "email", "field", "message"),
    [
        ("{ref}", "someone@example.com", "reference", NOT_FOUND),
        ("NDC-26-999999", "ann@example.com", "reference", NOT_FOUND),
        ("{ref}", "", "email", "Enter the email address you gave us"),
        ("{ref}", "   ", "email", "Enter the email address you gave us"),
        ("", "ann@example.com", "reference", "Enter your reference number"),
        ("{ref}", "ann@", "email", EMAIL),
        ("{ref}", "a" * 250 + "@example.com", "email", EMAIL),
        ("N" * 21, "ann@example.com", "reference", "Enter a reference number like NDC-26-004217"),
        ("' OR 1=1 --", "' OR '1'='1", "email", EMAIL),
        (
            "<script>alert(1)</script>",
            "ann@example.com",
            "reference",
            "Enter a reference number like NDC-26-004217",
        ),
        ("{ref}", "ann@example.com' OR '1'='1", "email", EMAIL),
    ],
)
def test_no_request_is_revealed_without_its_reference_and_email(
    client, case, reference, email, field, message
):
    response = client.post("/track", data={"reference": reference.format(ref=case.reference), "email": email})

    assert response.status_code == 422
    assert field_error(response, field) == message
    html = response.get_data(as_text=True)
    assert case.tracking_token not in html
    assert "Missed again" not in html and "<script>alert" not in html


@pytest.mark.parametrize(
    "token",
    ["made-up-token", "x" * 43, "x" * 65, "x" * 200, "{token}x", "{short}", "%3Cscript%3E"],
)
def test_a_wrong_tracking_link_reveals_nothing_and_says_so(client, case, token):
    token = token.format(token=case.tracking_token, short=case.tracking_token[:-1])

    response = client.get(f"/track/{token}")

    assert assert_well_formed(response, 404) == "Track your request"
    main = page(response).main
    assert "We could not find a request for that link" in text(main)
    assert case.reference not in text(main)
    assert main.find("form")["action"] == "/track"
    assert main.find("input", attrs={"name": "reference"})


def test_find_page_is_well_formed(client):
    assert assert_well_formed(client.get("/track"), 200) == "Track your request"
