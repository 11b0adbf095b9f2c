from datetime import date, datetime, time, timedelta

import pytest

from crm_bridge.working_days import (
    UK_TIME,
    add_working_days,
    bank_holidays,
    is_working_day,
    received_on,
    working_days_between,
)

# Weekday bank holidays in England and Wales, from gov.uk/bank-holidays.
GOV_UK_BANK_HOLIDAYS = {
    2023: ["01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"],
    2024: ["01-01", "03-29", "04-01", "05-06", "05-27", "08-26", "12-25", "12-26"],
    2025: ["01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"],
    2026: ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"],
    2027: ["01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"],
}


@pytest.mark.parametrize("year", sorted(GOV_UK_BANK_HOLIDAYS))
def test_weekday_bank_holidays_match_gov_uk(year):
    weekday_holidays = sorted(d for d in bank_holidays(year) if d.weekday() < 5)
    assert weekday_holidays == [date.fromisoformat(f"{year}-{md}") for md in GOV_UK_BANK_HOLIDAYS[year]]


def test_weekdays_weekends_and_holidays():
    assert is_working_day(date(2026, 1, 14))  # Wednesday
    assert not is_working_day(date(2026, 1, 17))  # Saturday
    assert not is_working_day(date(2026, 1, 18))  # Sunday
    assert not is_working_day(date(2023, 5, 8))  # coronation of Charles III
    assert not is_working_day(date(2027, 12, 27))  # Christmas Day (substitute)
    assert not is_working_day(date(2027, 12, 28))  # Boxing Day (substitute)
    assert is_working_day(date(2027, 12, 29))


def test_ordinary_weekdays():
    assert add_working_days(date(2026, 1, 12), 1) == date(2026, 1, 13)  # Mon -> Tue
    assert add_working_days(date(2026, 1, 12), 10) == date(2026, 1, 26)  # e-form answer
    assert add_working_days(date(2026, 1, 12), 15) == date(2026, 2, 2)  # complaint


def test_across_a_weekend():
    assert add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 12)  # Fri -> Mon
    assert add_working_days(date(2026, 1, 8), 5) == date(2026, 1, 15)  # letter: Thu -> Thu
    assert working_days_between(date(2026, 1, 9), date(2026, 1, 12)) == 1


def test_easter_2026():
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)  # Thu before Good Friday -> Tue
    assert add_working_days(date(2026, 4, 3), 0) == date(2026, 4, 7)  # Good Friday counts from Tue
    assert add_working_days(date(2026, 4, 6), 1) == date(2026, 4, 8)  # Easter Monday -> Wed
    assert add_working_days(date(2026, 4, 1), 15) == date(2026, 4, 24)  # complaint across Easter
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1


def test_may_bank_holidays():
    assert add_working_days(date(2026, 5, 1), 1) == date(2026, 5, 5)  # early May bank holiday
    assert add_working_days(date(2026, 5, 22), 1) == date(2026, 5, 26)  # spring bank holiday
    assert add_working_days(date(2023, 5, 5), 1) == date(2023, 5, 9)  # coronation, 8 May 2023


def test_christmas_2027_substitute_days():
    assert add_working_days(date(2027, 12, 24), 1) == date(2027, 12, 29)
    assert add_working_days(date(2027, 12, 25), 0) == date(2027, 12, 29)
    assert add_working_days(date(2026, 12, 24), 5) == date(2027, 1, 5)  # letter across New Year
    assert working_days_between(date(2027, 12, 24), date(2027, 12, 31)) == 3


def test_cutoff_time_on_a_friday():
    friday = date(2026, 1, 9)

    def at(hour: int, minute: int = 0) -> datetime:
        return datetime.combine(friday, time(hour, minute), tzinfo=UK_TIME)

    assert add_working_days(at(16), 1) == date(2026, 1, 12)  # Monday
    assert add_working_days(at(16, 59), 0) == friday
    assert add_working_days(at(17), 1) == date(2026, 1, 13)  # at the cut-off counts as after it
    assert add_working_days(at(18), 1) == date(2026, 1, 13)  # Tuesday
    assert add_working_days(at(18), 0) == date(2026, 1, 12)
    assert add_working_days(at(11), 1, cutoff=time(12)) == date(2026, 1, 12)
    assert add_working_days(at(13), 1, cutoff=time(12)) == date(2026, 1, 13)


def test_weekend_and_bank_holiday_datetimes_count_from_the_next_working_day():
    assert add_working_days(datetime(2026, 1, 10, 9, 0, tzinfo=UK_TIME), 1) == date(2026, 1, 13)  # Sat
    assert add_working_days(datetime(2026, 4, 6, 9, 0, tzinfo=UK_TIME), 1) == date(2026, 4, 8)  # Easter Mon


def test_naive_datetimes_are_utc_and_cutoff_is_uk_time():
    # Friday 5 June 2026 is in BST: 16:30 UTC is 17:30 in London, after the cut-off.
    assert received_on(datetime(2026, 6, 5, 15, 30)) == date(2026, 6, 5)
    assert received_on(datetime(2026, 6, 5, 16, 30)) == date(2026, 6, 8)
    # In January London is on UTC.
    assert received_on(datetime(2026, 1, 9, 16, 30)) == date(2026, 1, 9)
    # 23:30 UTC on Thursday 2 April 2026 is 00:30 on Good Friday in London.
    assert received_on(datetime(2026, 4, 2, 23, 30)) == date(2026, 4, 7)


def test_days_zero():
    assert add_working_days(date(2026, 1, 14), 0) == date(2026, 1, 14)
    assert add_working_days(date(2026, 1, 17), 0) == date(2026, 1, 19)  # Saturday -> Monday


def test_saturday_start():
    assert add_working_days(date(2026, 1, 10), 1) == date(2026, 1, 13)  # Sat -> Tue


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 1, 14), -1)


def test_between_is_zero_when_end_is_not_after_start():
    assert working_days_between(date(2026, 1, 14), date(2026, 1, 14)) == 0
    assert working_days_between(date(2026, 1, 14), date(2026, 1, 1)) == 0


def test_round_trip_for_every_day_of_2026():
    day = date(2026, 1, 1)
    while day.year == 2026:
        received = received_on(day)
        assert is_working_day(received)
        for n in range(16):
            due = add_working_days(day, n)
            assert is_working_day(due)
            assert working_days_between(received, due) == n
            if is_working_day(day):
                assert received == day
                assert working_days_between(day, due) == n
        day += timedelta(days=1)
