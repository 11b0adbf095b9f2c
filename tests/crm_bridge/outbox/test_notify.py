"""Acknowledgements through GOV.UK Notify, sent to a stand-in Notify API on 127.0.0.1."""

from __future__ import annotations

import uuid

import jwt
import pytest
from babel.dates import format_date

from crm_bridge.adapters import AdapterConfigError, adapters_from_config
from crm_bridge.outbox import deliver_due

from .conftest import PUBLIC_BASE_URL

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"outbox_tests-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = str(uuid.uuid4())
WELSH_TEMPLATE_ID = str(uuid.uuid4())


def accepted(request):
    return 201, {"id": str(uuid.uuid4()), "reference": request.json.get("reference"), "content": {}}


def notify_adapters(config, stub, **overrides) -> dict:
    settings = {
        "NOTIFIER": "notify",
        "NOTIFY_API_KEY": API_KEY,
        "NOTIFY_TEMPLATE_ID": TEMPLATE_ID,
        "NOTIFY_BASE_URL": stub.url,
    }
    return adapters_from_config(config(**settings | overrides))


def test_the_acknowledgement_goes_to_notify_with_its_key_as_reference(app, make_case, config, http_stub):
    stub = http_stub(accepted)
    case = make_case()
    assert len(deliver_due(notify_adapters(config, stub)).delivered) == 1
    [request] = stub.requests
    assert (request.method, request.path) == ("POST", "/v2/notifications/email")
    scheme, _, token = request.headers["Authorization"].partition(" ")
    assert scheme == "Bearer"
    assert jwt.decode(token, SECRET, algorithms=["HS256"])["iss"] == SERVICE_ID
    sent = request.json
    assert (sent["template_id"], sent["email_address"]) == (TEMPLATE_ID, "ann@example.org")
    assert sent["reference"] == f"acknowledgement:{case.reference}"
    assert sent["personalisation"] == {
        "reference": case.reference,
        "request_type": "Report a missed bin collection",
        "acknowledge_due": format_date(case.acknowledge_due, "d MMMM yyyy", locale="en"),
        "due_date": format_date(case.respond_due, "d MMMM yyyy", locale="en"),
        "tracking_link": f"{PUBLIC_BASE_URL}/track/{case.tracking_token}",
    }


def test_a_welsh_case_uses_the_welsh_template_and_dates(app, make_case, config, http_stub):
    stub = http_stub(accepted)
    case = make_case(lang="cy")
    deliver_due(notify_adapters(config, stub, NOTIFY_TEMPLATE_IDS={"cy": WELSH_TEMPLATE_ID}))
    sent = stub.requests[0].json
    assert sent["template_id"] == WELSH_TEMPLATE_ID
    assert sent["personalisation"]["due_date"] == format_date(case.respond_due, "d MMMM yyyy", locale="cy")


def test_an_error_from_notify_is_kept_and_retried(app, make_case, config, http_stub, message_of):
    def refuse(request):
        errors = [
            {"error": "BadRequestError", "message": "Can't send to this recipient using a team-only key"}
        ]
        return 400, {"status_code": 400, "errors": errors}

    stub = http_stub(refuse)
    case = make_case()
    report = deliver_due(notify_adapters(config, stub))
    message = message_of("acknowledgement", case)
    assert list(report.failed) == [message.id]
    assert message.last_error.startswith("GOV.UK Notify 400")
    assert "team-only key" in message.last_error
    assert (message.attempts, message.delivered_at) == (1, None)


def test_notify_unreachable_is_a_failure_not_a_crash(app, make_case, config, free_port, message_of):
    case = make_case()
    adapters = adapters_from_config(
        config(
            NOTIFIER="notify",
            NOTIFY_API_KEY=API_KEY,
            NOTIFY_TEMPLATE_ID=TEMPLATE_ID,
            NOTIFY_BASE_URL=f"http://127.0.0.1:{free_port}",
        )
    )
    assert len(deliver_due(adapters).failed) == 1
    assert message_of("acknowledgement", case).last_error.startswith("GOV.UK Notify 503")


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"NOTIFIER": "notify"}, "NOTIFY_API_KEY"),
        ({"NOTIFIER": "notify", "NOTIFY_API_KEY": API_KEY}, "NOTIFY_TEMPLATE_ID"),
        ({"NOTIFIER": "pigeon"}, "NOTIFIER must be one of smtp, notify, none"),
        ({"CRM_ADAPTER": "salesforce"}, "CRM_ADAPTER must be one of open311, none"),
        ({"CRM_ADAPTER": "open311"}, "OPEN311_ENDPOINT"),
        ({"CRM_ADAPTER": "open311", "OPEN311_ENDPOINT": "file:///etc"}, "OPEN311_ENDPOINT"),
        ({"NOTIFIER": "smtp", "MAIL_FROM": ""}, "MAIL_FROM"),
    ],
)
def test_an_incomplete_configuration_is_refused_with_its_reason(app, config, settings, problem):
    base = {"NOTIFY_API_KEY": None, "NOTIFY_TEMPLATE_ID": None, "OPEN311_ENDPOINT": None}
    with pytest.raises(AdapterConfigError, match=problem):
        adapters_from_config(config(**base | settings))
