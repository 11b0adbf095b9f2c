"""The case page's actions through the real views: who may do what, CSRF, errors shown with nothing
written, audit rows, and what reaches the resident's tracking page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from crm_bridge.audit import AuditEvent
from crm_bridge.handoff import CustomerDetails, Location
from crm_bridge.models import Case, CaseEvent, OutboxMessage
from portal.db import db
from tests.conftest import sign_in_as

from ..helpers import assert_well_formed, count, page, rows, text

COMPLAINT = {
    "request_type": "complaint",
    "answers": {"category": "service-failure", "service_group": "environment"},
    "details": "Missed three times.",
    "location": None,
}
NEAR = Location(postcode="ND1 2BB", address="16 Acacia Avenue", lat=54.5005, lng=-1.55)


def url(case: Case, action: str = "") -> str:
    return f"/staff/cases/{case.reference}" + (f"/{action}" if action else "")


def changes() -> list[AuditEvent]:
    """Audit rows for changes (the case page's reads are audited too, as views)."""
    return [row for row in rows(AuditEvent) if row.action != "view"]


def fresh(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def written() -> tuple[int, int, int]:
    return count(CaseEvent), len(changes()), count(OutboxMessage)


def forms_on(response) -> set[str]:
    actions = page(response).select_one(".app-case-actions")
    return {form["action"].rsplit("/", 1)[-1] for form in actions.find_all("form")}


def error_next_to(response, field_id: str) -> str:
    element = page(response).find(id=field_id)
    group = element.find_parent(class_="govuk-form-group")
    return text(group.select_one(".govuk-error-message"))


# --- who sees and may do what ------------------------------------------------------------------------------


def test_an_advisor_gets_every_action_on_an_open_case(app, create_case, staff_client):
    case = create_case()
    duplicate = create_case(location=NEAR)
    client, _ = staff_client("advisor")

    response = client.get(url(case))

    assert_well_formed(response, 200)
    assert forms_on(response) == {"claim", "assign", "status", "public-update", "internal-note", "merge"}
    [suggestion] = page(response).select(".app-duplicate")
    assert suggestion["data-reference"] == duplicate.reference
    assert suggestion.find("input", attrs={"name": "merge-into"})["value"] == duplicate.reference
    assert page(response).select_one(".app-case-actions #change-status")  # status choices from the table
    values = [i["value"] for i in page(response).select("#change-status input[name=status-status]")]
    assert values == ["acknowledged", "in_progress", "waiting_for_customer", "resolved", "closed"]


def test_complaint_controls_only_for_complaints(app, create_case, staff_client):
    complaint = create_case(**COMPLAINT)
    client, _ = staff_client("advisor")
    response = client.get(url(complaint))
    assert_well_formed(response, 200)
    assert {"escalate", "outcome"} <= forms_on(response)
    assert "ombudsman" not in forms_on(response)
    assert not {"escalate", "outcome", "ombudsman"} & forms_on(client.get(url(create_case())))


def test_a_closed_case_offers_only_a_note(app, create_case, staff_client):
    case = create_case(status="closed")
    client, _ = staff_client("advisor")
    response = client.get(url(case))
    assert_well_formed(response, 200)
    assert forms_on(response) == {"internal-note"}


def test_a_manager_may_assign_and_do_nothing_else(app, create_case, staff_client, create_staff):
    officer = create_staff("service_officer", name="Olu Officer")
    case = create_case()
    client, manager = staff_client("manager")

    assert forms_on(client.get(url(case))) == {"assign"}
    before = written()
    for action, data in [
        ("claim", {}),
        ("status", {"status-status": "in_progress"}),
        ("public-update", {"update-text": "Hello"}),
        ("internal-note", {"note-text": "Hi"}),
        ("merge", {"merge-into": case.reference}),
    ]:
        assert client.post(url(case, action), data=data).status_code == 403
    assert written() == before

    response = client.post(url(case, "assign"), data={"assign-assignee": str(officer.id)})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(url(case))
    assert fresh(case).assigned_to_id == officer.id
    [row] = changes()
    assert (row.actor_id, row.detail["change"], row.detail["assigned_to"]) == (
        manager.id,
        "assign",
        officer.id,
    )
    banner = page(client.get(url(case))).select_one(".govuk-notification-banner--success")
    assert "assignment was changed" in text(banner)


def test_an_officer_outside_the_cases_group_gets_404_and_writes_nothing(app, create_case, staff_client):
    case = create_case()  # environment
    client, _ = staff_client("service_officer", service_groups=["planning"])
    before = written()
    for action, data in [
        ("claim", {}),
        ("assign", {"assign-assignee": ""}),
        ("status", {"status-status": "in_progress"}),
        ("public-update", {"update-text": "Hello"}),
        ("internal-note", {"note-text": "Hi"}),
        ("escalate", {"escalate-reason": "x"}),
        ("merge", {"merge-into": "NDC-26-999999"}),
    ]:
        assert client.post(url(case, action), data=data).status_code == 404
    assert written() == before


def test_an_officer_cannot_merge_into_a_case_they_cannot_see(app, create_case, staff_client):
    case = create_case()
    hidden = create_case(
        request_type="complaint", answers={"category": "other", "service_group": "planning"}, location=None
    )
    client, _ = staff_client("service_officer")
    response = client.post(url(case, "merge"), data={"merge-into": hidden.reference})
    assert response.status_code == 422
    assert "no open case with that reference" in error_next_to(response, "merge-into")


def test_the_assign_form_offers_only_staff_who_may_work_the_case(
    app, create_case, staff_client, create_staff
):
    create_staff("service_officer", name="Pat Planner", service_groups=["planning"])
    create_staff("service_officer", name="Eve Environment")
    create_staff("manager", name="Max Manager")
    client, _ = staff_client("advisor", name="Ada Advisor")
    options = [text(o) for o in page(client.get(url(create_case()))).select("#assign-assignee option")]
    assert options == ["Nobody (unassigned)", "Ada Advisor", "Eve Environment"]


# --- CSRF ---------------------------------------------------------------------------------------------------


def test_a_post_without_a_csrf_token_is_refused(app, csrf_client, create_case, create_staff):
    case = create_case()
    sign_in_as(csrf_client, create_staff("advisor"))
    before = written()

    response = csrf_client.post(url(case, "public-update"), data={"update-text": "Forged"})

    assert response.status_code == 400
    assert written() == before
    token = page(csrf_client.get(url(case))).select_one("#add-public-update input[name=update-csrf_token]")
    response = csrf_client.post(
        url(case, "public-update"), data={"update-text": "Real", "update-csrf_token": token["value"]}
    )
    assert response.status_code == 302
    assert [e.text for e in fresh(case).events if e.kind == "public_update"] == ["Real"]


# --- errors: shown next to the field, what was typed kept, nothing written ---------------------------------


def test_an_illegal_transition_shows_an_error_and_writes_nothing(app, create_case, staff_client):
    case = create_case(status="resolved")
    client, _ = staff_client("advisor")
    before = written()

    response = client.post(
        url(case, "status"),
        data={
            "status-status": "acknowledged",
            "status-reason": "Typed reason",
            "status-public_message": "Typed",
        },
    )

    assert_well_formed(response, 422)
    soup = page(response)
    summary = soup.select_one(".govuk-error-summary")
    assert "A case cannot move from resolved to acknowledged" in text(summary)
    assert summary.find("a")["href"] == "#status-status"
    assert "A case cannot move from resolved to acknowledged" in text(soup.select_one("#change-status"))
    assert text(soup.find(id="status-reason")) == "Typed reason"
    assert text(soup.find(id="status-public_message")) == "Typed"
    assert written() == before
    assert fresh(case).status == "resolved"


def test_closing_without_a_reason_is_refused_next_to_the_reason(app, create_case, staff_client):
    case = create_case(status="in_progress")
    client, _ = staff_client("advisor")
    before = written()

    response = client.post(
        url(case, "status"), data={"status-status": "closed", "status-public_message": "Goodbye"}
    )

    assert_well_formed(response, 422)
    assert error_next_to(response, "status-reason").endswith("Enter the reason for making the case closed")
    assert page(response).select_one("input[name=status-status][value=closed]").has_attr("checked")
    assert text(page(response).find(id="status-public_message")) == "Goodbye"
    assert written() == before


def test_an_empty_update_is_refused(app, create_case, staff_client):
    case = create_case()
    client, _ = staff_client("advisor")
    response = client.post(url(case, "public-update"), data={"update-text": "   "})
    assert_well_formed(response, 422)
    assert "Enter the update for the resident" in error_next_to(response, "update-text")
    assert count(OutboxMessage) == 1  # the acknowledgement only


def test_merging_into_an_unknown_reference_keeps_what_was_typed(app, create_case, staff_client):
    case = create_case()
    client, _ = staff_client("advisor")
    before = written()
    response = client.post(url(case, "merge"), data={"merge-into": "NDC-99-123456"})
    assert_well_formed(response, 422)
    assert "no open case with that reference" in error_next_to(response, "merge-into")
    assert page(response).find(id="merge-into")["value"] == "NDC-99-123456"
    assert written() == before


# --- success: audit rows, banner, the tracking page --------------------------------------------------------


def test_claim_status_and_note_are_audited(app, create_case, staff_client):
    case = create_case()
    client, advisor = staff_client("advisor")

    assert client.post(url(case, "claim")).status_code == 302
    assert client.post(url(case, "status"), data={"status-status": "in_progress"}).status_code == 302
    assert client.post(url(case, "internal-note"), data={"note-text": "Checked the round"}).status_code == 302

    case = fresh(case)
    assert (case.assigned_to_id, case.status) == (advisor.id, "in_progress")
    assert [(r.actor_id, r.object_id, r.detail["change"]) for r in changes()] == [
        (advisor.id, str(case.id), "claim"),
        (advisor.id, str(case.id), "status"),
        (advisor.id, str(case.id), "internal_note"),
    ]
    assert all("Checked the round" not in str(r.detail) for r in changes())
    assert "claim" not in forms_on(client.get(url(case)))  # already theirs


def test_the_tracking_page_shows_public_updates_and_never_internal_notes(app, create_case, staff_client):
    case = create_case()
    client, _ = staff_client("advisor")
    client.post(url(case, "internal-note"), data={"note-text": "Resident is difficult"})
    client.post(url(case, "public-update"), data={"update-text": "A crew is on its way."})
    client.post(
        url(case, "status"),
        data={"status-status": "waiting_for_customer", "status-reason": "Need the gate code"},
    )

    tracking = app.test_client().get(f"/track/{case.tracking_token}")

    assert tracking.status_code == 200
    updates = text(page(tracking).find("main"))
    assert "A crew is on its way." in updates
    assert "Resident is difficult" not in updates
    assert "Need the gate code" not in updates  # the reason is for staff
    assert "Waiting for your reply" in updates
    [message] = [m for m in rows(OutboxMessage) if m.kind == "case_update"]
    assert message.payload["lang"] == "en"


def test_a_merge_from_a_suggestion_tells_the_duplicates_resident(app, create_case, staff_client):
    into = create_case()
    duplicate = create_case(customer=CustomerDetails(name="Bea", email="bea@example.org"), location=NEAR)
    client, advisor = staff_client("advisor")

    response = client.post(url(duplicate, "merge"), data={"merge-into": into.reference})

    assert response.status_code == 302
    assert (fresh(duplicate).status, fresh(duplicate).merged_into_id) == ("closed", into.id)
    assert [(r.action, r.object_id) for r in changes()] == [
        ("merge", str(duplicate.id)),
        ("update", str(into.id)),
    ]
    client.post(url(into, "public-update"), data={"update-text": "Collected today."})
    tracking = text(page(app.test_client().get(f"/track/{duplicate.tracking_token}")).find("main"))
    assert "joined your report to an existing report" in tracking
    assert "Collected today." in tracking
    page_after = client.get(url(duplicate))
    assert_well_formed(page_after, 200)
    assert forms_on(page_after) == {"internal-note"}


def test_a_complaint_is_escalated_from_the_page(app, create_case, staff_client):
    case = create_case(**COMPLAINT)
    client, _ = staff_client("advisor")

    response = client.post(url(case, "escalate"), data={"escalate-reason": ""})
    assert_well_formed(response, 422)
    assert "Enter the reason for escalating" in error_next_to(response, "escalate-reason")
    assert fresh(case).complaint_stage == 1

    assert client.post(url(case, "escalate"), data={"escalate-reason": "Asked for review"}).status_code == 302
    assert fresh(case).complaint_stage == 2
    response = client.get(url(case))
    assert {"ombudsman", "outcome"} <= forms_on(response) and "escalate" not in forms_on(response)
    assert client.post(url(case, "outcome"), data={"outcome-outcome": "upheld"}).status_code == 302
    assert client.post(url(case, "ombudsman"), data={"ombudsman-note": ""}).status_code == 302
    case = fresh(case)
    assert (case.complaint_outcome, case.ombudsman_referred_at is not None) == ("upheld", True)
    assert [r.detail["change"] for r in changes()] == [
        "complaint_escalated",
        "complaint_outcome",
        "ombudsman_referral",
    ]


@pytest.mark.parametrize("outcome", ["", "vindicated"])
def test_an_outcome_must_be_one_of_the_list(app, create_case, staff_client, outcome):
    case = create_case(**COMPLAINT)
    client, _ = staff_client("advisor")
    response = client.post(url(case, "outcome"), data={"outcome-outcome": outcome})
    assert_well_formed(response, 422)
    assert "Choose the outcome of the complaint" in text(page(response).select_one("#record-outcome"))
    assert fresh(case).complaint_outcome is None
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(CaseEvent).where(CaseEvent.kind == "complaint")
        )
        == 0
    )


def test_a_refusal_without_a_field_is_shown_in_the_summary(app, create_case, staff_client):
    case = create_case()
    client, _ = staff_client("advisor")
    assert client.post(url(case, "claim")).status_code == 302

    response = client.post(url(case, "claim"))

    assert_well_formed(response, 422)
    summary = page(response).select_one(".govuk-error-summary")
    assert "This case is already assigned to you" in text(summary)
    assert summary.find("a")["href"] == "#claim-submit"
    assert page(response).find(id="claim-submit") is not None
