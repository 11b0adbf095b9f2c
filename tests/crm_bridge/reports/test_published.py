"""The public "Our performance" figures: complaints bucketed into whole financial quarters in UK time, each
figure counted right, and the standards of the last whole quarter."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from crm_bridge.contacts import record_contact
from crm_bridge.models import Contact
from crm_bridge.reports.metrics import Ratio
from crm_bridge.reports.periods import Period
from crm_bridge.reports.published import NOT_RECORDED, complaints_by_quarter, published_performance
from kiosk.visit_models import CheckIn
from portal.config import report_targets
from portal.db import db

TODAY = date(2026, 11, 22)  # the last whole quarter is July to September 2026
JUL_SEP_2026 = Period(date(2026, 7, 1), date(2026, 9, 30))
APR_JUN_2026 = Period(date(2026, 4, 1), date(2026, 6, 30))
JAN_MAR_2026 = Period(date(2026, 1, 1), date(2026, 3, 31))
OCT_DEC_2025 = Period(date(2025, 10, 1), date(2025, 12, 31))


@pytest.fixture
def complaint(create_case):
    """A complaint made at `created_at` (naive UTC), then changed as the overrides say."""

    def create(created_at: datetime, category: str = "service-failure", **fields):
        case = create_case(
            request_type="complaint",
            answers={"category": category, "service_group": "parking"},
            location=None,
            created_at=created_at,
        )
        for name, value in fields.items():
            setattr(case, name, value)
        db.session.commit()
        return case

    return create


def test_the_four_published_quarters_are_the_last_whole_ones_newest_first(app):
    performance = published_performance(TODAY, report_targets())

    assert [q.quarter for q in performance.quarters] == [
        JUL_SEP_2026,
        APR_JUN_2026,
        JAN_MAR_2026,
        OCT_DEC_2025,
    ]
    assert performance.last_quarter == JUL_SEP_2026


def test_a_quarter_without_complaints_shows_zeros(app):
    (quarter,) = complaints_by_quarter([JUL_SEP_2026], TODAY)

    assert (quarter.received, quarter.escalated, quarter.ombudsman) == (0, 0, 0)
    assert quarter.answered_on_time == Ratio(0, 0)
    assert set(quarter.outcomes.values()) == {0}
    assert set(quarter.by_category.values()) == {0}


def test_complaints_are_bucketed_by_uk_time(complaint):
    # 30 June 2026 is in British Summer Time: 23:30 UTC is 00:30 on 1 July in the UK.
    assert APR_JUN_2026.utc_bounds()[1] == datetime(2026, 6, 30, 23, 0)
    complaint(datetime(2026, 6, 30, 23, 30))  # 1 July, UK time
    complaint(datetime(2026, 6, 30, 22, 30))  # 30 June, 23:30 UK time
    complaint(datetime(2026, 3, 31, 22, 59))  # 31 March, 23:59 BST (summer time began on 29 March)
    complaint(datetime(2026, 3, 31, 23, 0))  # midnight starting 1 April, UK time
    complaint(datetime(2025, 12, 31, 23, 30))  # 31 December, GMT
    complaint(datetime(2025, 9, 30, 22, 59))  # 30 September 2025, 23:59 BST: before the oldest quarter
    complaint(datetime(2026, 9, 30, 23, 0))  # 1 October 2026, UK time: this quarter, not yet published

    quarters = complaints_by_quarter([JUL_SEP_2026, APR_JUN_2026, JAN_MAR_2026, OCT_DEC_2025], TODAY)

    assert [q.received for q in quarters] == [1, 2, 1, 1]


def test_each_figure_is_counted(complaint, create_case):
    when = datetime(2026, 8, 3, 10, 0)
    due = date(2026, 8, 24)
    complaint(when, resolved_on=due, respond_due=due, complaint_outcome="upheld")  # on time, on the day
    complaint(when, resolved_on=due + timedelta(days=1), respond_due=due, complaint_outcome="partly_upheld")
    complaint(when, "officer-behaviour", respond_due=due)  # not answered, past due: late
    complaint(when, "officer-behaviour", respond_due=date(2026, 12, 1))  # not answered, not yet due
    complaint(when, "poor-information", complaint_stage=2, complaint_outcome="not_upheld",
              resolved_on=date(2026, 8, 10), respond_due=due)  # fmt: skip
    complaint(when, "poor-information", complaint_stage=2, ombudsman_referred_at=datetime(2026, 10, 1),
              complaint_outcome="not_upheld", resolved_on=date(2026, 8, 20), respond_due=due)  # fmt: skip
    complaint(when, complaint_category=None, respond_due=due)  # late too
    create_case(created_at=when)  # a missed bin: not a complaint

    (quarter,) = complaints_by_quarter([JUL_SEP_2026], TODAY)

    assert quarter.received == 7
    assert quarter.answered_on_time == Ratio(3, 6)  # the one not yet due is left out
    assert quarter.outcomes == {"upheld": 1, "partly_upheld": 1, "not_upheld": 2}
    assert (quarter.escalated, quarter.ombudsman) == (2, 1)
    assert quarter.by_category == {
        "service-failure": 2,
        "standards-failure": 0,
        "officer-behaviour": 2,
        "bureaucratic-process": 0,
        "poor-information": 2,
        "other": 0,
        NOT_RECORDED: 1,
    }


def test_not_recorded_is_shown_only_when_some_complaint_has_no_category(complaint):
    complaint(datetime(2026, 8, 3, 10, 0))
    assert NOT_RECORDED not in published_performance(TODAY, report_targets()).categories

    complaint(datetime(2026, 8, 3, 10, 0), complaint_category=None)
    assert NOT_RECORDED in published_performance(TODAY, report_targets()).categories


def _contact(started_at: datetime, resolved: bool) -> Contact:
    """Recorded the one way contacts are (added to the session, its daily tally counted)."""
    return record_contact("web", "providing_information", "en", started_at=started_at,
                          resolved_at_first_point=resolved)  # fmt: skip


def _visit(number: int, day: date, wait_seconds: int | None, status: str) -> CheckIn:
    return CheckIn(day=day, number=number, ticket=f"A{number:03d}", topic="general", status=status,
                   checked_in_at=datetime.combine(day, datetime.min.time()) + timedelta(hours=9),
                   wait_seconds=wait_seconds)  # fmt: skip


def test_the_standards_of_the_last_whole_quarter(app, create_case, complaint):
    in_quarter = datetime(2026, 8, 3, 10, 0)
    db.session.add_all(
        [
            *(_contact(in_quarter, resolved=n < 4) for n in range(5)),  # 4 of 5: 80%, met
            _contact(datetime(2026, 6, 1, 10, 0), resolved=False),  # another quarter
            _visit(1, date(2026, 8, 3), 600, "seen"),  # exactly 10 minutes: on time
            _visit(2, date(2026, 8, 3), 601, "seen"),
            _visit(3, date(2026, 8, 3), None, "left"),  # left before being called: late
            _visit(4, date(2026, 10, 3), 30, "seen"),  # this quarter: not published yet
        ]
    )
    db.session.commit()
    web = create_case(created_at=in_quarter)
    web.acknowledged_on, web.acknowledge_due = date(2026, 8, 4), date(2026, 8, 4)
    web.resolved_on, web.respond_due = date(2026, 8, 20), date(2026, 8, 17)
    letter = create_case(created_at=in_quarter, channel="post")
    letter.acknowledged_on, letter.acknowledge_due = date(2026, 8, 7), date(2026, 8, 10)
    phone = create_case(created_at=in_quarter, channel="phone")  # no standard for phone requests
    phone.acknowledge_due = phone.respond_due = date(2026, 8, 4)
    complaint(in_quarter, resolved_on=date(2026, 8, 10), respond_due=date(2026, 8, 24))
    db.session.commit()

    standards = {s.name: s for s in published_performance(TODAY, report_targets()).standards}

    assert {name: s.ratio for name, s in standards.items()} == {
        "first_contact_resolution": Ratio(4, 5),
        "written_acknowledged": Ratio(1, 1),
        "written_responded": Ratio(0, 1),
        "complaints_responded": Ratio(1, 1),
        "letters_acknowledged": Ratio(1, 1),
        "visitors_seen": Ratio(1, 3),
    }
    assert {name: s.met for name, s in standards.items()} == {
        "first_contact_resolution": True,
        "written_acknowledged": True,
        "written_responded": False,
        "complaints_responded": True,
        "letters_acknowledged": True,
        "visitors_seen": False,
    }


def test_a_standard_with_nothing_to_measure_has_no_result(app):
    standards = published_performance(TODAY, report_targets()).standards

    assert {s.ratio for s in standards} == {Ratio(0, 0)}
    assert {s.met for s in standards} == {None}
