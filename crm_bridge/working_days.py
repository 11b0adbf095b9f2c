"""Working days for service-level due dates: Monday to Friday, less England and Wales bank holidays.

Bank holidays come from the `holidays` library (GB, subdivision ENG; England and Wales share one list),
which includes substitute days ("Christmas Day (observed)") and one-off holidays such as the coronation.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

UK_TIME = ZoneInfo("Europe/London")
DEFAULT_CUTOFF = time(17, 0)


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in `year`, substitute days included; built once per year."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def _next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def received_on(start: date | datetime, cutoff: time = DEFAULT_CUTOFF) -> date:
    """The working day a submission counts as received on.

    A date counts on that day if it is a working day, otherwise on the next working day. A datetime
    counts on its UK calendar day if that is a working day and its UK wall-clock time is before `cutoff`
    (so 16:59:59 is in time, 17:00:00 is not); otherwise on the next working day. Aware datetimes are
    converted to Europe/London; naive datetimes are taken to be UTC, as `portal.db.utcnow()` stores them.
    """
    if isinstance(start, datetime):
        aware = start if start.tzinfo is not None else start.replace(tzinfo=UTC)
        local = aware.astimezone(UK_TIME)
        day = local.date()
        if is_working_day(day) and local.time() < cutoff:
            return day
        return _next_working_day(day)
    return start if is_working_day(start) else _next_working_day(start)


def add_working_days(start: date | datetime, days: int, *, cutoff: time = DEFAULT_CUTOFF) -> date:
    """The date `days` working days after the day `start` counts as received on (see `received_on`).

    "Within 1 working day" therefore means by the end of the first working day after receipt:
    submitted Friday 16:00 -> due Monday; Friday 17:00 or later -> received Monday, due Tuesday;
    Saturday, Sunday or a bank holiday Monday -> received on the next working day, due the one after.
    days=0 gives the day of receipt itself. Negative days raise ValueError.
    """
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    day = received_on(start, cutoff)
    for _ in range(days):
        day = _next_working_day(day)
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; 0 if `end` <= `start`.

    For a working day d, working_days_between(d, add_working_days(d, n)) == n.
    """
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count
