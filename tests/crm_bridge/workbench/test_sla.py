"""The SLA clock in working days: weekends, England and Wales bank holidays (Christmas 2026, Easter 2027)
and the 17:00 cut-off by which a submission counts from the next working day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crm_bridge.workbench.sla import (
    Clock,
    acknowledge_clock,
    clock,
    due_window,
    respond_clock,
    uk_date,
    uk_today,
)
from crm_bridge.working_days import UK_TIME, add_working_days


def uk(*args) -> datetime:
    return datetime(*args, tzinfo=UK_TIME)


# Christmas 2026: Friday 25 December, Saturday 26 (Boxing Day), its substitute Monday 28 December.
CHRISTMAS_EVE = date(2026, 12, 24)  # a Thursday
# Easter 2027: Good Friday 26 March, Easter Monday 29 March.


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 14), Clock("on_time", date(2026, 12, 24), 8)),
        (date(2026, 12, 22), Clock("on_time", date(2026, 12, 24), 2)),
        (date(2026, 12, 23), Clock("due_soon", date(2026, 12, 24), 1)),
        (date(2026, 12, 24), Clock("due_today", date(2026, 12, 24), 0)),
        # Christmas Day, Boxing Day and the substitute Monday are not working days: 1 overdue until Tuesday.
        (date(2026, 12, 25), Clock("breached", date(2026, 12, 24), 1)),
        (date(2026, 12, 28), Clock("breached", date(2026, 12, 24), 1)),
        (date(2026, 12, 29), Clock("breached", date(2026, 12, 24), 1)),
        (date(2026, 12, 30), Clock("breached", date(2026, 12, 24), 2)),
    ],
)
def test_an_open_case_due_on_christmas_eve(today, expected):
    assert clock(CHRISTMAS_EVE, today) == expected


def test_due_after_christmas_counts_only_working_days_left():
    # On Christmas Eve a case due Wednesday 30 December has 2 working days left (29th and 30th), not 6.
    assert clock(date(2026, 12, 30), CHRISTMAS_EVE) == Clock("on_time", date(2026, 12, 30), 2)
    # On Christmas Eve, a case due on Tuesday 29 December is due on the next working day.
    assert clock(date(2026, 12, 29), CHRISTMAS_EVE).state == "due_soon"


def test_easter_weekend_is_four_days_off():
    # Thursday 25 March 2027: due Tuesday 30 March is the next working day (Good Friday to Easter Monday off).
    assert clock(date(2027, 3, 30), date(2027, 3, 25)) == Clock("due_soon", date(2027, 3, 30), 1)
    # Due Thursday 25 March, still open on Tuesday 30 March: only 1 working day overdue.
    assert clock(date(2027, 3, 25), date(2027, 3, 30)) == Clock("breached", date(2027, 3, 25), 1)


def test_a_weekend_before_a_monday_due_date():
    # Due Monday 9 November 2026; on the Friday before, and at the weekend, it is due on the next working day.
    for today in (date(2026, 11, 6), date(2026, 11, 7), date(2026, 11, 8)):
        assert clock(date(2026, 11, 9), today).state == "due_soon"
    assert clock(date(2026, 11, 9), date(2026, 11, 5)) == Clock("on_time", date(2026, 11, 9), 2)


def test_due_dates_from_the_cut_off_flow_into_the_clock():
    # One working day to acknowledge, submitted on Christmas Eve: before 17:00 it is due on Tuesday 29th,
    # at 17:00 or later it counts as received on the 29th and is due on Wednesday 30th.
    before = add_working_days(uk(2026, 12, 24, 16, 59, 59), 1)
    after = add_working_days(uk(2026, 12, 24, 17, 0), 1)
    assert (before, after) == (date(2026, 12, 29), date(2026, 12, 30))
    on_tuesday = date(2026, 12, 29)
    assert clock(before, on_tuesday).state == "due_today"
    assert clock(after, on_tuesday).state == "due_soon"
    # Ten working days from Maundy Thursday 2027 after 17:00: received Tuesday 30 March, due 13 April.
    assert add_working_days(uk(2027, 3, 25, 17, 30), 10) == date(2027, 4, 13)
    # On the day it counts as received, 10 working days are left; on Good Friday, that day as well.
    assert clock(date(2027, 4, 13), date(2027, 3, 30)) == Clock("on_time", date(2027, 4, 13), 10)
    assert clock(date(2027, 4, 13), date(2027, 3, 26)) == Clock("on_time", date(2027, 4, 13), 11)


def test_finished_cases_are_met_or_missed_on_the_uk_date_they_finished():
    due = date(2026, 12, 24)
    # Resolved at 23:30 UK time on the due date (after the 17:00 cut-off) is still on the due date: met.
    assert clock(due, date(2027, 1, 10), uk(2026, 12, 24, 23, 30)) == Clock("met", due)
    # 00:30 UK time on 25 December is 00:30 UTC too (winter); the day after the due date: missed.
    assert clock(due, date(2027, 1, 10), datetime(2026, 12, 25, 0, 30)).state == "missed"
    # Finished on Tuesday 29 December: 1 working day late, however long ago "today" is.
    late = clock(due, date(2027, 6, 1), uk(2026, 12, 29, 10))
    assert late == Clock("missed", due, 1)
    assert late.finished and late.late


def test_summer_time_decides_the_uk_date():
    # 23:30 UTC on 30 June 2026 is 00:30 on 1 July in the UK.
    assert uk_date(datetime(2026, 6, 30, 23, 30)) == date(2026, 7, 1)
    assert uk_date(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == date(2026, 7, 1)
    assert uk_today(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2026, 12, 31)
    assert clock(date(2026, 6, 30), date(2026, 7, 5), datetime(2026, 6, 30, 23, 30)).state == "missed"


def test_respond_clock_runs_until_resolved_or_closed():
    due = date(2026, 12, 24)
    assert respond_clock(due, "in_progress", None, date(2026, 12, 30)).state == "breached"
    assert respond_clock(due, "waiting_for_customer", None, date(2026, 12, 23)).state == "due_soon"
    assert respond_clock(due, "resolved", uk(2026, 12, 23, 9), date(2026, 12, 30)).state == "met"
    # Closed without a resolved time: judged on its last change.
    assert respond_clock(due, "closed", None, date(2027, 2, 1), uk(2026, 12, 30, 9)) == Clock(
        "missed", due, 2
    )


def test_acknowledge_clock_stops_when_acknowledged():
    due = date(2026, 12, 29)
    assert acknowledge_clock(due, "new", None, date(2026, 12, 30)).state == "breached"
    assert acknowledge_clock(due, "acknowledged", uk(2026, 12, 29, 16), date(2026, 12, 30)).state == "met"
    assert acknowledge_clock(due, "in_progress", None, date(2027, 1, 5), uk(2026, 12, 28, 9)).state == "met"


def test_due_window_spans_two_working_days_across_holidays():
    assert due_window(CHRISTMAS_EVE) == (CHRISTMAS_EVE, date(2026, 12, 30))
    assert due_window(date(2027, 3, 25)) == (date(2027, 3, 25), date(2027, 3, 31))
