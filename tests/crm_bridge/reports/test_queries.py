"""The aggregate queries: the right rows in each period (UK days) and for each filter."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from crm_bridge.reports import metrics
from crm_bridge.reports.periods import Period
from crm_bridge.reports.queries import (
    CaseCounts,
    Filters,
    Window,
    case_groups,
    contact_groups,
    rating_groups,
    visit_totals,
)

# July 2026 (summer time: UK midnight is 23:00 UTC the day before), compared with June 2026.
JULY = Window.of(Period(date(2026, 7, 1), date(2026, 7, 31)))
TODAY = date(2026, 8, 20)
EVERYTHING = Filters()


def _contacts(filters=EVERYTHING) -> tuple[int, int]:
    groups = contact_groups(JULY, filters)
    return sum(g.current for g in groups), sum(g.previous for g in groups)


def test_contacts_are_counted_by_uk_day_in_each_period(add_contact):
    add_contact(datetime(2026, 6, 30, 22, 59))  # 23:59 on 30 June in the UK: June
    add_contact(datetime(2026, 6, 30, 23, 0))  # midnight, 1 July in the UK: July
    add_contact(datetime(2026, 7, 31, 22, 59, 59))  # 23:59:59 on 31 July: July
    add_contact(datetime(2026, 7, 31, 23, 0))  # 1 August in the UK: neither
    add_contact(datetime(2026, 5, 31, 22, 59))  # 31 May: neither
    add_contact(datetime(2026, 5, 31, 23, 0))  # 1 June: June

    assert _contacts() == (2, 2)


def test_contact_groups_carry_their_dimensions(add_contact):
    july = datetime(2026, 7, 10, 9)
    add_contact(july, "phone", resolved_at_first_point=True, avoidable_reason="chasing_progress")
    add_contact(july, "phone", resolved_at_first_point=True, avoidable_reason="chasing_progress")
    add_contact(july, "web", service_group=None, lang="cy")

    groups = {
        (g.channel, g.service_group, g.lang, g.resolved, g.avoidable_reason): g
        for g in contact_groups(JULY, Filters())
    }

    assert groups[("phone", "environment", "en", True, "chasing_progress")].current == 2
    assert groups[("web", None, "cy", False, None)].current == 1
    assert len(groups) == 2


def test_filters_apply_to_contacts(add_contact):
    july = datetime(2026, 7, 10, 9)
    add_contact(july, "web", service_group="parking", lang="pl")
    add_contact(july, "web", service_group="parking", lang="en")
    add_contact(july, "phone", service_group="parking", lang="pl")
    add_contact(july, "web", service_group="planning", lang="pl")

    assert _contacts(Filters(channel="web")) == (3, 0)
    assert _contacts(Filters(service_group="parking")) == (3, 0)
    assert _contacts(Filters(service_group="parking", channel="web", lang="pl")) == (1, 0)


def _case_totals(filters=EVERYTHING, complaints=None) -> tuple[CaseCounts, CaseCounts]:
    now = before = CaseCounts()
    for group in case_groups(JULY, filters, TODAY):
        if complaints is None or group.complaint == complaints:
            now, before = now + group.current, before + group.previous
    return now, before


def test_cases_acknowledged_and_answered_against_their_due_dates(add_case):
    received = datetime(2026, 7, 6, 10)
    due = date(2026, 7, 7)
    add_case(
        received, due, date(2026, 7, 20), acknowledged_on=due, resolved_on=date(2026, 7, 20)
    )  # on the day
    add_case(
        received, due, date(2026, 7, 20), acknowledged_on=date(2026, 7, 8), resolved_on=date(2026, 7, 21)
    )
    add_case(received, due, date(2026, 7, 20))  # never acknowledged, due dates passed: late
    add_case(received, due, date(2026, 8, 20), acknowledged_on=due)  # response due today: pending
    add_case(received, due, date(2026, 8, 21), acknowledged_on=due)  # response not yet due: pending

    now, _before = _case_totals()

    assert now == CaseCounts(
        received=5, acknowledged_on_time=3, acknowledged_late=2, responded_on_time=1, responded_late=2
    )


def test_complaints_are_told_apart_and_cases_counted_by_the_day_received(add_case):
    add_case(datetime(2026, 6, 30, 23, 0), date(2026, 7, 2), date(2026, 7, 22), complaint_stage=1,
             complaint_category="poor-information", resolved_on=date(2026, 7, 22))  # fmt: skip
    add_case(datetime(2026, 6, 30, 22, 59), date(2026, 7, 1), date(2026, 7, 21), resolved_on=date(2026, 7, 1))
    add_case(datetime(2026, 7, 31, 23, 0), date(2026, 8, 4), date(2026, 8, 14))  # August: not counted

    complaints, _ = _case_totals(complaints=True)
    requests_now, requests_before = _case_totals(complaints=False)

    assert (complaints.received, complaints.responded_on_time) == (1, 1)
    assert (requests_now.received, requests_before.received) == (0, 1)
    assert requests_before.responded_on_time == 1


@pytest.mark.parametrize("today", [date(2026, 7, 6), date(2026, 7, 7), date(2026, 7, 8)])
def test_the_sql_agrees_with_the_definitions(add_case, today):
    due = date(2026, 7, 7)
    cases = [
        (None, None),
        (date(2026, 7, 7), None),
        (date(2026, 7, 8), date(2026, 7, 7)),
        (date(2026, 7, 6), None),
    ]
    for acknowledged_on, resolved_on in cases:
        add_case(datetime(2026, 7, 3, 10), due, due, acknowledged_on=acknowledged_on, resolved_on=resolved_on)

    counted = sum((g.current for g in case_groups(JULY, Filters(), today)), CaseCounts())
    acknowledged = [metrics.acknowledgement(a, due, today) for a, _r in cases]
    responded = [metrics.response(r, due, today) for _a, r in cases]

    assert (counted.acknowledged_on_time, counted.acknowledged_late) == (
        acknowledged.count(metrics.ON_TIME), acknowledged.count(metrics.LATE))  # fmt: skip
    assert (counted.responded_on_time, counted.responded_late) == (
        responded.count(metrics.ON_TIME), responded.count(metrics.LATE))  # fmt: skip


def test_filters_apply_to_cases(add_case):
    received, due = datetime(2026, 7, 6, 10), date(2026, 7, 7)
    add_case(received, due, due, channel="post", lang="pl", service_group="parking")
    add_case(received, due, due, channel="post", lang="en", service_group="parking")
    add_case(received, due, due, channel="web", lang="pl", service_group="parking")

    assert _case_totals(Filters(channel="post"))[0].received == 2
    assert _case_totals(Filters(channel="post", lang="pl", service_group="parking"))[0].received == 1
    assert _case_totals(Filters(service_group="planning"))[0].received == 0


def test_ratings_by_moment_and_score_in_each_period(add_rating):
    add_rating(datetime(2026, 7, 1, 8), 5)
    add_rating(datetime(2026, 7, 2, 8), 4, moment="form", channel="kiosk")
    add_rating(datetime(2026, 6, 2, 8), 1)
    add_rating(datetime(2026, 8, 2, 8), 1)

    counted = {(g.moment, g.rating): (g.current, g.previous) for g in rating_groups(JULY, Filters())}
    kiosk = {(g.moment, g.rating): g.current for g in rating_groups(JULY, Filters(channel="kiosk"))}

    assert counted == {("answer", 5): (1, 0), ("form", 4): (1, 0), ("answer", 1): (0, 1)}
    assert kiosk == {("form", 4): 1}


def test_visits_against_the_standard_by_uk_day(add_check_in):
    add_check_in(date(2026, 7, 1), wait_seconds=600)  # exactly 10 minutes: in time
    add_check_in(date(2026, 7, 1), wait_seconds=601)
    add_check_in(date(2026, 7, 31), status="left")
    add_check_in(date(2026, 7, 31), status="waiting")
    add_check_in(date(2026, 7, 31), status="seen", wait_seconds=30, lang="pl")
    add_check_in(date(2026, 6, 30), wait_seconds=60)
    add_check_in(date(2026, 8, 1), wait_seconds=60)

    totals = visit_totals(JULY, Filters(), 10)

    assert (totals.current.on_time, totals.current.late, totals.current.left, totals.current.waiting) == (
        2,
        2,
        1,
        1,
    )
    assert totals.previous.on_time == 1
    assert visit_totals(JULY, Filters(lang="pl"), 10).current.on_time == 1
    assert visit_totals(JULY, Filters(channel="face_to_face"), 10).current.on_time == 2
    # Visits know no service group and are face to face: other filters leave them out.
    assert visit_totals(JULY, Filters(service_group="parking"), 10).current.on_time == 0
    assert visit_totals(JULY, Filters(channel="web"), 10).current.on_time == 0


def test_the_previous_period_must_come_first():
    with pytest.raises(ValueError):
        Window(Period(date(2026, 7, 1), date(2026, 7, 31)), Period(date(2026, 7, 15), date(2026, 8, 1)))
