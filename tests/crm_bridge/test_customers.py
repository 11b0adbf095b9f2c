"""Finding customers, their history, merging two records, the persistent-complainant marker."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from crm_bridge import customers as services
from crm_bridge.audit import AuditEvent
from crm_bridge.contacts import record_contact
from crm_bridge.handoff import CustomerDetails
from crm_bridge.models import Contact, Customer
from portal.db import db


def audit_rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_find_customers_by_name_email_phone_postcode_and_reference(create_case):
    case = create_case(
        customer=CustomerDetails(
            name="Priya Ramaswamy", email="Priya@Example.org", phone="01632 960555", postcode="ND4 2BQ"
        )
    )
    other = create_case(customer=CustomerDetails(name="Bob Jones", email="bob@example.org"))
    priya = case.customer
    for query in ("ramas", "PRIYA@example.org", "+44 1632 960555", "01632960555", "nd42bq", case.reference):
        assert services.find_customers(query) == [priya], query
    assert services.find_customers("jones") == [other.customer]
    assert services.find_customers("") == []
    assert services.find_customers("%") == []  # a wildcard is a character like any other


def test_history_has_every_case_and_contact_newest_first(create_case):
    first = create_case(request_type="missed-bin", created_at=datetime(2026, 1, 5, 9))
    second = create_case(request_type="missed-bin", channel="kiosk")
    customer = first.customer
    assert second.customer_id == customer.id
    record_contact(
        "phone",
        "providing_information",
        "en",
        resolved_at_first_point=True,
        service_group="parking",
        customer=customer,
        started_at=datetime(2030, 1, 1),
        summary="Asked about a permit",
    )
    db.session.commit()
    history = services.customer_history(customer)
    kinds = [(entry.kind, entry.channel) for entry in history]
    assert kinds[0] == ("contact", "phone")
    assert ("case", "kiosk") in kinds and ("case", "web") in kinds
    assert len([e for e in history if e.kind == "contact"]) == 3  # the two hand-offs' contacts and the call
    assert [entry.at for entry in history] == sorted((entry.at for entry in history), reverse=True)
    assert {entry.service_group for entry in history} == {"environment", "parking"}


def test_merge_moves_cases_and_contacts_fills_gaps_and_is_audited(create_case, create_staff):
    advisor = create_staff()
    keep = create_case(customer=CustomerDetails(name="Ann Smith", email="ann@example.org")).customer
    other_case = create_case(
        customer=CustomerDetails(
            name="A Smith", phone="07700 900123", address="1 High St", postcode="ND1 1AA"
        )
    )
    other = other_case.customer
    other.needs_interpreter = True
    earlier = Customer(name="", merged_into_id=other.id)
    db.session.add(earlier)
    db.session.commit()
    assert keep.id != other.id

    result = services.merge_customers(keep, other, advisor)

    assert (result.cases, result.contacts) == (1, 1)
    assert set(result.filled) == {"phone", "address", "postcode", "needs_interpreter"}
    db.session.expire_all()
    assert [case.id for case in keep.cases] == sorted([keep.cases[0].id, other_case.id])
    assert len(services.customer_history(keep)) == 4
    assert db.session.scalar(sa.select(sa.func.count()).where(Contact.customer_id == other.id)) == 0
    assert (keep.name, keep.email, keep.phone, keep.postcode) == (
        "Ann Smith",
        "ann@example.org",
        "+447700900123",
        "ND1 1AA",
    )
    assert other.merged_into_id == keep.id
    assert (other.name, other.email, other.phone, other.address, other.postcode) == ("", None, None, "", None)
    assert earlier.merged_into_id == keep.id
    assert services.resolve_merged(other).id == keep.id
    rows = audit_rows("merge")
    assert {(row.object_id, row.actor_id) for row in rows} == {
        (str(keep.id), advisor.id),
        (str(other.id), advisor.id),
    }
    assert "Smith" not in str([row.detail for row in rows])


def test_merge_refuses_itself_and_merged_records(create_case, create_staff):
    advisor = create_staff()
    one = create_case(customer=CustomerDetails(name="One", email="one@example.org")).customer
    two = create_case(customer=CustomerDetails(name="Two", email="two@example.org")).customer
    three = create_case(customer=CustomerDetails(name="Three", email="three@example.org")).customer
    with pytest.raises(services.CustomerError) as refused:
        services.merge_customers(one, one, advisor)
    assert refused.value.code == "same_record"
    services.merge_customers(one, two, advisor)
    for keep, other in ((two, three), (three, two)):
        with pytest.raises(services.CustomerError) as refused:
            services.merge_customers(keep, other, advisor)
        assert refused.value.code == "already_merged"
    assert len(audit_rows("merge")) == 2


def test_restriction_needs_reason_terms_and_a_review_within_a_year(create_case, create_staff):
    advisor = create_staff()
    customer = create_case().customer
    today = date(2026, 3, 10)
    for reason, terms, review_on, code in (
        ("", "Email only", date(2026, 6, 1), "reason_missing"),
        ("Daily calls", " ", date(2026, 6, 1), "terms_missing"),
        ("Daily calls", "Email only", None, "review_missing"),
        ("Daily calls", "Email only", today, "review_not_future"),
        ("Daily calls", "Email only", date(2027, 3, 11), "review_too_far"),
    ):
        with pytest.raises(services.CustomerError) as refused:
            services.set_restriction(customer, reason, terms, review_on, advisor, today=today)
        assert refused.value.code == code
    assert not customer.restricted and audit_rows("update") == []

    services.set_restriction(customer, "Daily calls", "Email only", date(2027, 3, 10), advisor, today=today)
    assert customer.restricted and customer.restriction_set_by_id == advisor.id
    assert customer.restriction_review_on == date(2027, 3, 10)
    assert services.restrictions_due_for_review(date(2027, 3, 9)) == []
    assert services.restrictions_due_for_review(date(2027, 3, 10)) == [customer]
    [row] = audit_rows("update")
    assert row.detail == {"field": "restriction", "change": "set", "review_on": "2027-03-10"}

    services.lift_restriction(customer, advisor)
    assert not customer.restricted and customer.restriction_terms is None
    assert services.current_restrictions() == []
    assert [row.detail["change"] for row in audit_rows("update")] == ["set", "lifted"]
    with pytest.raises(services.CustomerError):
        services.lift_restriction(customer, advisor)


def test_latest_review_date_on_a_leap_day():
    assert services.latest_review_date(date(2028, 2, 29)) == date(2029, 2, 28)
    assert services.review_date_problem(date(2028, 2, 29) + timedelta(days=365), date(2028, 2, 29)) is None
