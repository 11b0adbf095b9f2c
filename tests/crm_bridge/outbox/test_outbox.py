"""The worker itself, with plain callables as adapters: taking due messages, retries, backoff, no adapter,
best effort after a hand-off, and two workers racing on PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm_bridge.adapters import DeliveryError
from crm_bridge.configured import IN_REQUEST_KINDS
from crm_bridge.models import OutboxMessage
from crm_bridge.outbox import (
    MAX_RETRY,
    deliver_due,
    deliver_for_case,
    failing_messages,
    retry_delay,
    run_worker,
)
from portal.db import db, utcnow


def queue(count: int = 1, kind: str = "acknowledgement", **fields) -> list[int]:
    messages = [
        OutboxMessage(
            kind=kind, idempotency_key=f"{kind}:{utcnow().timestamp()}:{n}", payload={"n": n}, **fields
        )
        for n in range(count)
    ]
    db.session.add_all(messages)
    db.session.commit()
    return [message.id for message in messages]


def fresh(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


class Recorder:
    def __init__(self, fail_with: Exception | None = None):
        self.seen: list[int] = []
        self.fail_with = fail_with

    def __call__(self, message: OutboxMessage) -> None:
        self.seen.append(message.id)
        if self.fail_with is not None:
            raise self.fail_with


def test_a_delivered_message_is_marked_and_never_taken_again(app):
    [message_id] = queue()
    adapter = Recorder()
    now = utcnow()
    report = deliver_due({"acknowledgement": adapter}, now=now)
    assert report.delivered == [message_id] and not report.failed
    message = fresh(message_id)
    assert (message.delivered_at, message.attempts, message.last_error) == (now, 1, None)
    deliver_due({"acknowledgement": adapter}, now=now + timedelta(days=1))
    assert adapter.seen == [message_id]


def test_a_failure_is_recorded_counted_and_retried_later(app):
    [message_id] = queue()
    now = utcnow()
    report = deliver_due({"acknowledgement": Recorder(DeliveryError("mail server said no"))}, now=now)
    assert report.failed == {message_id: "mail server said no"}
    message = fresh(message_id)
    assert (message.attempts, message.last_error, message.delivered_at) == (1, "mail server said no", None)
    assert timedelta(seconds=54) <= message.next_attempt_at - now <= timedelta(minutes=1)
    again = Recorder()
    deliver_due({"acknowledgement": again}, now=now + timedelta(seconds=30))
    assert again.seen == []
    deliver_due({"acknowledgement": again}, now=message.next_attempt_at)
    assert again.seen == [message_id]
    assert fresh(message_id).delivered_at is not None


def test_backoff_doubles_from_a_minute_and_stops_at_six_hours_with_small_steady_jitter():
    delays = [retry_delay(attempt, seed=7) for attempt in range(1, 16)]
    for attempt, delay in enumerate(delays[:8], start=1):
        nominal = timedelta(minutes=2 ** (attempt - 1))
        assert nominal * 0.9 <= delay <= nominal
    assert all(MAX_RETRY * 0.9 <= delay <= MAX_RETRY for delay in delays[9:])
    assert retry_delay(3, seed=7) == retry_delay(3, seed=7)
    assert len({retry_delay(3, seed=seed) for seed in range(20)}) > 1
    assert retry_delay(10_000, seed=1) <= MAX_RETRY


def test_an_adapter_that_breaks_unexpectedly_is_recorded_not_raised(app):
    [message_id] = queue()
    report = deliver_due({"acknowledgement": Recorder(RuntimeError("bug in adapter"))})
    assert report.failed == {message_id: "RuntimeError: bug in adapter"}
    assert fresh(message_id).attempts == 1


def test_a_kind_without_an_adapter_stays_queued_and_says_why(app):
    [message_id] = queue(kind="crm_push")
    before = fresh(message_id).next_attempt_at
    report = deliver_due({"acknowledgement": Recorder()})
    assert (report.unroutable, report.delivered) == (1, [])
    message = fresh(message_id)
    assert "no adapter is configured for 'crm_push'" in message.last_error
    assert (message.attempts, message.delivered_at, message.next_attempt_at) == (0, None, before)
    assert [m.id for m in failing_messages()] == [message_id]
    adapter = Recorder()
    deliver_due({"crm_push": adapter})
    assert adapter.seen == [message_id]
    assert failing_messages() == []


def test_oldest_first_up_to_the_limit_and_nothing_before_it_is_due(app):
    ids = queue(3)
    [later] = queue(next_attempt_at=utcnow() + timedelta(hours=1))
    adapter = Recorder()
    assert deliver_due({"acknowledgement": adapter}, limit=2).delivered == ids[:2]
    deliver_due({"acknowledgement": adapter})
    assert adapter.seen == ids
    deliver_due({"acknowledgement": adapter}, now=utcnow() + timedelta(hours=2))
    assert adapter.seen == [*ids, later]


def test_deliver_for_case_takes_only_that_case_and_never_raises(app, make_case, message_of, caplog):
    first, second = make_case(), make_case(email="bob@example.org")
    adapter = Recorder(RuntimeError("down"))
    report = deliver_for_case(first.id, {"acknowledgement": adapter})
    assert list(report.failed) == [message_of("acknowledgement", first).id]
    assert message_of("acknowledgement", second).attempts == 0

    class Broken(dict):
        def __iter__(self):
            raise RuntimeError("configuration exploded")

    assert deliver_for_case(second.id, Broken()) is None
    assert "the worker will retry" in caplog.text
    assert message_of("acknowledgement", second).delivered_at is None


def test_inside_a_request_only_the_residents_messages_are_tried(app, make_case, message_of):
    """A CRM that hangs must not hold the resident's request: deliver_now leaves CRM pushes to the worker."""
    case = make_case(push=True)
    resident, crm = Recorder(), Recorder()
    adapters = {"acknowledgement": resident, "crm_push": crm}
    report = deliver_for_case(case.id, adapters, kinds=IN_REQUEST_KINDS)
    assert report.delivered == [message_of("acknowledgement", case).id]
    assert crm.seen == []
    pushed = message_of("crm_push", case)
    assert pushed.delivered_at is None and pushed.attempts == 0 and pushed.last_error is None
    assert deliver_due(adapters).delivered == [pushed.id]


def test_the_worker_loop_runs_rounds_until_stopped(app):
    queue(3)
    stop = threading.Event()
    rounds = []

    def on_round(report):
        rounds.append(str(report))
        if len(rounds) == 2:
            stop.set()

    run_worker({"acknowledgement": Recorder()}, interval=0.01, limit=2, stop=stop, on_round=on_round)
    assert rounds == ["2 delivered, 0 failed", "1 delivered, 0 failed"]


def test_two_workers_racing_never_deliver_the_same_message_twice(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks (FOR UPDATE SKIP LOCKED) are PostgreSQL's; SQLite has one writer")
    ids = queue(40)
    seen: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(2)

    def slow_adapter(message):
        time.sleep(0.005)
        with lock:
            seen.append(message.id)

    def worker(reports: list):
        with app.app_context():
            start.wait()
            reports.append(deliver_due({"acknowledgement": slow_adapter}))

    reports: list = []
    threads = [threading.Thread(target=worker, args=(reports,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(seen) == ids  # every message once, none twice
    assert all(report.delivered for report in reports)  # both workers did some of the work
    db.session.expire_all()
    undelivered = sa.select(sa.func.count()).where(OutboxMessage.delivered_at.is_(None))
    assert db.session.scalar(undelivered) == 0
