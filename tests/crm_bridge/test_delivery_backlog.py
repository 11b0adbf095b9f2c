"""The delivery backlog staff see: counts per kind over real outbox rows, the undelivered list, the
workbench alert, and "retry now" (due at once, audited, never a message a worker has in hand)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm_bridge import delivery_backlog as backlog
from crm_bridge.audit import AuditEvent
from crm_bridge.models import OutboxMessage
from crm_bridge.outbox import LEASE, deliver_due
from portal.db import db, utcnow

SMTP_REFUSED = "SMTP mail.example:25: {'ann@example.org': (550, b'mailbox unavailable')} call 01632 960123"
NO_ADAPTER = "no adapter is configured for 'case_update' messages; kept until one is"


def _message(case, kind: str, **state) -> OutboxMessage:
    """The case's message of `kind` (the hand-off wrote it) or a new one, put into `state`."""
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.case_id == case.id, OutboxMessage.kind == kind)
    )
    if message is None:
        message = OutboxMessage(kind=kind, case_id=case.id, idempotency_key=f"{kind}:{case.reference}")
        db.session.add(message)
    for name, value in state.items():
        setattr(message, name, value)
    db.session.commit()
    return message


@pytest.fixture
def outbox_world(create_case):
    """Messages in every state, made from real hand-offs: failing for two hours, fresh, waiting for an
    adapter, delivered an hour and two days ago, and a CRM update receipt (not a delivery)."""
    now = utcnow()
    first, second, third = create_case(), create_case(), create_case()
    failing = _message(
        first,
        "acknowledgement",
        attempts=7,
        last_error=SMTP_REFUSED,
        created_at=now - timedelta(hours=2),
        next_attempt_at=now + timedelta(hours=1),
    )
    fresh = _message(first, "crm_push", created_at=now - timedelta(minutes=1), next_attempt_at=now)
    waiting = _message(second, "case_update", last_error=NO_ADAPTER, created_at=now - timedelta(hours=3))
    delivered = _message(second, "acknowledgement", attempts=1, delivered_at=now - timedelta(hours=1))
    _message(third, "acknowledgement", attempts=1, delivered_at=now - timedelta(days=2))
    _message(third, "open311_update", attempts=0, delivered_at=now)
    return {"now": now, "failing": failing, "fresh": fresh, "waiting": waiting, "delivered": delivered,
            "cases": (first, second, third)}  # fmt: skip


def test_the_summary_counts_each_kind(outbox_world):
    now = outbox_world["now"]

    rows = {row.kind: row for row in backlog.backlog_summary(now)}

    assert list(rows) == ["acknowledgement", "case_update", "crm_push"]
    acknowledgements = rows["acknowledgement"]
    assert (acknowledgements.waiting, acknowledgements.failing, acknowledgements.retryable) == (1, 1, 1)
    assert acknowledgements.oldest_queued_at == outbox_world["failing"].created_at
    assert acknowledgements.next_attempt_at == outbox_world["failing"].next_attempt_at
    assert acknowledgements.delivered_last_day == 1
    assert acknowledgements.last_error == (
        "SMTP mail.example:25: {'[email address]': (550, b'mailbox unavailable')} call [telephone number]"
    )
    updates = rows["case_update"]
    assert (updates.waiting, updates.failing, updates.no_adapter, updates.retryable) == (1, 0, 1, 0)
    assert updates.last_error == NO_ADAPTER
    pushes = rows["crm_push"]
    assert (pushes.waiting, pushes.failing, pushes.retryable, pushes.last_error) == (1, 0, 0, None)
    assert pushes.delivered_last_day == 0


def test_an_empty_outbox_still_lists_the_delivered_kinds(app):
    rows = backlog.backlog_summary()

    assert [(row.kind, row.waiting, row.oldest_queued_at) for row in rows] == [
        ("acknowledgement", 0, None),
        ("case_update", 0, None),
        ("crm_push", 0, None),
    ]


def test_the_undelivered_list_is_oldest_first_with_case_references_and_pages(outbox_world):
    now = outbox_world["now"]
    first, second, _third = outbox_world["cases"]

    whole = backlog.undelivered_messages(1, now)
    first_page = backlog.undelivered_messages(1, now, per_page=2)
    last_page = backlog.undelivered_messages(9, now, per_page=2)

    assert [(m.id, m.case_reference) for m in whole.messages] == [
        (outbox_world["failing"].id, first.reference),
        (outbox_world["fresh"].id, first.reference),
        (outbox_world["waiting"].id, second.reference),
    ]
    assert [m.retryable for m in whole.messages] == [True, False, False]
    assert [m.no_adapter for m in whole.messages] == [False, False, True]
    assert "ann@example.org" not in whole.messages[0].last_error
    assert (first_page.total, first_page.pages, len(first_page.messages)) == (3, 2, 2)
    assert (last_page.page, [m.id for m in last_page.messages]) == (2, [outbox_world["waiting"].id])


def test_the_alert_ends_when_the_failing_message_is_delivered(outbox_world):
    now = outbox_world["now"]
    assert backlog.backlog_alert(now).stuck

    outbox_world["failing"].delivered_at = now
    db.session.commit()

    assert backlog.backlog_alert(now) is None  # a fresh message and one waiting for an adapter are fine


def test_alert_when_a_message_has_been_failing_for_more_than_15_minutes(create_case):
    now = utcnow()
    recent = _message(create_case(), "acknowledgement", attempts=2, last_error="SMTP down",
                      created_at=now - timedelta(minutes=14))  # fmt: skip
    assert backlog.backlog_alert(now) is None

    recent.created_at = now - timedelta(minutes=16)
    db.session.commit()
    alert = backlog.backlog_alert(now)

    assert alert is not None and alert.stuck and not alert.over_limit
    assert alert.waiting == 1


def test_alert_when_a_due_message_was_never_looked_at_no_worker_running(create_case):
    now = utcnow()
    message = _message(create_case(), "acknowledgement", next_attempt_at=now - timedelta(minutes=20))

    assert backlog.backlog_alert(now).stuck
    message.last_error = NO_ADAPTER  # the worker runs but has no adapter for it: a setting, not an outage
    db.session.commit()
    assert backlog.backlog_alert(now) is None


def test_alert_when_more_messages_wait_than_the_limit(app):
    now = utcnow()
    db.session.add_all(
        OutboxMessage(kind="acknowledgement", idempotency_key=f"acknowledgement:{n}", next_attempt_at=now)
        for n in range(backlog.ALERT_WAITING_OVER)
    )
    db.session.commit()
    assert backlog.backlog_alert(now) is None

    db.session.add(OutboxMessage(kind="crm_push", idempotency_key="crm_push:one-more", next_attempt_at=now))
    db.session.commit()
    alert = backlog.backlog_alert(now)

    assert alert.over_limit and not alert.stuck
    assert alert.waiting == backlog.ALERT_WAITING_OVER + 1


def test_retry_now_makes_failing_messages_due_and_is_audited(outbox_world, create_staff):
    manager = create_staff("manager")
    now = outbox_world["now"]
    failing = outbox_world["failing"]

    count = backlog.retry_now(manager, kind="acknowledgement", now=now, ip_address="192.0.2.1")

    db.session.refresh(failing)
    assert count == 1
    assert failing.next_attempt_at == now
    assert (failing.attempts, failing.last_error) == (7, SMTP_REFUSED)  # the history stays
    (event,) = db.session.scalars(sa.select(AuditEvent))
    assert (event.actor_id, event.action, event.object_type, event.object_id) == (
        manager.id, "update", "outbox_kind", "acknowledgement"
    )  # fmt: skip
    assert event.detail == {"fields": ["next_attempt_at"], "reason": "retry_now", "messages": 1,
                            "ids": [failing.id]}  # fmt: skip
    assert event.ip_address == "192.0.2.1"


def test_retry_now_by_message_touches_only_that_message(create_case, create_staff):
    admin = create_staff("admin")
    now = utcnow()
    later = now + timedelta(hours=2)
    chosen, other = (
        _message(create_case(), "crm_push", attempts=8, last_error="Open311 503", next_attempt_at=later)
        for _ in range(2)
    )

    assert backlog.retry_now(admin, message_ids=[chosen.id], now=now) == 1

    db.session.refresh(chosen)
    db.session.refresh(other)
    assert (chosen.next_attempt_at, other.next_attempt_at) == (now, later)
    (event,) = db.session.scalars(sa.select(AuditEvent))
    assert (event.object_type, event.object_id) == ("outbox_message", str(chosen.id))


def test_retry_now_leaves_alone_what_is_due_soon_delivered_or_never_failed(outbox_world, create_staff):
    admin = create_staff("admin")
    now = outbox_world["now"]
    soon = _message(outbox_world["cases"][2], "crm_push", attempts=2, last_error="timed out",
                    next_attempt_at=now + timedelta(minutes=4))  # fmt: skip
    untouched = {m.id: m.next_attempt_at for m in db.session.scalars(sa.select(OutboxMessage))}

    kinds = ("crm_push", "case_update", "open311_update")
    counts = [backlog.retry_now(admin, kind=kind, now=now) for kind in kinds]
    by_id = backlog.retry_now(admin, message_ids=[soon.id, outbox_world["delivered"].id], now=now)

    assert counts == [0, 0, 0] and by_id == 0
    assert {m.id: m.next_attempt_at for m in db.session.scalars(sa.select(OutboxMessage))} == untouched
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_retry_now_never_makes_a_message_in_a_workers_hands_due_again(create_case, create_staff):
    """The worker's real claim leases the message; "retry now" pressed meanwhile must leave it alone, or
    a second worker could take it and send it twice."""
    admin = create_staff("admin")
    now = utcnow()
    message = _message(create_case(), "crm_push", attempts=3, last_error="Open311 503", next_attempt_at=now)
    seen = []

    def adapter(in_hand):
        seen.append(backlog.retry_now(admin, kind="crm_push", now=now + timedelta(seconds=1)))
        seen.append(db.session.get(OutboxMessage, in_hand.id).next_attempt_at)

    report = deliver_due({"crm_push": adapter}, now=now)

    assert report.delivered == [message.id]
    assert seen == [0, now + LEASE]


def test_a_retried_message_goes_on_the_workers_next_round(outbox_world, create_staff):
    admin = create_staff("admin")
    now = outbox_world["now"]
    sent = []
    adapters = {"acknowledgement": lambda message: sent.append(message.id)}

    assert deliver_due(adapters, now=now).delivered == []
    backlog.retry_now(admin, message_ids=[outbox_world["failing"].id], now=now)
    report = deliver_due(adapters, now=now + timedelta(seconds=1))

    assert report.delivered == sent == [outbox_world["failing"].id]


def test_retry_now_needs_a_kind_or_ids(app, create_staff):
    with pytest.raises(ValueError, match="kind or message ids"):
        backlog.retry_now(create_staff("admin"))


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (None, None),
        ("Open311 503:\n  service   unavailable", "Open311 503: service unavailable"),
        ("Notify 400: email_address Not a valid email", "Notify 400: email_address Not a valid email"),
        ("bob.smith+x@mail.example.org, +44 7700 900123", "[email address], [telephone number]"),
        ("tried (01632) 960123 and +447700900123", "tried ([telephone number] and [telephone number]"),
        ("case NDC-26-004217 has no email address", "case NDC-26-004217 has no email address"),
        ("at 2026-11-20 10:00:00 the server said 421", "at 2026-11-20 10:00:00 the server said 421"),
    ],
)  # fmt: skip
def test_errors_are_shown_on_one_line_without_contact_details(stored, shown):
    assert backlog.shown_error(stored) == shown


def test_long_errors_are_shortened():
    shown = backlog.shown_error("x" * 400)

    assert len(shown) == backlog.ERROR_SHOWN and shown.endswith("…")
