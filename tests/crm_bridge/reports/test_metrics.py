"""The definitions, over counts: no database."""

from __future__ import annotations

from datetime import date

import pytest

from crm_bridge.reports import metrics
from crm_bridge.reports.metrics import LATE, ON_TIME, PENDING, Ratio

DUE = date(2026, 5, 12)


def test_a_ratio_of_nothing_has_no_value():
    assert Ratio(0, 0).value is None
    assert Ratio(0, 0).percent is None
    assert Ratio(1, 4).value == 0.25
    assert Ratio(1, 4) + Ratio(2, 4) == Ratio(3, 8)


def test_self_service_share_counts_web_chat_kiosk_and_app():
    counts = {"web": 3, "chat": 1, "kiosk": 1, "app": 1, "phone": 2, "face_to_face": 1, "email": 1, "post": 0}

    assert metrics.self_service_share(counts) == Ratio(6, 10)
    assert metrics.self_service_share({}).value is None
    assert metrics.self_service_share({"phone": 5}) == Ratio(0, 5)


def test_first_contact_resolution_and_avoidable_contact():
    assert metrics.first_contact_resolution(8, 10).value == 0.8
    assert metrics.first_contact_resolution(0, 0).value is None
    assert metrics.avoidable_contact_rate({None: 7, "chasing_progress": 2, "repeat_contact": 1}) == Ratio(
        3, 10
    )


@pytest.mark.parametrize(
    ("done_on", "today", "expected"),
    [
        (date(2026, 5, 11), date(2026, 5, 20), ON_TIME),
        (DUE, date(2026, 5, 20), ON_TIME),  # on the due date: on time
        (date(2026, 5, 13), date(2026, 5, 20), LATE),  # the day after: late
        (None, DUE, PENDING),  # not done, due today: still pending
        (None, date(2026, 5, 13), LATE),  # not done, due date passed: late
        (None, date(2026, 5, 1), PENDING),
    ],
)
def test_acknowledgement_and_response_against_the_due_date(done_on, today, expected):
    assert metrics.acknowledgement(done_on, DUE, today) == expected
    assert metrics.response(done_on, DUE, today) == expected


def test_pending_cases_are_left_out_of_on_time():
    states = [ON_TIME, ON_TIME, LATE, PENDING, PENDING]

    assert metrics.on_time(states.count(ON_TIME), states.count(LATE)) == Ratio(2, 3)
    assert metrics.on_time(0, 0).value is None


@pytest.mark.parametrize(
    ("status", "wait_seconds", "expected"),
    [
        ("seen", 600, ON_TIME),  # exactly the standard: in time
        ("seen", 601, LATE),
        ("called", 0, ON_TIME),
        ("left", None, LATE),  # left before being seen: not seen in time
        ("left", 300, ON_TIME),  # called in time, then left
        ("waiting", None, PENDING),  # still waiting: not counted
    ],
)
def test_a_visit_against_the_reception_standard(status, wait_seconds, expected):
    assert metrics.visit(status, wait_seconds, 10) == expected


def test_satisfied_is_good_or_very_good():
    assert metrics.satisfied({5: 3, 4: 1, 3: 2, 2: 1, 1: 1}) == Ratio(4, 8)
    assert metrics.satisfied({}).value is None


def test_change_in_percentage_points():
    assert metrics.change_in_points(Ratio(60, 100), Ratio(1, 2)) == pytest.approx(10.0)
    assert metrics.change_in_points(Ratio(1, 4), Ratio(1, 2)) == pytest.approx(-25.0)
    assert metrics.change_in_points(Ratio(1, 2), Ratio(0, 0)) is None
    assert metrics.change_in_percent(150, 100) == 50.0
    assert metrics.change_in_percent(5, 0) is None


def test_a_target_is_met_at_or_above_it():
    assert metrics.target_met(Ratio(19, 20), 0.95) is True
    assert metrics.target_met(Ratio(18, 20), 0.95) is False
    assert metrics.target_met(Ratio(0, 0), 0.95) is None
    assert metrics.target_met(Ratio(1, 2), None) is None
