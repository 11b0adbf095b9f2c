"""Idempotent receivers for the fault benchmark (bench/faults.py), on 127.0.0.1 only.

- `FakeCrm`: an external CRM speaking Open311 GeoReport v2 (POST requests.json, as
  crm_bridge/adapters/open311_client.py sends it). It creates one service request per `Idempotency-Key`
  and answers a repeat with the same service_request_id, counting the repeat; a POST without a key
  creates a new request every time (as a CRM that cannot deduplicate would), so a missing key shows up
  as a duplicate case. It can be taken down: every POST answered 500, or every nth one taken (the request
  is created) but answered only after the client has given up, the nastiest kind of timeout. Or flaky:
  the first POST of each key refused with a 503, so the retry falls to the outbox worker.
- `FakeMailbox`: an SMTP server (aiosmtpd) keeping one email per Message-ID and counting repeats.

Both record every attempt, so the benchmark can tell "arrived twice" (at-least-once delivery at work)
from "acted on twice" (a lost idempotency key)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller

KEY_HEADER = "Idempotency-Key"


@dataclass
class CrmRecord:
    """A service request the CRM created: from the first POST with its key."""

    service_request_id: str
    key: str | None
    fields: dict[str, str]
    posts: int = 1  # POSTs carrying this key, the first included


@dataclass
class FakeCrm:
    latency: float = 0.0  # seconds between creating a request and answering (the crash window)
    down: bool = False
    hang_every: int = 0  # while down: every nth POST is created but answered after hang_seconds
    hang_seconds: float = 3.0
    refuse_first: bool = False  # flaky: the first POST of each key answered 503, nothing created
    refused: set = field(default_factory=set)
    records: dict[str, CrmRecord] = field(default_factory=dict)  # by key (or a made-up one)
    attempts: list[tuple[float, str | None, str]] = field(default_factory=list)  # (time, key, outcome)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> FakeCrm:
        crm = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's hook name)
                crm.handle_post(self)

            def do_GET(self):  # noqa: N802
                crm.answer(self, 404, [{"code": 404, "description": "not found"}])

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/open311/v2"

    @property
    def duplicates(self) -> int:
        """POSTs of a request already created: retries the key made harmless."""
        return sum(record.posts - 1 for record in self.records.values())

    @property
    def without_key(self) -> int:
        return sum(1 for record in self.records.values() if record.key is None)

    def outcomes(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for _when, _key, outcome in self.attempts:
            counted[outcome] = counted.get(outcome, 0) + 1
        return counted

    def handle_post(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        if not handler.path.split("?")[0].endswith("/requests.json"):
            return self.answer(handler, 404, [{"code": 404, "description": "not found"}])
        fields = {key: values[0] for key, values in parse_qs(body.decode()).items()}
        key = handler.headers.get(KEY_HEADER)
        with self.lock:
            self.down_posts = getattr(self, "down_posts", 0) + self.down
            hang = self.down and self.hang_every and self.down_posts % self.hang_every == 0
            if self.down and not hang:
                self.attempts.append((time.time(), key, "500"))
                status, document = 500, [{"code": 500, "description": "CRM unavailable"}]
            elif self.refuse_first and key not in self.refused:
                self.refused.add(key)
                self.attempts.append((time.time(), key, "503"))
                status, document = 503, [{"code": 503, "description": "busy, try again"}]
            else:
                record = self._create(key, fields)
                self.attempts.append((time.time(), key, "late" if hang else "created"))
                status, document = 200, [{"service_request_id": record.service_request_id}]
        time.sleep(self.hang_seconds if hang else self.latency if status == 200 else 0)
        self.answer(handler, status, document)

    def _create(self, key: str | None, fields: dict[str, str]) -> CrmRecord:
        known = self.records.get(key) if key else None
        if known is not None:
            known.posts += 1
            return known
        record = CrmRecord(f"CRM-{len(self.records) + 1:05d}", key, fields)
        self.records[key or f"no-key-{len(self.records) + 1}"] = record
        return record

    @staticmethod
    def answer(handler: BaseHTTPRequestHandler, status: int, document) -> None:
        data = json.dumps(document).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass  # the client gave up (a timeout) or was killed: the request stands, as in a real CRM


class FakeMailbox:
    """An SMTP server on 127.0.0.1 keeping one email per Message-ID."""

    def __init__(self, latency: float = 0.0):
        self.latency = latency
        self.emails: dict[str, dict] = {}  # Message-ID -> {"to": ..., "subject": ..., "copies": n}
        self.without_id = 0
        self.arrivals = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        email = message_from_bytes(envelope.original_content, policy=policy.default)
        message_id = email["Message-ID"]
        self.arrivals += 1
        if not message_id:
            self.without_id += 1
        elif message_id in self.emails:
            self.emails[message_id]["copies"] += 1
        else:
            self.emails[message_id] = {"to": envelope.rcpt_tos, "subject": str(email["Subject"]), "copies": 1}
        await asyncio.sleep(self.latency)  # accepted, the answer still on its way: the crash window
        return "250 Message accepted"

    @property
    def duplicates(self) -> int:
        return sum(email["copies"] - 1 for email in self.emails.values())

    def start(self) -> FakeMailbox:
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
