from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from crm_bridge import demo_data
from crm_bridge.catalogue import default_catalogue
from crm_bridge.demo_data import DemoOptions, RealDataError, generate
from crm_bridge.models import Case, CaseEvent, Contact, SatisfactionRating
from crm_bridge.workbench.sla import uk_date
from crm_bridge.working_days import add_working_days
from kiosk.visit_models import CheckIn
from knowledge_base.models import AnswerFeedback, SearchLog
from portal.db import db
from portal.domain import SELF_SERVICE_CHANNELS

END = date(2026, 10, 31)
YEAR = DemoOptions(contacts=3000, months=12, end=END, seed=7)


def make(options: DemoOptions = YEAR, force: bool = False):
    with db.engine.begin() as connection:
        return generate(connection, options, today=date(2026, 11, 20), force=force)


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_makes_the_contacts_asked_for_and_what_followed_them(app):
    summary = make(DemoOptions(contacts=3000, months=3, end=END))

    assert (summary.start, summary.end) == (date(2026, 8, 1), END)
    assert count(Contact) == summary.counts["contacts"] == 3000
    cases = count(Case)
    assert summary.counts["cases"] == cases == count(Contact, Contact.case_id.is_not(None))
    assert 0.18 <= cases / 3000 <= 0.30
    assert count(CaseEvent) >= 2 * cases
    assert count(SatisfactionRating) > 0 and count(CheckIn) > 0 and count(SearchLog) > 0
    first, last = db.session.execute(
        sa.select(sa.func.min(Contact.started_at), sa.func.max(Contact.started_at))
    ).one()
    assert uk_date(first) >= summary.start and uk_date(last) <= END


def test_council_tax_peaks_when_bills_go_out(app):
    make()
    contacts = db.session.execute(sa.select(Contact.started_at, Contact.service_group)).all()
    in_spring = [group for started, group in contacts if uk_date(started).month in (3, 4)]
    share_in_spring = in_spring.count("council-tax") / len(in_spring)
    share_in_year = sum(group == "council-tax" for _, group in contacts) / len(contacts)
    assert share_in_spring > 1.4 * share_in_year
    in_summer = [group for started, group in contacts if uk_date(started).month in (6, 7, 8)]
    assert in_summer.count("environment") / len(in_summer) > 0.33  # garden waste and missed bins


def test_channel_mix_starts_near_the_baseline_and_rises_towards_the_target(app):
    make()
    contacts = db.session.execute(sa.select(Contact.started_at, Contact.channel)).all()

    def self_service_share(months: tuple[date, date]) -> float:
        chosen = [channel for started, channel in contacts if months[0] <= uk_date(started) <= months[1]]
        return sum(channel in SELF_SERVICE_CHANNELS for channel in chosen) / len(chosen)

    assert 0.03 <= self_service_share((date(2025, 11, 1), date(2026, 1, 31))) <= 0.075
    assert 0.075 <= self_service_share((date(2026, 8, 1), date(2026, 10, 31))) <= 0.13
    channels = [channel for _, channel in contacts]
    assert max(set(channels), key=channels.count) == "phone"
    assert {"face_to_face", "email", "post", "web"} <= set(channels)
    resolved = count(Contact, Contact.resolved_at_first_point.is_(True)) / len(contacts)
    assert 0.72 <= resolved <= 0.85
    assert count(Contact, Contact.avoidable_reason.is_not(None)) > 0


def test_assisted_contacts_happen_in_office_hours_on_working_days(app):
    make()
    assisted = db.session.scalars(sa.select(Contact.started_at).where(Contact.channel == "phone")).all()
    weekend = [started for started in assisted if uk_date(started).weekday() >= 5]
    assert not weekend
    self_service = db.session.scalars(sa.select(Contact.started_at).where(Contact.channel == "web")).all()
    assert any(uk_date(started).weekday() >= 5 for started in self_service)


def test_every_case_is_consistent_with_the_catalogue_and_its_own_times(app):
    make()
    catalogue = default_catalogue()
    cases = db.session.scalars(sa.select(Case)).all()
    for case in cases:
        request_type = catalogue.get(case.request_type)
        acknowledge_days = 5 if case.channel == "post" else request_type.acknowledge_days
        assert case.acknowledge_due == add_working_days(case.created_at, acknowledge_days)
        assert case.respond_due == add_working_days(case.created_at, request_type.respond_days)
        assert case.reference.startswith("DEMO-")
        if case.acknowledged_at:
            assert case.acknowledged_on == uk_date(case.acknowledged_at)
            assert case.acknowledged_at >= case.created_at
        if case.status in ("resolved", "closed") or case.resolved_at:
            assert case.resolved_on == uk_date(case.resolved_at)
            assert case.resolved_at >= case.acknowledged_at
        if request_type.feedback == "complaint":
            assert case.complaint_stage in (1, 2) and case.complaint_category
    resolved = [case for case in cases if case.resolved_on]
    on_time = sum(case.resolved_on <= case.respond_due for case in resolved) / len(resolved)
    assert 0.8 <= on_time < 1  # most on time, some late
    assert any(case.status not in ("resolved", "closed") for case in cases)  # a few still open
    assert (
        len({case.tracking_token for case in cases})
        == len({case.submission_key for case in cases})
        == len(cases)
    )


def test_ratings_lean_good_and_visitors_are_mostly_seen_within_ten_minutes(app):
    make()
    ratings = db.session.scalars(sa.select(SatisfactionRating.rating)).all()
    assert sum(ratings) / len(ratings) > 3.6
    waits = db.session.scalars(sa.select(CheckIn.wait_seconds)).all()
    assert sum(wait <= 600 for wait in waits) / len(waits) >= 0.85
    confident = db.session.scalars(sa.select(SearchLog.confident)).all()
    assert 0 < confident.count(False) < confident.count(True)


def test_answer_feedback_uses_the_articles_loaded(app, sample_content):
    make()
    assert count(AnswerFeedback) > 0


def test_the_same_seed_makes_the_same_data_and_a_rerun_replaces_it(app):
    def fingerprint():
        contacts = db.session.execute(
            sa.select(Contact.channel, Contact.service_group, Contact.started_at, Contact.summary).order_by(
                Contact.id
            )
        ).all()
        cases = db.session.execute(sa.select(Case.reference, Case.tracking_token).order_by(Case.id)).all()
        return contacts, cases

    options = DemoOptions(contacts=500, months=2, end=END, seed=11)
    make(options)
    first = fingerprint()
    make(options)
    assert fingerprint() == first
    assert count(Contact) == 500
    make(DemoOptions(contacts=500, months=2, end=END, seed=12))
    assert fingerprint() != first


def test_refuses_a_database_with_real_contacts_or_cases(app, runner, create_case):
    create_case()

    result = runner.invoke(args=["crm", "demo-data", "--contacts", "200", "--end", "2026-10-31"])

    assert result.exit_code != 0
    assert "Refused" in result.output and "--force" in result.output
    assert count(Contact) == 1
    with pytest.raises(RealDataError):
        make(DemoOptions(contacts=10, end=END))


def test_force_adds_demo_data_beside_real_data(app, runner, create_case):
    real = create_case()

    arguments = ["--contacts", "200", "--months", "2", "--end", "2026-10-31", "--force"]
    result = runner.invoke(args=["crm", "demo-data", *arguments])

    assert result.exit_code == 0, result.output
    assert "200 contacts" in result.output
    assert count(Contact) == 201
    assert db.session.get(Case, real.id).reference == real.reference
    again = runner.invoke(args=["crm", "demo-data", "--contacts", "100", "--months", "2", "--force"])
    assert again.exit_code == 0, again.output
    assert count(Contact) == 101  # the earlier demo data replaced, the real contact kept


def test_a_big_load_makes_the_plain_indexes_again(app, monkeypatch):
    monkeypatch.setattr(demo_data, "REBUILD_INDEXES_FROM", 100)

    make(DemoOptions(contacts=200, months=1, end=END))

    indexes = {index["name"] for index in sa.inspect(db.engine).get_indexes("crm_contact")}
    assert {"ix_crm_contact_started_at", "ix_crm_contact_channel", "ix_crm_contact_case_id"} <= indexes
    assert count(Contact) == 200
