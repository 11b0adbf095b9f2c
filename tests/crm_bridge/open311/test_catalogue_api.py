"""GET discovery, services and service definitions, in JSON (checked against the spec's schemas) and XML."""

from __future__ import annotations

import pytest

from crm_bridge.catalogue import default_catalogue

from .helpers import xml_of

CATALOGUE = default_catalogue()


def test_discovery_names_the_endpoint_and_formats(client):
    document = client.get("/open311/v2/discovery.json").get_json()
    endpoint = document["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://localhost/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert "customer.services@northdale.example" in document["key_service"]


def test_discovery_in_xml(client):
    root = xml_of(client.get("/open311/v2/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_list_the_catalogue_and_match_the_schema(client, validate):
    response = client.get("/open311/v2/services.json")
    assert response.content_type == "application/json; charset=utf-8"
    services = response.get_json()
    validate(services, "services.json")
    assert [s["service_code"] for s in services] == [rt.code for rt in CATALOGUE]


def test_services_in_xml(client):
    root = xml_of(client.get("/open311/v2/services.xml"))
    assert root.tag == "services"
    first = root.find("service")
    assert [child.tag for child in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert (first.findtext("service_code"), first.findtext("metadata")) == ("missed-bin", "true")
    assert len(root.findall("service")) == len(CATALOGUE)


def test_every_service_definition_matches_the_schema(client, validate):
    for request_type in CATALOGUE:
        definition = client.get(f"/open311/v2/services/{request_type.code}.json").get_json()
        validate(definition, "service-definition.json")
        assert [a["code"] for a in definition["attributes"]] == [q.code for q in request_type.questions]


def test_service_definition_in_xml(client):
    root = xml_of(client.get("/open311/v2/services/missed-bin.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "missed-bin"
    bin_attribute = root.find("attributes/attribute")
    assert [child.tag for child in bin_attribute] == [
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    ]
    values = bin_attribute.findall("values/value")
    assert (values[0].findtext("key"), values[0].findtext("name")) == ("green", "Green bin (general waste)")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_is_a_404_in_the_error_format(client, fmt):
    response = client.get(f"/open311/v2/services/no-such-thing.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        assert response.get_json() == [
            {"code": 404, "description": "service_code no-such-thing was not found"}
        ]
    else:
        assert xml_of(response).findtext("error/code") == "404"


@pytest.mark.parametrize("path", ["services.csv", "nothing.json", "requests"])
def test_an_unknown_resource_is_a_404_in_the_error_format(client, path):
    response = client.get(f"/open311/v2/{path}")
    assert response.status_code == 404
    assert response.get_json()[0]["code"] == 404
