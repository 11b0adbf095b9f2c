"""Load benchmark: simulated residents searching, chatting and sending forms against real gunicorn.

200 concurrent residents by default, on SQLite and on PostgreSQL, then every case checked in the database.

Run from the project root:  .venv/bin/python -m bench.load [--residents 200] [--duration 60]
                            [--database sqlite|postgresql|both] [--think 0.5,2] [--no-baseline] [--markdown]
                            .venv/bin/python -m bench.load --from-results --markdown   (tables again, no run)

For each database and each server set-up: a scratch database made afresh (SQLite: bench/results/load.db,
gitignored; PostgreSQL: the database bench_load on 127.0.0.1, dropped afterwards), `flask db upgrade` and
`flask kb import-content` as `make database` does, then gunicorn started as a subprocess on a free port
(rate limits off, deliveries queued only) and warmed up by a short unmeasured run (every worker loads
templates and the language detector on first use), the residents (bench/residents.py) run in a process of
their own, and the database is read directly to check that every case acknowledged to a resident exists
exactly once with all its answers (bench/load_checks.py). The baseline, measured in the same run on the same
scenario, is gunicorn with its own defaults (no gunicorn.conf.py: one sync worker, one request at a time),
as gunicorn runs without a configuration file; the other run uses gunicorn.conf.py when it exists,
else 3 workers x 4 threads (gthread). Results: a Markdown table, and JSON in bench/results/load-<db>.json.
Exits non-zero when a case is missing, duplicated or wrong."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from bench.latency import machine
from bench.load_checks import summarise, verify
from bench.load_report import markdown, print_run

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SQLITE_FILE = RESULTS / "load.db"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "bench_load"
CONFIG_FILE = ROOT / "gunicorn.conf.py"
APP = "portal.wsgi:app"  # the entry point gunicorn.conf.py names
FALLBACK = ["-w", "3", "--threads", "4", "-k", "gthread"]
WARM_UP_S = 10
BIN = Path(sys.executable).parent


@dataclass
class Server:
    """How gunicorn is started, and what that resolved to (from gunicorn --print-config)."""

    label: str
    args: list[str]
    resolved: dict = field(default_factory=dict)


def servers(baseline: bool, empty_config: Path) -> list[Server]:
    if CONFIG_FILE.exists():
        configured = Server("gunicorn.conf.py", ["-c", str(CONFIG_FILE)])
    else:
        configured = Server(
            "3 workers x 4 threads (no gunicorn.conf.py)", ["-c", str(empty_config), *FALLBACK]
        )
    defaults = Server("gunicorn defaults (baseline)", ["-c", str(empty_config)])
    return [defaults, configured] if baseline else [configured]


def database_url(name: str) -> str:
    return f"sqlite:///{SQLITE_FILE}" if name == "sqlite" else f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"


def fresh_database(name: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    if name == "sqlite":
        drop_database(name)
        return
    with _postgres() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)"))
        connection.execute(sa.text(f"CREATE DATABASE {POSTGRES_DATABASE}"))


def drop_database(name: str) -> None:
    if name == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        return
    with _postgres() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)"))


@contextlib.contextmanager
def _postgres() -> Iterator[sa.Connection]:
    engine = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def database_version(name: str) -> str:
    if name == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with _postgres() as connection:
        return "PostgreSQL " + connection.scalar(sa.text("SHOW server_version")).split()[0]


def app_environment(url: str, instance: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUNICORN")}
    env.update(
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_hex(32),
        INSTANCE_PATH=str(instance),
        NOTIFIER="none",  # the outbox just queues
        CRM_ADAPTER="none",
        RATELIMIT_ENABLED="false",  # every resident comes from 127.0.0.1
        LOG_FORMAT="json",  # the access lines are read afterwards (read_log)
        LOG_LEVEL="info",
        FLASK_APP="portal",
    )
    return env


def set_up(env: dict[str, str]) -> None:
    """As `make database`: the schema, then the sample articles."""
    for command in (["db", "upgrade"], ["kb", "import-content", "--quiet"]):
        done = subprocess.run(
            [BIN / "flask", "--app", "portal", *command], env=env, capture_output=True, text=True
        )
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def resolve(server: Server, env: dict[str, str]) -> dict:
    """Workers, threads and worker class as gunicorn resolves them from the file and the arguments."""
    done = subprocess.run(
        [BIN / "gunicorn", *server.args, "--no-control-socket", "--print-config", APP],
        env=env, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    settings = {}
    for line in done.stdout.splitlines():
        name, _, value = line.partition("=")
        settings[name.strip()] = value.strip()
    keys = ("workers", "threads", "worker_class", "timeout", "keepalive", "preload_app", "max_requests")
    resolved = {key: settings.get(key) for key in keys}
    # gunicorn runs more than one thread per worker only with gthread (sync with threads > 1 becomes gthread)
    if resolved["worker_class"] == "sync" and int(resolved["threads"] or 1) > 1:
        resolved["worker_class"] = "gthread"
    return resolved


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(server: Server, env: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    """gunicorn serving the portal on a free port; (its URL, the master's pid) once /healthz answers."""
    port = free_port()
    command = [BIN / "gunicorn", *server.args, "--bind", f"127.0.0.1:{port}", "--no-control-socket", APP]
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for_health(url, process)
            wait_until_idle(process.pid)
            yield url, process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for_health(url: str, process: subprocess.Popen, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped (exit {process.returncode}); see its log")
        with contextlib.suppress(OSError), urllib.request.urlopen(url + "/healthz", timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def wait_until_idle(pid: int, timeout_s: float = 180) -> None:
    """/healthz answers as soon as one worker is ready: wait until every worker has finished starting
    (loading the application, building its search index), so that start-up is not measured."""
    deadline = time.monotonic() + timeout_s
    before = process_tree_cpu_s(pid)
    while time.monotonic() < deadline:
        time.sleep(1)
        now = process_tree_cpu_s(pid)
        if now - before < 0.05:
            return
        before = now


def process_tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children (gunicorn's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(stat.parent.name) == pid or int(fields[1]) == pid:
                total += int(fields[11]) + int(fields[12])
    return total / ticks


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU jiffies of the whole machine, from /proc/stat."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def run_residents(url: str, args: argparse.Namespace, run_id: str, out: Path, server_pid: int, **scenario):
    """The residents' process; scenario: residents, duration, think (else the command line's)."""
    settings = {"residents": args.residents, "duration": args.duration, "think": args.think, **scenario}
    command = [
        sys.executable, "-m", "bench.residents", "--url", url, "--residents", str(settings["residents"]),
        "--duration", str(settings["duration"]), "--think", settings["think"], "--seed", str(args.seed),
        "--run-id", run_id, "--out", str(out), "--phones", settings.get("phones", "01632 960"),
        *([] if args.keep_alive else ["--no-keep-alive"]),
    ]  # fmt: skip
    nice = args.client_nice
    server_before, (busy_before, total_before) = process_tree_cpu_s(server_pid), machine_busy()
    load_before = load_average()
    subprocess.run(command, check=True, cwd=ROOT, preexec_fn=(lambda: os.nice(nice)) if nice else None)
    busy_after, total_after = machine_busy()
    client = json.loads(out.read_text())
    client["server_cpu_s"] = process_tree_cpu_s(server_pid) - server_before
    client["machine_busy"] = (busy_after - busy_before) / max(1, total_after - total_before)
    client["load_before"], client["load_after"] = load_before, load_average()
    return client


def warm_up(url: str, pid: int, args: argparse.Namespace, run_id: str, scratch: Path, server: Server) -> dict:
    """Each worker loads things on first use (templates, the search's language detector): a short run
    with little thinking, as many residents as threads in all, so that every worker serves every kind of
    page before anything is measured. Its cases are checked with the others (with other phone numbers:
    customers are matched on email or phone)."""
    threads = int(server.resolved["workers"] or 1) * int(server.resolved["threads"] or 1)
    out = scratch / f"{run_id}-warm-up.json"
    scenario = {"residents": max(4, threads), "duration": WARM_UP_S, "think": "0,0.3", "phones": "07700 900"}
    return run_residents(url, args, f"{run_id}w", out, pid, **scenario)


def measure(name: str, server: Server, args: argparse.Namespace, scratch: Path) -> dict:
    run_id = secrets.token_hex(3)
    url = database_url(name)
    instance = scratch / run_id
    env = app_environment(url, instance)
    step = _Steps(f"{name}, {server.label}")
    fresh_database(name)
    set_up(env)
    server.resolved = resolve(server, env)
    step("set up")
    log = RESULTS / f"load-{name}-{run_id}-gunicorn.log"
    with gunicorn(server, env, log) as (base_url, pid):
        step("gunicorn started")
        warmed = warm_up(base_url, pid, args, run_id, scratch, server)
        wait_until_idle(pid)
        step("warmed up")
        measured_from = log.stat().st_size  # gunicorn's log of the measured run only
        client = run_residents(base_url, args, run_id, scratch / f"{run_id}.json", pid)
        step("residents done")
    step("gunicorn stopped")
    checks = verify(url, client, warmed)
    step("database checked")
    if not args.keep:
        drop_database(name)
    return {
        "database": name,
        "server": asdict(server),
        "run_id": run_id,
        "gunicorn_log_file": str(log.relative_to(ROOT)),
        "gunicorn_log": read_log(log, measured_from),
        **summarise(client),
        "warm_up_errors": summarise(warmed)["error_kinds"],
        "checks": checks,
    }


class _Steps:
    """Prints how long each step took, on standard error (the set-up and gunicorn's start are not timed)."""

    def __init__(self, title: str):
        self.title, self.last = title, time.monotonic()

    def __call__(self, what: str) -> None:
        now = time.monotonic()
        print(
            f"{self.title}: {what} in {now - self.last:.0f} s (load {load_average()})",
            file=sys.stderr,
            flush=True,
        )
        self.last = now


APP_TIMES = {"search": ("GET", "/search"), "submission": ("POST", "/report/<code>/check-answers")}


def read_log(log: Path, start: int = 0) -> dict:
    """From gunicorn's log: errors (the portal logs JSON lines; plain tracebacks are counted too), worker
    time-outs, the exception of the first error, and the time requests spent inside the application (the
    portal's access line), which leaves out the time they queued for a worker."""
    errors, timeouts, first = 0, 0, ""
    durations: dict[str, list[float]] = {name: [] for name in (*APP_TIMES, "all")}
    with log.open("rb") as file:
        file.seek(start)
        text = file.read().decode(errors="replace")
    for line in text.splitlines():
        timeouts += "WORKER TIMEOUT" in line
        try:
            entry = json.loads(line)
        except ValueError:
            entry = {"level": "ERROR", "exc_info": line} if line.startswith("Traceback") else {}
        if not isinstance(entry, dict):
            continue
        if entry.get("logger") == "portal.access" and "duration_ms" in entry:
            durations["all"].append(entry["duration_ms"])
            for name, (method, path) in APP_TIMES.items():
                if (entry.get("method"), entry.get("path")) == (method, path):
                    durations[name].append(entry["duration_ms"])
        if entry.get("level") not in ("ERROR", "CRITICAL"):
            continue
        errors += 1
        if not first:
            lines = (entry.get("exc_info") or "").strip().splitlines()
            exception = next((line for line in lines if not line.startswith(" ") and ": " in line), "")
            first = f"{entry.get('message', '')}: {exception}".strip(": ")
    app_ms = {
        name: dict(
            zip(("p50", "p95", "p99"), np.percentile(values, [50, 95, 99]).round(1).tolist(), strict=True)
        )
        for name, values in durations.items()
        if values
    }
    return {"errors": errors, "worker_timeouts": timeouts, "first_error": first[:300], "app_ms": app_ms}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load per run")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--think", default="0.5,2", help="seconds between a resident's actions: low,high")
    parser.add_argument(
        "--no-baseline", dest="baseline", action="store_false", help="skip gunicorn's defaults"
    )
    parser.add_argument(
        "--no-keep-alive", dest="keep_alive", action="store_false", help="a new connection for every request"
    )
    parser.add_argument("--client-nice", type=int, default=0, help="run the residents' process at this nice")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases afterwards")
    parser.add_argument("--markdown", action="store_true", help="print the docs/benchmarks.md section")
    parser.add_argument("--from-results", action="store_true", help="no run: report the last JSON results")
    args = parser.parse_args(argv)
    names = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    if args.from_results:
        reports = [json.loads((RESULTS / f"load-{name}.json").read_text()) for name in names]
        print(markdown(reports))
        return 0
    reports = run_all(names, args, argv if argv is not None else sys.argv[1:])
    if args.markdown:
        print(markdown(reports))
    if any(run["checks"]["problems"] for report in reports for run in report["runs"]):
        print("\nFAILED: cases missing, duplicated or wrong (above)", file=sys.stderr)
        return 1
    return 0


def run_all(names: tuple[str, ...], args: argparse.Namespace, argv: list[str]) -> list[dict]:
    """Every database with every server set-up; each database's report also written as JSON."""
    reports = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as scratch:
        empty_config = Path(scratch) / "defaults.conf.py"
        empty_config.write_text("# gunicorn's own defaults\n")
        for name in names:
            for old_log in RESULTS.glob(f"load-{name}-*-gunicorn.log"):
                old_log.unlink()
            report = {"database": name, "version": database_version(name), "machine": machine(), "runs": []}
            report["command"] = "python -m bench.load " + " ".join(argv)
            for server in servers(args.baseline, empty_config):
                run = measure(name, server, args, Path(scratch))
                print_run(run)
                report["runs"].append(run)
            (RESULTS / f"load-{name}.json").write_text(json.dumps(report, indent=1))
            reports.append(report)
    return reports


if __name__ == "__main__":
    sys.exit(main())
