"""Schemathesis against the Open311 server, from the shared Swagger 2.0 description of GeoReport v2
(../shared/open311/swagger.json, read here at run time and never copied), calling the application in-process
through WSGI. Checked on every answer: no 5xx (not_a_server_error), a content type the description lists
(content_type_conformance), the body as the description's schema says wherever our answer has one
(response_schema_conformance; JSON only, schemathesis reads no XML), and an XML answer well-formed with only
Open311 elements. Bounded and repeatable: a fixed seed, derandomised, MAX_EXAMPLES cases an operation.

The shared description differs from GeoReport v2 (wiki.open311.org/GeoReport_v2) in places; `adapted` fixes
exactly those, each named below and in docs/security-testing.md, and changes nothing else."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from crm_bridge.catalogue import default_catalogue
from crm_bridge.handoff import CustomerDetails, Location
from crm_bridge.models import CaseEvent
from portal.db import db, utcnow
from tests.payloads import xml_problems

from .test_payloads import ELEMENTS

SWAGGER = Path(__file__).resolve().parents[3].parent / "shared" / "open311" / "swagger.json"
BASE_PATH = "/open311/v2"
MAX_EXAMPLES = 60
SEEDED_REFERENCE, SEEDED_TOKEN = "NDC-26-900001", "seeded-tracking-token-for-schemathesis-0001"
# Optional fields the spec's own examples show as null (GeoReport v2 sends null for what a server lacks);
# Swagger 2.0 cannot say "or null", so these are marked x-nullable, and nothing else is.
NULLABLE = {
    "Service": ("description",),
    "ServiceAttribute": ("datatype_description",),
    "Request": (
        "status_notes", "service_name", "description", "agency_responsible", "service_notice",
        "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
        "media_url",
    ),
    "RequestResponse": ("token", "service_notice", "account_id"),
}  # fmt: skip
# GeoReport v2's POST fields that the description leaves out.
MISSING_POST_FIELDS = (
    "email", "device_id", "account_id", "first_name", "last_name", "phone", "description", "media_url",
)  # fmt: skip


def adapted(swagger: dict) -> dict:
    """The shared description with its departures from GeoReport v2 put right (see docs/security-testing.md):

    1. no basePath: the API is at /open311/v2 here (the spec leaves the base to each server's discovery);
    2. `response_format` is any string ("uid"): the spec's formats are json and xml;
    3. `/request/{service_request_id}.{fmt}`: the spec's path is `/requests/...` (plural);
    4. one request, and a token, answer as an object: the spec answers a list (`service_requests`);
    5. optional fields cannot be null: the spec's examples show null (NULLABLE above);
    6. POST's fields are `in: query` with the api_key in the query string: the spec (and the description's
       own `consumes`) says a form-encoded body, and a key in a URL ends up in logs, so we read the body;
       the spec's email, names, phone, description, device_id, account_id and media_url are added.
    Choices of ours, not departures: service_code is limited to our catalogue's codes, so that generated
    reports reach the hand-off (an unknown code is a 404 before anything else is read; tested elsewhere), and
    each path id has an example (x-example) that finds the seeded request, besides the generated ids."""
    schema = copy.deepcopy(swagger)
    schema["basePath"] = BASE_PATH
    schema["parameters"]["response_format"] = {
        "name": "response_format", "in": "path", "required": True, "type": "string", "enum": ["json", "xml"],
    }  # fmt: skip
    paths = schema["paths"]
    paths["/requests/{service_request_id}.{response_format}"] = paths.pop(
        "/request/{service_request_id}.{response_format}"
    )
    for path, name in (
        ("/requests/{service_request_id}.{response_format}", "Request"),
        ("/tokens/{token_id}.{response_format}", "TokenResponse"),
    ):
        answer = paths[path]["get"]["responses"]["200"]
        answer["schema"] = {"type": "array", "items": {"$ref": f"#/definitions/{name}"}}
    for definition, fields in NULLABLE.items():
        for field in fields:
            schema["definitions"][definition]["properties"][field]["x-nullable"] = True
    post = paths["/requests.{response_format}"]["post"]
    post.pop("security")
    for parameter in post["parameters"]:
        if parameter.get("in") == "query":
            parameter["in"] = "formData"
        if parameter.get("name") == "service_code":
            parameter["enum"] = [request_type.code for request_type in default_catalogue()]
    post["parameters"] += [{"name": name, "in": "formData", "type": "string"} for name in MISSING_POST_FIELDS]
    post["parameters"].append({"name": "api_key", "in": "formData", "type": "string", "required": True})
    for path, name, example in (
        ("/requests/{service_request_id}.{response_format}", "service_request_id", SEEDED_REFERENCE),
        ("/tokens/{token_id}.{response_format}", "token_id", SEEDED_TOKEN),
        ("/services/{service_code}.{response_format}", "service_code", "fly-tipping"),
    ):
        [parameter] = [p for p in paths[path]["get"]["parameters"] if p.get("name") == name]
        parameter["x-example"] = example  # one request that finds something, besides the generated ones
    return schema


CONFIG = SchemathesisConfig.from_dict(
    {"seed": 311, "generation": {"mode": "all", "database": "none", "deterministic": True}}
)
schema = schemathesis.openapi.from_dict(adapted(json.loads(SWAGGER.read_text())), config=CONFIG)


def xml_well_formed(ctx, response, case) -> None:
    """An XML answer parses and holds only Open311's elements: none made from what was sent."""
    if response.headers.get("content-type", [""])[0].startswith("text/xml"):
        problems = xml_problems(response.content, ELEMENTS)
        assert problems == [], problems


@pytest.fixture
def cases_to_find(app, api_key, make_case):
    """A request this partner sent (with a location and a public update), and one from the web."""
    app.config["OPEN311_PUBLIC_SERVICE_CODES"] = frozenset({"graffiti"})
    sent = make_case(
        "open311:fixmystreet:seeded",
        channel="app",
        request_type="graffiti",
        answers={"offensive": "no", "surface": "council"},
        customer=CustomerDetails(name="Ann", email="ann@example.org"),
        location=Location(address="Bus shelter, Mill Lane", lat=54.5, lng=-1.55),
    )
    sent.reference, sent.tracking_token = SEEDED_REFERENCE, SEEDED_TOKEN
    db.session.add(
        CaseEvent(case=sent, kind="public_update", public=True, text="Cleaned.", created_at=utcnow())
    )
    make_case("web-seeded", request_type="graffiti", answers={"offensive": "yes", "surface": "private"})
    db.session.commit()
    return api_key


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_open311_api_meets_the_shared_description(case, app, cases_to_find):
    if case.method == "POST" and isinstance(case.body, dict):
        case.body["api_key"] = cases_to_find
    response = case.call(app=app, headers={"X-Api-Key": cases_to_find} if case.method == "GET" else None)
    case.validate_response(
        response,
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance, xml_well_formed],
    )
