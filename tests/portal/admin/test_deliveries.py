"""The deliveries page (/staff/admin/deliveries): the outbox's backlog per kind and message by message,
"Retry now" (CSRF, post/redirect/get, audited), who may open it, and the workbench's banner."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm_bridge.audit import AuditEvent
from crm_bridge.delivery_backlog import PAGE_SIZE
from crm_bridge.models import OutboxMessage
from portal.db import db, utcnow
from tests.conftest import sign_in_as
from tests.portal.helpers import assert_well_formed, page, rows, text

URL = "/staff/admin/deliveries"
RETRY = "/staff/admin/deliveries/retry"


def _fail(message: OutboxMessage, error: str = "Open311 503: service unavailable", hours: int = 2):
    """As an hour-long outage leaves a message: queued hours ago, tried many times, next try far off."""
    now = utcnow()
    message.attempts, message.last_error = 7, error
    message.created_at, message.next_attempt_at = now - timedelta(hours=hours), now + timedelta(hours=1)
    db.session.commit()
    return message


def _acknowledgement(case) -> OutboxMessage:
    return db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.case_id == case.id))


def _push(case) -> OutboxMessage:
    message = OutboxMessage(kind="crm_push", case_id=case.id, idempotency_key=f"crm_push:{case.reference}")
    db.session.add(message)
    db.session.commit()
    return message


def _pushes_due() -> list[bool]:
    pushes = [message for message in rows(OutboxMessage) if message.kind == "crm_push"]
    return [message.next_attempt_at <= utcnow() for message in pushes]


@pytest.fixture
def outage(create_case):
    """Two cases whose pushes to the CRM have been failing for two hours; their acknowledgements went."""
    parking = {"registration": "AB12 CDE", "vehicle_number": "first"}
    cases = [create_case(), create_case(request_type="parking-permit", answers=parking)]
    for case in cases:
        _acknowledgement(case).delivered_at = utcnow() - timedelta(hours=3)
    pushes = [_fail(_push(case)) for case in cases]
    return cases, pushes


def test_the_page_shows_the_backlog_per_kind_and_each_message(staff_client, outage):
    cases, pushes = outage
    client, _manager = staff_client("manager")

    response = client.get(URL)

    assert assert_well_formed(response, 200) == "Deliveries"
    soup = page(response)
    summary = {row["data-kind"]: text(row) for row in soup.select("#deliveries-summary tbody tr")}
    assert list(summary) == ["acknowledgement", "case_update", "crm_push"]
    assert summary["crm_push"].startswith("Cases sent to the external CRM 2 2 2 hours")
    assert "Open311 503: service unavailable 0 Retry now 2 failing messages: Cases" in summary["crm_push"]
    assert summary["acknowledgement"] == "Acknowledgements to residents 0 0 None waiting 2"
    assert soup.select_one("#deliveries-summary caption").get_text(strip=True) == "Messages by kind"
    assert text(soup.find(id="undelivered-heading")) == "2 messages not yet delivered"
    listed = soup.select("#undelivered-messages tbody tr")
    assert [row["id"] for row in listed] == [f"message-{push.id}" for push in pushes]
    links = [a["href"] for a in soup.select("#undelivered-messages a")]
    assert links == [f"/staff/cases/{case.reference}" for case in cases]
    assert "Failing" in text(listed[0]) and "Retry now message" in text(listed[0])
    assert soup.find(id="deliveries-stuck") is not None
    assert "Deliveries" in [text(a) for a in soup.select(".govuk-service-navigation__link")]


def test_admins_see_references_without_links_since_they_cannot_open_cases(staff_client, outage):
    cases, _pushes = outage
    client, _admin = staff_client("admin")

    soup = page(client.get(URL))

    assert soup.select("#undelivered-messages a") == []
    assert cases[0].reference in text(soup.find(id="undelivered-messages"))


def test_a_healthy_outbox_says_everything_was_delivered(staff_client, create_case):
    _acknowledgement(create_case()).delivered_at = utcnow()
    db.session.commit()
    client, _admin = staff_client("admin")

    response = client.get(URL)

    assert assert_well_formed(response, 200) == "Deliveries"
    soup = page(response)
    assert "Every message has been delivered." in text(soup.main)
    assert soup.select(".govuk-warning-text") == []
    assert soup.select("#deliveries-summary form") == []
    assert text(soup.select_one("#deliveries-summary tr[data-kind=acknowledgement]")).endswith("1")


def test_a_long_backlog_is_paged(staff_client, app):
    now = utcnow()
    db.session.add_all(
        OutboxMessage(kind="acknowledgement", idempotency_key=f"acknowledgement:{n}", next_attempt_at=now)
        for n in range(PAGE_SIZE + 1)
    )
    db.session.commit()
    client, _admin = staff_client("admin")

    first, second = page(client.get(URL)), page(client.get(f"{URL}?page=2"))

    assert len(first.select("#undelivered-messages tbody tr")) == PAGE_SIZE
    assert first.select_one(".govuk-pagination__next a")["href"] == f"{URL}?page=2"
    assert len(second.select("#undelivered-messages tbody tr")) == 1
    assert first.select_one("#deliveries-over-limit") is not None
    assert "No case" in text(second.select_one("#undelivered-messages tbody tr"))


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, "sign-in"), ("advisor", 403), ("service_officer", 403), ("kb_editor", 403), ("manager", 200),
     ("admin", 200)],
)  # fmt: skip
def test_who_may_open_the_page_and_retry(app, create_staff, outage, role, expected):
    client = app.test_client()
    if role:
        sign_in_as(client, create_staff(role))
    _cases, pushes = outage

    shown = client.get(URL)
    retried = client.post(RETRY, data={"kind": "crm_push"})

    if expected == "sign-in":
        assert shown.status_code == retried.status_code == 302
        assert shown.location.startswith("/staff/sign-in") and retried.location.startswith("/staff/sign-in")
    else:
        assert shown.status_code == expected
        assert retried.status_code == (302 if expected == 200 else 403)
    assert _pushes_due() == [expected == 200] * len(pushes)


def test_retry_now_for_a_kind_redirects_confirms_and_audits(staff_client, outage):
    _cases, pushes = outage
    client, manager = staff_client("manager")

    response = client.post(RETRY, data={"kind": "crm_push"})

    assert response.status_code == 302 and response.location == URL
    shown = page(client.get(URL))
    banner = shown.find(id="deliveries-banner-deliveries")
    assert "2 messages will be tried again on the outbox worker's next round" in text(banner)
    assert "govuk-notification-banner--success" in banner["class"]
    assert shown.select("#deliveries-summary form") == []  # they are due now: nothing left to retry
    assert _pushes_due() == [True, True]
    (event,) = rows(AuditEvent)
    assert (event.actor_id, event.action, event.object_type, event.object_id) == (
        manager.id, "update", "outbox_kind", "crm_push"
    )  # fmt: skip
    assert event.detail["ids"] == [push.id for push in pushes]


def test_retry_now_for_one_message_keeps_the_page_number(staff_client, outage):
    _cases, (first, second) = outage
    client, admin = staff_client("admin")

    response = client.post(f"{RETRY}?page=1", data={"message_id": str(second.id)})

    assert response.location == f"{URL}?page=1"
    db.session.refresh(first)
    db.session.refresh(second)
    assert second.next_attempt_at <= utcnow() < first.next_attempt_at
    (event,) = rows(AuditEvent)
    assert (event.actor_id, event.object_type) == (admin.id, "outbox_message")
    assert event.object_id == str(second.id)


@pytest.mark.parametrize(
    "data",
    [{}, {"kind": "crm_push", "message_id": "1"}, {"kind": "DROP TABLE"}, {"message_id": "x"}],
)
def test_retry_now_needs_exactly_one_kind_or_message(staff_client, outage, data):
    client, _admin = staff_client("admin")

    response = client.post(RETRY, data=data)

    assert response.status_code == 302
    banner = page(client.get(URL)).find(id="deliveries-banner-deliveries-problem")
    assert "Choose the messages to retry" in text(banner)
    assert rows(AuditEvent) == []


def test_retry_now_with_nothing_to_retry_says_so(staff_client, outage):
    client, _admin = staff_client("admin")

    client.post(RETRY, data={"kind": "acknowledgement"})

    banner = page(client.get(URL)).find(id="deliveries-banner-deliveries-problem")
    assert "Nothing to retry" in text(banner)
    assert rows(AuditEvent) == []


def test_retry_now_works_with_csrf_on(csrf_app, create_staff, outage):
    client = csrf_app.test_client()
    sign_in_as(client, create_staff("admin"))

    refused = client.post(RETRY, data={"kind": "crm_push"})
    token = page(client.get(URL)).select_one("#deliveries-summary form input[name=csrf_token]")["value"]
    accepted = client.post(RETRY, data={"kind": "crm_push", "csrf_token": token})

    assert refused.status_code == 400
    assert accepted.status_code == 302
    assert len(rows(AuditEvent)) == 1


def test_the_workbench_warns_advisors_while_deliveries_are_stuck(staff_client, outage):
    client, _advisor = staff_client("advisor")

    response = client.get("/staff/cases")

    assert assert_well_formed(response, 200) == "Cases"
    banner = page(response).find(id="delivery-alert")
    assert "Messages to residents or to the external CRM are delayed" in text(banner)
    assert "for more than 15 minutes" in text(banner)
    assert banner.find("a") is None  # advisors may not open the deliveries page
    assert page(client.get("/staff/cases", headers={"HX-Request": "true"})).find(id="delivery-alert") is None


def test_the_workbench_banner_links_managers_to_the_deliveries_page(staff_client, outage):
    client, _manager = staff_client("manager")

    banner = page(client.get("/staff/cases")).find(id="delivery-alert")

    assert banner.find("a")["href"] == URL


def test_no_banner_while_deliveries_are_healthy(staff_client, outage):
    _cases, pushes = outage
    for push in pushes:
        push.delivered_at = utcnow()
    db.session.commit()
    client, _advisor = staff_client("advisor")

    assert page(client.get("/staff/cases")).find(id="delivery-alert") is None


def test_only_those_who_run_the_service_see_deliveries_in_the_navigation(staff_client):
    for role, shown in (("advisor", False), ("manager", True), ("admin", True), ("kb_editor", False)):
        client, _user = staff_client(role)
        links = [a["href"] for a in page(client.get("/staff/sign-in")).select("nav a")]
        assert (URL in links) is shown, role
