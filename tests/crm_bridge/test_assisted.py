"""Assisted contacts: logged by the advisor with channel, avoidable reason and customer; handed off as a
case through the one hand-off with the channel kept and exactly one contact."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from crm_bridge.assisted import (
    AssistedContact,
    AssistedContactError,
    contacts_logged_today,
    customer_for_contact,
    hand_off_assisted,
    log_assisted_contact,
    search_customers,
)
from crm_bridge.audit import AuditEvent
from crm_bridge.handoff import CustomerDetails, Submission
from crm_bridge.models import Case, Contact, Customer
from crm_bridge.working_days import add_working_days
from portal.db import db


def all_rows(model) -> list:
    return list(db.session.scalars(sa.select(model).order_by(model.id)))


def details(**overrides) -> AssistedContact:
    fields = {
        "channel": "phone",
        "service_group": "council-tax",
        "interaction_type": "collecting_revenue",
        "resolved": True,
        "avoidable_reason": None,
        "summary": "Asked how to pay by direct debit.",
    }
    return AssistedContact(**(fields | overrides))


def test_a_phone_contact_is_recorded_with_who_logged_it_and_audited(app, create_staff):
    advisor = create_staff("advisor")
    contact = log_assisted_contact(details(), advisor)
    [stored] = all_rows(Contact)
    assert stored.id == contact.id
    assert (stored.channel, stored.service_group, stored.interaction_type) == (
        "phone",
        "council-tax",
        "collecting_revenue",
    )
    assert (stored.resolved_at_first_point, stored.avoidable, stored.avoidable_reason) == (True, False, None)
    assert stored.logged_by_id == advisor.id
    assert stored.customer_id is None and stored.case_id is None
    [event] = [e for e in all_rows(AuditEvent) if e.object_type == "contact"]
    assert (event.actor_id, event.action, event.object_id) == (advisor.id, "create", str(contact.id))
    assert event.detail["channel"] == "phone"
    assert "Asked" not in str(event.detail)  # the summary may hold personal data: never in the audit


@pytest.mark.parametrize("reason", ["chasing_progress", "not_understood", "repeat_contact", "wrongly_routed"])
def test_failure_demand_is_counted_with_its_reason(app, create_staff, reason):
    contact = log_assisted_contact(details(resolved=False, avoidable_reason=reason), create_staff())
    db.session.expire_all()
    stored = db.session.get(Contact, contact.id)
    assert (stored.avoidable, stored.avoidable_reason, stored.resolved_at_first_point) == (
        True,
        reason,
        False,
    )


@pytest.mark.parametrize("channel", ["phone", "face_to_face", "email", "post"])
def test_every_assisted_channel_is_counted(app, create_staff, channel):
    log_assisted_contact(details(channel=channel), create_staff())
    assert [c.channel for c in all_rows(Contact)] == [channel]


@pytest.mark.parametrize(
    "change",
    [
        {"channel": "web"},
        {"channel": "fax"},
        {"service_group": "roads"},
        {"interaction_type": "gossip"},
        {"avoidable_reason": "bored"},
        {"lang": "xx"},
    ],
)
def test_codes_outside_the_vocabulary_are_refused_and_nothing_is_written(app, create_staff, change):
    advisor = create_staff()
    with pytest.raises(AssistedContactError):
        log_assisted_contact(details(**change), advisor)
    db.session.rollback()
    assert all_rows(Contact) == []


def test_new_customer_details_are_matched_to_the_existing_record(app, create_staff, create_case):
    case = create_case()  # Ann Smith, ann@example.org, 01632 960123
    given = CustomerDetails(name="Ann Smith", phone="+44 1632 960123")
    contact = log_assisted_contact(details(customer=given), create_staff())
    assert contact.customer_id == case.customer_id
    assert len(all_rows(Customer)) == 1
    event = all_rows(AuditEvent)[-1]
    assert (event.detail["customer"], event.detail["customer_id"]) == ("matched", case.customer_id)


def test_new_customer_details_with_no_match_make_a_new_record(app, create_staff):
    contact = log_assisted_contact(
        details(customer=CustomerDetails(name="Bo", email="bo@example.org")), create_staff()
    )
    [customer] = all_rows(Customer)
    assert (contact.customer_id, customer.email) == (customer.id, "bo@example.org")
    assert all_rows(AuditEvent)[-1].detail["customer"] == "new"


def test_an_existing_customer_is_picked_by_id_and_a_merged_one_leads_to_its_survivor(app, create_staff):
    survivor = Customer(name="Cy Jones", email="cy@example.org")
    db.session.add(survivor)
    db.session.flush()
    merged = Customer(name="C Jones", merged_into_id=survivor.id)
    gone = Customer(name="", anonymised_at=datetime(2026, 1, 1))
    db.session.add_all([merged, gone])
    db.session.commit()
    advisor = create_staff()
    assert log_assisted_contact(details(customer_id=survivor.id), advisor).customer_id == survivor.id
    assert log_assisted_contact(details(customer_id=merged.id), advisor).customer_id == survivor.id
    assert customer_for_contact(gone.id) is None
    with pytest.raises(AssistedContactError):
        log_assisted_contact(details(customer_id=gone.id), advisor)


def test_search_finds_customers_by_email_phone_or_name_and_skips_merged_records(app):
    ann = Customer(name="Ann Smith", email="ann@example.org", phone="+441632960123")
    other = Customer(name="Annabel Smithers", email="annabel@example.org")
    db.session.add_all([ann, other])
    db.session.flush()
    db.session.add(Customer(name="Ann Smith (old)", merged_into_id=ann.id))
    db.session.commit()
    assert search_customers("ANN@example.org") == [ann]
    assert search_customers("01632 960123") == [ann]
    assert search_customers("ann smith") == [ann, other]
    assert search_customers("smithers") == [other]
    assert search_customers("100%") == []
    assert search_customers("   ") == []


def phone_submission(**overrides) -> Submission:
    fields = {
        "request_type": "missed-bin",
        "submission_key": "assisted-1",
        "channel": "phone",
        "answers": {"bin": "green", "collection_date": "2026-11-20", "out_by_time": "yes"},
        "details": "Caller says the bin was not emptied.",
        "customer": CustomerDetails(name="Ann Smith", email="ann@example.org"),
    }
    return Submission(**(fields | overrides))


def test_hand_off_keeps_the_channel_and_records_one_contact_logged_by_the_advisor(app, create_staff):
    advisor = create_staff()
    case = hand_off_assisted(phone_submission(avoidable_reason="chasing_progress"), advisor)
    again = hand_off_assisted(phone_submission(avoidable_reason="chasing_progress"), advisor)
    assert again.id == case.id
    assert case.channel == "phone"
    [contact] = all_rows(Contact)
    assert (contact.channel, contact.case_id, contact.logged_by_id) == ("phone", case.id, advisor.id)
    assert (contact.resolved_at_first_point, contact.avoidable_reason) == (False, "chasing_progress")
    assert contact.customer_id == case.customer_id
    case_audits = [e for e in all_rows(AuditEvent) if e.object_type == "case"]
    assert [(e.action, e.object_id, e.detail["channel"]) for e in case_audits] == [
        ("create", str(case.id), "phone")
    ]


def test_hand_off_refuses_a_self_service_channel(app, create_staff):
    with pytest.raises(AssistedContactError):
        hand_off_assisted(phone_submission(channel="web"), create_staff())
    assert all_rows(Case) == []


def test_a_letter_is_acknowledged_within_five_working_days_and_a_call_within_one(app, create_staff):
    advisor = create_staff()
    letter = hand_off_assisted(phone_submission(channel="post", submission_key="letter"), advisor)
    call = hand_off_assisted(phone_submission(submission_key="call"), advisor)
    assert letter.acknowledge_due == add_working_days(letter.created_at, 5)
    assert call.acknowledge_due == add_working_days(call.created_at, 1)
    assert letter.respond_due == add_working_days(letter.created_at, 10)


def test_the_day_summary_counts_the_advisors_own_contacts_since_uk_midnight(app, create_staff):
    advisor, colleague = create_staff(), create_staff()
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time): today's; 22:30 UTC is yesterday's.
    now = datetime(2026, 7, 1, 9, 0)
    log_assisted_contact(details(started_at=datetime(2026, 6, 30, 22, 30)), advisor)
    log_assisted_contact(details(started_at=datetime(2026, 6, 30, 23, 30)), advisor)
    log_assisted_contact(details(channel="post", resolved=False, started_at=datetime(2026, 7, 1, 8)), advisor)
    log_assisted_contact(details(started_at=datetime(2026, 7, 1, 8, 30)), colleague)
    day = contacts_logged_today(advisor, now)
    assert [c.started_at.hour for c in day.contacts] == [8, 23]
    assert day.by_channel == {"phone": 1, "face_to_face": 0, "email": 0, "post": 1}
    assert day.resolved_rate == 50
    assert contacts_logged_today(create_staff(), now).resolved_rate is None
