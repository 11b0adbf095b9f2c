"""The queue page: counts, filters by GET (no JavaScript needed), search, flags, scope, bad input, htmx."""

from __future__ import annotations

from datetime import date, timedelta

from crm_bridge.handoff import CustomerDetails, Location
from crm_bridge.workbench.sla import uk_today
from portal.db import db

from ..helpers import assert_well_formed, page, text


def row_references(response) -> list[str]:
    return [row["data-reference"] for row in page(response).select("tr.app-queue-row")]


def test_advisor_sees_counts_and_open_cases(staff_client, create_case):
    client, _user = staff_client("advisor")
    breached = create_case()
    breached.respond_due = uk_today() - timedelta(days=7)
    create_case(request_type="bus-pass", answers={"request": "new"}, location=None)
    create_case(status="closed")
    db.session.commit()
    response = client.get("/staff/cases")
    assert assert_well_formed(response, 200) == "Cases"
    soup = page(response)
    counts = {row["data-queue"]: text(row) for row in soup.select(".app-queue-counts tbody tr")}
    assert set(counts) == {"environment/missed-bin", "parking/bus-pass"}
    assert "Report a missed bin collection 1 1 0 1" in counts["environment/missed-bin"]
    assert len(row_references(response)) == 2  # the closed case is not in the working queue
    first = soup.select_one("tr.app-queue-row")
    assert first["data-reference"] == breached.reference  # most urgent first
    assert "Breached" in text(first) and "Ann Smith" in text(first)
    assert response.headers["Cache-Control"] == "no-store"


def test_filters_and_search_work_as_a_plain_get_form(staff_client, create_case):
    client, _user = staff_client("advisor")
    ann = create_case()
    bob = create_case(
        channel="phone",
        customer=CustomerDetails(name="Bob Jones", email="bob@example.org"),
        location=Location(postcode="ND7 7QQ", address="2 Mill Lane"),
    )
    form = page(client.get("/staff/cases")).find("form", class_="app-queue-filters")
    assert form["method"] == "get" and not form.find("input", attrs={"name": "csrf_token"})
    assert row_references(client.get("/staff/cases?channel=phone")) == [bob.reference]
    assert row_references(client.get("/staff/cases?q=nd77qq")) == [bob.reference]
    assert row_references(client.get(f"/staff/cases?q={ann.reference.lower()}")) == [ann.reference]
    searched = client.get("/staff/cases?q=Jones&channel=phone")
    assert page(searched).find(id="q")["value"] == "Jones"  # what was typed is kept
    assert page(searched).find(id="channel").find("option", selected=True)["value"] == "phone"
    empty = client.get("/staff/cases?q=nobody")
    assert "No cases match these filters." in text(page(empty).main)


def test_restricted_customer_and_interpreter_are_flagged(staff_client, create_case):
    client, _user = staff_client("advisor")
    case = create_case(interpreter_needed=True)
    case.customer.restriction_reason = "Unreasonably persistent contact"
    db.session.commit()
    plain = create_case(customer=CustomerDetails(name="Dee Ray", email="dee@example.org"))
    response = client.get("/staff/cases")
    rows = {row["data-reference"]: row for row in page(response).select("tr.app-queue-row")}
    assert rows[case.reference].select_one(".app-flag--restricted")
    assert rows[case.reference].select_one(".app-flag--interpreter")
    assert not rows[plain.reference].select(".app-flag")
    assert row_references(client.get("/staff/cases?interpreter=yes")) == [case.reference]


def test_bad_filter_values_get_422_with_the_error_and_the_search_kept(staff_client, create_case):
    client, _user = staff_client("advisor")
    create_case()
    response = client.get("/staff/cases?status=bogus&q=Ann")
    assert_well_formed(response, 422)
    soup = page(response)
    summary = soup.select(".govuk-error-summary__list a")
    assert [(link["href"], text(link)) for link in summary] == [
        ("#status", "Choose one of the options for ‘Status’")
    ]
    assert soup.find(id="q")["value"] == "Ann"
    assert not soup.select("tr.app-queue-row")
    too_long = client.get("/staff/cases?q=" + "x" * 101)
    assert too_long.status_code == 422


def test_htmx_gets_only_the_results(staff_client, create_case):
    client, _user = staff_client("advisor")
    case = create_case()
    response = client.get("/staff/cases?q=Ann", headers={"HX-Request": "true"})
    assert response.status_code == 200
    soup = page(response)
    assert soup.find("h1") is None and soup.find(id="queue-results")
    assert row_references(response) == [case.reference]


def test_a_service_officer_sees_only_their_groups(staff_client, create_case):
    client, _user = staff_client("service_officer")  # environment
    bins = create_case()
    create_case(request_type="bus-pass", answers={"request": "new"}, location=None)
    response = client.get("/staff/cases?status=all")
    assert row_references(response) == [bins.reference]
    counts = [row["data-queue"] for row in page(response).select(".app-queue-counts tbody tr")]
    assert counts == ["environment/missed-bin"]


def test_pages_keep_the_filters(staff_client, create_case):
    client, _user = staff_client("advisor")
    for _ in range(26):
        create_case(channel="phone", customer=None)
    response = client.get("/staff/cases?channel=phone")
    assert len(row_references(response)) == 25
    next_link = page(response).select_one(".govuk-pagination__next a")["href"]
    assert "channel=phone" in next_link and "page=2" in next_link
    second = client.get(next_link)
    assert_well_formed(second, 200)
    assert len(row_references(second)) == 1


def test_who_may_see_the_queue(app, client, staff_client):
    assert client.get("/staff/cases").status_code == 302  # to sign in
    editor, _user = staff_client("kb_editor")
    assert editor.get("/staff/cases").status_code == 403
    manager, _user = staff_client("manager")
    assert manager.get("/staff/cases").status_code == 200


def test_due_filters(staff_client, create_case):
    client, _user = staff_client("advisor")
    today = uk_today()
    overdue, due_today, later = create_case(), create_case(), create_case()
    overdue.respond_due = today - timedelta(days=1)
    due_today.respond_due = today
    later.respond_due = date(today.year + 1, 1, 31)
    db.session.commit()
    assert row_references(client.get("/staff/cases?due=breached")) == [overdue.reference]
    assert row_references(client.get("/staff/cases?due=today")) == [due_today.reference]
    assert due_today.reference in row_references(client.get("/staff/cases?due=soon"))


def test_every_case_listed_is_an_audited_read(staff_client, create_case):
    from crm_bridge.audit import AuditEvent

    from ..helpers import rows

    client, user = staff_client("service_officer")
    shown = create_case()
    hidden = create_case(request_type="bus-pass", answers={"request": "new"}, location=None)
    assert client.get("/staff/cases").status_code == 200
    reads = [
        (row.actor_id, row.object_id, row.detail) for row in rows(AuditEvent) if row.object_type == "case"
    ]
    assert reads == [(user.id, str(shown.id), {"via": "queue"})]
    assert str(hidden.id) not in {object_id for _actor, object_id, _detail in reads}
