"""POST requests: one case through the hand-off (channel app), or the spec's errors and nothing made."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from crm_bridge.models import Case, Contact, Customer, OutboxMessage
from crm_bridge.open311 import keys
from portal.db import db

from .helpers import MISSED_BIN, count, xml_of

HOSTILE = "<script>alert('x')</script> & \"'; DROP TABLE crm_case; --"


def only_case() -> Case:
    assert count(Case) == 1
    return db.session.scalar(sa.select(Case))


def test_a_report_becomes_one_case_with_its_contact(post):
    response = post(description="Bin left out", first_name="Ann", last_name="Smith", email="ann@example.org")

    assert response.status_code == 200
    assert response.content_type == "application/json; charset=utf-8"
    case = only_case()
    assert response.get_json() == [
        {
            "service_request_id": case.reference,
            "service_notice": "We aim to respond within 10 working days.",
            "account_id": None,
        }
    ]
    assert (case.channel, case.request_type, case.details) == ("app", "missed-bin", "Bin left out")
    assert case.answers == {"bin": "green", "collection_date": "2026-11-20", "out_by_time": "yes"}
    assert (case.location["lat"], case.location["lng"]) == (54.5, -1.55)
    assert case.submission_key.startswith("open311:fixmystreet:")
    contact = db.session.scalar(sa.select(Contact))
    assert (contact.channel, contact.case_id, count(Contact)) == ("app", case.id, 1)
    assert (case.customer.name, case.customer.email) == ("Ann Smith", "ann@example.org")
    assert db.session.scalar(sa.select(OutboxMessage)).kind == "acknowledgement"


def test_the_answer_in_xml(post):
    root = xml_of(post("xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert [child.tag for child in request] == ["service_request_id", "service_notice", "account_id"]
    assert request.findtext("service_request_id") == only_case().reference


def test_two_posts_are_two_cases(post):
    first, second = post(), post()
    assert first.get_json()[0]["service_request_id"] != second.get_json()[0]["service_request_id"]
    assert count(Case) == 2


def test_an_address_is_location_enough_and_media_url_is_ignored(post):
    response = post(
        lat=None, long=None, address_string="Outside 3 High Street", media_url="http://10.0.0.1/x"
    )
    assert response.status_code == 200
    case = only_case()
    assert case.location == {"postcode": None, "address": "Outside 3 High Street", "lat": None, "lng": None}
    assert "10.0.0.1" not in repr(case.answers) + case.details
    assert case.attachments == []


def test_a_service_without_location_keeps_none(post):
    fields = {"attribute[bin]": None, "attribute[collection_date]": None, "attribute[out_by_time]": None}
    response = post(
        service_code="bus-pass",
        **fields,
        **{"attribute[request]": "new", "attribute[date_of_birth]": "1950-02-01"},
    )
    assert response.status_code == 200
    assert only_case().location is None


def test_a_conditional_question_is_asked_only_when_it_applies(post):
    fly_tipping = {
        "service_code": "fly-tipping",
        "attribute[what]": "garden",
        "attribute[amount]": "van",
        "attribute[saw_it_happen]": "no",
        "attribute[witness_details]": "should not travel",
        "attribute[unknown_extra]": "ignored",
    }
    assert post(**fly_tipping).status_code == 200
    assert only_case().answers == {"what": "garden", "amount": "van", "saw_it_happen": "no"}


def test_a_conditional_required_question_is_enforced_when_it_applies(post):
    bus_pass = {
        "service_code": "bus-pass",
        "attribute[request]": "renew",
        "attribute[date_of_birth]": "1950-02-01",
    }
    response = post(**bus_pass)
    assert response.status_code == 400
    assert response.get_json() == [
        {"code": 400, "description": "attribute[pass_number] is required: Your bus pass number"}
    ]
    assert post(**bus_pass, **{"attribute[pass_number]": "NDC123"}).status_code == 200
    assert only_case().answers["pass_number"] == "NDC123"


def test_a_date_attribute_may_be_a_w3c_datetime(post):
    assert post(**{"attribute[collection_date]": "2026-11-20T07:00:00Z"}).status_code == 200
    assert only_case().answers["collection_date"] == "2026-11-20"


def test_csrf_does_not_apply_the_api_key_does(csrf_client, api_key):
    response = csrf_client.post("/open311/v2/requests.json", data={"api_key": api_key, **MISSED_BIN})
    assert response.status_code == 200
    assert count(Case) == 1


def test_html_script_and_sql_are_stored_as_sent_and_returned_escaped(client, post, api_key):
    fields = {"description": HOSTILE, "address_string": HOSTILE, "lat": None, "long": None}
    reference = post(**fields).get_json()[0]["service_request_id"]
    assert only_case().details == HOSTILE

    headers = {"X-Api-Key": api_key}  # only the partner that sent it is shown what it sent
    as_json = client.get(f"/open311/v2/requests/{reference}.json", headers=headers)
    assert as_json.get_json()[0]["description"] == HOSTILE
    assert as_json.get_json()[0]["address"] == HOSTILE
    assert b"<script>" not in as_json.data

    as_xml = client.get(f"/open311/v2/requests/{reference}.xml", headers=headers)
    assert b"&lt;script&gt;" in as_xml.data
    assert b"<script>" not in as_xml.data
    assert xml_of(as_xml).findtext("request/description") == HOSTILE


def test_control_characters_are_dropped(client, post, api_key):
    reference = post(description="before\x00\x07after\nnext line").get_json()[0]["service_request_id"]
    assert only_case().details == "before" + "after\nnext line"
    answer = client.get(f"/open311/v2/requests/{reference}.xml", headers={"X-Api-Key": api_key})
    assert xml_of(answer).findtext("request/description") == "before" + "after\nnext line"


def test_keys_must_be_in_the_form_not_the_query_string(client, api_key):
    response = client.post(f"/open311/v2/requests.json?api_key={api_key}", data=MISSED_BIN)
    assert response.status_code == 403
    assert count(Case) == 0


@pytest.mark.parametrize("api_key_sent", [None, "", "o311_not-a-key"])
def test_a_missing_or_unknown_key_is_403(post, api_key_sent):
    response = post(api_key=api_key_sent)
    assert response.status_code == 403
    assert response.get_json() == [
        {"code": 403, "description": "api_key is missing, unknown or revoked: ask the council for a key"}
    ]
    assert count(Case) == count(Contact) == count(Customer) == 0


def test_a_revoked_key_is_403_in_xml_too(post):
    keys.revoke_key("fixmystreet")
    response = post("xml")
    assert response.status_code == 403
    root = xml_of(response)
    assert (root.tag, root.findtext("error/code")) == ("errors", "403")
    assert count(Case) == 0


def test_an_unknown_service_is_404(post):
    response = post(service_code="potholes")
    assert (response.status_code, response.get_json()[0]["description"]) == (
        404,
        "service_code potholes was not found",
    )
    assert count(Case) == 0


BAD_FIELDS = [
    ({"service_code": None}, "service_code is required"),
    ({"attribute[bin]": None}, "attribute[bin] is required: Which bin was missed?"),
    ({"attribute[bin]": "purple"}, "attribute[bin] must be one of: green, blue, brown, food, glass"),
    ({"attribute[out_by_time]": "maybe"}, "attribute[out_by_time] must be one of: yes, no"),
    (
        {"attribute[collection_date]": "last Tuesday"},
        "attribute[collection_date] must be a date, like 2026-03-27",
    ),
    (
        {"lat": None, "long": None},
        "lat and long, or address_string, are required: this service needs a location",
    ),
    ({"lat": "north"}, "lat must be a number from -90 to 90 (WGS84 degrees)"),
    ({"lat": "91"}, "lat must be a number from -90 to 90 (WGS84 degrees)"),
    ({"long": "nan"}, "long must be a number from -180 to 180 (WGS84 degrees)"),
    ({"long": None}, "long is required with lat"),
    ({"description": "x" * 4001}, "description must be 4000 characters or fewer"),
    ({"address_string": "x" * 501}, "address_string must be 500 characters or fewer"),
    ({"email": "not an email"}, "email must be an email address, like name@example.com"),
    ({"phone": "call me"}, "phone must be a phone number"),
    ({"first_name": "x" * 101}, "first_name must be 100 characters or fewer"),
]


@pytest.mark.parametrize(("fields", "description"), BAD_FIELDS)
def test_a_bad_or_missing_field_is_400_naming_it(post, fields, description):
    response = post(**fields)
    assert response.status_code == 400
    assert response.get_json() == [{"code": 400, "description": description}]
    assert count(Case) == count(Contact) == count(Customer) == count(OutboxMessage) == 0


def test_an_over_long_text_attribute_is_400(post):
    vehicle = {
        "service_code": "abandoned-vehicle",
        "attribute[make_colour]": "x" * 101,
        "attribute[how_long]": "weeks",
    }
    assert post(**vehicle).get_json() == [
        {"code": 400, "description": "attribute[make_colour] must be 100 characters or fewer"}
    ]
    assert count(Case) == 0


def test_every_problem_is_reported_at_once_in_xml(post):
    response = post("xml", **{"attribute[bin]": "purple", "lat": "x", "description": "x" * 4001})
    assert response.status_code == 400
    errors = xml_of(response).findall("error")
    assert [e.findtext("code") for e in errors] == ["400", "400", "400"]
    assert "attribute[bin]" in errors[0].findtext("description")
    assert count(Case) == 0
