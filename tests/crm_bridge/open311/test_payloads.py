"""Hostile input through the Open311 API, in JSON and in XML: every text field of POST requests (description,
an attribute, address, names, email, phone, lat/long, service_code, api_key), every GET filter, and every
path id. Never a 5xx; text kept exactly as sent less C0 control characters (docs/open311.md) and given back
exactly; the XML well-formed with no element made from input; the acknowledgement email without any extra
header or recipient. The payloads are tests/payloads.py's."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from crm_bridge.adapters.smtp import SmtpNotifier, SmtpSettings
from crm_bridge.models import Case, OutboxMessage
from portal.db import db
from tests.payloads import email_problems, for_database, open311_kept, xml_problems

from .helpers import count

ELEMENTS = {
    "service_requests", "request", "service_request_id", "status", "status_notes", "service_name",
    "service_code", "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url",
    "account_id", "token", "errors", "error", "code", "services", "service", "metadata", "type", "keywords",
    "group", "service_definition", "attributes", "attribute", "variable", "datatype", "required",
    "datatype_description", "order", "values", "value", "key", "name",
}  # fmt: skip
NOISE = {
    "service_code": "noise-nuisance",
    "attribute[noise_type]": "music",
    "attribute[when_happens]": "Most nights",
    "address_string": "4 Mill Lane",
    "email": "ann@example.org",
}
EMAIL_HEADERS = (
    "From", "To", "Subject", "Message-ID", "Date", "Auto-Submitted", "Content-Type",
    "Content-Transfer-Encoding", "MIME-Version", "Content-Language",
)  # fmt: skip
LIMITS = {"description": 4000, "attribute[when_happens]": 200, "address_string": 500, "first_name": 100}


@pytest.fixture(autouse=True)
def _partner_requests_only(app):
    """No published request types: a GET shows only what the asking partner sent (store.Audience)."""
    app.config["OPEN311_PUBLIC_SERVICE_CODES"] = frozenset()


def as_xml_reads_it(text: str) -> str:
    """An XML parser reads a line break written as CR LF, or CR alone, as LF (XML 1.0, 2.11)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def answer_problems(response, fmt: str) -> list[str]:
    """A 5xx, a wrong content type, or a body that does not parse (JSON) or holds foreign elements (XML)."""
    problems = [f"status {response.status_code}"] if response.status_code >= 500 else []
    if fmt == "xml":
        if response.content_type != "text/xml; charset=utf-8":
            problems.append(f"content type {response.content_type}")
        return problems + xml_problems(response.data, ELEMENTS)
    if response.content_type != "application/json; charset=utf-8":
        return problems + [f"content type {response.content_type}"]
    raw = response.get_data(as_text=True)
    if any(ch in raw for ch in "<>&'"):
        problems.append("markup characters not escaped in JSON")
    try:
        response.get_json()
    except ValueError:
        problems.append("not JSON")
    return problems


def descriptions(response, fmt: str) -> list[str]:
    if fmt == "json":
        return [item["description"] for item in response.get_json()]
    return [element.text or "" for element in ET.fromstring(response.data).iter("description")]


class CapturingNotifier(SmtpNotifier):
    def __init__(self):
        super().__init__(
            SmtpSettings(sender="Council <no-reply@council.example>", public_base_url="https://x.example")
        )
        self.sent = []

    def send(self, email) -> None:
        self.sent.append(email)


def latest_case() -> Case:
    db.session.expire_all()
    return db.session.scalars(sa.select(Case).order_by(Case.id.desc())).first()


def acknowledgement_problems(case: Case) -> list[str]:
    notifier = CapturingNotifier()
    query = sa.select(OutboxMessage).where(
        OutboxMessage.case_id == case.id, OutboxMessage.kind == "acknowledgement"
    )
    [message] = db.session.scalars(query)
    notifier.deliver(message)
    return [p for email in notifier.sent for p in email_problems(email, EMAIL_HEADERS, case.customer.email)]


def test_posted_text_is_kept_exactly_and_given_back_escaped(app, client, api_key):
    payloads = for_database(app)
    failures = {}
    for number, payload in enumerate(payloads):
        kept = open311_kept(payload.text)
        fmt = ("json", "xml")[number % 2]
        fields = dict.fromkeys(LIMITS, payload.text) | {"last_name": payload.text[:100]}
        response = client.post(f"/open311/v2/requests.{fmt}", data={"api_key": api_key, **NOISE, **fields})
        problems = answer_problems(response, fmt)
        too_long = [name for name, limit in LIMITS.items() if len(kept) > limit]
        if too_long:
            text = " ".join(descriptions(response, fmt))
            if response.status_code != 400 or any(name not in text for name in too_long):
                problems.append(f"too long: status {response.status_code}: {text[:200]}")
        elif response.status_code != 200:
            problems.append(f"status {response.status_code}: {response.get_data(as_text=True)[:200]}")
        else:
            case = latest_case()
            last = open311_kept(payload.text[:100])
            stored = (
                case.details,
                case.answers["when_happens"],
                case.location["address"],
                case.customer.name,
            )
            if stored != (kept, kept, kept, f"{kept} {last}"):
                problems.append(f"stored {[value[:30] for value in stored]}")
            for shown_fmt in ("json", "xml"):
                shown = client.get(
                    f"/open311/v2/requests/{case.reference}.{shown_fmt}", headers={"X-Api-Key": api_key}
                )
                problems += answer_problems(shown, shown_fmt)
                expected = kept if shown_fmt == "json" else as_xml_reads_it(kept)
                if shown.status_code != 200 or descriptions(shown, shown_fmt) != [expected]:
                    problems.append(f"{shown_fmt}: given back as {descriptions(shown, shown_fmt)}")
            problems += acknowledgement_problems(case)
        if problems:
            failures[payload.name] = problems
    assert failures == {}


def test_checked_fields_refuse_hostile_values_naming_the_field(app, client, api_key):
    payloads = for_database(app)
    failures = {}
    for number, payload in enumerate(payloads):
        fmt = ("json", "xml")[number % 2]
        problems = []
        for field, value in (
            ("lat", payload.text),
            ("long", payload.text),
            ("email", payload.text),
            ("attribute[noise_type]", payload.text),
        ):
            data = {"api_key": api_key, **NOISE, "lat": "54.5", "long": "-1.55", field: value}
            response = client.post(f"/open311/v2/requests.{fmt}", data=data)
            problems += answer_problems(response, fmt)
            named = field.split("[")[0] if field.startswith("attribute") else field
            if response.status_code != 400 or named not in " ".join(descriptions(response, fmt)):
                problems.append(f"{field}: status {response.status_code}")
        code = client.post(
            f"/open311/v2/requests.{fmt}", data={"api_key": api_key, **NOISE, "service_code": payload.text}
        )
        problems += answer_problems(code, fmt)
        if code.status_code not in (400, 404):
            problems.append(f"service_code: status {code.status_code}")
        key = client.post(f"/open311/v2/requests.{fmt}", data={**NOISE, "api_key": payload.text})
        problems += answer_problems(key, fmt)
        if key.status_code != 403:
            problems.append(f"api_key: status {key.status_code}")
        if problems:
            failures[payload.name] = problems
    assert failures == {}
    assert count(Case) == 0


@pytest.mark.parametrize(
    "email", ["a,b@example.org", "a;b@example.org", "a b@example.org", "<a@example.org>", '"a"@example.org']
)
def test_an_email_that_would_name_other_recipients_is_refused(client, api_key, email):
    """Regression: Open311 took 'a,b@example.org' (one '@', no space) for an address; the acknowledgement's
    To header then named two recipients: 'a' (a mailbox at the council's own mail server) and b@…"""
    response = client.post("/open311/v2/requests.json", data={"api_key": api_key, **NOISE, "email": email})

    assert response.status_code == 400
    assert "email must be an email address" in response.get_json()[0]["description"]
    assert count(Case) == 0


def test_unusual_but_real_email_addresses_are_kept(client, api_key):
    for email in ("o'reilly+bins@example.org", "ånn@exämple.org"):
        data = {"api_key": api_key, **NOISE, "attribute[when_happens]": "Nights", "email": email}
        response = client.post("/open311/v2/requests.json", data=data)
        assert response.status_code == 200, email
        case = latest_case()
        assert case.customer.email == email
        assert acknowledgement_problems(case) == []


def test_query_filters_are_refused_or_answered_never_a_5xx(app, client, api_key, make_case):
    payloads = for_database(app)
    make_case("partner", channel="app")
    failures = {}
    for number, payload in enumerate(payloads):
        problems = []
        for fmt in [("json", "xml")[number % 2]]:  # each payload in one format, turn about
            for name in (
                "service_request_id",
                "service_code",
                "status",
                "start_date",
                "end_date",
                "jurisdiction_id",
            ):
                response = client.get(
                    f"/open311/v2/requests.{fmt}",
                    query_string={name: payload.text},
                    headers={"X-Api-Key": api_key},
                )
                problems += answer_problems(response, fmt)
                if response.status_code not in (200, 400):
                    problems.append(f"{name}: status {response.status_code}")
            anonymous = client.get(f"/open311/v2/requests.{fmt}", query_string={"api_key": payload.text})
            problems += answer_problems(anonymous, fmt)
            if anonymous.status_code not in (200, 403):
                problems.append(f"api_key: status {anonymous.status_code}")
        if problems:
            failures[payload.name] = problems
    assert failures == {}


def test_path_ids_are_not_found_and_echoed_escaped(app, client, api_key):
    payloads = for_database(app)
    failures = {}
    for number, payload in enumerate(payloads):
        problems = []
        segment = quote(payload.text, safe="")
        for fmt in [("json", "xml")[number % 2]]:
            for path in (f"requests/{segment}", f"tokens/{segment}", f"services/{segment}", segment):
                response = client.get(f"/open311/v2/{path}.{fmt}", headers={"X-Api-Key": api_key})
                if response.status_code == 308 and response.location.startswith(
                    "http://localhost/open311/v2/"
                ):
                    continue  # "/open311/v2//etc/passwd.json": slashes merged, then answered as any path
                problems += answer_problems(response, fmt)
                if response.status_code != 404:
                    problems.append(f"{path[:20]}: status {response.status_code}")
        if problems:
            failures[payload.name] = problems
    assert failures == {}


def test_a_nul_in_a_path_id_is_not_found_on_every_database(client, api_key):
    """Regression: /requests/<id> and /tokens/<token> with a NUL reached PostgreSQL, which refuses NUL in
    text (a 500)."""
    for path in ("requests/NDC-26-000001%00.json", "tokens/abc%00.xml", "services/missed-bin%00.json"):
        response = client.get(f"/open311/v2/{path}", headers={"X-Api-Key": api_key})
        assert response.status_code == 404, path
        assert answer_problems(response, path.rsplit(".", 1)[1]) == []
