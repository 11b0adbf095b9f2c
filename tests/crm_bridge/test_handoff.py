from datetime import date, datetime

import pytest
import sqlalchemy as sa

from crm_bridge.handoff import (
    CustomerDetails,
    HandOffError,
    HandOffSettings,
    Location,
    Submission,
    format_reference,
    hand_off,
    normalise_phone,
)
from crm_bridge.models import Case, Contact, Customer, OutboxMessage
from portal.db import db


def submit(**overrides) -> Case:
    fields = {
        "request_type": "missed-bin",
        "submission_key": "form-1",
        "channel": "web",
        "lang": "en",
        "answers": {"bin": "green", "collection_date": "2026-11-20", "out_by_time": "yes"},
        "details": "Bin left at the kerb.",
        "customer": CustomerDetails(name="Ann Smith", email="Ann@Example.org", phone="01632 960123"),
        "location": Location(postcode="ND1 1AA", address="1 Market Street"),
        "transcript": ({"role": "resident", "text": "bin not emptied"},),
        "searches": ({"query": "missed bin"},),
    }
    return hand_off(Submission(**(fields | overrides)))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_hand_off_creates_case_contact_event_and_acknowledgement_together(app):
    case = submit()
    assert case.reference == format_reference("NDC", case.created_at, case.id)
    assert len(case.tracking_token) >= 40
    assert (case.service_group, case.queue, case.status) == ("environment", "waste-and-recycling", "new")
    assert case.answers["bin"] == "green"
    assert case.location["postcode"] == "ND1 1AA"
    assert case.transcript[0]["text"] == "bin not emptied"
    assert [e.kind for e in case.events] == ["created"]
    contact = db.session.scalar(sa.select(Contact))
    assert (contact.channel, contact.case_id, contact.resolved_at_first_point) == ("web", case.id, False)
    message = db.session.scalar(sa.select(OutboxMessage))
    assert (message.kind, message.payload["email"], message.delivered_at) == (
        "acknowledgement",
        "ann@example.org",
        None,
    )


def test_reference_looks_like_the_councils():
    assert format_reference("NDC", datetime(2026, 3, 1), 4217) == "NDC-26-004217"


def test_due_dates_follow_the_working_day_clock(app):
    case = submit()
    created = case.created_at.date()
    assert case.acknowledge_due > created
    assert (case.respond_due - case.acknowledge_due).days >= 9


def test_same_submission_twice_is_one_case(app):
    first = submit()
    second = submit(details="changed on a second click")
    assert second.id == first.id
    assert count(Case) == count(Contact) == count(OutboxMessage) == 1


def test_customer_is_matched_by_email_or_phone(app):
    submit(submission_key="a")
    submit(submission_key="b", customer=CustomerDetails(name="Ann", email="ann@example.org"))
    submit(submission_key="c", customer=CustomerDetails(name="Ann", phone="+44 1632 960123"))
    submit(submission_key="d", customer=CustomerDetails(name="Bob", email="bob@example.org"))
    assert count(Customer) == 2
    ann = db.session.scalar(sa.select(Customer).where(Customer.email == "ann@example.org"))
    assert len(ann.cases) == 3


def test_phone_numbers_are_normalised():
    assert normalise_phone("+44 (0)1632 960 123") == normalise_phone("01632960123") == "+441632960123"
    assert normalise_phone("") is None


def test_anonymous_report_has_no_acknowledgement(app):
    submit(customer=None)
    assert count(OutboxMessage) == 0
    assert count(Case) == 1


def test_crm_push_is_queued_when_configured(app):
    case = hand_off(
        Submission(request_type="graffiti", submission_key="g", channel="app", answers={"offensive": "no"}),
        HandOffSettings(push_to_crm=True),
    )
    kinds = db.session.scalars(sa.select(OutboxMessage.kind)).all()
    assert kinds == ["crm_push"]
    assert case.channel == "app"


def test_complaint_starts_at_stage_one_in_the_service_complained_about(app):
    case = submit(
        request_type="complaint",
        answers={"category": "officer-behaviour", "service_group": "council-tax"},
    )
    assert (case.complaint_stage, case.complaint_category, case.service_group) == (
        1,
        "officer-behaviour",
        "council-tax",
    )
    assert (case.respond_due - case.created_at.date()).days >= 15


@pytest.mark.parametrize(("field", "value"), [("request_type", "unicorns"), ("channel", "carrier-pigeon")])
def test_unknown_request_type_or_channel_creates_nothing(app, field, value):
    with pytest.raises(HandOffError):
        submit(**{field: value})
    assert count(Case) == count(Customer) == 0


def test_respond_due_is_a_date(app):
    assert isinstance(submit().respond_due, date)


def test_complaint_naming_an_earlier_one_asks_for_a_stage_two_review(app):
    case = submit(
        request_type="complaint",
        answers={
            "category": "service-failure",
            "service_group": "environment",
            "previous_reference": "NDC-26-000001",
        },
    )
    assert case.complaint_stage == 2
