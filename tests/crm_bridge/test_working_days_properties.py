"""Properties of the working-day clock (crm_bridge/working_days.py) over 1980-2099: what "n working days"
means for any date, any instant in any time zone, across Christmas, New Year, Easter and the clock changes.

The contract (the module's docstrings, docs/metrics.md): working days are Monday to Friday less England and
Wales bank holidays; a submission counts as received on its UK day if that is a working day and it came
before the 17:00 cut-off, otherwise on the next working day; naive datetimes are UTC; n = 0 is the day of
receipt; negative n is refused. Hypothesis runs derandomised, with no example database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from dateutil.easter import easter
from hypothesis import example, given, settings
from hypothesis import strategies as st

from crm_bridge.working_days import (
    UK_TIME,
    add_working_days,
    bank_holidays,
    is_working_day,
    received_on,
    working_days_between,
)

PROPERTIES = settings(max_examples=200, deadline=None, derandomize=True, database=None)
FIRST, LAST = date(1980, 1, 1), date(2099, 12, 20)
YEARS = st.integers(FIRST.year, LAST.year - 1)


def _around(anchor, days: int):
    return st.builds(
        lambda year, offset: anchor(year) + timedelta(days=offset), YEARS, st.integers(-days, days)
    )


def christmas(year: int) -> date:
    return date(year, 12, 25)


def last_sunday(year: int, month: int) -> date:
    end = date(year, month, 31)
    return end - timedelta(days=(end.weekday() + 1) % 7)


# Any date, with extra weight on the weeks where the holidays bunch up.
DATES = st.one_of(st.dates(FIRST, LAST), _around(christmas, 12), _around(easter, 10))
DAYS = st.integers(0, 45)  # complaints are 15 working days; a stage 2 review another 15


def next_day_that_is_working(day: date) -> date:
    """The first working day on or after `day`, counted out by hand."""
    while day.weekday() >= 5 or day in bank_holidays(day.year):
        day += timedelta(days=1)
    return day


# ---- dates ------------------------------------------------------------------------------------------


@PROPERTIES
@given(start=DATES, days=DAYS)
def test_the_due_date_is_a_working_day_after_the_start(start, days):
    due = add_working_days(start, days)
    assert is_working_day(due)
    assert due.weekday() < 5 and due not in bank_holidays(due.year)
    assert due >= start
    if days >= 1:
        assert due > start


@PROPERTIES
@given(start=DATES, days=DAYS)
def test_exactly_n_working_days_lie_between_receipt_and_due_date(start, days):
    received = received_on(start)
    due = add_working_days(start, days)
    assert working_days_between(received, due) == days
    if is_working_day(start):
        assert working_days_between(start, due) == days


@PROPERTIES
@given(start=DATES)
def test_zero_days_is_the_day_of_receipt(start):
    assert add_working_days(start, 0) == received_on(start) == next_day_that_is_working(start)
    assert received_on(received_on(start)) == received_on(start)


@PROPERTIES
@given(start=DATES, first=DAYS, second=DAYS)
def test_adding_days_in_two_steps_is_adding_them_at_once(start, first, second):
    assert add_working_days(start, first + second) == add_working_days(add_working_days(start, first), second)


@PROPERTIES
@given(start=DATES, fewer=DAYS, more=DAYS)
def test_more_days_is_a_later_due_date(start, fewer, more):
    fewer, more = sorted((fewer, more))
    earlier, later = add_working_days(start, fewer), add_working_days(start, more)
    assert earlier <= later
    assert (earlier < later) == (fewer < more)


@PROPERTIES
@given(first=DATES, second=DATES, days=DAYS)
def test_a_later_start_never_gives_an_earlier_due_date(first, second, days):
    first, second = sorted((first, second))
    assert add_working_days(first, days) <= add_working_days(second, days)


@PROPERTIES
@given(start=DATES, gaps=st.tuples(st.integers(0, 60), st.integers(0, 60)))
def test_working_days_between_adds_up_and_is_zero_backwards(start, gaps):
    middle = start + timedelta(days=gaps[0])
    end = middle + timedelta(days=gaps[1])
    assert working_days_between(start, end) == working_days_between(start, middle) + working_days_between(
        middle, end
    )
    assert working_days_between(end, start) == 0  # backwards, or no days at all
    weekdays = sum((start + timedelta(days=n)).weekday() < 5 for n in range(1, (end - start).days + 1))
    assert working_days_between(start, end) <= weekdays


@PROPERTIES
@given(start=DATES, days=st.integers(-1000, -1))
def test_negative_days_are_refused(start, days):
    with pytest.raises(ValueError, match="negative"):
        add_working_days(start, days)


# ---- the holidays the clock skips, against the rules on gov.uk -----------------------------------------


def first_weekdays_from(day: date, count: int) -> list[date]:
    found = []
    while len(found) < count:
        if day.weekday() < 5:
            found.append(day)
        day += timedelta(days=1)
    return found


@PROPERTIES
@given(year=YEARS)
@example(year=2027)  # both Christmas holidays on substitute days
@example(year=1999)  # and the millennium's 31 December
def test_christmas_and_new_year_holidays_and_their_substitute_days(year):
    """Christmas and Boxing Day fall on the first two weekdays from 25 December; New Year's Day on the first
    weekday from 1 January (a holiday at a weekend moves to the next free weekday)."""
    window = [date(year, 12, 20) + timedelta(days=n) for n in range(19)]  # 20 December to 7 January
    expected = {*first_weekdays_from(date(year, 12, 25), 2), *first_weekdays_from(date(year + 1, 1, 1), 1)}
    if year == 1999:
        expected.add(date(1999, 12, 31))  # the millennium, once
    assert {day for day in window if day.weekday() < 5 and not is_working_day(day)} == expected


@PROPERTIES
@given(year=YEARS, days=DAYS)
def test_easter_is_skipped(year, days):
    sunday = easter(year)
    good_friday, easter_monday = sunday - timedelta(days=2), sunday + timedelta(days=1)
    assert not is_working_day(good_friday) and not is_working_day(easter_monday)
    thursday = sunday - timedelta(days=3)
    # The Thursday before is a working day; the next one is the Tuesday after Easter Monday.
    assert add_working_days(thursday, 1) == sunday + timedelta(days=2)
    assert working_days_between(thursday, add_working_days(thursday, days + 1)) == days + 1


# ---- instants: UK time, the 17:00 cut-off and the clock changes ---------------------------------------

OFFSETS = [timezone(timedelta(hours=h, minutes=m)) for h, m in ((5, 30), (-3, -30), (14, 0), (-12, 0))]
# Around the clock changes (01:00 UTC on the last Sundays of March and October), within three days.
NEAR_CLOCK_CHANGE = st.builds(
    lambda year, month, minutes: (
        datetime.combine(last_sunday(year, month), time(1)) + timedelta(minutes=minutes)
    ),
    YEARS,
    st.sampled_from([3, 10]),
    st.integers(-3 * 24 * 60, 3 * 24 * 60),
)
INSTANTS = st.one_of(  # naive datetimes are UTC, as utcnow() stores them
    st.datetimes(datetime(1980, 1, 2), datetime(2099, 12, 20)),
    NEAR_CLOCK_CHANGE,
    _around(christmas, 10).map(lambda day: datetime.combine(day, time(16, 30))),
)
CUTOFFS = st.sampled_from([time(17), time(12), time(0, 0, 1), time(23, 59, 59)])


@PROPERTIES
@given(instant=INSTANTS, cutoff=CUTOFFS, days=DAYS)
@example(instant=datetime(2026, 3, 28, 23, 30), cutoff=time(17), days=1)  # Saturday before BST starts
@example(instant=datetime(2026, 3, 29, 23, 30), cutoff=time(17), days=1)  # 00:30 BST on Monday
@example(instant=datetime(2026, 10, 25, 23, 30), cutoff=time(17), days=1)  # 23:30 GMT on Sunday
def test_the_same_instant_gives_the_same_answer_in_every_time_zone(instant, cutoff, days):
    utc = instant.replace(tzinfo=UTC)
    answers = {
        add_working_days(moment, days, cutoff=cutoff)
        for moment in (instant, utc, utc.astimezone(UK_TIME), *(utc.astimezone(zone) for zone in OFFSETS))
    }
    assert len(answers) == 1


@PROPERTIES
@given(instant=INSTANTS, cutoff=CUTOFFS)
def test_an_instant_counts_as_its_uk_day_before_the_cutoff_and_as_the_next_day_from_it(instant, cutoff):
    local = instant.replace(tzinfo=UTC).astimezone(UK_TIME)
    day = local.date() if local.time() < cutoff else local.date() + timedelta(days=1)
    assert received_on(instant, cutoff) == received_on(day)


@PROPERTIES
@given(first=INSTANTS, second=INSTANTS, cutoff=CUTOFFS)
def test_a_later_instant_is_never_received_earlier(first, second, cutoff):
    first, second = sorted((first, second))
    assert received_on(first, cutoff) <= received_on(second, cutoff)


def in_summer_time(day: date) -> bool:
    """British Summer Time: from the last Sunday of March to the last Sunday of October (the rule since
    1996; weekdays only are asked, so the change days themselves never are)."""
    return last_sunday(day.year, 3) < day < last_sunday(day.year, 10)


@PROPERTIES
@given(day=st.dates(date(1996, 1, 1), LAST).filter(is_working_day), minute=st.integers(0, 59))
def test_four_oclock_utc_is_after_the_cutoff_only_in_summer_time(day, minute):
    """16:xx UTC is 17:xx BST, after the 17:00 cut-off: received the next working day. In winter it is
    16:xx in London too: received that day."""
    instant = datetime.combine(day, time(16, minute))
    expected = add_working_days(day, 1) if in_summer_time(day) else day
    assert received_on(instant) == expected


@PROPERTIES
@given(day=st.dates(FIRST, LAST), minute=st.integers(0, 59))
def test_late_evening_utc_counts_from_the_next_day_whatever_the_season(day, minute):
    """23:xx UTC is after the cut-off in winter and already tomorrow (00:xx) in summer."""
    assert received_on(datetime.combine(day, time(23, minute))) == received_on(day + timedelta(days=1))
