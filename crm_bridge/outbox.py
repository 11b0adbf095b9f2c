"""The outbox worker: deliver what the hand-off (and later changes) queued, with retries and backoff.

Messages are taken oldest first when due (`next_attempt_at <= now`, not delivered). Taking one is a claim:
on PostgreSQL the row is selected `FOR UPDATE SKIP LOCKED`, so two workers never take the same one; on
every database a conditional update then leases it (pushes `next_attempt_at` past the delivery's time)
and commits, so the delivery itself runs outside any transaction and a second process on SQLite, which
has no row locks, finds it no longer due. The adapter for the message's kind then delivers it: success
sets `delivered_at`; failure records the reason, counts the attempt and schedules the next one with
exponential backoff. Nothing is ever dropped. No Flask request machinery here: the worker runs from the
CLI, and `deliver_for_case` right after a hand-off commits."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.db import db, utcnow

from .adapters.base import Adapter, DeliveryError
from .models import OutboxMessage

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=6)
JITTER = 0.1  # a retry comes up to 10% early, spread deterministically by message and attempt
LEASE = timedelta(minutes=10)  # far longer than any adapter's timeout: a crashed worker's claim expires
MAX_ERROR_LENGTH = 300
CASE_BATCH = 10

AdapterLike = Adapter | Callable[[OutboxMessage], None]


@dataclass
class DeliveryReport:
    delivered: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    unroutable: int = 0  # due messages whose kind has no adapter configured: kept, with last_error

    def __str__(self) -> str:
        text = f"{len(self.delivered)} delivered, {len(self.failed)} failed"
        return text + (f", {self.unroutable} waiting for an adapter" if self.unroutable else "")


def deliver_due(
    adapters: Mapping[str, AdapterLike],
    now: datetime | None = None,
    limit: int = 100,
    stop: threading.Event | None = None,
    lease: timedelta = LEASE,
) -> DeliveryReport:
    """Deliver up to `limit` due messages, oldest first, each committed on its own; a set `stop` ends
    the round after the message in hand. `lease` must outlast any one delivery."""
    return _deliver(adapters, now or utcnow(), limit, case_id=None, stop=stop, lease=lease)


def deliver_for_case(
    case_id: int,
    adapters: Mapping[str, AdapterLike],
    now: datetime | None = None,
    lease: timedelta = LEASE,
    kinds: Collection[str] | None = None,
) -> DeliveryReport | None:
    """Best effort, right after a hand-off commits: never raises, so the resident's request never fails
    because of delivery. Only messages of `kinds` (all, when None) are tried; whatever is not delivered
    here stays queued for the worker."""
    if kinds is not None:
        adapters = {kind: adapter for kind, adapter in adapters.items() if kind in kinds}
    try:
        return _deliver(adapters, now or utcnow(), CASE_BATCH, case_id=case_id, lease=lease, note=False)
    except Exception:
        log.exception(
            "delivering outbox messages for case %s failed; the worker will retry",
            case_id,
            extra={"case_id": case_id},
        )
        with contextlib.suppress(Exception):  # not even a database that has gone away may fail the request
            db.session.rollback()
        return None


def run_worker(
    adapters: Mapping[str, AdapterLike],
    interval: float = 10.0,
    limit: int = 100,
    stop: threading.Event | None = None,
    on_round: Callable[[DeliveryReport], None] | None = None,
    lease: timedelta = LEASE,
) -> None:
    """Deliver round after round until `stop` is set: straight on while a round is full, else waiting
    `interval` seconds. A database that is briefly away is logged and tried again, not fatal."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            report = deliver_due(adapters, limit=limit, stop=stop, lease=lease)
        except sa.exc.SQLAlchemyError:
            log.exception("outbox round failed; trying again in %s seconds", interval)
            db.session.rollback()
            report = None
        finally:
            db.session.remove()
        if report is not None and on_round is not None:
            on_round(report)
        if report is None or len(report.delivered) + len(report.failed) < limit:
            stop.wait(interval)


def failing_messages(limit: int | None = 100) -> list[OutboxMessage]:
    """Undelivered messages that have failed at least once or have no adapter, oldest first."""
    query = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.delivered_at.is_(None), OutboxMessage.last_error.is_not(None))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def retryable(now: datetime, lease: timedelta = LEASE) -> list:
    """Failed messages whose next attempt is more than a lease away, which a person may bring forward
    (after an outage is fixed, say: the backoff may otherwise wait hours). One due within a lease is left
    alone: it may be in a worker's hands right now (a claim moves next_attempt_at a lease on), and making it
    due again could let a second worker send it twice. It goes within a lease anyway."""
    return [
        OutboxMessage.delivered_at.is_(None),
        OutboxMessage.last_error.is_not(None),
        OutboxMessage.next_attempt_at > now + lease,
    ]


def retry_delay(attempts: int, seed: int | str) -> timedelta:
    """1 minute after the first failure, doubling, capped at 6 hours; up to 10% earlier by a jitter
    derived from the message and attempt, so a burst of failures does not retry in lockstep."""
    base = min(FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 20), MAX_RETRY)
    digest = hashlib.sha256(f"{seed}:{attempts}".encode()).digest()
    fraction = int.from_bytes(digest[:4], "big") / 2**32
    return base * (1 - JITTER * fraction)


def _deliver(
    adapters: Mapping[str, AdapterLike],
    now: datetime,
    limit: int,
    case_id: int | None,
    stop: threading.Event | None = None,
    lease: timedelta = LEASE,
    note: bool = True,
) -> DeliveryReport:
    report = DeliveryReport(unroutable=_note_unroutable(adapters, now, case_id) if note else 0)
    for _ in range(limit):
        if stop is not None and stop.is_set():
            break
        message = _claim(list(adapters), now, case_id, lease)
        if message is None:
            break
        _record(message, _attempt(message, adapters[message.kind]), now, report)
    return report


def _due(now: datetime, case_id: int | None) -> list:
    conditions = [OutboxMessage.delivered_at.is_(None), OutboxMessage.next_attempt_at <= now]
    if case_id is not None:
        conditions.append(OutboxMessage.case_id == case_id)
    return conditions


def _claim(kinds: list[str], now: datetime, case_id: int | None, lease: timedelta) -> OutboxMessage | None:
    """The oldest due message of a kind we can deliver, leased to this worker; None when there is none."""
    due = [*_due(now, case_id), OutboxMessage.kind.in_(kinds)]
    while kinds:
        query = sa.select(OutboxMessage).where(*due).order_by(OutboxMessage.id).limit(1)
        message = db.session.scalar(query.with_for_update(skip_locked=True))
        if message is None:
            break
        leased = sa.update(OutboxMessage).where(OutboxMessage.id == message.id, *due)
        taken = db.session.execute(
            leased.values(next_attempt_at=now + lease).execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if taken:
            return message
    db.session.rollback()
    return None


def _attempt(message: OutboxMessage, adapter: AdapterLike) -> str | None:
    """None on success, else the reason, short. Changes the adapter made stay (they are committed with
    the outcome) unless it failed unexpectedly."""
    deliver = getattr(adapter, "deliver", adapter)
    try:
        deliver(message)
    except DeliveryError as error:
        return _short(str(error) or type(error).__name__)
    except Exception as error:
        log.exception(
            "the %s adapter failed unexpectedly on outbox message %s",
            message.kind,
            message.id,
            extra=_about(message),
        )
        db.session.rollback()
        return _short(f"{type(error).__name__}: {error}")
    return None


def _record(message: OutboxMessage, error: str | None, now: datetime, report: DeliveryReport) -> None:
    message.attempts = (message.attempts or 0) + 1
    if error is None:
        message.delivered_at = message.next_attempt_at = now  # the attempt that delivered it
        report.delivered.append(message.id)
        log.info("outbox message %s (%s) delivered", message.id, message.kind, extra=_about(message))
    else:
        message.last_error = error
        message.next_attempt_at = now + retry_delay(message.attempts, message.id)
        report.failed[message.id] = error
        log.warning(
            "outbox message %s (%s) failed on attempt %s: %s; next attempt at %s",
            message.id,
            message.kind,
            message.attempts,
            error,
            message.next_attempt_at,
            extra=_about(message),
        )
    db.session.commit()


def _note_unroutable(adapters: Mapping[str, AdapterLike], now: datetime, case_id: int | None) -> int:
    """Due messages of kinds no adapter handles stay due (so they go as soon as one is configured) and
    say why in last_error. Returns how many there are."""
    due = [*_due(now, case_id), OutboxMessage.kind.not_in(list(adapters))]
    kinds = db.session.scalars(sa.select(OutboxMessage.kind).where(*due).distinct()).all()
    for kind in kinds:
        reason = f"no adapter is configured for {kind!r} messages; kept until one is"
        stale = sa.or_(OutboxMessage.last_error.is_(None), OutboxMessage.last_error != reason)
        db.session.execute(
            sa.update(OutboxMessage)
            .where(*due, OutboxMessage.kind == kind, stale)
            .values(last_error=reason)
            .execution_options(synchronize_session=False)
        )
    count = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(*due)) or 0
    db.session.commit()
    return count


def _about(message: OutboxMessage) -> dict:
    """The fields a log line about a message carries (docs/deployment.md): never its payload."""
    return {
        "message_id": message.id,
        "case_id": message.case_id,
        "kind": message.kind,
        "attempts": message.attempts,
    }


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"
