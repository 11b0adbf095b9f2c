"""Open311 serialisation is pure: the catalogue and cases in, the spec's dicts and XML out."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime

import pytest

from crm_bridge.catalogue import default_catalogue
from crm_bridge.models import CASE_STATUSES, Case, CaseEvent
from crm_bridge.open311 import serialise
from crm_bridge.open311.intake import parse_query

CATALOGUE = default_catalogue()


def a_case(channel: str = "web", status: str = "in_progress", **fields) -> Case:
    values = {
        "reference": "NDC-26-000042",
        "request_type": "missed-bin",
        "queue": "waste-and-recycling",
        "channel": channel,
        "status": status,
        "details": "Ann Smith, 14 Acacia Avenue: <b>bin</b> missed",
        "answers": {"bin": "green"},
        "location": {"postcode": "ND1 1AA", "address": "14 Acacia Avenue", "lat": 54.5, "lng": -1.55},
        "created_at": datetime(2026, 11, 2, 9, 30),
        "updated_at": datetime(2026, 11, 3, 10, 0),
        "respond_due": date(2026, 11, 16),
    } | fields
    case = Case(**values)
    case.events = [
        CaseEvent(kind="created", status="new", text="", public=True),
        CaseEvent(kind="public_update", text="Crew sent back", public=True),
        CaseEvent(kind="internal_note", text="Resident is rude, Ann on 01632 960123", public=False),
    ]
    return case


def test_every_request_type_is_a_realtime_service_with_its_group():
    services = serialise.services(CATALOGUE)
    assert [s["service_code"] for s in services] == [rt.code for rt in CATALOGUE]
    missed_bin = services[0]
    assert missed_bin["type"] == "realtime"
    assert missed_bin["metadata"] is True
    assert missed_bin["group"] == "Environmental services, pests, refuse and parks"


def test_questions_become_attributes_with_datatypes_order_and_values():
    definition = serialise.service_definition(CATALOGUE.get("fly-tipping"))
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert [a["order"] for a in definition["attributes"]] == [1, 2, 3, 4]
    assert attributes["what"]["datatype"] == "singlevaluelist"
    assert {"key": "household", "name": "Household rubbish or black bags"} in attributes["what"]["values"]
    assert attributes["saw_it_happen"]["values"] == [
        {"key": "yes", "name": "Yes"},
        {"key": "no", "name": "No"},
    ]
    witness = attributes["witness_details"]
    assert (witness["datatype"], witness["required"], witness["values"]) == ("text", False, [])
    assert "Up to 1000 characters" in witness["datatype_description"]
    assert "‘Did you see who dumped it?’ is ‘Yes’" in witness["datatype_description"]


@pytest.mark.parametrize(
    ("service", "code", "datatype"),
    [("abandoned-vehicle", "make_colour", "string"), ("missed-bin", "collection_date", "datetime")],
)
def test_text_and_date_questions(service, code, datatype):
    attributes = serialise.service_definition(CATALOGUE.get(service))["attributes"]
    attribute = next(a for a in attributes if a["code"] == code)
    assert (attribute["datatype"], attribute["required"]) == (datatype, True)


def test_a_conditional_required_question_says_when_it_is_required():
    attributes = serialise.service_definition(CATALOGUE.get("bus-pass"))["attributes"]
    pass_number = next(a for a in attributes if a["code"] == "pass_number")
    assert pass_number["required"] is False
    assert pass_number["datatype_description"].startswith(
        "Up to 30 characters. Required, and only asked, when"
    )


@pytest.mark.parametrize("status", CASE_STATUSES)
def test_case_statuses_are_open_or_closed(status):
    expected = "closed" if status in ("resolved", "closed") else "open"
    assert serialise.open_or_closed(status) == expected


def test_a_web_case_shows_no_personal_data_free_text_or_location():
    request = serialise.service_request(a_case("web"), CATALOGUE.get("missed-bin"))
    assert request["service_request_id"] == "NDC-26-000042"
    assert request["status"] == "open"
    hidden = ("description", "address", "zipcode", "lat", "long", "status_notes", "media_url")
    assert all(request[field] is None for field in hidden)
    assert "Ann" not in repr(request)
    assert "Acacia" not in repr(request)


def test_an_open311_case_shows_no_details_but_to_the_partner_that_sent_it():
    request = serialise.service_request(a_case("app"), CATALOGUE.get("missed-bin"))
    hidden = ("description", "address", "zipcode", "lat", "long", "status_notes")
    assert all(request[field] is None for field in hidden)


def test_a_web_case_shows_no_details_even_with_details_asked_for():
    request = serialise.service_request(a_case("web"), CATALOGUE.get("missed-bin"), with_details=True)
    assert all(request[field] is None for field in ("description", "address", "lat", "status_notes"))


def test_an_open311_case_shows_its_partner_its_details_and_latest_public_note():
    request = serialise.service_request(a_case("app"), CATALOGUE.get("missed-bin"), with_details=True)
    assert request["description"] == "Ann Smith, 14 Acacia Avenue: <b>bin</b> missed"
    assert (request["address"], request["zipcode"], request["lat"], request["long"]) == (
        "14 Acacia Avenue",
        "ND1 1AA",
        54.5,
        -1.55,
    )
    assert request["status_notes"] == "Crew sent back"
    assert "rude" not in repr(request)


def test_dates_are_w3c_in_utc():
    case = a_case(status="resolved", resolved_at=datetime(2026, 11, 5, 16, 45))
    request = serialise.service_request(case, CATALOGUE.get("missed-bin"))
    assert request["requested_datetime"] == "2026-11-02T09:30:00Z"
    assert request["updated_datetime"] == "2026-11-05T16:45:00Z"
    assert request["expected_datetime"] == "2026-11-16T23:59:59Z"
    assert request["status"] == "closed"


def test_a_request_type_gone_from_the_catalogue_still_serialises():
    request = serialise.service_request(a_case(request_type="retired-form"), None)
    assert (request["service_code"], request["service_name"], request["service_notice"]) == (
        "retired-form",
        None,
        None,
    )


def test_xml_uses_the_specs_element_names_and_escapes_text():
    definition = serialise.service_definition(CATALOGUE.get("missed-bin"))
    root = ET.fromstring(serialise.to_xml("service_definition", definition))
    attribute = root.find("attributes/attribute")
    assert attribute.findtext("variable") == "true"
    assert attribute.find("values/value/key").text == "green"
    body = serialise.to_xml("errors", [{"code": 400, "description": "<script>&\x00"}])
    assert b"&lt;script&gt;&amp;" in body
    assert ET.fromstring(body).findtext("error/description") == "<script>&"


def test_none_is_an_empty_element():
    root = ET.fromstring(serialise.to_xml("service_requests", [{"account_id": None}]))
    assert root.find("request/account_id").text is None


def test_errors_are_a_list_of_code_and_description():
    error = serialise.Open311Error(400, "lat is wrong", "long is wrong")
    assert serialise.error_list(error) == [
        {"code": 400, "description": "lat is wrong"},
        {"code": 400, "description": "long is wrong"},
    ]


def test_requests_are_limited_to_1000_over_the_latest_90_days():
    now = datetime(2026, 11, 22, 12, 0)
    query = parse_query({}, now)
    assert (query.limit, query.end, (query.end - query.start).days) == (1000, now, 90)
