"""Acknowledgements by email, received by a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta

from aiosmtpd.smtp import AuthResult
from babel.dates import format_date

from crm_bridge.adapters import adapters_from_config
from crm_bridge.adapters.smtp import message_id
from crm_bridge.outbox import deliver_due
from portal.db import utcnow

from .conftest import MAIL_FROM, PUBLIC_BASE_URL


def smtp_adapters(config, port: int, **overrides) -> dict:
    return adapters_from_config(config(NOTIFIER="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port, **overrides))


def body_of(email) -> str:
    return email.get_body(preferencelist=("plain",)).get_content()


def test_the_acknowledgement_email_has_reference_due_dates_and_tracking_link(
    app, make_case, config, smtp_server, message_of
):
    inbox, port = smtp_server()
    case = make_case()
    report = deliver_due(smtp_adapters(config, port))
    assert len(report.delivered) == 1
    [envelope], [email] = inbox.envelopes, inbox.emails
    assert envelope.rcpt_tos == ["ann@example.org"]
    assert envelope.mail_from == "no-reply@northdale.example"
    assert (email["To"], email["From"]) == ("ann@example.org", MAIL_FROM)
    assert case.reference in email["Subject"]
    assert email["Message-ID"] == message_id(f"acknowledgement:{case.reference}", MAIL_FROM)
    assert email["Message-ID"].endswith("@northdale.example>")
    assert (email["Content-Language"], email["Auto-Submitted"]) == ("en", "auto-generated")
    body = body_of(email)
    assert "Dear Ann Smith" in body
    assert f"Your reference is {case.reference}" in body
    assert "What happens next" in body
    assert format_date(case.acknowledge_due, "d MMMM yyyy", locale="en") in body
    assert format_date(case.respond_due, "d MMMM yyyy", locale="en") in body
    assert f"{PUBLIC_BASE_URL}/track/{case.tracking_token}" in body
    assert message_of("acknowledgement", case).delivered_at is not None


def test_a_welsh_case_gets_the_same_email_in_its_locale(app, make_case, config, smtp_server):
    inbox, port = smtp_server()
    case = make_case(lang="cy")
    deliver_due(smtp_adapters(config, port))
    [email] = inbox.emails
    assert email["Content-Language"] == "cy"
    assert case.reference in email["Subject"]
    assert email["Message-ID"] == message_id(f"acknowledgement:{case.reference}", MAIL_FROM)
    body = body_of(email)
    # The dates are written by the Welsh locale (its month names come with Babel, translations or not).
    welsh_due = format_date(case.respond_due, "d MMMM yyyy", locale="cy")
    assert welsh_due in body
    assert welsh_due != format_date(case.respond_due, "d MMMM yyyy", locale="en")
    assert f"{PUBLIC_BASE_URL}/track/{case.tracking_token}" in body
    assert case.reference in body


def test_a_server_that_is_down_means_a_retry_later_then_one_delivery(
    app, make_case, config, smtp_server, free_port, message_of
):
    case = make_case()
    adapters = smtp_adapters(config, free_port)
    now = utcnow()
    report = deliver_due(adapters, now=now)
    message = message_of("acknowledgement", case)
    assert list(report.failed) == [message.id]
    assert (message.attempts, message.delivered_at) == (1, None)
    assert f"SMTP 127.0.0.1:{free_port}" in message.last_error
    assert message.next_attempt_at > now

    inbox, _ = smtp_server(port=free_port)
    assert deliver_due(adapters, now=now + timedelta(seconds=5)).delivered == []  # not due yet
    retry_at = message.next_attempt_at
    assert deliver_due(adapters, now=retry_at).delivered == [message.id]
    deliver_due(adapters, now=now + timedelta(days=2))
    assert len(inbox.envelopes) == 1
    message = message_of("acknowledgement", case)
    assert (message.attempts, message.delivered_at) == (2, retry_at)


def test_login_when_a_username_is_configured(app, make_case, config, smtp_server):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    inbox, port = smtp_server(authenticator=authenticator, auth_require_tls=False)
    make_case()
    adapters = smtp_adapters(config, port, SMTP_USERNAME="portal", SMTP_PASSWORD="s3cret")
    assert len(deliver_due(adapters).delivered) == 1
    assert logins == [(b"portal", b"s3cret")]
    assert len(inbox.envelopes) == 1
