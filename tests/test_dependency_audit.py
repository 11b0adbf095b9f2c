"""The dependency audit (.ci/audit_dependencies.py, `make audit`): pip-audit runs for real over this virtual
environment; only the vulnerability database is a small OSV server of our own on loopback, because no
public one may be reachable from here."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "audit_dependencies.py"
FLASK_ADVISORY = {
    "id": "GHSA-test-flask-0001",
    "aliases": ["CVE-2099-0001"],
    "summary": "A made-up vulnerability in every Flask release before 99.0",
    "affected": [
        {
            "package": {"name": "flask", "ecosystem": "PyPI"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "99.0"}]}],
        }
    ],
}


class _Osv(BaseHTTPRequestHandler):
    def do_POST(self):
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name = query["package"]["name"]
        self.server.asked.append(name)
        advisories = self.server.advisories.get(name)
        body = json.dumps({"vulns": advisories} if advisories else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def osv():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Osv)
    server.advisories, server.asked = {}, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    yield server
    server.shutdown()
    server.server_close()


def audit(osv_url: str, ignore_file: Path, **env) -> subprocess.CompletedProcess:
    environment = os.environ | {
        "PIP_AUDIT_SERVICES": "osv",
        "PIP_AUDIT_OSV_URL": osv_url,
        "PIP_AUDIT_IGNORE_FILE": str(ignore_file),
    }
    environment.pop("PIP_AUDIT_REQUIRED", None)
    return subprocess.run(
        [sys.executable, str(SCRIPT)], env=environment | env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def ignore_file(tmp_path):
    path = tmp_path / "pip-audit-ignore.txt"
    path.write_text("# nothing accepted\n")
    return path


def test_clean_audit_is_silent_and_really_asked_about_the_packages(osv, ignore_file):
    finished = audit(osv.url, ignore_file)
    assert (finished.returncode, finished.stdout, finished.stderr) == (0, "", "")
    assert {"flask", "sqlalchemy", "werkzeug"} <= set(osv.asked)
    assert "council-self-service" not in osv.asked  # the project itself (editable) is not audited


def test_a_known_vulnerability_fails_the_audit(osv, ignore_file):
    osv.advisories["flask"] = [FLASK_ADVISORY]
    finished = audit(osv.url, ignore_file)
    assert finished.returncode == 1
    assert "flask" in finished.stderr
    assert "CVE-2099-0001 = GHSA-test-flask-0001 (fixed in 99.0)" in finished.stderr


def test_a_vulnerability_listed_with_a_reason_is_accepted(osv, ignore_file):
    osv.advisories["flask"] = [FLASK_ADVISORY]
    ignore_file.write_text("CVE-2099-0001  # made up for this test; an alias of the GHSA ID\n")
    finished = audit(osv.url, ignore_file)
    assert (finished.returncode, finished.stderr) == (0, "")


def test_an_ignored_id_without_a_reason_fails_before_auditing(osv, ignore_file):
    ignore_file.write_text("CVE-2099-0001\n")
    finished = audit(osv.url, ignore_file)
    assert finished.returncode == 2
    assert "needs a reason" in finished.stderr
    assert osv.asked == []


def test_no_reachable_service_is_a_warning_not_a_clean_result(ignore_file):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/v1/query"
    finished = audit(closed, ignore_file)
    assert finished.returncode == 0
    assert "WARNING: the dependency audit could not run" in finished.stderr
    assert "NOT checked" in finished.stderr
    required = audit(closed, ignore_file, PIP_AUDIT_REQUIRED="1")
    assert required.returncode == 1
    assert "ERROR: the dependency audit could not run" in required.stderr
