"""The SLA clock: how a case stands against its due date, in working days. Pure: no Flask, no database.

A due date means "by the end of that working day" (crm_bridge.working_days: a submission after 17:00, at a
weekend or on a bank holiday counts from the next working day, and due dates skip weekends and England and
Wales bank holidays). The clock compares the due date with "today" as a UK calendar date:

open cases
- ``on_time``: two or more working days left;
- ``due_soon``: due on the next working day (one working day left);
- ``due_today``: due today;
- ``breached``: the due date has passed; ``working_days`` says by how many working days (at least 1, so a
  case due on Friday is 1 day overdue on Saturday, Sunday and Monday alike).

finished cases (resolved or closed), judged on the UK date they were finished
- ``met``: finished on or before the due date;
- ``missed``: finished after it; ``working_days`` says how many working days late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from crm_bridge.working_days import UK_TIME, add_working_days, working_days_between

FINISHED_STATUSES = ("resolved", "closed")
STATES = ("on_time", "due_soon", "due_today", "breached", "met", "missed")
DUE_SOON_DAYS = 1


@dataclass(frozen=True)
class Clock:
    state: str
    due: date
    # Working days left (on_time, due_soon), overdue (breached) or late (missed); 0 otherwise.
    working_days: int = 0

    @property
    def finished(self) -> bool:
        return self.state in ("met", "missed")

    @property
    def late(self) -> bool:
        return self.state in ("breached", "missed")


def uk_date(moment: datetime) -> date:
    """The UK calendar date of a moment; naive datetimes are UTC, as `portal.db.utcnow()` stores them."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UK_TIME).date()


def uk_today(now: datetime | None = None) -> date:
    return uk_date(now or datetime.now(UTC))


def clock(due: date, today: date, finished_at: datetime | None = None) -> Clock:
    """The clock for one due date: `finished_at` is when the work the date is for was done, if it was."""
    if finished_at is not None:
        finished_on = uk_date(finished_at)
        if finished_on <= due:
            return Clock("met", due)
        return Clock("missed", due, max(1, working_days_between(due, finished_on)))
    if today > due:
        return Clock("breached", due, max(1, working_days_between(due, today)))
    if today == due:
        return Clock("due_today", due)
    left = working_days_between(today, due)
    return Clock("due_soon" if left <= DUE_SOON_DAYS else "on_time", due, left)


def respond_clock(
    respond_due: date,
    status: str,
    resolved_at: datetime | None,
    today: date,
    finished_fallback: datetime | None = None,
) -> Clock:
    """The full-response clock: running until the case is resolved or closed. A finished case with no
    `resolved_at` is judged on `finished_fallback` (its last change, say), else on today."""
    if status in FINISHED_STATUSES:
        return clock(respond_due, today, resolved_at or finished_fallback or _end_of(today))
    return clock(respond_due, today)


def acknowledge_clock(
    acknowledge_due: date,
    status: str,
    acknowledged_at: datetime | None,
    today: date,
    finished_fallback: datetime | None = None,
) -> Clock:
    """The acknowledgement clock: running while the case is "new". A case moved on without an
    `acknowledged_at` is judged on `finished_fallback`, else on today."""
    if acknowledged_at is not None:
        return clock(acknowledge_due, today, acknowledged_at)
    if status != "new":
        return clock(acknowledge_due, today, finished_fallback or _end_of(today))
    return clock(acknowledge_due, today)


def _end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UK_TIME)


def due_window(today: date, working_days: int = 2) -> tuple[date, date]:
    """From today to the `working_days`th working day after it: the queue's "due soon" filter."""
    return today, add_working_days(today, working_days)


def case_clock(case, today: date) -> Clock:
    """The response clock of a case (anything with respond_due, status, resolved_at and updated_at)."""
    return respond_clock(case.respond_due, case.status, case.resolved_at, today, case.updated_at)
