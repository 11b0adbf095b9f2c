"""The reception queue: advisors only; waiting visitors in order with the 10-minute standard flagged;
calling the next visitor; what they did at the kiosk; the visit finished as one face-to-face contact."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_bridge.audit import AuditEvent
from crm_bridge.models import Contact
from kiosk import visits
from kiosk.visit_models import CheckIn
from portal.db import db, utcnow

from ..helpers import assert_well_formed, count, page, rows, text

FINISH = {"resolved": "yes", "interaction_type": "providing_information", "avoidable": "no"}


def waiting_for(visit: CheckIn, minutes: int) -> CheckIn:
    """Moves the check-in back in time, keeping it on today's list."""
    visit.checked_in_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()
    return visit


@pytest.fixture
def kiosk(create_kiosk):
    return create_kiosk()[0]


@pytest.mark.parametrize("role", ["service_officer", "manager", "kb_editor", "admin"])
def test_only_advisors_reach_the_reception_queue(staff_client, role):
    client, _ = staff_client(role)
    assert client.get("/staff/reception").status_code == 403
    assert client.post("/staff/reception/call-next").status_code == 403


def test_signed_out_staff_are_sent_to_sign_in(client):
    response = client.get("/staff/reception")
    assert response.status_code == 302 and "/staff/sign-in" in response.location


def test_the_queue_lists_waiting_visitors_longest_waiting_first(staff_client, kiosk):
    client, _ = staff_client("advisor")
    waiting_for(visits.check_in(kiosk.id, "parking", "Ann S", "pl", needs_interpreter=True), 12)
    waiting_for(visits.check_in(kiosk.id, "council-tax", "B. J.", "en"), 3)

    response = client.get("/staff/reception")

    assert assert_well_formed(response, 200) == "Reception"
    assert response.headers["Cache-Control"] == "no-store"
    soup = page(response)
    queue_rows = soup.select("#waiting tbody tr")
    assert [row["data-ticket"] for row in queue_rows] == ["P001", "C002"]
    first, second = (text(row) for row in queue_rows)
    assert "Ann S" in first and "Parking, permits and concessionary fares" in first and "Polski" in first
    assert "Interpreter" in first and "Interpreter" not in second
    assert "12 min" in first and "Over 10 minutes" in first
    assert "3 min" in second and "Over 10 minutes" not in second
    assert "app-reception-row--over" in queue_rows[0]["class"]
    assert text(soup.select_one("#figure-waiting")) == "2"
    assert soup.select_one("form[action='/staff/reception/call-next'] input[name=csrf_token]")


def test_the_queue_refreshes_itself_with_a_plain_link_as_well(staff_client, kiosk):
    client, _ = staff_client("advisor")
    visits.check_in(kiosk.id, "planning", "Cy", "cy")

    soup = page(client.get("/staff/reception"))
    block = soup.select_one("#reception-queue")
    assert block["hx-trigger"] == "every 15s" and block["hx-get"] == "/staff/reception"
    assert block.select_one("a.govuk-link[href='/staff/reception']")

    fragment = client.get("/staff/reception", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html and "<h1" not in html
    assert page(fragment).select_one("#reception-queue tr[data-ticket=D001]")


def test_an_empty_queue_says_so(staff_client):
    client, _ = staff_client("advisor")
    soup = page(client.get("/staff/reception"))
    assert text(soup.select_one("#nobody-waiting")) == "Nobody is waiting."
    assert text(soup.select_one("#figure-within-standard")) == "No visitors called yet"


def test_call_next_calls_the_longest_waiting_visitor(staff_client, kiosk):
    client, advisor = staff_client("advisor")
    later = waiting_for(visits.check_in(kiosk.id, "general", "Later", "en"), 2)
    earlier = waiting_for(visits.check_in(kiosk.id, "general", "Earlier", "en"), 9)

    response = client.post("/staff/reception/call-next")

    assert response.status_code == 302 and response.location.endswith(f"/staff/reception/{earlier.id}")
    called, still_waiting = db.session.get(CheckIn, earlier.id), db.session.get(CheckIn, later.id)
    db.session.refresh(called)
    assert (called.status, called.called_by_id) == ("called", advisor.id) and called.called_at is not None
    assert 9 * 60 <= called.wait_seconds <= 9 * 60 + 60  # the wait is kept for the reports
    assert still_waiting.status == "waiting" and still_waiting.wait_seconds is None
    audit = rows(AuditEvent)[-1]
    assert (audit.action, audit.object_type, audit.object_id, audit.detail) == (
        "update",
        "check_in",
        str(earlier.id),
        {"status": "called"},
    )

    queue = page(client.get("/staff/reception"))
    assert [row["data-ticket"] for row in queue.select("#waiting tbody tr")] == [later.ticket]
    assert [row["data-ticket"] for row in queue.select("#being-seen tbody tr")] == [earlier.ticket]

    assert client.post("/staff/reception/call-next").location.endswith(f"/staff/reception/{later.id}")
    nobody = client.post("/staff/reception/call-next")
    assert nobody.status_code == 302 and nobody.location.endswith("/staff/reception#nobody-waiting")


def test_the_visit_page_shows_what_the_visitor_did_at_the_kiosk(staff_client, kiosk, create_case):
    client, advisor = staff_client("advisor")
    case = create_case(channel="kiosk")
    visit = visits.check_in(kiosk.id, "environment", "Kim", "en")
    visit.activity = {
        "searches": ["missed bin collection"],
        "transcript": [{"role": "resident", "kind": "question", "text": "my bin was not emptied", "at": ""}],
        "cases": [{"reference": case.reference, "request_type": case.request_type}],
        "answers": [{"slug": "bin-collection-day", "title": "Bin collection day"}],
    }
    db.session.commit()

    response = client.get(f"/staff/reception/{visit.id}")

    assert assert_well_formed(response, 200) == "Ticket E001"
    soup = page(response)
    assert "Kim" in text(soup.select_one("#visit-details"))
    assert text(soup.select_one("#visit-searches")) == "missed bin collection"
    assert "my bin was not emptied" in text(soup.select_one("#visit-transcript"))
    link = soup.select_one("#visit-cases a")
    assert link["href"] == f"/staff/cases/{case.reference}" and text(link) == case.reference
    assert soup.select_one("#visit-answers a")["href"] == "/articles/bin-collection-day"
    assert soup.select_one("#finish-visit") and soup.select_one("#mark-left")
    read = rows(AuditEvent)[-1]
    assert (read.action, read.object_type, read.object_id, read.actor_id) == (
        "view",
        "check_in",
        str(visit.id),
        advisor.id,
    )


def test_a_visit_that_does_not_exist_is_not_found(staff_client):
    client, _ = staff_client("advisor")
    assert client.get("/staff/reception/999").status_code == 404
    assert client.post("/staff/reception/999/finish", data=FINISH).status_code == 404


def test_finishing_records_one_face_to_face_contact_linked_to_the_kiosk_case(
    staff_client, kiosk, create_case
):
    client, advisor = staff_client("advisor")
    case = create_case(channel="kiosk")
    contacts_before = count(Contact)
    visit = visits.check_in(kiosk.id, "environment", "Kim", "ro")
    visit.activity = {"cases": [{"reference": case.reference, "request_type": case.request_type}]}
    db.session.commit()
    client.post("/staff/reception/call-next")

    response = client.post(
        f"/staff/reception/{visit.id}/finish", data={**FINISH, "avoidable": "chasing_progress"}
    )

    assert response.status_code == 302 and response.location.endswith("/staff/reception")
    assert count(Contact) == contacts_before + 1
    contact = rows(Contact)[-1]
    assert (contact.channel, contact.kiosk_id, contact.logged_by_id) == ("face_to_face", kiosk.id, advisor.id)
    assert (contact.case_id, contact.customer_id) == (case.id, case.customer_id)
    assert (contact.service_group, contact.interaction_type, contact.lang) == (
        "environment",
        "providing_information",
        "ro",
    )
    assert contact.resolved_at_first_point is True
    assert (contact.avoidable, contact.avoidable_reason) == (True, "chasing_progress")
    assert contact.summary == "Reception visit E001"
    visit = db.session.get(CheckIn, visit.id)
    assert (visit.status, visit.contact_id) == ("seen", contact.id) and visit.finished_at is not None
    actions = [(event.action, event.object_type) for event in rows(AuditEvent)]
    assert ("update", "check_in") in actions and ("create", "contact") in actions
    assert all("Kim" not in str(event.detail) for event in rows(AuditEvent))

    again = client.post(f"/staff/reception/{visit.id}/finish", data=FINISH)
    assert again.status_code == 302 and count(Contact) == contacts_before + 1
    assert "recorded as a face-to-face contact" in text(page(client.get(f"/staff/reception/{visit.id}")))


def test_a_visit_with_no_case_or_several_is_linked_to_none(staff_client, kiosk, create_case):
    client, _ = staff_client("advisor")
    first, second = create_case(channel="kiosk"), create_case(channel="kiosk")
    several = visits.check_in(kiosk.id, "other", "Two", "en")
    several.activity = {
        "cases": [{"reference": c.reference, "request_type": c.request_type} for c in (first, second)]
    }
    none = visits.check_in(kiosk.id, "other", "None", "en")
    db.session.commit()

    for visit in (several, none):
        client.post(f"/staff/reception/{visit.id}/finish", data={**FINISH, "resolved": "no"})

    made = [contact for contact in rows(Contact) if contact.channel == "face_to_face"]
    assert [(c.case_id, c.service_group, c.resolved_at_first_point) for c in made] == [
        (None, "general", False),
        (None, "general", False),
    ]


def test_bad_finish_is_refused_with_the_answers_kept(staff_client, kiosk):
    client, _ = staff_client("advisor")
    visit = visits.check_in(kiosk.id, "parking", "Pat", "en")

    response = client.post(f"/staff/reception/{visit.id}/finish", data={"resolved": "no", "avoidable": "no"})

    assert_well_formed(response, 422)
    soup = page(response)
    assert "Choose the interaction type" in text(soup.select_one(".govuk-error-summary"))
    assert "Choose the interaction type" in text(soup.select_one("#interaction_type-error"))
    assert soup.select_one("input[name=resolved][value=no]").has_attr("checked")
    assert soup.select_one("input[name=avoidable][value=no]").has_attr("checked")
    assert [c for c in rows(Contact) if c.channel == "face_to_face"] == []
    assert db.session.get(CheckIn, visit.id).status == "waiting"


def test_a_visitor_who_left_leaves_the_queue(staff_client, kiosk):
    client, _ = staff_client("advisor")
    visit = visits.check_in(kiosk.id, "housing-options", "Lee", "en")

    response = client.post(f"/staff/reception/{visit.id}/left")

    assert response.status_code == 302
    assert db.session.get(CheckIn, visit.id).status == "left"
    soup = page(client.get("/staff/reception"))
    assert soup.select_one("#nobody-waiting")
    assert "1 left before being seen" in text(soup.select_one("#figure-visitors"))
    (left,) = [event for event in rows(AuditEvent) if event.object_type == "check_in"]
    assert (left.action, left.object_id, left.detail) == ("update", str(visit.id), {"status": "left"})


def test_todays_figures_against_the_ten_minute_standard(staff_client, kiosk):
    client, advisor = staff_client("advisor")
    quick = waiting_for(visits.check_in(kiosk.id, "general", "Q", "en"), 30)
    slow = waiting_for(visits.check_in(kiosk.id, "general", "S", "en"), 40)
    quick.called_at, quick.status = quick.checked_in_at + timedelta(minutes=4), "seen"
    slow.called_at, slow.status = slow.checked_in_at + timedelta(minutes=16), "called"
    db.session.commit()

    soup = page(client.get("/staff/reception"))

    assert text(soup.select_one("#figure-within-standard")) == "50%"
    assert text(soup.select_one("#figure-average-wait")) == "10 minutes"
    assert text(soup.select_one("#figure-visitors")) == "2"
    assert [row["data-ticket"] for row in soup.select("#being-seen tbody tr")] == [slow.ticket]
    assert "Over 10 minutes" in text(soup.select_one("#being-seen"))


def test_the_wait_estimate_learns_from_recent_visits(app, create_staff, kiosk):
    first_advisor, second_advisor = create_staff("advisor"), create_staff("advisor")
    now = utcnow()
    for advisor, minutes in ((first_advisor, 4), (second_advisor, 6)):
        done = visits.check_in(kiosk.id, "general", "Done", "en")
        done.status, done.called_by_id = "seen", advisor.id
        done.called_at, done.finished_at = now - timedelta(minutes=minutes + 5), now - timedelta(minutes=5)
    db.session.commit()
    ahead = [visits.check_in(kiosk.id, "general", name, "en") for name in ("A", "B", "C")]
    visit = visits.check_in(kiosk.id, "general", "Me", "en")

    estimate = visits.wait_estimate(visit)

    assert (estimate.ahead, estimate.minutes) == (3, 8)  # 3 ahead x 5 minutes / 2 advisors = 7.5
    assert visits.wait_estimate(ahead[0]) == visits.WaitEstimate(0, 0)
