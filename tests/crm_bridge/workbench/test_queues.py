"""Queue counts and case lists: filters, search and a service officer's scope, on both databases."""

from __future__ import annotations

from datetime import date

import pytest

from crm_bridge.handoff import CustomerDetails, Location
from crm_bridge.models import Customer
from crm_bridge.workbench.queues import CaseFilters, QueueCount, find_cases, queue_counts
from portal.db import db

TODAY = date(2026, 12, 24)  # Thursday, Christmas Eve


def references(page) -> list[str]:
    return [case.reference for case in page.cases]


@pytest.fixture
def cases(create_case, create_staff):
    """Five cases across two service groups, with different clocks, channels, languages and owners."""
    officer = create_staff("service_officer")
    bins = create_case(
        customer=CustomerDetails(name="Ann Smith", email="Ann@Example.org"),
        location=Location(postcode="ND1 1AA", address="14 Acacia Avenue"),
    )
    flytip = create_case(
        request_type="fly-tipping",
        answers={"what": "furniture", "amount": "van", "saw_it_happen": "no"},
        channel="phone",
        customer=CustomerDetails(name="Bob Jones", email="bob@example.org", postcode="ND2 3XY"),
        location=Location(address="Mill Lane"),
    )
    permit = create_case(
        request_type="bus-pass",
        answers={"request": "new", "date_of_birth": "1950-04-09"},
        lang="pl",
        customer=CustomerDetails(name="Piotr Nowak", email="piotr@example.org"),
        location=None,
        interpreter_needed=True,
    )
    done = create_case(
        status="resolved",
        customer=CustomerDetails(name="Cara Lee", email="cara@example.org"),
        location=Location(postcode="ND9 9ZZ", address="1 High Street"),
    )
    waiting = create_case(status="waiting_for_customer", customer=None, location=None)
    bins.respond_due = date(2026, 12, 23)  # breached
    flytip.respond_due = TODAY  # due today
    permit.respond_due = date(2026, 12, 30)  # 2 working days after Christmas Eve
    done.respond_due = date(2026, 12, 1)
    waiting.respond_due = date(2027, 1, 20)
    flytip.assigned_to_id = officer.id
    db.session.commit()
    return {
        "bins": bins,
        "flytip": flytip,
        "permit": permit,
        "done": done,
        "waiting": waiting,
        "officer": officer,
    }


def test_open_cases_by_default_most_urgent_first(cases):
    page = find_cases(CaseFilters(), None, None, TODAY)
    expected = [cases[name].reference for name in ("bins", "flytip", "permit", "waiting")]
    assert references(page) == expected
    assert page.total == 4
    every = find_cases(CaseFilters(status="all"), None, None, TODAY)
    assert every.total == 5
    assert references(find_cases(CaseFilters(status="resolved"), None, None, TODAY)) == [
        cases["done"].reference
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (CaseFilters(due="breached"), ["bins"]),
        (CaseFilters(due="today"), ["flytip"]),
        (CaseFilters(due="soon"), ["flytip", "permit"]),
        (CaseFilters(channel="phone"), ["flytip"]),
        (CaseFilters(lang="pl"), ["permit"]),
        (CaseFilters(interpreter=True), ["permit"]),
        (CaseFilters(assigned="unassigned"), ["bins", "permit", "waiting"]),
        (CaseFilters(service_group="parking"), ["permit"]),
        (CaseFilters(request_type="missed-bin"), ["bins", "waiting"]),
        (CaseFilters(request_type="missed-bin", due="breached"), ["bins"]),
        (CaseFilters(status="all", due="breached"), ["bins"]),  # a resolved case is never breached
    ],
)
def test_filters(cases, filters, expected):
    assert references(find_cases(filters, None, None, TODAY)) == [cases[name].reference for name in expected]


def test_assigned_to_me(cases):
    officer = cases["officer"]
    page = find_cases(CaseFilters(assigned="me"), None, officer.id, TODAY)
    assert references(page) == [cases["flytip"].reference]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ann", ["bins"]),  # name, contains, any case
        ("  SMITH ", ["bins"]),
        ("ann@example.org", ["bins"]),  # email, exact, any case
        ("ANN@EXAMPLE.ORG", ["bins"]),
        ("example.org", []),  # an email is matched whole, never by a part
        ("nd11aa", ["bins"]),  # the location's postcode, spaces and case ignored
        ("ND1  1AA", ["bins"]),
        ("nd2 3xy", ["flytip"]),  # the customer's postcode
        ("%", []),  # wildcards are taken literally
        ("_", []),
    ],
)
def test_search(cases, q, expected):
    page = find_cases(CaseFilters(q=q, status="all"), None, None, TODAY)
    assert references(page) == [cases[name].reference for name in expected]


def test_search_by_reference_is_exact_and_ignores_case(cases):
    reference = cases["permit"].reference
    assert references(find_cases(CaseFilters(q=reference.lower()), None, None, TODAY)) == [reference]
    assert references(find_cases(CaseFilters(q=reference[:-1]), None, None, TODAY)) == []


def test_a_service_officer_sees_only_their_groups(cases):
    scope = cases["officer"].case_scope()
    assert scope == ["environment"]
    page = find_cases(CaseFilters(status="all"), scope, None, TODAY)
    assert cases["permit"].reference not in references(page)
    assert page.total == 4
    # Searching for a case of another group finds nothing, even by its exact reference.
    assert find_cases(CaseFilters(q=cases["permit"].reference), scope, None, TODAY).total == 0
    assert {count.service_group for count in queue_counts(scope, TODAY)} == {"environment"}


def test_queue_counts(cases):
    counts = queue_counts(None, TODAY)
    assert counts == [
        QueueCount("environment", "fly-tipping", open=1, breached=0, due_today=1, unassigned=0),
        QueueCount("environment", "missed-bin", open=2, breached=1, due_today=0, unassigned=2),
        QueueCount("parking", "bus-pass", open=1, breached=0, due_today=0, unassigned=1),
    ]
    assert queue_counts([], TODAY) == []


def test_pages(create_case):
    made = [create_case(customer=None) for _ in range(5)]
    first = find_cases(CaseFilters(), None, None, TODAY, page=1, per_page=2)
    last = find_cases(CaseFilters(), None, None, TODAY, page=3, per_page=2)
    assert (first.total, first.pages, len(first.cases)) == (5, 3, 2)
    assert references(last) == [made[4].reference]
    # A page past the end shows the last page.
    assert find_cases(CaseFilters(), None, None, TODAY, page=99, per_page=2).page == 3


def test_interpreter_from_the_hand_off(cases):
    permit = cases["permit"]
    assert permit.interpreter_needed
    assert db.session.get(Customer, permit.customer_id).needs_interpreter
    assert not cases["bins"].interpreter_needed
