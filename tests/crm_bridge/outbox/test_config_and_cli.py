"""Configuration from the environment, and `flask crm deliver` / `flask crm pull-updates`."""

from __future__ import annotations

from portal.config import delivery_settings, mapping

OUTBOX_VARIABLES = (
    "NOTIFIER",
    "CRM_ADAPTER",
    "PUBLIC_BASE_URL",
    "SMTP_PORT",
    "SMTP_STARTTLS",
    "NOTIFY_TEMPLATE_IDS",
    "OPEN311_SERVICE_CODES",
)


def test_by_default_nothing_is_sent_anywhere(monkeypatch):
    for name in OUTBOX_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    settings = delivery_settings()
    assert (settings["NOTIFIER"], settings["CRM_ADAPTER"]) == ("none", "none")
    assert (settings["SMTP_PORT"], settings["SMTP_STARTTLS"], settings["OPEN311_SERVICE_CODES"]) == (
        25,
        False,
        {},
    )


def test_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("NOTIFIER", "SMTP")
    monkeypatch.setenv("SMTP_PORT", "2525")
    monkeypatch.setenv("SMTP_STARTTLS", "true")
    monkeypatch.setenv("OPEN311_SERVICE_CODES", "missed-bin=MB01, graffiti = GR")
    settings = delivery_settings()
    assert (settings["NOTIFIER"], settings["SMTP_PORT"], settings["SMTP_STARTTLS"]) == ("smtp", 2525, True)
    assert settings["OPEN311_SERVICE_CODES"] == {"missed-bin": "MB01", "graffiti": "GR"}


def test_mapping_ignores_what_is_not_a_pair():
    assert mapping("cy=abc,,junk, =x") == {"cy": "abc"}
    assert mapping(None) == {}


def test_deliver_with_no_adapters_keeps_the_messages(app, runner, make_case):
    app.config |= {"NOTIFIER": "none", "CRM_ADAPTER": "none"}
    make_case()
    result = runner.invoke(args=["crm", "deliver"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "0 delivered, 0 failed, 1 waiting for an adapter"


def test_deliver_refuses_an_incomplete_configuration(app, runner):
    app.config |= {"NOTIFIER": "notify", "NOTIFY_API_KEY": None}
    result = runner.invoke(args=["crm", "deliver"])
    assert result.exit_code == 1
    assert "NOTIFY_API_KEY" in result.output


def test_deliver_sends_through_the_configured_smtp_server(app, runner, make_case, smtp_server):
    inbox, port = smtp_server()
    app.config |= {"NOTIFIER": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "CRM_ADAPTER": "none"}
    make_case()
    result = runner.invoke(args=["crm", "deliver", "--limit", "5"])
    assert result.output.strip() == "1 delivered, 0 failed"
    assert len(inbox.envelopes) == 1


def test_pull_updates_needs_an_open311_crm(app, runner):
    app.config["CRM_ADAPTER"] = "none"
    result = runner.invoke(args=["crm", "pull-updates"])
    assert result.exit_code == 1
    assert "CRM_ADAPTER is not open311" in result.output


def test_pull_updates_reports_what_it_added(app, runner, make_case, http_stub):
    update = {"update_id": "1", "service_request_id": "EXT-1", "status": "closed", "description": "Done"}
    stub = http_stub(lambda request: (200, [update | {"updated_datetime": "2026-11-20T10:00:00Z"}]))
    case = make_case()
    case.external_reference = "EXT-1"
    app.config |= {"CRM_ADAPTER": "open311", "OPEN311_ENDPOINT": stub.url, "OPEN311_API_KEY": "k"}
    result = runner.invoke(args=["crm", "pull-updates", "--since", "2026-11-01"])
    assert result.output.strip() == "1 update added", result.output
    assert stub.requests[0].query["start_date"] == ["2026-11-01T00:00:00Z"]


def test_pull_updates_says_when_the_crm_cannot_be_reached(app, runner, free_port):
    app.config |= {"CRM_ADAPTER": "open311", "OPEN311_ENDPOINT": f"http://127.0.0.1:{free_port}"}
    app.config["OPEN311_API_KEY"] = "k"
    result = runner.invoke(args=["crm", "pull-updates"])
    assert result.exit_code == 1
    assert "Open311 GET servicerequestupdates.json" in result.output
