"""Exactly-once effects: delivery is at least once, and every receiver gets a key that is the same on every
attempt at one message and different between messages, so a receiver that deduplicates acts once.

A worker killed after the receiver took a message, before `delivered_at` was committed, is played by an
adapter that delivers for real and then raises a BaseException (nothing in the worker catches it, as
nothing catches SIGKILL); the transaction is rolled back as the database would on the lost connection."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from crm_bridge.adapters import AdapterConfigError, adapters_from_config
from crm_bridge.adapters.smtp import message_id
from crm_bridge.configured import outbox_lease
from crm_bridge.delivery_backlog import retry_now
from crm_bridge.models import Case
from crm_bridge.outbox import deliver_due
from portal.db import db, utcnow

from .conftest import MAIL_FROM

LEASE = timedelta(seconds=60)


class Killed(BaseException):
    """The worker process dying mid-delivery."""


def crash_then_redeliver(adapters: dict, kind: str) -> None:
    """Deliver the oldest `kind` message and die before recording it; it stays leased (other messages go
    on) until the lease ends, then it is delivered again."""
    start, crashed = utcnow(), []

    def deliver_then_die(message):
        adapters[kind].deliver(message)
        crashed.append(message.id)
        raise Killed

    with pytest.raises(Killed):
        deliver_due({kind: deliver_then_die}, now=start, lease=LEASE)
    db.session.rollback()
    assert (
        crashed[0]
        not in deliver_due(adapters, now=start + LEASE - timedelta(seconds=1), lease=LEASE).delivered
    )
    assert deliver_due(adapters, now=start + LEASE, lease=LEASE).delivered == crashed


class DeduplicatingCrm:
    """An Open311 CRM that creates one service request per Idempotency-Key and answers a repeat with it."""

    def __init__(self, fail_first: int = 0):
        self.created: dict[str, str] = {}
        self.repeats = 0
        self.fail_first = fail_first

    def __call__(self, request):
        if self.fail_first:
            self.fail_first -= 1
            return 500, [{"code": 500, "description": "down for maintenance"}]
        key = request.headers["Idempotency-Key"]
        if key in self.created:
            self.repeats += 1
        else:
            self.created[key] = f"EXT-{len(self.created) + 1}"
        return 200, [{"service_request_id": self.created[key]}]


def open311_adapters(config, stub) -> dict:
    settings = {"CRM_ADAPTER": "open311", "OPEN311_ENDPOINT": stub.url, "OPEN311_API_KEY": "partner-key"}
    return adapters_from_config(config(**settings))


def keys_sent(stub) -> list[str]:
    return [request.headers["Idempotency-Key"] for request in stub.requests]


def test_the_crm_push_key_is_the_same_on_every_retry_and_differs_between_cases(
    app, make_case, config, http_stub
):
    crm = DeduplicatingCrm(fail_first=2)
    stub = http_stub(crm)
    first, second = make_case(push=True, email=None), make_case(push=True, email=None)
    adapters = open311_adapters(config, stub)
    start = utcnow()
    assert len(deliver_due(adapters, now=start).failed) == 2
    assert len(deliver_due(adapters, now=start + timedelta(minutes=2)).delivered) == 2
    assert keys_sent(stub) == [f"crm_push:{first.reference}", f"crm_push:{second.reference}"] * 2
    assert crm.created == {f"crm_push:{first.reference}": "EXT-1", f"crm_push:{second.reference}": "EXT-2"}


def test_a_push_repeated_after_a_crash_is_created_once_by_a_deduplicating_crm(
    app, make_case, config, http_stub
):
    crm = DeduplicatingCrm()
    stub = http_stub(crm)
    case = make_case(push=True, email=None)
    crash_then_redeliver(open311_adapters(config, stub), "crm_push")
    assert keys_sent(stub) == [f"crm_push:{case.reference}"] * 2
    assert (crm.created, crm.repeats) == ({f"crm_push:{case.reference}": "EXT-1"}, 1)
    db.session.expire_all()
    assert db.session.get(Case, case.id).external_reference == "EXT-1"


def test_an_email_repeated_after_a_crash_has_the_same_message_id(app, make_case, config, smtp_server):
    inbox, port = smtp_server()
    first, second = make_case(), make_case(email="bob@example.org")
    adapters = adapters_from_config(config(NOTIFIER="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port))
    crash_then_redeliver(adapters, "acknowledgement")
    ids = [email["Message-ID"] for email in inbox.emails]
    expected = [message_id(f"acknowledgement:{case.reference}", MAIL_FROM) for case in (first, second)]
    assert ids == [expected[0], expected[1], expected[0]]  # the second goes on while the first is leased
    assert expected[0] != expected[1]


def test_a_notify_send_repeated_after_a_crash_has_the_same_reference(app, make_case, config, http_stub):
    stub = http_stub(lambda request: (201, {"id": str(uuid.uuid4()), "content": {}}))
    first, second = make_case(), make_case(email="bob@example.org")
    settings = {
        "NOTIFIER": "notify",
        "NOTIFY_API_KEY": f"bench-{uuid.uuid4()}-{uuid.uuid4()}",
        "NOTIFY_TEMPLATE_ID": str(uuid.uuid4()),
        "NOTIFY_BASE_URL": stub.url,
    }
    adapters = adapters_from_config(config(**settings))
    crash_then_redeliver(adapters, "acknowledgement")
    references = [request.json["reference"] for request in stub.requests]
    keys = [f"acknowledgement:{case.reference}" for case in (first, second)]
    assert references == [keys[0], keys[1], keys[0]]


def test_the_lease_comes_from_the_configuration_and_must_outlast_a_delivery():
    assert outbox_lease({}) == timedelta(minutes=10)
    assert outbox_lease({"OUTBOX_LEASE_SECONDS": 20, "DELIVERY_TIMEOUT": 5}) == timedelta(seconds=20)
    with pytest.raises(AdapterConfigError, match="at least 4 x DELIVERY_TIMEOUT"):
        outbox_lease({"OUTBOX_LEASE_SECONDS": 19, "DELIVERY_TIMEOUT": 5})


def test_the_worker_refuses_a_lease_shorter_than_its_deliveries(app, runner):
    app.config |= {"OUTBOX_LEASE_SECONDS": 30.0, "DELIVERY_TIMEOUT": 15.0}
    result = runner.invoke(args=["crm", "deliver"])
    assert result.exit_code != 0
    assert "OUTBOX_LEASE_SECONDS must be at least 4 x DELIVERY_TIMEOUT" in result.output


def test_retry_now_brings_forward_long_waits_but_not_what_may_be_in_hand(
    app, make_case, config, http_stub, message_of, create_staff
):
    stub = http_stub(lambda request: (500, [{"code": 500, "description": "down"}]))
    waiting, in_hand, delivered = (make_case(push=True, email=None) for _ in range(3))
    start = utcnow()
    for minutes in (0, 1, 3, 7, 15, 31):  # six failures: the seventh attempt 32 minutes after the sixth
        deliver_due(open311_adapters(config, stub), now=start + timedelta(minutes=minutes), lease=LEASE)
    now = start + timedelta(minutes=35)
    assert message_of("crm_push", waiting).next_attempt_at > now + timedelta(minutes=20)
    message_of("crm_push", in_hand).next_attempt_at = now + LEASE  # as a worker's claim at `now` leaves it
    message_of("crm_push", delivered).delivered_at = now
    db.session.commit()
    assert retry_now(create_staff("manager"), kind="crm_push", now=now, lease=LEASE) == 1
    assert message_of("crm_push", waiting).next_attempt_at == now
    assert message_of("crm_push", in_hand).next_attempt_at == now + LEASE
    assert message_of("crm_push", waiting).attempts == 6
