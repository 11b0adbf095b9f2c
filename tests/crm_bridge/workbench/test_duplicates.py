"""Duplicate suggestions (same request type, near the same place, within recent days) and merging, which keeps
both histories and keeps the duplicate's resident informed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm_bridge.audit import AuditEvent
from crm_bridge.handoff import CustomerDetails, Location
from crm_bridge.models import Case, CaseEvent, OutboxMessage
from crm_bridge.workbench.case_actions import (
    CaseActionError,
    add_internal_note,
    add_public_update,
    change_status,
)
from crm_bridge.workbench.duplicates import (
    haversine_metres,
    merge_cases,
    normalise_address,
    normalise_postcode,
    suggest_duplicates,
)
from portal.db import db, utcnow

WINDOW, DISTANCE = 14, 100
# About 55 metres north of 54.5, -1.55 (create_case's default place), and about 1.1 km north.
NEAR = Location(postcode="ND1 2BB", address="16 Acacia Avenue", lat=54.5005, lng=-1.55)
FAR = Location(postcode="ND1 2BB", address="Far End", lat=54.51, lng=-1.55)


def fresh(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def kinds(case: Case) -> list[str]:
    return [event.kind for event in fresh(case).events]


def outbox_for(case: Case) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).where(
        OutboxMessage.case_id == case.id, OutboxMessage.kind == "case_update"
    )
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


@pytest.fixture
def advisor(create_staff):
    return create_staff("advisor", name="Alex Advisor")


def test_haversine_and_normalisation():
    assert haversine_metres(54.5, -1.55, 54.5, -1.55) == 0
    assert 54 < haversine_metres(54.5, -1.55, 54.5005, -1.55) < 57
    assert 1100 < haversine_metres(54.5, -1.55, 54.51, -1.55) < 1125
    assert normalise_postcode(" nd1  1aa ") == "ND11AA"
    assert normalise_address("14, Acacia   Avenue.") == normalise_address("14 acacia avenue")


def test_suggestions_are_open_cases_of_the_same_type_near_and_recent(app, create_case):
    case = create_case()
    near = create_case(location=NEAR)
    same_spot = create_case()
    create_case(location=FAR)  # too far
    create_case(request_type="graffiti", answers={"offensive": "no", "surface": "wall"})  # another type
    create_case(status="closed")  # closed
    create_case(status="resolved")  # not open
    old = create_case(created_at=utcnow() - timedelta(days=WINDOW + 1))  # outside the window

    suggested = suggest_duplicates(case, WINDOW, DISTANCE)

    assert suggested == [same_spot, near]  # nearest first
    assert old not in suggested and case not in suggested
    assert suggest_duplicates(case, WINDOW, 10) == [same_spot]


def test_without_coordinates_the_same_postcode_and_address_match(app, create_case):
    case = create_case(location=Location(postcode="ND1 1AA", address="14 Acacia Avenue"))
    same = create_case(location=Location(postcode="nd11aa", address="14, acacia avenue"))
    create_case(location=Location(postcode="ND1 1AA", address="15 Acacia Avenue"))
    create_case(location=Location(postcode="ND9 9ZZ", address="14 Acacia Avenue"))
    assert suggest_duplicates(case, WINDOW, DISTANCE) == [same]


def test_a_case_without_a_location_has_no_suggestions(app, create_case):
    case = create_case(location=None)
    create_case(location=None)
    assert suggest_duplicates(case, WINDOW, DISTANCE) == []


def test_merge_closes_the_duplicate_keeps_both_histories_and_tells_its_resident(app, create_case, advisor):
    into = create_case(details="First report")
    duplicate = create_case(
        lang="pl", customer=CustomerDetails(name="Piotr", email="piotr@example.org"), location=NEAR
    )
    add_internal_note(duplicate, "Called twice", advisor)
    before_into = kinds(into)

    merge_cases(duplicate, into, advisor)

    duplicate, into = fresh(duplicate), fresh(into)
    assert (duplicate.status, duplicate.merged_into_id) == ("closed", into.id)
    assert duplicate.resolved_at is not None
    assert kinds(duplicate) == ["created", "internal_note", "merge", "public_update"]
    assert kinds(into) == [*before_into, "merge"]
    merge_on_duplicate = duplicate.events[2]
    assert (merge_on_duplicate.text, merge_on_duplicate.public) == (f"Merged into {into.reference}", False)
    assert into.events[-1].text == f"{duplicate.reference} merged into this case"
    notice = duplicate.events[-1]
    assert notice.public and notice.author_id == advisor.id
    [message] = outbox_for(duplicate)
    assert message.payload["event_id"] == notice.id and message.payload["lang"] == "pl"
    assert outbox_for(into) == []
    audit = list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))
    assert [(a.action, a.object_id, a.detail) for a in audit][-2:] == [
        ("merge", str(duplicate.id), {"into": into.id, "old_status": "new"}),
        ("update", str(into.id), {"change": "merged_in", "merged": duplicate.id}),
    ]
    # Nothing moved: the duplicate keeps its own customer, details and events.
    assert duplicate.customer.email == "piotr@example.org"


def test_later_public_updates_reach_the_residents_of_merged_cases(app, create_case, advisor):
    into = create_case()
    duplicate = create_case(customer=CustomerDetails(name="Bea", email="bea@example.org"), location=NEAR)
    merge_cases(duplicate, into, advisor)

    event = add_public_update(into, "The crew will come on Monday.", advisor)
    add_internal_note(into, "Crew short-staffed", advisor)
    change_status(into, "resolved", "", advisor, public_message="Collected today.")

    texts = [e.text for e in fresh(duplicate).public_events]
    assert texts[-2:] == ["The crew will come on Monday.", "Collected today."]
    assert "Crew short-staffed" not in [e.text for e in fresh(duplicate).events]
    assert [m.payload["event_id"] for m in outbox_for(into)][0] == event.id
    assert len(outbox_for(into)) == 2
    assert len(outbox_for(duplicate)) == 3  # the merge notice and the two updates
    assert fresh(duplicate).status == "closed"  # the survivor's status is its own


@pytest.mark.parametrize(
    "problem", ["itself", "closed target", "other type", "chain", "closed duplicate", "has merged"]
)
def test_merges_the_rules_refuse(app, create_case, advisor, problem):
    duplicate = create_case()
    into = create_case()
    if problem == "itself":
        into = duplicate
    elif problem == "closed target":
        into = create_case(status="closed")
    elif problem == "other type":
        into = create_case(request_type="graffiti", answers={"offensive": "no", "surface": "wall"})
    elif problem == "chain":
        merge_cases(into, create_case(), advisor)
    elif problem == "closed duplicate":
        duplicate = create_case(status="closed")
    elif problem == "has merged":
        merge_cases(create_case(), duplicate, advisor)
    count_events = db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent))
    count_audit = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))

    with pytest.raises(CaseActionError) as refused:
        merge_cases(duplicate, into, advisor)

    assert refused.value.field == "into"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent)) == count_events
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == count_audit
    assert fresh(duplicate).merged_into_id is None


def test_an_officer_cannot_merge_cases_outside_their_service(app, create_case, create_staff):
    planner = create_staff("service_officer", service_groups=["planning"])
    duplicate, into = create_case(), create_case()
    with pytest.raises(CaseActionError, match="cannot work"):
        merge_cases(duplicate, into, planner)
