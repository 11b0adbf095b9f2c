"""The real processes: gunicorn with gunicorn.conf.py serving the portal on a free loopback port over a
migrated SQLite database, and the outbox worker; both writing JSON lines to standard output."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STARTUP_SECONDS = 60  # an upper bound on a loaded machine, not a measurement


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    """What a production start would have: DATABASE_URL (a migrated SQLite file), SECRET_KEY, JSON logs."""
    folder = tmp_path_factory.mktemp("gunicorn")
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "LOG_FORMAT", "PORT")}
    env |= {
        "DATABASE_URL": f"sqlite:///{folder / 'portal.db'}",
        "INSTANCE_PATH": str(folder / "instance"),
        "SECRET_KEY": "gunicorn-test-secret",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
    }
    subprocess.run([BIN / "flask", "--app", "portal", "db", "upgrade"], env=env, cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    return env, folder


def get(url: str, headers: dict | None = None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode} before answering")
        try:
            if get(url)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer {url} within {STARTUP_SECONDS} s")


def json_lines(path: Path) -> list[dict]:
    """Every line of the output: each must be a JSON object (json.loads fails the test otherwise)."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_gunicorn_serves_the_portal_with_request_ids_and_json_logs(environment):
    env, folder = environment
    port = free_port()
    output = folder / "gunicorn.out"
    with output.open("w") as out:
        gunicorn = subprocess.Popen([BIN / "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT, stdout=out,
                                    stderr=subprocess.STDOUT, env={**env, "PORT": str(port)})  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", gunicorn)
        ready = get(f"{base}/readyz")
        page = get(f"{base}/contact?ref=ann%40example.org", headers={"X-Request-ID": "gunicorn-test-0001"})
        unnamed = get(f"{base}/accessibility")
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=60)

    lines = json_lines(output)
    access = [line for line in lines if line["logger"] == "portal.access"]
    assert ready[0] == 200, ready[2]
    assert json.loads(ready[2])["checks"]["migrations"] == "ok"
    assert page[0] == 200
    assert page[1]["X-Request-ID"] == "gunicorn-test-0001"
    assert len(unnamed[1]["X-Request-ID"]) == 32
    assert {
        "method": "GET",
        "path": "/contact",
        "status": 200,
        "request_id": "gunicorn-test-0001",
    }.items() <= (access[0].items())
    assert access[1]["request_id"] == unnamed[1]["X-Request-ID"]
    assert "example.org" not in output.read_text()
    assert any(line["logger"] == "gunicorn.error" and "Listening at" in line["message"] for line in lines)
    assert any(line["message"].startswith("search index built") for line in lines)
    assert gunicorn.returncode == 0


def test_gunicorn_refuses_to_start_without_a_secret_key(environment):
    env, _folder = environment
    env = {key: value for key, value in env.items() if key != "SECRET_KEY"}

    result = subprocess.run([BIN / "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env={**env, "PORT": str(free_port())})  # fmt: skip

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_outbox_worker_logs_json_from_start_to_stop(environment):
    env, folder = environment
    output = folder / "worker.out"
    with output.open("w") as out:
        command = [BIN / "flask", "--app", "portal", "crm", "deliver", "--loop", "--interval", "0.2"]
        worker = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while "outbox worker started" not in output.read_text() and time.monotonic() < deadline:
            assert worker.poll() is None, output.read_text()
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)

    lines = json_lines(output)
    assert [line["message"] for line in lines if line["logger"] == "crm_bridge.worker"] == [
        "outbox worker started (no adapters); Ctrl+C stops it",
        "outbox worker stopped",
    ]
    assert worker.returncode == 0
