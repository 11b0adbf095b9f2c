"""Open311 rate limits: POST requests counted per API key (else per address), the GETs too; over a limit,
a 429 in the spec's error format, JSON or XML by suffix, with Retry-After (docs/rate-limits.md)."""

from __future__ import annotations

import re

import pytest

from crm_bridge.models import Case
from crm_bridge.open311.keys import create_key
from portal import create_app
from portal.db import db

from ...conftest import TEST_CONFIG
from .helpers import MISSED_BIN, count, xml_of

TOO_MANY = re.compile(r"Too many requests: wait \d+ seconds, then try again")


@pytest.fixture
def limited(app):
    """limited(**limits) -> an application over `app`'s database with rate limits on."""
    made = []

    def make(**limits):
        config = {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
        made.append(create_app({**config, "RATELIMIT_ENABLED": True, "RATE_LIMITS": limits}))
        return made[-1]

    yield make
    for each in made:
        with each.app_context():
            db.session.remove()
            db.engine.dispose()


def client_at(application, address: str = "198.51.100.20"):
    client = application.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def post(client, key: str | None, fmt: str = "json"):
    data = {**MISSED_BIN, **({"api_key": key} if key is not None else {})}
    return client.post(f"/open311/v2/requests.{fmt}", data=data)


def test_posts_past_the_limit_get_a_429_in_the_error_format(limited, api_key):
    client = client_at(limited(open311_write="2/minute"))
    assert [post(client, api_key).status_code for _ in range(2)] == [200, 200]

    as_json = post(client, api_key)
    as_xml = post(client, api_key, fmt="xml")

    assert as_json.status_code == 429
    assert as_json.content_type == "application/json; charset=utf-8"
    [error] = as_json.get_json()
    assert error["code"] == 429 and TOO_MANY.fullmatch(error["description"])
    assert int(as_json.headers["Retry-After"]) >= 1
    assert as_xml.status_code == 429
    assert xml_of(as_xml).findtext("error/code") == "429"
    assert TOO_MANY.fullmatch(xml_of(as_xml).findtext("error/description"))
    assert "Retry-After" in as_xml.headers
    assert count(Case) == 2  # nothing made past the limit


def test_each_partner_has_its_own_count_wherever_it_posts_from(limited, api_key):
    other_key = create_key("other-app")
    application = limited(open311_write="1/minute")
    assert post(client_at(application, "198.51.100.20"), api_key).status_code == 200
    assert post(client_at(application, "203.0.113.20"), api_key).status_code == 429  # same key, elsewhere

    assert post(client_at(application, "198.51.100.20"), other_key).status_code == 200


def test_without_a_live_key_posts_count_against_the_address(limited):
    application = limited(open311_write="2/minute")
    client = client_at(application)
    assert post(client, None).status_code == 403
    assert post(client, "o311_made-up").status_code == 403  # a made-up key gives no fresh count
    assert post(client, "o311_another-made-up").status_code == 429

    assert post(client_at(application, "203.0.113.21"), None).status_code == 403


def test_the_gets_share_one_count(limited):
    client = client_at(limited(open311_read="2/minute"))
    assert client.get("/open311/v2/discovery.json").status_code == 200
    assert client.get("/open311/v2/services.xml").status_code == 200

    response = client.get("/open311/v2/requests/NDC-26-000001.xml")

    assert response.status_code == 429
    assert xml_of(response).findtext("error/code") == "429"
    assert client.get("/open311/v2/tokens/abc.json").get_json()[0]["code"] == 429
