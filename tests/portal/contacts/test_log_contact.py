"""Log a contact: advisors only, one screen, bad input shown with what was typed kept, a fresh form after
saving; 'hand off as a case' goes through the residents' e-form pages and keeps the channel."""

from __future__ import annotations

from datetime import date

import pytest

from crm_bridge.audit import AuditEvent
from crm_bridge.models import Case, Contact, Customer
from portal.db import db
from portal.eforms.models import FormDraft
from tests.conftest import sign_in_as

from ..eforms.journeys import JOURNEYS, answer, send, shown_values
from ..helpers import assert_well_formed, count, page, rows, text

GOOD = {
    "channel": "face_to_face",
    "service_group": "council-tax",
    "interaction_type": "collecting_revenue",
    "resolved": "yes",
    "avoidable": "no",
    "lang": "en",
    "summary": "Paid the reminder at the desk.",
    "action": "save",
}


def field_error(response, field_id: str) -> str:
    """The message next to the field, also linked from the error summary."""
    soup = page(response)
    group = soup.find(id=field_id).find_parent(class_="govuk-form-group")
    message = text(group.find(class_="govuk-error-message")).removeprefix("Error: ")
    links = soup.select(".govuk-error-summary__list a")
    assert [text(link) for link in links if link["href"] == f"#{field_id}"] == [message]
    return message


def selected(response, name: str) -> str | None:
    option = page(response).select_one(f"select[name={name}] option[selected]")
    return option["value"] if option else None


def test_advisor_gets_the_form_on_one_page_with_phone_chosen(staff_client):
    client, _ = staff_client("advisor")
    response = client.get("/staff/contacts/new")
    assert assert_well_formed(response, 200) == "Log a contact"
    soup = page(response)
    assert soup.select_one("input[name=channel][checked]")["value"] == "phone"
    assert [o["value"] for o in soup.select("select[name=service_group] option")][:3] == [
        "",
        "environment",
        "parking",
    ]
    assert {r["value"] for r in soup.select("input[name=avoidable]")} == {
        "no",
        "chasing_progress",
        "not_understood",
        "repeat_contact",
        "wrongly_routed",
    }
    hand_off = soup.find(id="hand-off")
    assert hand_off["formaction"] == "/staff/contacts/hand-off"
    assert soup.select_one("select[name=request_type] option[value=missed-bin]")
    assert soup.find("input", attrs={"name": "csrf_token"}) is not None


@pytest.mark.parametrize("role", ["service_officer", "manager", "kb_editor", "admin"])
def test_other_roles_may_not_log_contacts(staff_client, role):
    client, _ = staff_client(role)
    assert client.get("/staff/contacts/new").status_code == 403
    assert client.get("/staff/contacts").status_code == 403
    assert client.post("/staff/contacts/new", data=GOOD).status_code == 403
    assert (
        client.post("/staff/contacts/hand-off", data={**GOOD, "request_type": "missed-bin"}).status_code
        == 403
    )
    assert count(Contact) == 0
    assert count(FormDraft) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/staff/contacts/new")
    assert response.status_code == 302
    assert "/staff/sign-in" in response.location
    assert client.post("/staff/contacts/new", data=GOOD).status_code == 302
    assert count(Contact) == 0


def test_saving_records_the_contact_and_gives_a_fresh_form_with_a_banner(staff_client):
    client, advisor = staff_client("advisor")
    response = client.post("/staff/contacts/new", data=GOOD)
    assert response.status_code == 302
    assert response.location == "/staff/contacts/new"
    [contact] = rows(Contact)
    assert (contact.channel, contact.service_group, contact.interaction_type) == (
        "face_to_face",
        "council-tax",
        "collecting_revenue",
    )
    assert (contact.resolved_at_first_point, contact.avoidable, contact.logged_by_id) == (
        True,
        False,
        advisor.id,
    )
    assert contact.summary == "Paid the reminder at the desk."
    fresh = client.get(response.location)
    assert_well_formed(fresh, 200)
    assert "Contact saved" in text(page(fresh).find(id="saved-banner"))
    assert shown_values(fresh).get("channel") == "phone"
    assert shown_values(fresh).get("summary", "") == ""
    assert page(client.get("/staff/contacts/new")).find(id="saved-banner") is None  # shown once


def test_avoidable_reason_is_kept(staff_client):
    client, _ = staff_client("advisor")
    client.post("/staff/contacts/new", data={**GOOD, "resolved": "no", "avoidable": "chasing_progress"})
    [contact] = rows(Contact)
    assert (contact.resolved_at_first_point, contact.avoidable, contact.avoidable_reason) == (
        False,
        True,
        "chasing_progress",
    )


MISSING = {
    "service group": ({"service_group": ""}, "service_group", "Choose the service"),
    "service group not offered": ({"service_group": "roads"}, "service_group", "Choose the service"),
    "interaction type": ({"interaction_type": ""}, "interaction_type", "Choose the interaction type"),
    "resolved": (
        {"resolved": None},
        "resolved",
        "Select whether the contact was resolved at the first point",
    ),
    "resolved not offered": (
        {"resolved": "maybe"},
        "resolved",
        "Select whether the contact was resolved at the first point",
    ),
    "avoidable": ({"avoidable": None}, "avoidable", "Select whether the contact was avoidable, and why"),
    "avoidable not offered": (
        {"avoidable": "bored"},
        "avoidable",
        "Select whether the contact was avoidable, and why",
    ),
    "language not offered": ({"lang": "xx"}, "lang", "Select a language"),
    "channel not assisted": ({"channel": "web"}, "channel", "Select the channel"),
    "summary too long": ({"summary": "x" * 1001}, "summary", "Enter 1000 characters or fewer"),
    "email": (
        {"customer_email": "ann@"},
        "customer_email",
        "Enter an email address in the correct format, like name@example.com",
    ),
    "phone": (
        {"customer_phone": "12"},
        "customer_phone",
        "Enter a telephone number, like 01632 960 001 or 07700 900 982",
    ),
    "postcode": ({"customer_postcode": "ND1"}, "customer_postcode", "Enter a real postcode, like ND1 1AA"),
    "name only": (
        {"customer_name": "Ann"},
        "customer_email",
        "Enter the customer's email address or telephone number",
    ),
    "unknown customer": (
        {"customer_id": "999"},
        "customer_id",
        "Choose a customer from the list, or search again",
    ),
}


@pytest.mark.parametrize("case", MISSING.values(), ids=MISSING.keys())
def test_bad_input_is_shown_with_everything_else_kept_and_nothing_saved(staff_client, case):
    changes, field, message = case
    client, _ = staff_client("advisor")
    data = {
        key: value for key, value in ({**GOOD, "customer_name": "Dee"} | changes).items() if value is not None
    }
    if field != "customer_email" and "customer_email" not in changes:
        data["customer_email"] = "dee@example.org"
    response = client.post("/staff/contacts/new", data=data)
    assert_well_formed(response, 422)
    assert field_error(response, field) == message
    shown = shown_values(response)
    for name in (
        "channel",
        "resolved",
        "avoidable",
        "summary",
        "customer_name",
        "customer_email",
        "customer_phone",
    ):
        if name != field and name in data:
            assert shown.get(name) == data[name], name
    for name in ("service_group", "interaction_type", "lang"):
        if name != field:
            assert selected(response, name) == data[name], name
    assert count(Contact) == 0
    assert count(Customer) == 0


def test_hand_off_without_a_request_type_says_so(staff_client):
    client, _ = staff_client("advisor")
    response = client.post("/staff/contacts/hand-off", data={**GOOD, "service_group": "", "request_type": ""})
    assert_well_formed(response, 422)
    assert field_error(response, "request_type") == "Choose the request type to hand off as a case"
    assert shown_values(response)["summary"] == GOOD["summary"]
    assert count(FormDraft) == 0


@pytest.fixture
def ann(app):
    customer = Customer(name="Ann Smith", email="ann@example.org", phone="+441632960123", postcode="ND1 1AA")
    db.session.add(customer)
    db.session.commit()
    return customer


def test_find_customer_lists_matches_to_choose_and_keeps_the_form(staff_client, ann):
    client, advisor = staff_client("advisor")
    data = {**GOOD, "customer_query": "01632 960123", "action": "find", "service_group": ""}
    response = client.post("/staff/contacts/new", data=data)
    assert_well_formed(response, 200)
    soup = page(response)
    assert soup.select_one(".govuk-error-summary") is None
    choices = {r["value"]: text(r.find_next("label")) for r in soup.select("input[name=customer_id]")}
    assert choices == {"": "None of these", str(ann.id): "Ann Smith, ann@example.org, +441632960123, ND1 1AA"}
    assert shown_values(response)["summary"] == GOOD["summary"]
    views = [e for e in rows(AuditEvent) if e.action == "view"]
    assert [(e.actor_id, e.object_type, e.object_id) for e in views] == [
        (advisor.id, "customer", str(ann.id))
    ]
    assert count(Contact) == 0

    saved = client.post(
        "/staff/contacts/new", data={**GOOD, "customer_query": "01632 960123", "customer_id": ann.id}
    )
    assert saved.status_code == 302
    [contact] = rows(Contact)
    assert contact.customer_id == ann.id


def test_find_customer_with_no_match_says_so(staff_client, ann):
    client, _ = staff_client("advisor")
    response = client.post("/staff/contacts/new", data={**GOOD, "customer_query": "nobody", "action": "find"})
    assert_well_formed(response, 200)
    assert page(response).find(id="no-customers")


def test_new_customer_details_are_matched_on_email(staff_client, ann):
    client, _ = staff_client("advisor")
    data = {**GOOD, "customer_name": "Ann Smith", "customer_email": "ANN@example.org"}
    assert client.post("/staff/contacts/new", data=data).status_code == 302
    [contact] = rows(Contact)
    assert contact.customer_id == ann.id
    assert count(Customer) == 1


def test_a_restricted_customer_shows_the_restriction_after_saving(staff_client, ann):
    ann.restriction_reason = "Unreasonably persistent contact"
    ann.restriction_terms = "Contact by letter only"
    ann.restriction_review_on = date(2027, 3, 1)
    db.session.commit()
    client, _ = staff_client("advisor")
    response = client.post("/staff/contacts/new", data={**GOOD, "customer_id": ann.id}, follow_redirects=True)
    assert_well_formed(response, 200)
    banner = text(page(response).find(id=f"restriction-{ann.id}"))
    assert "Contact with Ann Smith is restricted" in banner
    assert "Contact by letter only" in banner
    assert "1 March 2027" in banner


def test_hand_off_goes_through_the_eform_and_keeps_the_channel(staff_client, ann):
    client, advisor = staff_client("advisor")
    data = {
        **GOOD,
        "channel": "phone",
        "resolved": "",
        "avoidable": "repeat_contact",
        "request_type": "missed-bin",
        "customer_id": ann.id,
        "summary": "Caller says the recycling was not emptied.",
        "action": "hand_off",
    }
    response = client.post("/staff/contacts/hand-off", data=data)
    assert response.status_code == 302
    assert response.location == "/report/missed-bin/questions"
    [draft] = rows(FormDraft)
    assert (draft.channel, draft.assisted_by_id, draft.avoidable_reason) == (
        "phone",
        advisor.id,
        "repeat_contact",
    )
    assert count(Contact) == 0  # the one contact is recorded by the hand-off, not before it

    first = client.get(response.location)
    assert_well_formed(first, 200)
    assert shown_values(first)["details"] == "Caller says the recycling was not emptied."
    assert page(first).select_one(".govuk-back-link")["href"] == "/staff/contacts/new"
    questions = {
        **JOURNEYS["missed-bin"]["questions"],
        "details": "Caller says the recycling was not emptied.",
    }
    assert answer(client, "missed-bin", "questions", questions).status_code == 302
    assert answer(client, "missed-bin", "location", JOURNEYS["missed-bin"]["location"]).status_code == 302
    details = client.get("/report/missed-bin/your-details")
    prefilled = shown_values(details)
    assert (prefilled["name"], prefilled["email"], prefilled["preferred_contact"]) == (
        "Ann Smith",
        "ann@example.org",
        "email",
    )
    assert answer(client, "missed-bin", "your-details", prefilled | {"address": ""}).status_code == 302
    confirmation = send(client, "missed-bin")
    assert_well_formed(confirmation, 200)
    link = page(confirmation).find("a", string="Log another contact")
    assert link["href"] == "/staff/contacts/new"

    [case] = rows(Case)
    assert (case.channel, case.customer_id, case.request_type) == ("phone", ann.id, "missed-bin")
    [contact] = rows(Contact)
    assert (contact.channel, contact.case_id, contact.logged_by_id) == ("phone", case.id, advisor.id)
    assert (contact.resolved_at_first_point, contact.avoidable_reason) == (False, "repeat_contact")
    created = [e for e in rows(AuditEvent) if e.object_type == "case"]
    assert [(e.actor_id, e.action) for e in created] == [(advisor.id, "create")]

    listed = client.get("/staff/contacts")
    assert_well_formed(listed, 200)
    assert text(page(listed).select_one("#contacts tbody tr")).endswith(case.reference)


def test_a_residents_own_form_still_records_a_web_contact_with_no_advisor(client):
    from ..eforms.journeys import walk

    walk(client, "missed-bin")
    send(client, "missed-bin")
    [contact] = rows(Contact)
    assert (contact.channel, contact.logged_by_id, contact.avoidable) == ("web", None, False)


def test_the_day_list_counts_by_channel_and_resolution(staff_client):
    client, _ = staff_client("advisor")
    client.post("/staff/contacts/new", data={**GOOD, "channel": "phone"})
    client.post("/staff/contacts/new", data={**GOOD, "channel": "post", "resolved": "no"})
    client.post("/staff/contacts/new", data={**GOOD, "channel": "post"})
    other, _ = staff_client("advisor")
    other.post("/staff/contacts/new", data={**GOOD, "channel": "email"})
    response = client.get("/staff/contacts")
    assert assert_well_formed(response, 200) == "Your contacts today"
    soup = page(response)
    counts = {cell["data-channel"]: text(cell) for cell in soup.select("#channel-counts td")}
    assert counts == {"phone": "1", "face_to_face": "0", "email": "0", "post": "2"}
    assert text(soup.find(id="resolution-rate")).startswith("67%")
    assert len(soup.select("#contacts tbody tr")) == 3


def test_the_day_list_with_nothing_logged(staff_client):
    client, _ = staff_client("advisor")
    response = client.get("/staff/contacts")
    assert_well_formed(response, 200)
    assert page(response).find(id="no-contacts")
    assert "No contacts yet today" in text(page(response).find(id="resolution-rate"))


def test_posts_without_a_csrf_token_are_refused(csrf_app, create_staff):
    advisor = create_staff("advisor")
    client = csrf_app.test_client()
    sign_in_as(client, advisor)
    assert client.post("/staff/contacts/new", data=GOOD).status_code == 400
    assert (
        client.post("/staff/contacts/hand-off", data={**GOOD, "request_type": "missed-bin"}).status_code
        == 400
    )
    assert count(Contact) == 0
    assert count(FormDraft) == 0
    form = client.get("/staff/contacts/new")
    token = page(form).select_one("form.app-contact-form input[name=csrf_token]")["value"]
    assert client.post("/staff/contacts/new", data={**GOOD, "csrf_token": token}).status_code == 302
    assert count(Contact) == 1
