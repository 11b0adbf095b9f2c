"""Structured logs: the request id (made, echoed, taken from nginx, refused when unsafe), the JSON lines as
written to standard output, and what must never reach them (query strings, tokens, form bodies, emails)."""

from __future__ import annotations

import json
import logging
import re

import pytest

from crm_bridge.adapters import DeliveryError
from crm_bridge.models import OutboxMessage
from crm_bridge.outbox import deliver_due
from portal import create_app
from portal.db import db
from portal.request_logging import configure_logging, make_formatter, redact, request_id_from
from tests.conftest import TEST_CONFIG

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def log_lines(capfd) -> list[dict]:
    """Every line the portal's handler wrote to standard output since the last call, parsed."""
    return [json.loads(line) for line in capfd.readouterr().out.splitlines() if line.strip()]


def access_lines(capfd) -> list[dict]:
    return [line for line in log_lines(capfd) if line["logger"] == "portal.access"]


def test_a_request_without_an_id_gets_a_new_one_in_the_response(client):
    first = client.get("/contact").headers["X-Request-ID"]
    second = client.get("/contact").headers["X-Request-ID"]

    assert GENERATED_ID.fullmatch(first)
    assert GENERATED_ID.fullmatch(second)
    assert first != second


def test_the_id_nginx_sends_is_kept_and_echoed(client, capfd):
    response = client.get("/contact", headers={"X-Request-ID": "3f2a9c1e0b7d4e5f8a6b1c2d3e4f5a6b"})

    assert response.headers["X-Request-ID"] == "3f2a9c1e0b7d4e5f8a6b1c2d3e4f5a6b"
    assert access_lines(capfd)[-1]["request_id"] == "3f2a9c1e0b7d4e5f8a6b1c2d3e4f5a6b"


@pytest.mark.parametrize(
    "unsafe",
    ["short", "x" * 65, "has spaces", "line\nbreak-123456", 'quote"1234567', "<script>alert(1)</script>"],
)
def test_an_unsafe_incoming_id_is_replaced(unsafe):
    replaced = request_id_from(unsafe)

    assert replaced != unsafe
    assert GENERATED_ID.fullmatch(replaced)


def test_safe_ids_of_the_allowed_shape_are_kept():
    for safe in ("abcd1234", "req-2026.11_22-0001", "A" * 64):
        assert request_id_from(safe) == safe


def test_the_access_line_has_its_fields_and_the_request_id(client, capfd):
    capfd.readouterr()
    response = client.get("/articles/no-such-article", headers={"X-Request-ID": "test-request-0001"})

    (line,) = access_lines(capfd)
    assert response.status_code == 404
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["path"] == "/articles/no-such-article"  # slugs are not personal: kept
    assert line["status"] == 404
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"] == "test-request-0001"
    assert "timestamp" in line
    assert "user_id" not in line


def test_a_signed_in_member_of_staff_is_named_by_id_only(staff_client, capfd):
    client, user = staff_client("advisor")
    capfd.readouterr()

    client.get("/staff/cases")

    line = access_lines(capfd)[-1]
    assert line["path"] == "/staff/cases"
    assert line["user_id"] == user.id
    assert user.email not in json.dumps(line)


def test_no_query_string_reaches_the_logs(client, capfd):
    capfd.readouterr()
    client.get("/search?q=my+neighbour+ann%40example.org+council+tax+arrears")

    out = capfd.readouterr().out
    line = [json.loads(text) for text in out.splitlines() if '"portal.access"' in text][-1]
    assert line["path"] == "/search"
    assert "neighbour" not in out
    assert "arrears" not in out
    assert "example.org" not in out


def test_tracking_tokens_and_enrolment_codes_are_left_out_of_the_path(client, create_case, capfd):
    case = create_case()
    capfd.readouterr()

    client.get(f"/track/{case.tracking_token}")
    client.get("/kiosk/enrol/a-secret-enrolment-code-123")
    client.get("/open311/v2/tokens/another-secret-token.json")

    out = capfd.readouterr().out
    paths = [json.loads(text)["path"] for text in out.splitlines() if '"portal.access"' in text]
    assert paths == ["/track/<token>", "/kiosk/enrol/<code>", "/open311/v2/tokens/<token>.json"]
    for secret in (case.tracking_token, "a-secret-enrolment-code", "another-secret-token"):
        assert secret not in out


def test_a_path_no_route_matches_is_cut_to_its_first_segment(client, capfd):
    capfd.readouterr()
    client.get("/track-my-case/Zx9-secret-looking-segment/more")

    (line,) = access_lines(capfd)
    assert line["path"] == "/track-my-case/<unmatched>"
    assert line["status"] == 404


def test_form_bodies_are_never_logged(client, capfd):
    capfd.readouterr()
    client.post("/track", data={"reference": "NDC-26-424242", "email": "ann.smith@example.org"})

    out = capfd.readouterr().out
    assert "/track" in out
    assert "NDC-26-424242" not in out
    assert "ann.smith" not in out


def test_health_checks_are_not_in_the_access_log_at_info(client, capfd):
    capfd.readouterr()
    client.get("/healthz")
    client.get("/readyz")

    assert access_lines(capfd) == []


def test_an_error_is_logged_with_the_request_id_and_without_the_token(app, capfd):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a 500 page, and the error logged

    def explode(token):
        raise RuntimeError("the view failed")

    app.add_url_rule("/explode/<token>", "explode", explode)
    capfd.readouterr()

    response = app.test_client().get("/explode/secret-token-4242", headers={"X-Request-ID": "boom-0000001"})

    lines = log_lines(capfd)
    error = next(line for line in lines if line["level"] == "ERROR")
    assert response.status_code == 500
    assert error["message"] == "Exception on GET /explode/<token>"
    assert error["request_id"] == "boom-0000001"
    assert "RuntimeError: the view failed" in error["exc_info"]
    assert "secret-token-4242" not in json.dumps(lines)
    assert [line["status"] for line in lines if line["logger"] == "portal.access"] == [500]


def test_email_addresses_are_redacted_from_any_line():
    record = logging.LogRecord("crm_bridge.outbox", logging.WARNING, __file__, 1, "refused: %s", None, None)
    record.args = ("550 <ann.smith@example.org> mailbox unavailable",)

    as_json = json.loads(make_formatter("json").format(record))
    as_text = make_formatter("text").format(record)

    assert as_json["message"] == "refused: 550 <<email>> mailbox unavailable"
    assert "ann.smith@example.org" not in as_text
    assert redact("nothing personal here") == "nothing personal here"


def test_text_format_for_development(app, tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "text"))
    text_app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                           "LOG_FORMAT": "text"})  # fmt: skip
    capfd.readouterr()
    try:
        text_app.test_client().get("/contact", headers={"X-Request-ID": "text-format-01"})
        out = capfd.readouterr().out
    finally:
        configure_logging("json")  # the handler is the process's: back to JSON for the tests after this one
        with text_app.app_context():
            db.engine.dispose()

    assert re.search(r"INFO \[portal\.access\] \[text-format-01\] GET /contact 200 [\d.]+ ms", out)


def test_an_unknown_log_format_stops_the_app_at_start(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://", "LOG_FORMAT": "xml"})


def test_the_outbox_logs_the_message_and_case_ids_and_no_address(app, create_case, capfd):
    case = create_case()
    sent = OutboxMessage(kind="acknowledgement", idempotency_key="log-test-1", payload={}, case_id=case.id)
    refused = OutboxMessage(kind="update", idempotency_key="log-test-2", payload={}, case_id=case.id)
    db.session.add_all([sent, refused])
    db.session.commit()
    capfd.readouterr()

    def refuse(message):
        raise DeliveryError("550 <ann@example.org> mailbox unavailable")

    deliver_due({"acknowledgement": lambda message: None, "update": refuse})

    lines = {line["message_id"]: line for line in log_lines(capfd) if "message_id" in line}
    assert lines[sent.id]["case_id"] == case.id
    assert lines[sent.id]["level"] == "INFO"
    assert lines[sent.id]["message"] == f"outbox message {sent.id} (acknowledgement) delivered"
    assert lines[refused.id]["case_id"] == case.id
    assert lines[refused.id]["level"] == "WARNING"
    assert "<email>" in lines[refused.id]["message"]
    assert "ann@example.org" not in json.dumps(lines)
