"""Who sees which request through the public GETs (docs/open311.md, "Privacy"): without a key, only the
request types the council publishes, and only fields that name nobody; a partner also sees what it sent
itself. Any other case is answered exactly as a reference that does not exist."""

from __future__ import annotations

import pytest

from crm_bridge.models import CaseEvent
from crm_bridge.open311.keys import create_key, revoke_key
from portal.config import from_environment
from portal.db import db

PERSONAL = ("Ann", "Smith", "ann@example.org", "01632", "960123", "Acacia", "ND1 1AA", "54.5", "green")
GRAFFITI = {"request_type": "graffiti", "answers": {"offensive": "no", "surface": "council"}}
DETAILS = ("description", "address", "zipcode", "lat", "long", "status_notes")


def one(client, reference: str, fmt: str = "json", **headers):
    return client.get(f"/open311/v2/requests/{reference}.{fmt}", headers=headers)


def listed(client, query: str = "", **headers) -> list[str]:
    answer = client.get(f"/open311/v2/requests.json{query}", headers=headers).get_json()
    return [request["service_request_id"] for request in answer]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_case_of_an_unpublished_type_is_answered_as_one_that_does_not_exist(client, make_case, fmt):
    case = make_case("a", channel="app")  # a missed bin: at someone's home, never published
    unknown = "NDC-26-999999"

    hidden, missing = one(client, case.reference, fmt), one(client, unknown, fmt)

    assert hidden.status_code == missing.status_code == 404
    assert hidden.headers["Content-Type"] == missing.headers["Content-Type"]
    same = hidden.data.replace(case.reference.encode(), b"REF")
    assert same == missing.data.replace(unknown.encode(), b"REF")
    assert listed(client) == []
    assert listed(client, f"?service_request_id={case.reference}") == []


def test_walking_references_finds_only_published_requests(client, make_case):
    cases = [make_case("a"), make_case("b", **GRAFFITI), make_case("c", request_type="bus-pass", answers={})]
    prefix = cases[0].reference.rsplit("-", 1)[0]  # NDC-<year>
    found = {
        reference
        for number in range(1, 10)
        if one(client, reference := f"{prefix}-{number:06d}").status_code == 200
    }
    assert found == {cases[1].reference}


def test_a_published_request_shows_nothing_personal_even_when_sent_through_open311(client, make_case):
    case = make_case("a", channel="app", **GRAFFITI)
    case.events.append(CaseEvent(kind="public_update", text="Ann, we cleaned it", public=True))
    db.session.commit()

    for response in (one(client, case.reference), client.get("/open311/v2/requests.json")):
        [request] = response.get_json()
        assert request["service_request_id"] == case.reference
        assert request["service_code"] == "graffiti" and request["status"] == "open"
        assert all(request[field] is None for field in DETAILS)
        assert not [word for word in PERSONAL if word in response.get_data(as_text=True)]


def test_a_partner_sees_what_it_sent_in_full_and_other_cases_as_anyone_does(client, make_case, api_key):
    own = make_case("open311:fixmystreet:1", channel="app")
    someone_elses = make_case("open311:other-app:1", channel="app")
    published = make_case("open311:other-app:2", channel="app", **GRAFFITI)
    headers = {"X-Api-Key": api_key}

    [request] = one(client, own.reference, **headers).get_json()
    assert request["description"] == "Bin left at 14 Acacia Avenue, call Ann on 01632 960123"
    assert (request["lat"], request["long"]) == (54.5, -1.55)
    assert one(client, someone_elses.reference, **headers).status_code == 404
    [other] = one(client, published.reference, **headers).get_json()
    assert all(other[field] is None for field in DETAILS)
    assert sorted(listed(client, **headers)) == sorted([own.reference, published.reference])


def test_a_partner_may_send_its_key_in_the_query_string(client, make_case, api_key):
    own = make_case("open311:fixmystreet:1", channel="app")
    assert listed(client, f"?api_key={api_key}") == [own.reference]


@pytest.mark.parametrize("sent", ["o311_not-a-key", "revoked"])
def test_a_key_that_is_sent_must_be_live(client, make_case, sent):
    make_case("open311:fixmystreet:1", channel="app", **GRAFFITI)
    key = create_key("fixmystreet")
    if sent == "revoked":
        revoke_key("fixmystreet")
    headers = {"X-Api-Key": key if sent == "revoked" else sent}
    response = client.get("/open311/v2/requests.json", headers=headers)
    assert response.status_code == 403
    assert response.get_json()[0]["description"].startswith("api_key is unknown or revoked")


def test_a_partner_name_is_matched_exactly_not_as_a_pattern(client, make_case):
    """Key names may hold '_' and '.', which SQL LIKE would read as wildcards."""
    key = create_key("fix_street")
    make_case("open311:fixmystreet:1", channel="app")  # 'fix_street' as a pattern would match it
    assert listed(client, **{"X-Api-Key": key}) == []


def test_an_over_long_token_is_not_looked_up(client):
    assert client.get(f"/open311/v2/tokens/{'a' * 65}.json").status_code == 404


def test_the_published_types_come_from_the_environment(monkeypatch, tmp_path):
    assert from_environment(str(tmp_path))["OPEN311_PUBLIC_SERVICE_CODES"] == {
        "graffiti",
        "fly-tipping",
        "street-cleaning",
        "dog-fouling",
        "public-toilets",
    }
    monkeypatch.setenv("OPEN311_PUBLIC_SERVICE_CODES", " graffiti, potholes ")
    assert from_environment(str(tmp_path))["OPEN311_PUBLIC_SERVICE_CODES"] == {"graffiti", "potholes"}
    monkeypatch.setenv("OPEN311_PUBLIC_SERVICE_CODES", "")
    assert from_environment(str(tmp_path))["OPEN311_PUBLIC_SERVICE_CODES"] == frozenset()
