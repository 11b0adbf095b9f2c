"""Small factories for the reports' tests: rows written directly, with only what the figures read
(contacts through record_contact, which keeps the daily tally the dashboard reads)."""

from __future__ import annotations

import itertools
from datetime import date, datetime

import pytest

from crm_bridge.contacts import record_contact
from crm_bridge.models import Case, Contact, SatisfactionRating
from kiosk.visit_models import CheckIn
from portal.db import db


@pytest.fixture
def add_contact(app):
    """add_contact(started_at, channel="web", **fields) -> Contact."""

    def add(started_at: datetime, channel: str = "web", **fields) -> Contact:
        values = {
            "service_group": "environment",
            "interaction_type": "providing_information",
            "lang": "en",
            "resolved_at_first_point": False,
        } | fields
        contact = record_contact(channel, started_at=started_at, **values)  # so its tally is counted too
        db.session.commit()
        return contact

    return add


@pytest.fixture
def add_case(app):
    """add_case(created_at, acknowledge_due, respond_due, **fields) -> Case (complaint_stage makes it a
    complaint)."""
    numbers = itertools.count(1)

    def add(created_at: datetime, acknowledge_due: date, respond_due: date, **fields) -> Case:
        number = next(numbers)
        values = {
            "request_type": "missed-bin",
            "service_group": "environment",
            "queue": "waste",
            "interaction_type": "applying_for_service",
            "channel": "web",
            "lang": "en",
        } | fields
        case = Case(
            tracking_token=f"token-{number}",
            submission_key=f"key-{number}",
            created_at=created_at,
            acknowledge_due=acknowledge_due,
            respond_due=respond_due,
            **values,
        )
        db.session.add(case)
        db.session.commit()
        return case

    return add


@pytest.fixture
def add_rating(app):
    """add_rating(created_at, rating, moment="answer", **fields) -> SatisfactionRating."""
    numbers = itertools.count(1)

    def add(created_at: datetime, rating: int, moment: str = "answer", **fields) -> SatisfactionRating:
        values = {"channel": "web", "service_group": "environment", "lang": "en"} | fields
        row = SatisfactionRating(
            subject=f"test:{next(numbers)}", created_at=created_at, rating=rating, moment=moment, **values
        )
        db.session.add(row)
        db.session.commit()
        return row

    return add


@pytest.fixture
def add_check_in(app):
    """add_check_in(day, status="seen", wait_seconds=None, lang="en") -> CheckIn."""
    numbers = itertools.count(1)

    def add(day: date, status: str = "seen", wait_seconds: int | None = None, lang: str = "en") -> CheckIn:
        number = next(numbers)
        visit = CheckIn(
            day=day,
            number=number,
            ticket=f"G{number:03d}",
            topic="general",
            lang=lang,
            status=status,
            checked_in_at=datetime.combine(day, datetime.min.time()).replace(hour=10),
            wait_seconds=wait_seconds,
        )
        db.session.add(visit)
        db.session.commit()
        return visit

    return add
