"""Pushing cases to an external Open311 CRM (a stub on 127.0.0.1, then this project's own Open311 server)
and pulling its updates back."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from werkzeug.serving import make_server

from crm_bridge.adapters import adapters_from_config
from crm_bridge.adapters.open311_client import Open311Settings, pull_updates
from crm_bridge.models import Case
from crm_bridge.open311 import keys
from crm_bridge.outbox import deliver_due
from portal.db import db, utcnow

CREATED = [
    {"service_request_id": "EXT-42", "service_notice": "We aim to collect within 2 days", "account_id": None}
]


def open311_config(config, endpoint: str, **overrides) -> dict:
    settings = {"CRM_ADAPTER": "open311", "OPEN311_ENDPOINT": endpoint, "OPEN311_API_KEY": "partner-key"}
    return config(**settings | overrides)


def test_a_push_posts_the_case_and_keeps_the_crm_reference(app, make_case, config, http_stub, message_of):
    stub = http_stub(lambda request: (200, CREATED))
    case = make_case(push=True)
    adapters = adapters_from_config(
        open311_config(config, f"{stub.url}/open311/v2/", OPEN311_SERVICE_CODES={"missed-bin": "MB01"})
    )
    report = deliver_due(adapters)
    assert report.delivered == [message_of("crm_push", case).id]
    [request] = stub.requests
    assert (request.method, request.path) == ("POST", "/open311/v2/requests.json")
    form = request.form
    assert (form["api_key"], form["service_code"]) == ("partner-key", "MB01")
    assert case.reference in form["description"] and "Bin left at the kerb." in form["description"]
    assert (form["lat"], form["long"], form["address_string"]) == ("54.1", "-1.5", "1 Market Street, ND1 1AA")
    assert (form["first_name"], form["last_name"], form["email"]) == ("Ann", "Smith", "ann@example.org")
    assert (form["attribute[bin]"], form["attribute[collection_date]"]) == ("green", "2026-11-20")
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert (case.external_reference, case.external_state) == ("EXT-42", "open")


def test_a_case_with_a_crm_reference_is_never_posted_again(app, make_case, config, http_stub, message_of):
    stub = http_stub(lambda request: (200, CREATED))
    case = make_case(push=True)
    case.external_reference = "EXT-1"
    db.session.commit()
    assert len(deliver_due(adapters_from_config(open311_config(config, stub.url))).delivered) == 1
    assert stub.requests == []
    assert message_of("crm_push", case).delivered_at is not None


def test_the_crms_error_is_kept_and_the_push_retried(app, make_case, config, http_stub, message_of):
    stub = http_stub(lambda request: (400, [{"code": 400, "description": "service_code MB01 was not found"}]))
    case = make_case(push=True)
    deliver_due(adapters_from_config(open311_config(config, stub.url)))
    message = message_of("crm_push", case)
    assert "HTTP 400 service_code MB01 was not found" in message.last_error
    assert (message.attempts, message.delivered_at, case.external_reference) == (1, None, None)


def test_a_token_answer_is_resolved_later_without_posting_again(
    app, make_case, config, http_stub, message_of
):
    known = {}

    def respond(request):
        if request.method == "POST":
            return 200, [{"token": "T-7"}]
        return 200, [{"token": "T-7", **known}]

    stub = http_stub(respond)
    case = make_case(push=True)
    adapters = adapters_from_config(open311_config(config, stub.url))
    deliver_due(adapters)
    message = message_of("crm_push", case)
    assert "token T-7 has no service_request_id yet" in message.last_error
    assert message.payload["open311_token"] == "T-7"
    known["service_request_id"] = "EXT-9"
    assert deliver_due(adapters, now=utcnow() + timedelta(minutes=5)).delivered == [message.id]
    assert [r.method for r in stub.requests] == ["POST", "GET", "GET"]
    assert stub.requests[-1].path == "/tokens/T-7.json"
    db.session.expire_all()
    assert db.session.get(Case, case.id).external_reference == "EXT-9"


def test_pulled_updates_become_public_events_once(app, make_case, config, http_stub):
    updates = [
        {
            "update_id": "u2",
            "service_request_id": "EXT-42",
            "status": "closed",
            "updated_datetime": "2026-11-21T10:00:00+01:00",
            "description": "Bin emptied.",
        },
        {
            "update_id": "u1",
            "service_request_id": "EXT-42",
            "status": "investigating",
            "updated_datetime": "2026-11-20T16:30:00Z",
            "description": "",
        },
        {
            "update_id": "u9",
            "service_request_id": "SOMEONE-ELSES",
            "status": "open",
            "updated_datetime": "2026-11-20T17:00:00Z",
            "description": "Not ours",
        },
    ]
    stub = http_stub(lambda request: (200, updates))
    case = make_case()
    case.external_reference = "EXT-42"
    db.session.commit()
    settings = Open311Settings.from_config(open311_config(config, stub.url))
    now = datetime(2026, 11, 22, 9, 0)
    assert pull_updates(settings, now=now) == 2
    assert pull_updates(settings, now=now) == 0
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    external = [event for event in case.events if event.kind == "external_update"]
    assert [(event.text, event.public, event.created_at) for event in external] == [
        ("Status: investigating", True, datetime(2026, 11, 20, 16, 30)),
        ("Bin emptied.", True, datetime(2026, 11, 21, 9, 0)),
    ]
    assert case.external_state == "closed"
    first, second = stub.requests
    assert (first.path, first.query["start_date"], first.query["end_date"]) == (
        "/servicerequestupdates.json",
        ["2026-11-21T09:00:00Z"],
        ["2026-11-22T09:00:00Z"],
    )
    assert second.query["start_date"] == ["2026-11-21T08:55:00Z"]  # the last update, less the overlap


def test_a_push_to_this_projects_own_open311_server(app, make_case, config, message_of):
    """The other side of the wire is our own GeoReport v2 server, served on loopback."""
    key = keys.create_key("outbox-tests")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        case = make_case(push=True)
        endpoint = f"http://127.0.0.1:{server.server_port}/open311/v2"
        adapters = adapters_from_config(open311_config(config, endpoint, OPEN311_API_KEY=key))
        report = deliver_due(adapters)
    finally:
        server.shutdown()
    assert report.delivered == [message_of("crm_push", case).id], report.failed
    db.session.expire_all()
    pushed = db.session.get(Case, case.id)
    received = db.session.scalar(db.select(Case).where(Case.reference == pushed.external_reference))
    assert received is not None and received.id != case.id
    assert (received.channel, received.request_type, received.answers["bin"]) == (
        "app",
        "missed-bin",
        "green",
    )
    assert case.reference in received.details
