"""Reporting periods: UK days, financial quarters and years, the period compared with."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from crm_bridge.reports.periods import (
    Period,
    financial_quarter,
    financial_year,
    preset,
    quarter_number,
    recent_quarters,
)


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        Period(date(2026, 5, 2), date(2026, 5, 1))


def test_bounds_are_uk_midnights_in_utc():
    summer = Period(date(2026, 7, 1), date(2026, 7, 31))
    winter = Period(date(2026, 1, 1), date(2026, 1, 31))

    assert summer.utc_bounds() == (datetime(2026, 6, 30, 23, 0), datetime(2026, 7, 31, 23, 0))
    assert winter.utc_bounds() == (datetime(2026, 1, 1, 0, 0), datetime(2026, 2, 1, 0, 0))
    # Clocks change in the period: midnight at its start is GMT, at its end BST.
    assert Period(date(2026, 3, 1), date(2026, 3, 31)).utc_bounds() == (
        datetime(2026, 3, 1),
        datetime(2026, 3, 31, 23),
    )


def test_financial_quarters_and_years():
    assert financial_year(date(2026, 3, 31)) == Period(date(2025, 4, 1), date(2026, 3, 31))
    assert financial_year(date(2026, 4, 1)) == Period(date(2026, 4, 1), date(2027, 3, 31))
    assert financial_quarter(date(2026, 2, 14)) == Period(date(2026, 1, 1), date(2026, 3, 31))
    assert quarter_number(financial_quarter(date(2026, 2, 14))) == 4
    assert quarter_number(financial_quarter(date(2026, 4, 1))) == 1
    assert recent_quarters(date(2026, 5, 1), 2) == [
        Period(date(2026, 1, 1), date(2026, 3, 31)),
        Period(date(2025, 10, 1), date(2025, 12, 31)),
    ]


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        # A whole quarter, year or month: the one before.
        (Period(date(2026, 4, 1), date(2026, 6, 30)), Period(date(2026, 1, 1), date(2026, 3, 31))),
        (Period(date(2025, 4, 1), date(2026, 3, 31)), Period(date(2024, 4, 1), date(2025, 3, 31))),
        (Period(date(2026, 3, 1), date(2026, 3, 31)), Period(date(2026, 2, 1), date(2026, 2, 28))),
        # The year so far: the same part of the year before.
        (Period(date(2026, 4, 1), date(2026, 5, 15)), Period(date(2025, 4, 1), date(2025, 5, 15))),
        # The quarter so far: as many days of the quarter before.
        (Period(date(2026, 7, 1), date(2026, 7, 10)), Period(date(2026, 4, 1), date(2026, 4, 10))),
        # Any other period: as many days just before it.
        (Period(date(2026, 5, 10), date(2026, 5, 16)), Period(date(2026, 5, 3), date(2026, 5, 9))),
    ],
)
def test_the_period_compared_with(period, previous):
    assert period.previous() == previous
    assert period.previous().end < period.start


def test_presets_as_of_a_day():
    today = date(2026, 5, 20)

    assert preset("this-quarter", today) == Period(date(2026, 4, 1), today)
    assert preset("last-quarter", today) == Period(date(2026, 1, 1), date(2026, 3, 31))
    assert preset("this-year", today) == Period(date(2026, 4, 1), today)
    assert preset("last-year", today) == Period(date(2025, 4, 1), date(2026, 3, 31))
    assert preset("last-12-months", today) == Period(date(2025, 5, 1), date(2026, 4, 30))
    with pytest.raises(ValueError):
        preset("forever", today)
