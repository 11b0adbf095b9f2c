"""Hostile input through the staff's customer pages (search, the contact restriction, erasure, subject-access
export) and logging a contact. Each text is kept as typed (less control characters) or refused by its box,
and every page that shows it shows it inert. The payloads are tests/payloads.py's; test_payloads_staff.py has
sign-in and case work, test_payloads_staff_content.py the editor, reports and admin forms."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

from crm_bridge.handoff import CustomerDetails
from crm_bridge.models import Contact, Customer
from crm_bridge.workbench.case_actions import MAX_TEXT
from portal.db import db, utcnow
from tests.payloads import (
    MARKUP_BEARING,
    PAYLOADS,
    field_message,
    for_database,
    form_kept,
    html_problems,
    response_problems,
)

from .helpers import count, rows


def date_fields(name: str, when: date) -> dict:
    return {name: [str(when.day), str(when.month), str(when.year)]}


def test_customer_search_restriction_and_erasure_take_hostile_text(app, staff_client, create_case):
    payloads = for_database(app)
    client, _advisor = staff_client("advisor")
    review = date_fields("review_on", utcnow().date() + timedelta(days=30))
    failures = {}
    for number, payload in enumerate(payloads):
        kept = form_kept(payload.text)
        name = kept[:200]  # a name as the forms keep it: made here without a form
        case = create_case(customer=CustomerDetails(name=name, email=f"c{number}@example.org"))
        customer_id = case.customer_id
        search = client.get("/staff/customers/", query_string={"q": payload.text})
        problems = response_problems(search, payload)
        if search.status_code not in (200, 422):
            problems.append(f"search: status {search.status_code}")
        url = f"/staff/customers/{customer_id}/restriction"
        response = client.post(url, data={"reason": payload.text, "terms": payload.text, **review})
        problems += response_problems(response, payload)
        customer = db.session.get(Customer, customer_id)
        db.session.refresh(customer)
        if len(kept) > 2000:
            if response.status_code != 422 or "2000" not in (field_message(response, "reason") or ""):
                problems.append(f"restriction too long: status {response.status_code}")
        elif response.status_code != 302 or (customer.restriction_reason, customer.restriction_terms) != (
            kept,
            kept,
        ):
            problems.append(
                f"restriction: status {response.status_code}, kept {customer.restriction_reason!r}"
            )
        for page in (f"/staff/customers/{customer_id}", f"/staff/cases/{case.reference}"):
            problems += response_problems(client.get(page), payload) if payload in MARKUP_BEARING else []
        if problems:
            failures[payload.name] = problems
    assert failures == {}


def test_erasure_needs_the_word_whatever_else_is_typed(app, staff_client, create_case):
    payloads = for_database(app)
    client, _admin = staff_client("admin")
    case = create_case()
    url = f"/staff/customers/{case.customer_id}/erase"
    for payload in payloads:
        response = client.post(url, data={"confirmation": payload.text})
        assert response.status_code in (200, 422), payload.name
        assert field_message(response, "confirmation") == "Type the word erase to confirm", payload.name
        assert html_problems(response.get_data(as_text=True), [payload]) == [], payload.name
    assert db.session.get(Customer, case.customer_id).name == "Ann Smith"


def test_subject_access_exports_carry_hostile_text_inert(staff_client, create_case):
    """JSON that parses back to exactly what was kept; CSV whose formulas are written as text."""
    client, _admin = staff_client("admin")
    texts = [form_kept(p.text) for p in PAYLOADS if len(form_kept(p.text)) <= MAX_TEXT]
    name = texts[0]
    case = create_case(
        details="\n".join(texts)[:4000], customer=CustomerDetails(name=name, email="x@example.org")
    )
    advisor, _advisor = staff_client("advisor")
    for text in texts:
        response = advisor.post(f"/staff/cases/{case.reference}/internal-note", data={"note-text": text})
        assert response.status_code == 302
    exported = client.get(f"/staff/customers/{case.customer_id}/export.json")
    assert (exported.status_code, exported.mimetype) == (200, "application/json")
    assert exported.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(exported.get_data(as_text=True))
    assert data["customer"]["name"] == name == "<script>alert(1)</script>"
    sheet = client.get(f"/staff/customers/{case.customer_id}/export.csv")
    assert sheet.status_code == 200
    cells = [
        cell for row in csv.reader(io.StringIO(sheet.get_data(as_text=True).lstrip("\ufeff"))) for cell in row
    ]
    assert [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
    assert any(cell == "'" + form_kept(BY_FORMULA) for cell in cells)
    disposition = sheet.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="customer-') and "\n" not in disposition


BY_FORMULA = next(p.text for p in PAYLOADS if p.name == "formula")


# --- logging a contact --------------------------------------------------------------------------------------

CONTACT = {
    "channel": "phone",
    "service_group": "council-tax",
    "interaction_type": "collecting_revenue",
    "resolved": "yes",
    "avoidable": "no",
    "lang": "en",
    "action": "save",
}


def test_logging_a_contact_keeps_the_summary_and_name_as_typed(app, staff_client):
    payloads = for_database(app)
    client, _advisor = staff_client("advisor")
    failures = {}
    for number, payload in enumerate(payloads):
        kept = form_kept(payload.text)
        before = count(Contact)
        problems = []
        if payload in MARKUP_BEARING:
            query = {**CONTACT, "action": "find", "customer_query": payload.text}
            problems += response_problems(client.post("/staff/contacts/new", data=query), payload)
        data = {
            **CONTACT,
            "summary": payload.text,
            "customer_name": payload.text,
            "customer_email": f"p{number}@example.org",
            "customer_postcode": "",
            "customer_phone": "",
        }
        response = client.post("/staff/contacts/new", data=data)
        problems += response_problems(response, payload)
        too_long = [box for box, limit in (("summary", 1000), ("customer_name", 200)) if len(kept) > limit]
        if too_long:
            if response.status_code != 422 or any(not field_message(response, box) for box in too_long):
                problems.append(f"too long: status {response.status_code}")
            if count(Contact) != before:
                problems.append("saved though refused")
        elif response.status_code != 302:
            problems.append(f"status {response.status_code}")
        else:
            contact = rows(Contact)[-1]
            if (contact.summary, contact.customer.name) != (kept, kept):
                problems.append(f"kept {contact.summary!r}, {contact.customer.name!r}")
        if payload not in MARKUP_BEARING:  # the e-forms' tests give these checks every payload
            failures.update({payload.name: problems} if problems else {})
            continue
        checked_boxes = ("customer_email", "customer_phone", "customer_postcode")
        checked = client.post(
            "/staff/contacts/new", data={**CONTACT, **dict.fromkeys(checked_boxes, payload.text)}
        )
        problems += response_problems(checked, payload)
        if checked.status_code != 422 or not all(field_message(checked, box) for box in checked_boxes):
            problems.append(f"email, phone, postcode: status {checked.status_code}")
        if problems:
            failures[payload.name] = problems
    assert failures == {}
    listed = client.get("/staff/contacts")  # every contact saved above, on one page
    assert listed.status_code == 200
    assert html_problems(listed.get_data(as_text=True), payloads) == []
