"""GET requests, one request and tokens: the spec's filters, its schemas, and what a public API may show.

The filter tests publish the request types they use (OPEN311_PUBLIC_SERVICE_CODES): who may see which
case is tested in test_privacy.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_bridge.models import CaseEvent
from crm_bridge.open311 import store
from crm_bridge.open311.intake import RequestQuery
from portal.db import db, utcnow

from .helpers import xml_of

REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
PERSONAL = ("Ann", "Smith", "ann@example.org", "01632", "960123", "Acacia", "ND1 1AA", "54.5")


@pytest.fixture(autouse=True)
def _published(app):
    app.config["OPEN311_PUBLIC_SERVICE_CODES"] = frozenset({"missed-bin", "graffiti", "bus-pass"})


def ids(response) -> list[str]:
    return [request["service_request_id"] for request in response.get_json()]


def get(client, query: str = "", fmt: str = "json"):
    return client.get(f"/open311/v2/requests.{fmt}{query}")


def test_requests_match_the_schema_newest_first(client, make_case, validate):
    older = make_case("a", created_at=utcnow() - timedelta(days=2))
    newer = make_case("b", channel="app")
    response = get(client)
    validate(response.get_json(), "requests.json")
    for request in response.get_json():
        validate(request, "request.json")
    assert ids(response) == [newer.reference, older.reference]


def test_requests_in_xml(client, make_case):
    case = make_case("a")
    root = xml_of(get(client, fmt="xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert [child.tag for child in request] == REQUEST_FIELDS
    assert (request.findtext("service_request_id"), request.findtext("status")) == (case.reference, "open")


def test_the_default_is_the_latest_90_days(client, make_case):
    make_case("old", created_at=utcnow() - timedelta(days=91))
    recent = make_case("recent", created_at=utcnow() - timedelta(days=89))
    assert ids(get(client)) == [recent.reference]


def test_start_and_end_dates(client, make_case):
    now = utcnow()
    make_case("a", created_at=now - timedelta(days=100))
    inside = make_case("b", created_at=now - timedelta(days=50))
    make_case("c", created_at=now - timedelta(days=5))
    start, end = (now - timedelta(days=60)), (now - timedelta(days=40))
    query = f"?start_date={start:%Y-%m-%dT%H:%M:%S}Z&end_date={end:%Y-%m-%dT%H:%M:%S}%2B00:00"
    assert ids(get(client, query)) == [inside.reference]


def test_a_start_date_alone_runs_to_now(client, make_case):
    now = utcnow()
    inside = make_case("b", created_at=now - timedelta(days=50))
    make_case("a", created_at=now - timedelta(days=70))
    assert ids(get(client, f"?start_date={now - timedelta(days=60):%Y-%m-%dT%H:%M:%S}Z")) == [
        inside.reference
    ]


@pytest.mark.parametrize(
    ("query", "description"),
    [
        ("?start_date=yesterday", "start_date must be a W3C date and time, like 2026-01-01T00:00:00Z"),
        ("?end_date=2026-13-01", "end_date must be a W3C date and time, like 2026-01-01T00:00:00Z"),
        (
            "?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
            "start_date and end_date may not span more than 90 days",
        ),
        (
            "?start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
            "start_date must be before end_date",
        ),
        ("?status=pending", "status must be open or closed (or both, comma separated)"),
    ],
)
def test_bad_filters_are_400(client, query, description):
    response = get(client, query)
    assert response.status_code == 400
    assert response.get_json() == [{"code": 400, "description": description}]


def test_status_filter(client, make_case):
    open_case = make_case("a", status="waiting_for_customer")
    closed_case = make_case("b", status="resolved")
    assert ids(get(client, "?status=open")) == [open_case.reference]
    assert ids(get(client, "?status=closed")) == [closed_case.reference]
    assert len(ids(get(client, "?status=open,closed"))) == 2


def test_service_code_filter(client, make_case):
    make_case("a")
    graffiti = make_case("b", request_type="graffiti", answers={})
    bus_pass = make_case("c", request_type="bus-pass", answers={})
    assert ids(get(client, "?service_code=graffiti")) == [graffiti.reference]
    assert sorted(ids(get(client, "?service_code=graffiti,bus-pass"))) == sorted(
        [graffiti.reference, bus_pass.reference]
    )


def test_service_request_ids_override_the_other_filters(client, make_case):
    old = make_case("a", created_at=utcnow() - timedelta(days=400), status="closed")
    other = make_case("b")
    make_case("c")
    query = f"?service_request_id={old.reference},{other.reference},NDC-00-999999&status=open"
    assert sorted(ids(get(client, query))) == sorted([old.reference, other.reference])


def test_at_most_the_limit_is_returned(app, make_case):
    for key in "abc":
        make_case(key)
    now = utcnow()
    query = RequestQuery(start=now - timedelta(days=1), end=now + timedelta(days=1), limit=2)
    assert len(store.find_requests(query, store.Audience(frozenset({"missed-bin"})))) == 2


def test_one_request_in_json_and_xml(client, make_case, validate):
    case = make_case("a", channel="app")
    response = client.get(f"/open311/v2/requests/{case.reference}.json")
    validate(response.get_json(), "requests.json")
    assert ids(response) == [case.reference]
    root = xml_of(client.get(f"/open311/v2/requests/{case.reference}.xml"))
    assert root.findtext("request/service_request_id") == case.reference


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_request_is_404(client, fmt):
    response = client.get(f"/open311/v2/requests/NDC-26-999999.{fmt}")
    assert response.status_code == 404


def test_a_token_gives_the_request_id(client, make_case):
    case = make_case("a")
    response = client.get(f"/open311/v2/tokens/{case.tracking_token}.json")
    assert response.get_json() == [{"service_request_id": case.reference, "token": case.tracking_token}]
    root = xml_of(client.get(f"/open311/v2/tokens/{case.tracking_token}.xml"))
    assert root.findtext("request/token") == case.tracking_token
    assert client.get("/open311/v2/tokens/not-a-token.json").status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_web_case_shows_no_personal_data_free_text_answers_or_location(client, make_case, fmt):
    case = make_case("a", channel="web")
    case.events.append(CaseEvent(kind="public_update", text="Crew back to 14 Acacia Avenue", public=True))
    db.session.commit()
    for response in (get(client, fmt=fmt), client.get(f"/open311/v2/requests/{case.reference}.{fmt}")):
        body = response.data.decode()
        assert case.reference in body
        assert not [word for word in PERSONAL if word in body]
        assert "green" not in body  # an answer


def test_an_open311_case_shows_its_partner_what_it_sent_but_no_internal_notes(client, make_case, api_key):
    case = make_case("open311:fixmystreet:1", channel="app")
    case.events.append(CaseEvent(kind="public_update", text="Crew sent back", public=True))
    case.events.append(CaseEvent(kind="internal_note", text="Call Ann on 01632 960123", public=False))
    db.session.commit()
    headers = {"X-Api-Key": api_key}
    request = client.get(f"/open311/v2/requests/{case.reference}.json", headers=headers).get_json()[0]
    assert request["description"] == "Bin left at 14 Acacia Avenue, call Ann on 01632 960123"
    assert (request["address"], request["zipcode"], request["lat"], request["long"]) == (
        "14 Acacia Avenue",
        "ND1 1AA",
        54.5,
        -1.55,
    )
    assert request["status_notes"] == "Crew sent back"
    assert "ann@example.org" not in repr(request)
    assert "Smith" not in repr(request)


def test_a_posted_request_can_be_followed(client, post, validate, api_key):
    reference = post(description="Bin by the gate").get_json()[0]["service_request_id"]
    query = f"?service_request_id={reference}&api_key={api_key}"
    requests = client.get(f"/open311/v2/requests.json{query}").get_json()
    validate(requests, "requests.json")
    assert (requests[0]["description"], requests[0]["status"], requests[0]["lat"]) == (
        "Bin by the gate",
        "open",
        54.5,
    )
