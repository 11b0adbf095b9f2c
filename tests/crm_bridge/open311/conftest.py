"""Fixtures for the Open311 server's tests: the spec's JSON Schemas (read from shared/open311, never
copied), an API key, a POST helper and a case factory."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from crm_bridge.handoff import CustomerDetails, Location, Submission, hand_off
from crm_bridge.open311.keys import create_key
from portal.db import db

from .helpers import MISSED_BIN

SCHEMA_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "open311"
W3C_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)")
DATETIME_FIELDS = ("requested_datetime", "updated_datetime", "expected_datetime")


@pytest.fixture(scope="session")
def validate():
    """validate(instance, "services.json"): checks a document against the spec's schema of that name."""
    names = ("services.json", "service.json", "service-definition.json", "requests.json", "request.json")
    resources = {
        name: Resource.from_contents(
            json.loads((SCHEMA_DIR / name).read_text()), default_specification=DRAFT4
        )
        for name in names
    }
    registry = Registry().with_resources(resources.items())

    def check(instance, name: str) -> None:
        Draft4Validator(resources[name].contents, registry=registry).validate(instance)
        if name in ("requests.json", "request.json"):
            for item in instance if isinstance(instance, list) else [instance]:
                for field in DATETIME_FIELDS:
                    assert item.get(field) is None or W3C_DATETIME.fullmatch(item[field]), item[field]

    return check


@pytest.fixture
def api_key(app) -> str:
    return create_key("fixmystreet")


@pytest.fixture
def post(client, api_key):
    """post(fmt="json", **fields): POST requests.<fmt> with a valid missed-bin report, fields overriding."""

    def send(fmt: str = "json", **fields):
        data = {"api_key": api_key, **MISSED_BIN, **fields}
        return client.post(
            f"/open311/v2/requests.{fmt}", data={k: v for k, v in data.items() if v is not None}
        )

    return send


@pytest.fixture
def make_case(app):
    """make_case(key, channel="web", status="new", created_at=None, **submission fields) -> Case."""

    def make(
        key: str, channel: str = "web", status: str = "new", created_at: datetime | None = None, **fields
    ):
        values = {
            "request_type": "missed-bin",
            "answers": {"bin": "green", "collection_date": "2026-11-20", "out_by_time": "yes"},
            "details": "Bin left at 14 Acacia Avenue, call Ann on 01632 960123",
            "customer": CustomerDetails(name="Ann Smith", email="ann@example.org", phone="01632 960123"),
            "location": Location(postcode="ND1 1AA", address="14 Acacia Avenue", lat=54.5, lng=-1.55),
        } | fields
        case = hand_off(Submission(submission_key=key, channel=channel, **values))
        case.status = status
        if created_at is not None:
            case.created_at = created_at
        db.session.commit()
        return case

    return make
