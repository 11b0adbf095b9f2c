"""Working a case: transitions (illegal ones refused), public versus internal events, outbox rows, audit rows
and complaint stages, against the real database."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from crm_bridge.audit import AuditEvent
from crm_bridge.handoff import CustomerDetails
from crm_bridge.models import Case, CaseEvent, OutboxMessage
from crm_bridge.workbench.case_actions import (
    TRANSITIONS,
    CaseActionError,
    add_internal_note,
    add_public_update,
    assign,
    change_status,
    claim,
    escalate_complaint,
    record_complaint_outcome,
    refer_to_ombudsman,
    set_status,
)
from crm_bridge.working_days import add_working_days
from portal.db import db, utcnow

COMPLAINT = {
    "request_type": "complaint",
    "answers": {"category": "service-failure", "service_group": "environment"},
    "details": "My bin has been missed three weeks running.",
    "location": None,
}


def audit_rows(case: Case) -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(
        AuditEvent.object_type == "case", AuditEvent.object_id == str(case.id)
    )
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def updates_queued(case: Case | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).where(OutboxMessage.kind == "case_update")
    if case is not None:
        query = query.where(OutboxMessage.case_id == case.id)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def events_of(case: Case, kind: str) -> list[CaseEvent]:
    db.session.expire_all()
    return [event for event in db.session.get(Case, case.id).events if event.kind == kind]


@pytest.fixture
def advisor(create_staff):
    return create_staff("advisor", name="Alex Advisor")


# --- status ----------------------------------------------------------------------------------------------


def test_a_case_moves_through_its_statuses_with_timestamps_events_and_audit(app, create_case, advisor):
    case = create_case()
    change_status(case, "acknowledged", "", advisor)
    assert case.acknowledged_at is not None
    change_status(case, "in_progress", "", advisor)
    change_status(case, "resolved", "Bin emptied on Tuesday", advisor)
    assert case.resolved_at is not None
    change_status(case, "closed", "Nothing more to do", advisor)

    assert db.session.get(Case, case.id).status == "closed"
    statuses = events_of(case, "status")
    assert [e.status for e in statuses] == ["acknowledged", "in_progress", "resolved", "closed"]
    assert all(not e.public and e.author == "Alex Advisor" and e.author_id == advisor.id for e in statuses)
    assert statuses[-1].text == "Nothing more to do"
    rows = audit_rows(case)
    assert [(r.action, r.detail["old"], r.detail["new"]) for r in rows] == [
        ("update", "new", "acknowledged"),
        ("update", "acknowledged", "in_progress"),
        ("update", "in_progress", "resolved"),
        ("update", "resolved", "closed"),
    ]
    assert all(r.actor_id == advisor.id and r.detail["change"] == "status" for r in rows)
    # The audit row records that a reason was given, never its words.
    assert "Nothing more to do" not in str(rows[-1].detail)


@pytest.mark.parametrize(
    ("start", "target", "message"),
    [
        ("closed", "in_progress", "This case is closed"),
        ("closed", "resolved", "This case is closed"),
        ("resolved", "acknowledged", "A case cannot move from resolved to acknowledged"),
        ("in_progress", "new", "A case cannot move from in progress to new"),
        (
            "waiting_for_customer",
            "acknowledged",
            "A case cannot move from waiting for customer to acknowledged",
        ),
        ("in_progress", "in_progress", "The case is already in progress"),
        ("new", "lost", "Choose a status"),
    ],
)
def test_illegal_moves_are_refused_and_nothing_is_written(app, create_case, advisor, start, target, message):
    case = create_case(status=start)
    with pytest.raises(CaseActionError, match=message) as refused:
        change_status(case, target, "a reason", advisor, public_message="Hello")
    assert refused.value.field == "status"
    db.session.rollback()
    assert db.session.get(Case, case.id).status == start
    assert events_of(case, "status") == [] and events_of(case, "public_update") == []
    assert audit_rows(case) == [] and updates_queued(case) == []


def test_every_status_but_closed_has_somewhere_to_go():
    assert TRANSITIONS["closed"] == ()
    assert all(TRANSITIONS[status] for status in TRANSITIONS if status != "closed")
    assert all("new" not in targets for targets in TRANSITIONS.values())


@pytest.mark.parametrize(
    ("start", "target"),
    [("in_progress", "closed"), ("new", "waiting_for_customer"), ("resolved", "in_progress")],
)
def test_closing_waiting_and_reopening_need_a_reason(app, create_case, advisor, start, target):
    case = create_case(status=start)
    with pytest.raises(CaseActionError, match="Enter the reason") as refused:
        change_status(case, target, "   ", advisor)
    assert refused.value.field == "reason"
    db.session.rollback()
    assert db.session.get(Case, case.id).status == start
    change_status(case, target, "Asked for a photo", advisor)
    assert db.session.get(Case, case.id).status == target


def test_reopening_clears_the_resolution_time(app, create_case, advisor):
    case = create_case(status="in_progress")
    change_status(case, "resolved", "", advisor)
    change_status(case, "in_progress", "Resident says the bin is still full", advisor)
    assert case.resolved_at is None
    assert case.resolved_on is None


def test_acknowledgement_and_resolution_are_dated_on_the_uk_calendar(app, create_case):
    case = create_case()
    late_evening_in_summer = datetime(2026, 6, 30, 23, 30)  # UTC: 00:30 on 1 July in London
    set_status(case, "acknowledged", late_evening_in_summer)
    assert case.acknowledged_on == date(2026, 7, 1)
    winter_evening = datetime(2026, 12, 1, 23, 30)  # UTC and London agree in winter
    set_status(case, "resolved", winter_evening)
    assert (case.resolved_at, case.resolved_on) == (winter_evening, date(2026, 12, 1))


def test_a_status_change_with_a_public_message_tells_the_resident(app, create_case, advisor):
    case = create_case()
    change_status(case, "waiting_for_customer", "Need the house number", advisor, "Which house number is it?")
    [update] = events_of(case, "public_update")
    assert (update.public, update.text) == (True, "Which house number is it?")
    [message] = updates_queued(case)
    assert message.payload == {
        "case_id": case.id,
        "event_id": update.id,
        "reference": case.reference,
        "lang": "en",
    }
    [status] = events_of(case, "status")
    assert (status.public, status.text) == (False, "Need the house number")


# --- public updates and internal notes ---------------------------------------------------------------------


def test_a_public_update_is_a_public_event_with_one_outbox_message_in_the_case_language(
    app, create_case, advisor
):
    case = create_case(lang="cy")
    first = add_public_update(case, "  A crew will call on Friday.  ", advisor)
    second = add_public_update(case, "The crew has been.", advisor)
    assert (first.kind, first.public, first.text, first.author_id) == (
        "public_update",
        True,
        "A crew will call on Friday.",
        advisor.id,
    )
    messages = updates_queued(case)
    assert [m.payload["event_id"] for m in messages] == [first.id, second.id]
    assert all(m.payload["lang"] == "cy" for m in messages)
    assert len({m.idempotency_key for m in messages}) == 2
    assert [r.detail for r in audit_rows(case)] == [
        {"change": "public_update", "event_id": first.id},
        {"change": "public_update", "event_id": second.id},
    ]


def test_a_public_update_without_an_email_is_shown_but_not_sent(app, create_case, advisor):
    case = create_case(customer=CustomerDetails(name="Bob", phone="01632 960999"))
    add_public_update(case, "Done.", advisor)
    assert len(events_of(case, "public_update")) == 1
    assert updates_queued(case) == []


def test_an_internal_note_is_never_public_and_never_queued(app, create_case, advisor):
    case = create_case()
    note = add_internal_note(case, "Resident was rude on the phone", advisor)
    assert (note.kind, note.public) == ("internal_note", False)
    assert note not in db.session.get(Case, case.id).public_events
    assert updates_queued() == []
    [row] = audit_rows(case)
    assert row.detail == {"change": "internal_note", "event_id": note.id}


@pytest.mark.parametrize("action", [add_public_update, add_internal_note])
def test_empty_text_is_refused(app, create_case, advisor, action):
    case = create_case()
    with pytest.raises(CaseActionError) as refused:
        action(case, " \n ", advisor)
    assert refused.value.field == "text"
    db.session.rollback()
    assert len(db.session.get(Case, case.id).events) == 1  # only "created"


def test_no_public_update_on_a_closed_case(app, create_case, advisor):
    case = create_case(status="closed")
    with pytest.raises(CaseActionError, match="closed"):
        add_public_update(case, "Hello", advisor)


# --- claim and assign ---------------------------------------------------------------------------------------


def test_claim_assigns_the_case_to_the_actor(app, create_case, create_staff):
    officer = create_staff("service_officer")
    case = create_case()
    claim(case, officer)
    assert db.session.get(Case, case.id).assigned_to_id == officer.id
    [event] = events_of(case, "assignment")
    assert not event.public
    with pytest.raises(CaseActionError, match="already assigned to you"):
        claim(case, officer)
    [row] = audit_rows(case)
    assert row.detail == {"change": "claim", "assigned_from": None, "assigned_to": officer.id}


def test_an_officer_of_another_service_cannot_claim_or_be_assigned(app, create_case, create_staff, advisor):
    planner = create_staff("service_officer", service_groups=["planning"])
    case = create_case()  # a missed bin: environment
    with pytest.raises(CaseActionError):
        claim(case, planner)
    with pytest.raises(CaseActionError, match="cannot work cases of this service") as refused:
        assign(case, planner, advisor)
    assert refused.value.field == "assignee"
    db.session.rollback()
    assert db.session.get(Case, case.id).assigned_to_id is None
    assert audit_rows(case) == []


def test_a_manager_may_assign_but_cannot_be_assigned(app, create_case, create_staff):
    manager = create_staff("manager")
    officer = create_staff("service_officer")
    case = create_case()
    assign(case, officer, manager)
    assert db.session.get(Case, case.id).assigned_to_id == officer.id
    with pytest.raises(CaseActionError):
        assign(case, manager, manager)
    assign(case, None, manager)
    assert db.session.get(Case, case.id).assigned_to_id is None
    assert [r.detail["assigned_to"] for r in audit_rows(case)] == [officer.id, None]


# --- complaints -------------------------------------------------------------------------------------------


def test_a_complaint_goes_from_stage_1_to_review_to_the_ombudsman(app, create_case, advisor):
    case = create_case(**COMPLAINT)
    assert case.complaint_stage == 1
    record_complaint_outcome(case, "not_upheld", advisor)
    change_status(case, "resolved", "", advisor)
    before = utcnow()

    escalate_complaint(case, "Resident disagrees with the outcome", advisor)

    case = db.session.get(Case, case.id)
    assert (case.complaint_stage, case.status, case.complaint_outcome) == (2, "in_progress", None)
    assert case.respond_due in {add_working_days(before, 15), add_working_days(utcnow(), 15)}
    complaint_events = events_of(case, "complaint")
    assert "Escalated to stage 2: Resident disagrees" in complaint_events[-1].text
    assert not complaint_events[-1].public
    [*_, notice] = events_of(case, "public_update")
    assert "stage 2" in notice.text and notice.public
    assert updates_queued(case)[-1].payload["event_id"] == notice.id

    with pytest.raises(CaseActionError, match="Only a stage 1 complaint"):
        escalate_complaint(case, "again", advisor)
    record_complaint_outcome(case, "partly_upheld", advisor, public_message="We have partly upheld it.")
    refer_to_ombudsman(case, advisor)
    assert db.session.get(Case, case.id).ombudsman_referred_at is not None
    with pytest.raises(CaseActionError, match="already been referred"):
        refer_to_ombudsman(case, advisor)
    changes = [r.detail["change"] for r in audit_rows(case)]
    assert changes == [
        "complaint_outcome",
        "status",
        "complaint_escalated",
        "complaint_outcome",
        "ombudsman_referral",
    ]
    assert [e.text for e in events_of(case, "complaint")][-2:] == [
        "Outcome at stage 2: partly upheld",
        "Referred to the Local Government Ombudsman",
    ]


def test_escalation_sets_the_review_due_date_from_now(app, create_case, advisor):
    case = create_case(**COMPLAINT)
    escalate_complaint(case, "Unhappy", advisor)
    [row] = [r for r in audit_rows(case) if r.detail["change"] == "complaint_escalated"]
    assert row.detail["respond_due"] == case.respond_due.isoformat()
    assert case.respond_due >= add_working_days(utcnow(), 14)


def test_escalation_needs_a_reason_and_a_stage_1_complaint(app, create_case, advisor):
    complaint = create_case(**COMPLAINT)
    with pytest.raises(CaseActionError, match="Enter the reason") as refused:
        escalate_complaint(complaint, "", advisor)
    assert refused.value.field == "reason"
    db.session.rollback()
    assert db.session.get(Case, complaint.id).complaint_stage == 1
    with pytest.raises(CaseActionError, match="Only a stage 2 complaint"):
        refer_to_ombudsman(complaint, advisor)

    missed_bin = create_case()
    for action in (
        lambda: escalate_complaint(missed_bin, "why", advisor),
        lambda: refer_to_ombudsman(missed_bin, advisor),
        lambda: record_complaint_outcome(missed_bin, "upheld", advisor),
    ):
        with pytest.raises(CaseActionError, match="not a complaint"):
            action()


def test_an_unknown_outcome_is_refused(app, create_case, advisor):
    case = create_case(**COMPLAINT)
    with pytest.raises(CaseActionError, match="Choose the outcome"):
        record_complaint_outcome(case, "vindicated", advisor)
    db.session.rollback()
    assert db.session.get(Case, case.id).complaint_outcome is None
