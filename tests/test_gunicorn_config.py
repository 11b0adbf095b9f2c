"""gunicorn.conf.py: how many workers for the machine, every value from the environment, safe defaults."""

from __future__ import annotations

import multiprocessing
import runpy
import stat
from pathlib import Path

import pytest

from portal import config

CONFIG_FILE = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"
ENVIRONMENT = ("GUNICORN_WORKERS", "GUNICORN_THREADS", "PORT", "BIND", "GUNICORN_TIMEOUT",
               "GUNICORN_GRACEFUL_TIMEOUT", "GUNICORN_MAX_REQUESTS", "GUNICORN_MAX_REQUESTS_JITTER",
               "FORWARDED_ALLOW_IPS", "GUNICORN_CONTROL_SOCKET", "LOG_FORMAT", "LOG_LEVEL")  # fmt: skip


@pytest.fixture
def load_config(monkeypatch):
    """load_config(**environment) -> gunicorn.conf.py's settings, read with only that environment set."""

    def load(**environment):
        for name in ENVIRONMENT:
            monkeypatch.delenv(name, raising=False)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(CONFIG_FILE))

    return load


@pytest.fixture
def worker_count(load_config):
    return load_config()["worker_count"]


def test_workers_follow_the_cpus_when_memory_is_plentiful(worker_count):
    assert worker_count(cores=1, memory_mb=64_000) == 3
    assert worker_count(cores=2, memory_mb=64_000) == 5
    assert worker_count(cores=8, memory_mb=64_000) == 17


def test_workers_are_fewer_when_memory_cannot_hold_them(worker_count):
    # Half of 1 GB for the portal, 200 MB a worker: 2 workers, not the 5 two cores would take.
    assert worker_count(cores=2, memory_mb=1024, worker_mb=200) == 2
    assert worker_count(cores=8, memory_mb=4096, worker_mb=300) == 6


def test_there_is_always_one_worker(worker_count):
    assert worker_count(cores=4, memory_mb=256, worker_mb=200) == 1
    assert worker_count(cores=0, memory_mb=None) == 3


def test_a_worker_count_from_the_environment_wins(worker_count):
    assert worker_count(cores=2, memory_mb=1024, requested=7) == 7
    assert worker_count(cores=2, memory_mb=None, requested=None) == 5


def test_defaults_are_for_gunicorn_behind_nginx_on_this_machine(load_config):
    settings = load_config()

    assert settings["wsgi_app"] == "portal.wsgi:app"
    assert settings["bind"] == ["127.0.0.1:8000"]
    assert settings["worker_class"] == "gthread"
    assert settings["threads"] == 4
    assert settings["forwarded_allow_ips"] == "127.0.0.1"
    assert settings["accesslog"] is None  # the portal writes the access line itself, in JSON
    assert settings["max_requests"] > 0
    assert 0 < settings["max_requests_jitter"] < settings["max_requests"]
    assert settings["control_socket_disable"] is True
    assert settings["workers"] >= 1


def test_every_setting_comes_from_the_environment(load_config):
    settings = load_config(GUNICORN_WORKERS="3", GUNICORN_THREADS="8", PORT="9001", GUNICORN_TIMEOUT="60",
                           GUNICORN_GRACEFUL_TIMEOUT="20", GUNICORN_MAX_REQUESTS="500",
                           GUNICORN_MAX_REQUESTS_JITTER="50", FORWARDED_ALLOW_IPS="10.0.0.5",
                           GUNICORN_CONTROL_SOCKET="/tmp/portal.ctl", LOG_FORMAT="text")  # fmt: skip

    assert settings["workers"] == 3
    assert settings["threads"] == 8
    assert settings["bind"] == ["127.0.0.1:9001"]
    assert (settings["timeout"], settings["graceful_timeout"]) == (60, 20)
    assert (settings["max_requests"], settings["max_requests_jitter"]) == (500, 50)
    assert settings["forwarded_allow_ips"] == "10.0.0.5"
    assert settings["control_socket"] == "/tmp/portal.ctl"
    assert settings["control_socket_disable"] is False
    assert settings["logconfig_dict"]["formatters"]["portal"]["log_format"] == "text"
    assert load_config(BIND="unix:/run/portal/gunicorn.sock", PORT="9001")["bind"] == [
        "unix:/run/portal/gunicorn.sock"
    ]


def _secret_key_from(instance_path: str, barrier, results) -> None:
    barrier.wait()
    results.put(config.secret_key(instance_path))


def test_workers_starting_together_share_one_generated_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(6), context.Queue()
    processes = [
        context.Process(target=_secret_key_from, args=(str(tmp_path), barrier, results)) for _ in range(6)
    ]
    for process in processes:
        process.start()
    keys = {results.get(timeout=30) for _ in processes}
    for process in processes:
        process.join()

    assert len(keys) == 1
    assert keys == {(tmp_path / "secret_key").read_text()}
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]  # no drafts left behind
