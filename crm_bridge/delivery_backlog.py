"""The outbox's delivery backlog as staff see it: what is waiting, what is failing and since when, and
"retry now" for messages the backoff would otherwise keep waiting for hours after an outage is fixed.

Read-only except `retry_now`, which only brings a failed message's next attempt forward: the worker
(`flask crm deliver --loop`) delivers it on its next round, so no request ever waits on a mail server or
a CRM. No Flask request machinery here (see docs/outbox.md, "Delivery backlog")."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.db import db, utcnow

from .audit import audit
from .models import Case, OutboxMessage
from .outbox import LEASE, retryable
from .staff.models import StaffUser

# The kinds that are delivered somewhere, shown even when nothing is queued; others appear when queued.
DELIVERED_KINDS = ("acknowledgement", "case_update", "crm_push")
# Written already delivered (a receipt of an update pulled from the CRM): never part of the backlog.
RECEIPT_KINDS = ("open311_update",)
ALERT_FAILING_AFTER = timedelta(minutes=15)
ALERT_WAITING_OVER = 50
PAGE_SIZE = 50
ERROR_SHOWN = 200  # characters of last_error shown on the page

# last_error is an adapter's reason or an exception's text, so it may quote a recipient (smtplib names
# refused addresses): the page hides email addresses and telephone numbers (+44 7700 900123, 01632 960123).
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w:+-])(?:\+|0)\d(?:[ ()]{0,2}\d){8,13}(?![\w:-])")


@dataclass(frozen=True)
class KindSummary:
    kind: str
    waiting: int  # not yet delivered
    failing: int  # not delivered, tried and failed at least once
    no_adapter: int  # not delivered, kept because no adapter is configured for the kind
    retryable: int  # failing and not due within a lease: what "retry now" would bring forward
    oldest_queued_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None  # of the newest failing message, shortened and with contact details hidden
    delivered_last_day: int


@dataclass(frozen=True)
class BacklogMessage:
    id: int
    kind: str
    case_reference: str | None
    case_service_group: str | None
    queued_at: datetime
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    retryable: bool

    @property
    def no_adapter(self) -> bool:
        return self.attempts == 0 and self.last_error is not None


@dataclass(frozen=True)
class BacklogPage:
    messages: list[BacklogMessage]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class Backlog:
    summary: list[KindSummary]
    page: BacklogPage
    alert: BacklogAlert | None


@dataclass(frozen=True)
class BacklogAlert:
    """The workbench banner: some message failing for longer than ALERT_FAILING_AFTER, or more than
    ALERT_WAITING_OVER waiting. `waiting` is counted only up to ALERT_WAITING_OVER + 1."""

    stuck: bool
    waiting: int

    @property
    def over_limit(self) -> bool:
        return self.waiting > ALERT_WAITING_OVER

    @property
    def minutes(self) -> int:
        return int(ALERT_FAILING_AFTER.total_seconds() // 60)

    @property
    def limit(self) -> int:
        return ALERT_WAITING_OVER


def backlog(page: int = 1, now: datetime | None = None, lease: timedelta = LEASE) -> Backlog:
    """Everything the deliveries page shows, as of one moment."""
    now = now or utcnow()
    return Backlog(backlog_summary(now, lease), undelivered_messages(page, now, lease), backlog_alert(now))


def backlog_summary(now: datetime | None = None, lease: timedelta = LEASE) -> list[KindSummary]:
    """One row per kind: the delivered kinds always, any other kind while it has messages waiting."""
    now = now or utcnow()
    waiting = {row.kind: row for row in db.session.execute(_waiting_by_kind(now, lease))}
    delivered = dict(db.session.execute(_delivered_since(now - timedelta(days=1))).all())
    kinds = [*DELIVERED_KINDS, *sorted(set(waiting) - set(DELIVERED_KINDS))]
    return [_summary(kind, waiting.get(kind), delivered.get(kind, 0)) for kind in kinds]


def undelivered_messages(
    page: int = 1, now: datetime | None = None, lease: timedelta = LEASE, per_page: int = PAGE_SIZE
) -> BacklogPage:
    """Messages not yet delivered, oldest first, `per_page` at a time, with their case's reference."""
    now = now or utcnow()
    undelivered = [OutboxMessage.delivered_at.is_(None), OutboxMessage.kind.not_in(RECEIPT_KINDS)]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(*undelivered)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    query = (
        sa.select(OutboxMessage, Case.reference, Case.service_group)
        .outerjoin(Case, Case.id == OutboxMessage.case_id)
        .where(*undelivered)
        .order_by(OutboxMessage.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    messages = [
        _backlog_message(message, reference, group, now, lease)
        for message, reference, group in db.session.execute(query)
    ]
    return BacklogPage(messages=messages, total=total, page=page, pages=pages)


def backlog_alert(now: datetime | None = None) -> BacklogAlert | None:
    """None while deliveries are healthy. Cheap enough for every workbench page: both queries read only
    undelivered rows (the delivered_at index), and the count stops at ALERT_WAITING_OVER + 1.

    Stuck means a message failed and was queued more than ALERT_FAILING_AFTER ago (the first attempt is
    made right after the hand-off, so that is about how long it has been failing), or a message has been
    due that long without the worker ever looking at it (no worker running). Messages kept because no
    adapter is configured for their kind are a setting, not an outage: the deliveries page shows them."""
    now = now or utcnow()
    cutoff = now - ALERT_FAILING_AFTER
    active = [OutboxMessage.delivered_at.is_(None), OutboxMessage.kind.not_in(RECEIPT_KINDS), ~_no_adapter()]
    stuck_rule = sa.or_(
        sa.and_(OutboxMessage.attempts > 0, OutboxMessage.created_at <= cutoff),
        sa.and_(OutboxMessage.last_error.is_(None), OutboxMessage.next_attempt_at <= cutoff),
    )
    stuck = db.session.scalar(sa.select(sa.exists().where(*active, stuck_rule)))
    capped = sa.select(OutboxMessage.id).where(*active).limit(ALERT_WAITING_OVER + 1).subquery()
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(capped)) or 0
    if not stuck and waiting <= ALERT_WAITING_OVER:
        return None
    return BacklogAlert(stuck=bool(stuck), waiting=waiting)


def retry_now(
    actor: StaffUser,
    kind: str | None = None,
    message_ids: Iterable[int] | None = None,
    now: datetime | None = None,
    lease: timedelta = LEASE,
    ip_address: str | None = None,
) -> int:
    """Make the chosen failing messages (of `kind`, or by id) due now, audited as the member of staff's
    change; returns how many. The worker delivers them on its next round.

    Only what `crm_bridge.outbox.retryable` allows is touched (never a message a worker may hold)."""
    if kind is None and message_ids is None:
        raise ValueError("retry_now needs a kind or message ids")
    now = now or utcnow()
    chosen = [*retryable(now, lease)]
    if kind is not None:
        chosen.append(OutboxMessage.kind == kind)
    if message_ids is not None:
        chosen.append(OutboxMessage.id.in_(list(message_ids)))
    update = sa.update(OutboxMessage).where(*chosen).values(next_attempt_at=now).returning(OutboxMessage.id)
    ids = sorted(db.session.scalars(update.execution_options(synchronize_session=False)))
    if not ids:
        db.session.rollback()
        return 0
    object_type, object_id = ("outbox_kind", kind) if message_ids is None else ("outbox_message", ids[0])
    if message_ids is not None and len(ids) > 1:
        object_id = "selected"
    audit(
        actor,
        "update",
        object_type,
        object_id,
        ip_address=ip_address,
        fields=["next_attempt_at"],
        reason="retry_now",
        messages=len(ids),
        ids=ids[:100],
    )
    db.session.commit()
    return len(ids)


def shown_error(text: str | None) -> str | None:
    """last_error for the screen: one line, at most ERROR_SHOWN characters, contact details hidden."""
    if not text:
        return None
    text = _PHONE.sub("[telephone number]", _EMAIL.sub("[email address]", " ".join(text.split())))
    return text if len(text) <= ERROR_SHOWN else text[: ERROR_SHOWN - 1] + "…"


def _no_adapter():
    return sa.and_(OutboxMessage.attempts == 0, OutboxMessage.last_error.is_not(None))


def _count_if(condition) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _waiting_by_kind(now: datetime, lease: timedelta) -> sa.Select:
    return (
        sa.select(
            OutboxMessage.kind,
            sa.func.count().label("waiting"),
            _count_if(OutboxMessage.attempts > 0).label("failing"),
            _count_if(_no_adapter()).label("no_adapter"),
            _count_if(sa.and_(*retryable(now, lease))).label("retryable"),
            sa.func.min(OutboxMessage.created_at).label("oldest"),
            sa.func.min(OutboxMessage.next_attempt_at).label("next_attempt"),
            sa.func.max(sa.case((OutboxMessage.last_error.is_not(None), OutboxMessage.id))).label("erring"),
        )
        .where(OutboxMessage.delivered_at.is_(None), OutboxMessage.kind.not_in(RECEIPT_KINDS))
        .group_by(OutboxMessage.kind)
    )


def _delivered_since(since: datetime) -> sa.Select:
    return (
        sa.select(OutboxMessage.kind, sa.func.count())
        .where(OutboxMessage.delivered_at >= since, OutboxMessage.kind.not_in(RECEIPT_KINDS))
        .group_by(OutboxMessage.kind)
    )


def _summary(kind: str, row, delivered: int) -> KindSummary:
    if row is None:
        return KindSummary(kind, 0, 0, 0, 0, None, None, None, delivered)
    error = db.session.scalar(sa.select(OutboxMessage.last_error).where(OutboxMessage.id == row.erring))
    return KindSummary(
        kind=kind,
        waiting=row.waiting,
        failing=int(row.failing),
        no_adapter=int(row.no_adapter),
        retryable=int(row.retryable),
        oldest_queued_at=row.oldest,
        next_attempt_at=row.next_attempt,
        last_error=shown_error(error) if row.erring is not None else None,
        delivered_last_day=delivered,
    )


def _backlog_message(
    message: OutboxMessage, reference: str | None, group: str | None, now: datetime, lease: timedelta
) -> BacklogMessage:
    return BacklogMessage(
        id=message.id,
        kind=message.kind,
        case_reference=reference,
        case_service_group=group,
        queued_at=message.created_at,
        attempts=message.attempts or 0,
        next_attempt_at=message.next_attempt_at,
        last_error=shown_error(message.last_error),
        retryable=message.last_error is not None and message.next_attempt_at > now + lease,
    )
