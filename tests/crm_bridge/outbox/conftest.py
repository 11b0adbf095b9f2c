"""Fixtures for the outbox: cases with queued messages, a real SMTP server, and small HTTP stubs standing in
for GOV.UK Notify and an external Open311 CRM. Every server listens on 127.0.0.1 only."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from crm_bridge.handoff import CustomerDetails, HandOffSettings, Location, Submission, hand_off
from crm_bridge.models import Case, OutboxMessage
from portal.db import db

PUBLIC_BASE_URL = "https://council.example"
MAIL_FROM = "Northdale District Council <no-reply@northdale.example>"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 Message accepted"

    @property
    def emails(self) -> list[EmailMessage]:
        return [message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes]


@pytest.fixture
def smtp_server():
    """start(port=None, **controller_options) -> (Inbox, port); every server started is stopped after."""
    controllers = []

    def start(port: int | None = None, **options):
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port(), **options)
        controller.start()
        controllers.append(controller)
        return inbox, controller.port

    yield start
    for controller in controllers:
        controller.stop()


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(self.body.decode()).items()}

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Stub:
    """An HTTP server answering each request with respond(recorded) -> (status, JSON document)."""

    respond: object
    requests: list[Recorded] = field(default_factory=list)

    def start(self) -> Stub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                stub.handle(self)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        parts = urlsplit(handler.path)
        recorded = Recorded(handler.command, parts.path, parse_qs(parts.query), dict(handler.headers), body)
        self.requests.append(recorded)
        status, document = self.respond(recorded)
        data = json.dumps(document).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


@pytest.fixture
def http_stub():
    """http_stub(respond) -> a started Stub; stopped after the test."""
    stubs = []

    def start(respond) -> Stub:
        stubs.append(Stub(respond).start())
        return stubs[-1]

    yield start
    for stub in stubs:
        stub.server.shutdown()
        stub.server.server_close()


@pytest.fixture
def make_case(app):
    """make_case(lang="en", email=..., push=False, key=...) -> a handed-off case with its outbox messages."""
    counter = iter(range(1, 1000))

    def make(lang: str = "en", email: str | None = "ann@example.org", push: bool = False, **fields) -> Case:
        submission = {
            "request_type": "missed-bin",
            "submission_key": f"outbox-test-{next(counter)}",
            "channel": "web",
            "lang": lang,
            "answers": {"bin": "green", "collection_date": "2026-11-20", "out_by_time": "yes"},
            "details": "Bin left at the kerb.",
            "customer": CustomerDetails(name="Ann Smith", email=email, phone="01632 960123"),
            "location": Location(postcode="ND1 1AA", address="1 Market Street", lat=54.1, lng=-1.5),
        } | fields
        return hand_off(Submission(**submission), HandOffSettings(push_to_crm=push))

    return make


@pytest.fixture
def config(app):
    """The application's configuration with the outbox settings a test gives."""

    def build(**overrides) -> dict:
        base = {"PUBLIC_BASE_URL": PUBLIC_BASE_URL, "MAIL_FROM": MAIL_FROM, "DELIVERY_TIMEOUT": 5.0}
        return dict(app.config) | base | overrides

    return build


@pytest.fixture
def message_of(app):
    """message_of(kind, case=None) -> that outbox message, freshly read."""

    def find(kind: str, case: Case | None = None) -> OutboxMessage:
        query = sa.select(OutboxMessage).where(OutboxMessage.kind == kind)
        if case is not None:
            query = query.where(OutboxMessage.case_id == case.id)
        db.session.expire_all()
        return db.session.scalar(query)

    return find


@pytest.fixture(name="free_port")
def free_port_fixture() -> int:
    """A port on 127.0.0.1 nothing listens on (yet)."""
    return free_port()
