"""The dashboard: headline figures against the previous period and the targets, and its tables."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from crm_bridge.reports.dashboard import TABLE_KEYS, build_dashboard
from crm_bridge.reports.metrics import Ratio
from crm_bridge.reports.periods import Period
from crm_bridge.reports.queries import Filters

JULY = Period(date(2026, 7, 1), date(2026, 7, 31))
TODAY = date(2026, 8, 20)
TARGETS = {
    "self_service_share": 0.5,
    "first_contact_resolution": 0.8,
    "satisfied": 0.8,
    "avoidable_contact_rate": 0.1,
}
IN_JULY, IN_JUNE = datetime(2026, 7, 14, 10), datetime(2026, 6, 14, 10)


@pytest.fixture
def contacts(add_contact):
    for channel in ("web", "web", "chat", "phone"):
        add_contact(IN_JULY, channel, resolved_at_first_point=True)
    add_contact(IN_JULY, "phone", service_group="council-tax", lang="pl", avoidable_reason="chasing_progress")
    add_contact(IN_JUNE, "web")
    add_contact(IN_JUNE, "phone", resolved_at_first_point=True)


def test_headlines_compare_with_the_previous_period_and_the_target(contacts):
    dashboard = build_dashboard(JULY, Filters(), TARGETS, TODAY)
    share = dashboard.headline("self_service_share")
    resolution = dashboard.headline("first_contact_resolution")

    assert dashboard.previous_period == Period(date(2026, 6, 1), date(2026, 6, 30))
    assert (share.current, share.previous) == (Ratio(3, 5), Ratio(1, 2))
    assert share.change == pytest.approx(10.0)
    assert (share.target, share.met) == (0.5, True)
    assert (resolution.current, resolution.met) == (Ratio(4, 5), True)
    assert resolution.change == pytest.approx(30.0)
    assert dashboard.totals.contacts == (5, 2)


def test_avoidable_contact_is_lower_is_better_and_judged_against_no_target(contacts):
    avoidable = build_dashboard(JULY, Filters(), TARGETS, TODAY).headline("avoidable_contact_rate")

    assert avoidable.current == Ratio(1, 5)
    assert (avoidable.target, avoidable.met, avoidable.higher_is_better) == (None, None, False)


def test_nothing_counted_gives_no_figure_and_no_verdict(app):
    dashboard = build_dashboard(JULY, Filters(), TARGETS, TODAY)

    for headline in dashboard.headlines:
        assert headline.current.value is None
        assert (headline.change, headline.met) == (None, None)
    assert dashboard.table_keys == TABLE_KEYS


def test_tables_by_channel_and_drill_down(contacts):
    dashboard = build_dashboard(JULY, Filters(), TARGETS, TODAY)
    channels = dashboard.table("channels")
    rows = {row.value: row.cells for row in channels.rows}

    assert channels.drill_down == "channel"
    assert channels.columns == ("contacts", "previous_contacts", "share", "first_contact_resolution")
    assert rows["web"] == (2, 1, Ratio(2, 5), Ratio(2, 2))
    assert rows["phone"] == (2, 1, Ratio(2, 5), Ratio(1, 2))
    assert rows["post"] == (0, 0, Ratio(0, 5), Ratio(0, 0))
    assert dashboard.table("interaction_types").drill_down is None
    assert {row.value: row.cells[0] for row in dashboard.table("avoidable_reasons").rows}[
        "chasing_progress"
    ] == 1


def test_filters_narrow_every_figure(contacts):
    dashboard = build_dashboard(JULY, Filters(service_group="council-tax"), TARGETS, TODAY)

    assert dashboard.totals.contacts == (1, 0)
    assert dashboard.headline("self_service_share").current == Ratio(0, 1)
    assert {row.value: row.cells[0] for row in dashboard.table("languages").rows}["pl"] == 1
    # Visits know no service group: left out, and said so.
    assert not dashboard.visits_counted
    assert "visits" not in dashboard.table_keys
    assert "visitors_seen_on_time" not in [headline.key for headline in dashboard.headlines]


def test_response_times_and_complaints(add_case):
    received, due = datetime(2026, 7, 6, 10), date(2026, 7, 7)
    add_case(received, due, date(2026, 7, 20), acknowledged_on=due, resolved_on=date(2026, 7, 20))
    add_case(received, due, date(2026, 7, 20), acknowledged_on=date(2026, 7, 8))  # late twice
    complaint = {"complaint_category": "officer-behaviour", "acknowledged_on": due}
    add_case(received, due, date(2026, 7, 27), complaint_stage=1, complaint_outcome="upheld",
             resolved_on=date(2026, 7, 27), **complaint)  # fmt: skip
    add_case(received, due, date(2026, 7, 27), complaint_stage=2, service_group="parking", **complaint)

    dashboard = build_dashboard(JULY, Filters(), {"acknowledged_on_time": 0.95}, TODAY)

    assert dashboard.headline("acknowledged_on_time").current == Ratio(3, 4)
    assert dashboard.headline("acknowledged_on_time").met is False
    assert dashboard.headline("responded_on_time").current == Ratio(1, 2)
    assert dashboard.headline("complaints_responded_on_time").current == Ratio(1, 2)
    assert dashboard.totals.complaints == (2, 0)
    by_category = {row.value: row.cells for row in dashboard.table("complaints_by_category").rows}
    assert by_category["officer-behaviour"] == (2, 0, Ratio(1, 2))
    assert by_category["other"] == (0, 0, Ratio(0, 0))
    assert {row.value: row.cells[0] for row in dashboard.table("complaints_by_stage").rows} == {1: 1, 2: 1}
    outcomes = {row.value: row.cells[0] for row in dashboard.table("complaints_by_outcome").rows}
    assert (outcomes["upheld"], outcomes[None]) == (1, 1)
    web = dashboard.table("response_by_channel").rows[0]
    assert (web.value, web.cells) == ("web", (4, Ratio(3, 4), Ratio(1, 2)))


def test_satisfaction_and_visits(add_rating, add_check_in):
    for rating in (5, 4, 4, 2):
        add_rating(IN_JULY, rating)
    add_rating(IN_JULY, 1, moment="kiosk_visit")
    add_check_in(date(2026, 7, 3), wait_seconds=600)
    add_check_in(date(2026, 7, 3), status="left")
    add_check_in(date(2026, 6, 3), wait_seconds=60)

    dashboard = build_dashboard(JULY, Filters(), {"visitors_seen_on_time": 0.95}, TODAY)

    assert dashboard.headline("satisfied").current == Ratio(3, 5)
    assert [row.cells[0] for row in dashboard.table("satisfaction_by_rating").rows] == [1, 2, 0, 1, 1]
    moments = {row.value: row.cells for row in dashboard.table("satisfaction_by_moment").rows}
    assert moments["kiosk_visit"] == (1, Ratio(0, 1), Ratio(0, 0))
    seen = dashboard.headline("visitors_seen_on_time")
    assert (seen.current, seen.previous, seen.met) == (Ratio(1, 2), Ratio(1, 1), False)
    assert dashboard.headline("visitors_seen_on_time").change == pytest.approx(-50.0)
    assert build_dashboard(JULY, Filters(), {}, TODAY, visit_standard_minutes=9).headline(
        "visitors_seen_on_time"
    ).current == Ratio(0, 2)
