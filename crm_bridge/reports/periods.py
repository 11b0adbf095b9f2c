"""Reporting periods: UK calendar dates, inclusive at both ends; councils report by financial year
(April to March) and its quarters. Plain dates, no Flask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from ..working_days import UK_TIME


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("a period cannot end before it starts")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[from, to) as naive UTC datetimes (as stored), from midnight UK time on the first day to
        midnight after the last: compare stored times with `>= from` and `< to`."""
        return _utc_midnight(self.start), _utc_midnight(self.end + timedelta(days=1))

    def previous(self) -> Period:
        """The period to compare with. A whole quarter, month or year: the one before. A part of a year or
        quarter from its start ("this year so far"): the same part of the year or quarter before. Any
        other period: as many days just before it."""
        for whole in (financial_quarter, financial_year, month):
            if self == whole(self.start):
                return whole(self.start - timedelta(days=1))
        if self.start == financial_year(self.start).start:
            return Period(_year_earlier(self.start), _year_earlier(self.end))
        if self.start == financial_quarter(self.start).start:
            before = financial_quarter(self.start - timedelta(days=1))
            return Period(before.start, min(before.end, before.start + timedelta(days=self.days - 1)))
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UK_TIME).astimezone(UTC).replace(tzinfo=None)


def _year_earlier(day: date) -> date:
    return day.replace(year=day.year - 1) if (day.month, day.day) != (2, 29) else date(day.year - 1, 2, 28)


def month(day: date) -> Period:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following - timedelta(days=1))


def financial_year_start(day: date) -> int:
    """The calendar year the financial year of `day` starts in (2026/27 starts in April 2026)."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year(day: date) -> Period:
    year = financial_year_start(day)
    return Period(date(year, 4, 1), date(year + 1, 3, 31))


def financial_quarter(day: date) -> Period:
    """Q1 April to June, Q2 July to September, Q3 October to December, Q4 January to March."""
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    end = month(date(day.year, first_month + 2, 1)).end
    return Period(start, end)


def quarter_number(period: Period) -> int:
    """1 to 4 within the financial year."""
    return (period.start.month - 4) % 12 // 3 + 1


def recent_quarters(today: date, count: int) -> list[Period]:
    """The last `count` whole financial quarters before the one `today` is in, newest first."""
    quarters = []
    day = financial_quarter(today).start
    for _ in range(count):
        quarter = financial_quarter(day - timedelta(days=1))
        quarters.append(quarter)
        day = quarter.start
    return quarters


PRESETS = ("this-quarter", "last-quarter", "this-year", "last-year", "last-12-months")


def preset(name: str, today: date) -> Period:
    """A named period as of `today`; "this" periods run to today."""
    if name == "this-quarter":
        return Period(financial_quarter(today).start, today)
    if name == "last-quarter":
        return financial_quarter(financial_quarter(today).start - timedelta(days=1))
    if name == "this-year":
        return Period(financial_year(today).start, today)
    if name == "last-year":
        return financial_year(financial_year(today).start - timedelta(days=1))
    if name == "last-12-months":
        return Period(
            month(today).start.replace(year=month(today).start.year - 1),
            month(today).start - timedelta(days=1),
        )
    raise ValueError(f"unknown period {name!r}")
