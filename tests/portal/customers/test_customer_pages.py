"""The customer pages: find, the single view, merge, restriction, export and erasure."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import sqlalchemy as sa

from crm_bridge.audit import AuditEvent
from crm_bridge.contacts import record_contact
from crm_bridge.handoff import CustomerDetails
from crm_bridge.models import Case, Customer
from portal.db import db, utcnow
from tests.conftest import sign_in_as

from ..helpers import assert_well_formed, page, rows, text


def audits(action: str, object_type: str = "customer") -> list[AuditEvent]:
    db.session.rollback()
    statement = sa.select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.object_type == object_type
    )
    return list(db.session.scalars(statement.order_by(AuditEvent.id)))


def date_fields(name: str, when: date) -> dict:
    """The GOV.UK date boxes share one name: day, month and year in that order."""
    return {name: [str(when.day), str(when.month), str(when.year)]}


def test_find_customers_lists_matches_and_audits_the_read(staff_client, create_case):
    client, advisor = staff_client("advisor")
    case = create_case(customer=CustomerDetails(name="Nadia Kowalska", email="nadia@example.org"))
    create_case(customer=CustomerDetails(name="Tom Brown", email="tom@example.org"))

    empty = client.get("/staff/customers/")
    assert assert_well_formed(empty, 200) == "Find a customer"
    assert page(empty).select("table") == []

    response = client.get("/staff/customers/?q=kowal")
    assert_well_formed(response, 200)
    soup = page(response)
    assert text(soup.h2) == "1 customer found"
    [link] = soup.select("table a")
    assert text(link) == "Nadia Kowalska"
    assert link["href"] == f"/staff/customers/{case.customer_id}"
    assert [(row.actor_id, row.object_id, row.detail) for row in audits("view")] == [
        (advisor.id, str(case.customer_id), {"via": "search"})
    ]
    by_reference = page(client.get(f"/staff/customers/?q={case.reference}"))
    assert [text(a) for a in by_reference.select("table a")] == ["Nadia Kowalska"]


def test_a_search_too_long_is_refused_with_the_query_kept(staff_client):
    client, _ = staff_client("advisor")
    response = client.get("/staff/customers/?q=" + "a" * 201)
    assert_well_formed(response, 422)
    soup = page(response)
    assert "Search for 200 characters or fewer" in text(soup.select_one(".govuk-error-summary"))
    assert soup.select_one("input#q")["value"] == "a" * 201


def test_customer_page_shows_details_restriction_and_history(staff_client, create_case):
    client, advisor = staff_client("advisor")
    first = create_case(
        lang="pl",
        customer=CustomerDetails(
            name="Jan Nowak",
            email="jan@example.org",
            phone="01632 960001",
            address="3 Mill Lane",
            preferred_contact="phone",
        ),
    )
    customer = first.customer
    customer.needs_interpreter = True
    customer.restriction_reason = "Forty calls a week"
    customer.restriction_terms = "Email to the team mailbox only"
    customer.restriction_review_on = date(2027, 1, 31)
    create_case(
        request_type="parking-permit",
        answers={"registration": "AB12 CDE", "vehicle_number": "first"},
        channel="kiosk",
        lang="pl",
        customer=CustomerDetails(email="jan@example.org", preferred_contact="phone"),
    )
    record_contact(
        "phone",
        "providing_information",
        "pl",
        resolved_at_first_point=True,
        service_group="council-tax",
        customer=customer,
        summary="Asked about a discount",
    )
    db.session.commit()

    response = client.get(f"/staff/customers/{customer.id}")
    assert assert_well_formed(response, 200) == "Jan Nowak"
    soup = page(response)
    details = text(soup.select_one("#customer-details"))
    for expected in (
        "jan@example.org",
        "+441632960001",
        "3 Mill Lane",
        "Polski",
        "Phone",
        "Needs an interpreter",
    ):
        assert expected in details
    banner = text(soup.select_one("#restriction"))
    assert "Email to the team mailbox only" in banner and "Forty calls a week" in banner
    assert "31 January 2027" in banner
    history = [
        [text(cell) for cell in row.select("td")] for row in soup.select(".app-customers-history tbody tr")
    ]
    assert len(history) == 5  # two cases, their two hand-off contacts, the phone call
    assert (
        history[0][1] == "Contact" and history[0][3] == "Phone" and "Asked about a discount" in history[0][4]
    )
    channels = {row[3] for row in history}
    assert channels == {"Web", "Kiosk", "Phone"}
    assert {row[2] for row in history} >= {
        "Environmental services, pests, refuse and parks",
        "Parking, permits and concessionary fares",
    }
    assert [row.detail for row in audits("view")] == [{}]
    # An advisor may manage the record but not export or erase it.
    assert soup.find("a", string="Restrict contact") is None and soup.find(
        "a", string="Change the restriction"
    )
    assert soup.find("a", string="Erase personal data") is None


def test_manager_reads_but_cannot_manage(staff_client, create_case):
    client, _ = staff_client("manager")
    customer = create_case().customer
    soup = page(client.get(f"/staff/customers/{customer.id}"))
    assert soup.find("a", string="Restrict contact") is None
    assert soup.select("form[action$='merge']") == []
    assert client.get(f"/staff/customers/{customer.id}/restriction").status_code == 403


def test_merge_from_the_customer_page(staff_client, create_case):
    client, advisor = staff_client("advisor")
    keep = create_case(customer=CustomerDetails(name="Grace Hopper", email="grace@example.org")).customer
    other_case = create_case(customer=CustomerDetails(name="G. Hopper", email="g.hopper@example.org"))
    other = other_case.customer

    found = page(client.get(f"/staff/customers/{keep.id}?q=hopper"))
    [merge_link] = found.select(f"a[href$='/merge/{other.id}']")
    confirm = client.get(merge_link["href"])
    assert assert_well_formed(confirm, 200) == "Merge customer records"
    assert "G. Hopper" in text(page(confirm).main)

    response = client.post(merge_link["href"])
    assert response.status_code == 302 and response.location == f"/staff/customers/{keep.id}"
    after = client.get(response.location)
    assert "Cases moved to this record: 1. Contacts moved: 1." in text(
        page(after).select_one(".govuk-notification-banner")
    )
    references = [text(a) for a in page(after).select(".app-customers-history a")]
    assert other_case.reference in references  # linked to the workbench case page
    db.session.expire_all()
    assert db.session.get(Case, other_case.id).customer_id == keep.id
    assert {row.object_id for row in audits("merge")} == {str(keep.id), str(other.id)}
    # The old record leads to the one it joined.
    redirected = client.get(f"/staff/customers/{other.id}")
    assert redirected.status_code == 302 and redirected.location == f"/staff/customers/{keep.id}"


def test_merging_a_record_into_itself_is_refused(staff_client, create_case):
    client, _ = staff_client("advisor")
    customer = create_case().customer
    response = client.post(f"/staff/customers/{customer.id}/merge/{customer.id}")
    assert_well_formed(response, 422)
    assert "cannot be merged into itself" in text(page(response).select_one(".govuk-error-summary"))
    assert audits("merge") == []


def test_restriction_errors_keep_what_was_typed_then_save_and_lift(staff_client, create_case):
    client, advisor = staff_client("advisor")
    customer = create_case().customer
    url = f"/staff/customers/{customer.id}/restriction"
    assert assert_well_formed(client.get(url), 200) == "Restrict contact"
    missing = client.post(url, data={"reason": "Calls", "terms": "Letters"})  # no date boxes at all
    assert_well_formed(missing, 422)
    assert "Enter a review date" in text(page(missing).select_one(".govuk-error-summary"))

    too_far = utcnow().date() + timedelta(days=400)
    bad = client.post(
        url, data={"reason": "Daily abusive calls", "terms": "", **date_fields("review_on", too_far)}
    )
    assert_well_formed(bad, 422)
    soup = page(bad)
    summary = text(soup.select_one(".govuk-error-summary"))
    assert "Enter what the restriction is" in summary and "Review date must be on or before" in summary
    assert soup.select_one("textarea#reason").string.strip() == "Daily abusive calls"
    assert soup.select_one("input#review_on-year")["value"] == str(too_far.year)
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).restriction_reason is None

    review = utcnow().date() + timedelta(days=90)
    saved = client.post(
        url,
        data={"reason": "Daily abusive calls", "terms": "Letters only", **date_fields("review_on", review)},
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).restriction_terms == "Letters only"
    assert "Letters only" in text(page(client.get(saved.location)).select_one("#restriction"))
    listed = client.get("/staff/customers/restrictions")
    assert assert_well_formed(listed, 200) == "Restricted contact"
    assert "Letters only" in text(page(listed).main)

    lifted = client.post(f"/staff/customers/{customer.id}/restriction/lift")
    assert lifted.status_code == 302
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).restriction_reason is None
    assert [row.detail["change"] for row in audits("update")] == ["set", "lifted"]


def test_export_downloads_json_and_csv_for_data_protection_staff(staff_client, create_case):
    client, admin = staff_client("admin")
    case = create_case(customer=CustomerDetails(name="Ada Byron", email="ada@example.org"))
    customer_id = case.customer_id

    response = client.get(f"/staff/customers/{customer_id}/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="customer-{customer_id}-'
    )
    data = json.loads(response.get_data(as_text=True))
    assert data["customer"]["name"] == "Ada Byron" and data["cases"][0]["reference"] == case.reference

    as_csv = client.get(f"/staff/customers/{customer_id}/export.csv")
    assert as_csv.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(as_csv.get_data().decode("utf-8-sig"))))
    assert ["customer", "1", "name", "Ada Byron"] in table
    assert ["cases", "1", "reference", case.reference] in table
    assert client.get(f"/staff/customers/{customer_id}/export.xml").status_code == 404
    assert len(audits("export")) == 2

    advisor_client, _ = staff_client("advisor")
    assert advisor_client.get(f"/staff/customers/{customer_id}/export.json").status_code == 403


def test_erase_needs_the_word_then_anonymises(app, staff_client, create_case):
    client, admin = staff_client("admin")
    case = create_case(
        customer=CustomerDetails(name="Ivy Vanishing", email="ivy@example.org"), details="Ivy's hedge"
    )
    url = f"/staff/customers/{case.customer_id}/erase"
    assert assert_well_formed(client.get(url), 200) == "Erase a customer's personal data"

    wrong = client.post(url, data={"confirmation": "delete"})
    assert_well_formed(wrong, 422)
    assert "Type the word erase to confirm" in text(page(wrong).select_one(".govuk-error-summary"))
    assert page(wrong).select_one("input#confirmation")["value"] == "delete"
    assert [c.name for c in rows(Customer)] == ["Ivy Vanishing"]

    done = client.post(url, data={"confirmation": " Erase "})
    assert done.status_code == 302
    [customer] = rows(Customer)
    assert (customer.name, customer.email) == ("Erased", None)
    assert db.session.get(Case, case.id).details == "[erased]"
    after = client.get(done.location)
    assert_well_formed(after, 200)
    assert "personal data was erased" in text(page(after).select_one("#erased-notice"))
    assert len(audits("erase")) == 1


def test_erase_without_a_csrf_token_is_refused(csrf_app, create_case, create_staff):
    admin = create_staff("admin")
    case = create_case(customer=CustomerDetails(name="Kept Safe", email="kept@example.org"))
    client = csrf_app.test_client()
    sign_in_as(client, admin)
    response = client.post(f"/staff/customers/{case.customer_id}/erase", data={"confirmation": "erase"})
    assert response.status_code == 400
    assert [c.name for c in rows(Customer)] == ["Kept Safe"]
