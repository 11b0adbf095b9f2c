"""Fault benchmark: the portal and its outbox worker killed with SIGKILL in the middle of a burst of e-form
submissions, and an external CRM that is down for an hour. Not a timing benchmark: it checks that
nothing acknowledged is lost and nothing is acted on twice (METHOD below says how; docs/benchmarks.md,
"Faults", has the results).

Run from the project root:  .venv/bin/python -m bench.faults [--database sqlite|postgresql|both]
                            [--scenario crash|outage|both] [--residents 60] [--markdown]

Scratch databases, made afresh for each scenario: SQLite in bench/results/faults.db (gitignored),
PostgreSQL bench_faults on 127.0.0.1 (user postgres; dropped at the end unless --keep). Logs in
bench/results/faults-logs/, the raw figures in bench/results/faults.json."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.fake_crm import FakeCrm, FakeMailbox, free_port
from bench.fault_residents import Resident, Tally, send_forms

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOGS = RESULTS / "faults-logs"
BIN = Path(sys.executable).parent
SQLITE_FILE = RESULTS / "faults.db"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "bench_faults"
SECRET_KEY = "bench-faults-not-a-secret"
MAIL_FROM = "Northdale District Council <no-reply@northdale.example>"
DELIVERY_TIMEOUT_S = 2
LEASE_S = 10  # OUTBOX_LEASE_SECONDS: the least allowed with a 2 s timeout is 8
WORKER_INTERVAL_S = 0.5
CRM_LATENCY_S = 0.2  # the CRM has created the request; its answer is still on the way
MAIL_LATENCY_S = 0.1
OUTAGE_MINUTES = 60
WAVE_EVERY_MINUTES = 10
HANG_EVERY = 4
GIVE_UP_MINUTES = 8 * 60  # after recovery: the backoff's cap is 6 hours


# Databases and processes


def scratch_database(name: str) -> str:
    """A new, empty database; its URL."""
    RESULTS.mkdir(exist_ok=True)
    if name == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{SQLITE_FILE}"
    drop_postgres_database()
    engine = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {POSTGRES_DATABASE}"))
    engine.dispose()
    return f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"


def drop_postgres_database() -> None:
    engine = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)"))
    engine.dispose()


def portal_environment(url: str, port: int, crm: FakeCrm, mailbox: FakeMailbox) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("OPEN311_", "NOTIFY_", "SMTP_"))}
    return keep | {
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "INSTANCE_PATH": str(RESULTS / "faults-instance"),
        "PORT": str(port),
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "4",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "RATELIMIT_ENABLED": "false",
        "CRM_ADAPTER": "open311",
        "OPEN311_ENDPOINT": crm.url,
        "OPEN311_API_KEY": "bench-key",
        "NOTIFIER": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),
        "MAIL_FROM": MAIL_FROM,
        "DELIVERY_TIMEOUT": str(DELIVERY_TIMEOUT_S),
        "OUTBOX_LEASE_SECONDS": str(LEASE_S),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",  # a process killed with SIGKILL loses what it had buffered
    }


def migrate(env: dict[str, str], log: Path) -> None:
    flask = [str(BIN / "flask"), "--app", "portal"]
    for command in (["db", "upgrade"], ["kb", "import-content", "--quiet"]):
        with log.open("ab") as out:
            subprocess.run([*flask, *command], cwd=ROOT, env=env, stdout=out, stderr=out, check=True)


class Service:
    """A process group of our own (gunicorn's master and workers, or the outbox worker)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path):
        self.name, self.command, self.env, self.log = name, command, env, log
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own commands
                self.command, cwd=ROOT, env=self.env, stdout=out, stderr=out, start_new_session=True
            )
        self.starts += 1

    def kill(self) -> None:
        """SIGKILL to the whole group: nothing gets to finish or clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


def web_service(env: dict[str, str], log: Path) -> Service:
    if (ROOT / "gunicorn.conf.py").exists():
        command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"]
    else:
        bind = f"127.0.0.1:{env['PORT']}"
        command = [str(BIN / "gunicorn"), "-w", "2", "--threads", "4", "-k", "gthread", "-b", bind]
        command.append("portal:create_app()")
    return Service("gunicorn", command, env, log)


def worker_service(env: dict[str, str], log: Path) -> Service:
    command = [str(BIN / "flask"), "--app", "portal", "crm", "deliver", "--loop"]
    return Service("worker", [*command, "--interval", str(WORKER_INTERVAL_S)], env, log)


def wait_until_serving(port: int, seconds: float = 120) -> float:
    """Seconds until the portal answers its home page."""
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the portal did not answer on port {port} within {seconds} s")


def checking_app(url: str, crm: FakeCrm, mailbox: FakeMailbox, log: Path):
    """This process's view of the scratch database, with the adapters the worker builds; its log lines
    go to a file, not standard output."""
    from portal import create_app

    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": SECRET_KEY,
        "RATELIMIT_ENABLED": False,
        "CRM_ADAPTER": "open311",
        "OPEN311_ENDPOINT": crm.url,
        "OPEN311_API_KEY": "bench-key",
        "NOTIFIER": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": mailbox.port,
        "MAIL_FROM": MAIL_FROM,
        "DELIVERY_TIMEOUT": float(DELIVERY_TIMEOUT_S),
        "OUTBOX_LEASE_SECONDS": float(LEASE_S),
    }
    app = create_app(config)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    file_handler = logging.FileHandler(log)
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(name)s] %(message)s"))
    root.addHandler(file_handler)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: every SMTP command otherwise
    return app


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# What the database holds afterwards


def outcome(app, residents: list[Resident], crm: FakeCrm, mailbox: FakeMailbox) -> dict:
    """Every acknowledged submission one case with its answers; every message delivered; each receiver
    acting once per message."""
    from crm_bridge.adapters.smtp import message_id
    from crm_bridge.models import Case, OutboxMessage
    from portal.db import db

    with app.app_context():
        cases = db.session.scalars(sa.select(Case)).all()
        messages = db.session.scalars(sa.select(OutboxMessage)).all()
        by_marker: dict[str, list] = {}
        for case in cases:
            by_marker.setdefault(case.details.split(" ", 1)[0], []).append(case)
        wrong = []
        for resident in residents:
            found = by_marker.get(resident.marker, [])
            if resident.reference is None:
                continue
            if len(found) != 1 or found[0].reference != resident.reference:
                wrong.append(f"{resident.marker}: acknowledged {resident.reference}, cases {len(found)}")
            elif found[0].answers != resident.answers or found[0].customer.email != resident.email:
                wrong.append(f"{resident.marker}: answers or email differ")
        pushes = {m.idempotency_key: m for m in messages if m.kind == "crm_push"}
        acks = {m.idempotency_key: m for m in messages if m.kind == "acknowledgement"}
        external = {case.reference: case.external_reference for case in cases}
        crm_lost = [key for key in pushes if key not in crm.records]
        crm_mismatch = [
            key
            for key, record in crm.records.items()
            if key in pushes and external.get(pushes[key].payload["reference"]) != record.service_request_id
        ]
        mail_lost = [key for key in acks if message_id(key, MAIL_FROM) not in mailbox.emails]
        attempts = [m.attempts for m in messages]
        return {
            "residents": len(residents),
            "acknowledged": sum(r.reference is not None for r in residents),
            "gave_up": [f"{r.marker}: {r.gave_up}" for r in residents if r.gave_up],
            "cases": len(cases),
            "duplicate_cases": sum(len(found) - 1 for found in by_marker.values() if len(found) > 1),
            "unacknowledged_cases": len(
                {c.reference for c in cases} - {r.reference for r in residents if r.reference}
            ),
            "wrong": wrong,
            "messages": len(messages),
            "undelivered": sum(m.delivered_at is None for m in messages),
            "max_attempts": max(attempts, default=0),
            "crm_pushes": len(pushes),
            "crm_records": len(crm.records),
            "crm_repeats": crm.duplicates,
            "crm_without_key": crm.without_key,
            "crm_lost": crm_lost,
            "crm_mismatch": crm_mismatch,
            "crm_outcomes": crm.outcomes(),
            "acks": len(acks),
            "emails": len(mailbox.emails),
            "email_repeats": mailbox.duplicates,
            "email_without_id": mailbox.without_id,
            "mail_lost": mail_lost,
        }


def undelivered(app) -> int:
    from crm_bridge.models import OutboxMessage
    from portal.db import db

    with app.app_context():
        pending = (
            sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.delivered_at.is_(None))
        )
        count = db.session.scalar(pending)
        db.session.remove()
    return count or 0


def in_crash_window(app, crm: FakeCrm, mailbox: FakeMailbox) -> tuple[int, int]:
    """(undelivered messages, of which a receiver has already accepted): right after a kill, the second
    number is the messages caught between the receiver acting and `delivered_at` being committed, each
    bound to arrive again when its lease ends."""
    from crm_bridge.adapters.smtp import message_id
    from crm_bridge.models import OutboxMessage
    from portal.db import db

    with app.app_context():
        query = sa.select(OutboxMessage.kind, OutboxMessage.idempotency_key)
        pending = db.session.execute(query.where(OutboxMessage.delivered_at.is_(None))).all()
        db.session.remove()
    accepted = sum(
        key in crm.records if kind == "crm_push" else message_id(key, MAIL_FROM) in mailbox.emails
        for kind, key in pending
    )
    return len(pending), accepted


def passed(result: dict) -> bool:
    return not (
        result["gave_up"]
        or result["wrong"]
        or result["duplicate_cases"]
        or result["unacknowledged_cases"]
        or result["undelivered"]
        or result["crm_lost"]
        or result["crm_mismatch"]
        or result["crm_without_key"]
        or result["mail_lost"]
        or result["email_without_id"]
        or result["crm_records"] != result["crm_pushes"]
        or result["emails"] != result["acks"]
        or result["acknowledged"] != result["residents"]
    )


# Scenario 1: SIGKILL mid-burst


def crash(database: str, residents_count: int, concurrency: int, kills: int) -> dict:
    url = scratch_database(database)
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"crash-{database}.log"
    log.unlink(missing_ok=True)
    crm = FakeCrm(latency=CRM_LATENCY_S, refuse_first=True).start()
    mailbox = FakeMailbox(latency=MAIL_LATENCY_S).start()
    port = free_port()
    env = portal_environment(url, port, crm, mailbox)
    migrate(env, log)
    web, worker = web_service(env, log), worker_service(env, log)
    app = checking_app(url, crm, mailbox, LOGS / f"crash-{database}-bench.log")
    tag = f"crash-{database}-{int(time.time())}"
    residents = [Resident(number, tag) for number in range(1, residents_count + 1)]
    tally = Tally(url=f"http://127.0.0.1:{port}")
    kill_log: list[dict] = []
    try:
        web.start()
        worker.start()
        wait_until_serving(port)
        say(f"{database}: crash: {residents_count} residents, {concurrency} at a time, {kills} kills")
        started = time.perf_counter()
        stack = {"web": web, "worker": worker, "port": port, "app": app, "crm": crm, "mail": mailbox}
        asyncio.run(burst_with_kills(residents, tally, concurrency, kills, stack, kill_log))
        burst_seconds = time.perf_counter() - started
        started = time.perf_counter()
        kill_worker_mid_drain(stack, kill_log)
        drain_seconds = drain(app, LEASE_S * 4 + 120) + (time.perf_counter() - started)
    finally:
        web.stop()
        worker.stop()
        crm.stop()
        mailbox.stop()
    result = outcome(app, residents, crm, mailbox)
    result |= {
        "database": database,
        "kills": kill_log,
        "burst_seconds": burst_seconds,
        "drain_seconds": drain_seconds,
        "connection_errors": tally.connection_errors,
        "server_errors": len(tally.server_errors),
        "server_error_paths": sorted({path for path, _ in tally.server_errors})[:5],
        "interrupted_pages": sum(r.interrupted_pages for r in residents),
        "submits_pressed_again": sum(r.submit_interrupted for r in residents),
        "submit_seconds": [r.submit_seconds for r in residents if r.submit_seconds is not None],
    }
    return result


async def burst_with_kills(residents, tally, concurrency, kills, stack: dict, kill_log: list[dict]) -> None:
    """Residents send the form; each time a share of them has been answered, SIGKILL and start again."""
    web, worker, port, app, crm, mailbox = (
        stack[name] for name in ("web", "worker", "port", "app", "crm", "mail")
    )
    sending = asyncio.create_task(send_forms(residents, tally, concurrency))
    for number in range(1, kills + 1):
        threshold = len(residents) * number // (kills + 1)
        while tally.acknowledged < threshold and not sending.done():
            await asyncio.sleep(0.05)
        if sending.done():
            break
        in_flight = dict(tally.in_flight)
        web.kill()
        worker.kill()
        killed_at = time.perf_counter()
        pending, accepted = in_crash_window(app, crm, mailbox)
        web.start()
        worker.start()
        restart = await asyncio.to_thread(wait_until_serving, port)
        kill_log.append(
            {
                "killed": "gunicorn and worker",
                "after": tally.acknowledged,
                "in_flight": len(in_flight),
                "sends_in_flight": sum(
                    call == "POST /report/missed-bin/check-answers" for call in in_flight.values()
                ),
                "undelivered": pending,
                "accepted": accepted,
                "down_seconds": time.perf_counter() - killed_at,
                "restart_seconds": restart,
            }
        )
        say(f"  killed after {tally.acknowledged} answered: {kill_log[-1]}")
    await sending


def kill_worker_mid_drain(stack: dict, kill_log: list[dict]) -> None:
    """The CRM refused each push's first POST, so the worker delivers the pushes about a minute after the
    burst: kill it when it has delivered half of them (it spends its time waiting for the CRM's answer)."""
    app, crm, worker = stack["app"], stack["crm"], stack["worker"]
    waiting = undelivered(app)
    if not waiting:
        return
    before = _created(crm)
    deadline = time.perf_counter() + 180
    while _created(crm) - before < max(1, waiting // 2):
        if time.perf_counter() > deadline:
            return
        time.sleep(0.02)
    done = _created(crm) - before
    worker.kill()
    pending, accepted = in_crash_window(app, crm, stack["mail"])
    worker.start()
    kill_log.append(
        {
            "killed": "worker, mid-drain",
            "after": done,
            "in_flight": 0,
            "sends_in_flight": 0,
            "undelivered": pending,
            "accepted": accepted,
            "down_seconds": 0.0,
            "restart_seconds": 0.0,
        }
    )
    say(f"  killed the worker mid-drain: {kill_log[-1]}")


def _created(crm: FakeCrm) -> int:
    return sum(result == "created" for _when, _key, result in crm.attempts)


def drain(app, seconds: float) -> float:
    """Wait for the worker to deliver everything (leases of killed processes expire first)."""
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        if undelivered(app) == 0:
            return time.perf_counter() - started
        time.sleep(0.5)
    return float("nan")


# Scenario 2: the CRM down for an hour


def outage(database: str, per_wave: int) -> dict:
    from crm_bridge.adapters import adapters_from_config
    from crm_bridge.configured import outbox_lease
    from crm_bridge.outbox import deliver_due
    from portal.db import db, utcnow

    url = scratch_database(database)
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"outage-{database}.log"
    log.unlink(missing_ok=True)
    crm = FakeCrm(down=True, hang_every=HANG_EVERY, hang_seconds=DELIVERY_TIMEOUT_S + 1).start()
    mailbox = FakeMailbox().start()
    port = free_port()
    env = portal_environment(url, port, crm, mailbox)
    migrate(env, log)
    web = web_service(env, log)
    app = checking_app(url, crm, mailbox, LOGS / f"outage-{database}-bench.log")
    tag = f"outage-{database}-{int(time.time())}"
    residents: list[Resident] = []
    timeline: list[dict] = []
    cleared_at = None
    delivered_after: list[int] = []
    recovery: dict = {}
    try:
        web.start()
        wait_until_serving(port)
        with app.app_context():
            adapters, lease = adapters_from_config(app.config), outbox_lease(app.config)
        say(f"{database}: outage of {OUTAGE_MINUTES} simulated minutes, {per_wave} residents a wave")
        start = utcnow()
        real_started = time.perf_counter()
        for minute in range(OUTAGE_MINUTES + GIVE_UP_MINUTES + 1):
            now = start + timedelta(minutes=minute)
            if minute == OUTAGE_MINUTES:
                crm.down = False
                recovery = backlog_at(app, now, lease)
            if minute < OUTAGE_MINUTES and minute % WAVE_EVERY_MINUTES == 0:
                wave = [Resident(len(residents) + n, tag) for n in range(1, per_wave + 1)]
                residents += wave
                asyncio.run(send_forms(wave, Tally(url=f"http://127.0.0.1:{port}"), per_wave))
            if minute % WAVE_EVERY_MINUTES == 0:
                timeline.append({"minute": minute, **backlog_at(app, now, lease)})  # before the round
            with app.app_context():
                report = deliver_due(adapters, now=now, lease=lease)
                db.session.remove()
            if minute >= OUTAGE_MINUTES:
                delivered_after += [minute - OUTAGE_MINUTES] * len(report.delivered)
            if minute >= OUTAGE_MINUTES and undelivered(app) == 0:
                cleared_at = minute - OUTAGE_MINUTES
                timeline.append({"minute": minute, **backlog_at(app, now, lease), "after_round": True})
                break
        real_seconds = time.perf_counter() - real_started
    finally:
        web.stop()
        crm.stop()
        mailbox.stop()
    result = outcome(app, residents, crm, mailbox)
    result |= {
        "database": database,
        "timeline": timeline,
        "recovery": recovery,
        "cleared_after_minutes": cleared_at,
        "delivered_after": delivered_after,
        "real_seconds": real_seconds,
        "submit_seconds": [r.submit_seconds for r in residents if r.submit_seconds is not None],
    }
    return result


def backlog_at(app, now: datetime, lease: timedelta) -> dict:
    """What staff see at `now`, read with the service behind the deliveries page and the workbench alert
    (crm_bridge.delivery_backlog), and when the last waiting push is due."""
    from crm_bridge.delivery_backlog import backlog_alert, backlog_summary
    from crm_bridge.models import Case, OutboxMessage
    from portal.db import db

    def minutes(later: datetime | None, earlier: datetime | None) -> float | None:
        return (later - earlier).total_seconds() / 60 if later and earlier else None

    with app.app_context():
        cases = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
        pending = [OutboxMessage.kind == "crm_push", OutboxMessage.delivered_at.is_(None)]
        last = db.session.scalar(sa.select(sa.func.max(OutboxMessage.next_attempt_at)).where(*pending))
        rows = {row.kind: row for row in backlog_summary(now, lease)}  # the delivered kinds always
        alert = backlog_alert(now)
        db.session.remove()
    push, oldest = rows["crm_push"], minutes(now, rows["crm_push"].oldest_queued_at)
    return {
        "cases": cases,
        "waiting": push.waiting,
        "failing": push.failing,
        "retryable": push.retryable,
        "oldest_minutes": None if oldest is None else max(0.0, oldest),
        "next_attempt_minutes": minutes(push.next_attempt_at, now),
        "last_attempt_minutes": minutes(last, now),
        "last_error": push.last_error,
        "acks_waiting": rows["acknowledgement"].waiting,
        "alert": "stuck" if alert and alert.stuck else "over limit" if alert else "none",
    }


# The report


def machine() -> str:
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, load average {load} at the end"


def seconds_summary(values: list[float]) -> str:
    if not values:
        return "–"
    return f"median {statistics.median(values):.2f} s, max {max(values):.2f} s"


def verdict(result: dict) -> str:
    return "**pass**" if passed(result) else "**FAIL**"


def crash_table(results: list[dict]) -> list[str]:
    names = [r["database"] for r in results]
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    rows = {
        "residents who sent the form / acknowledged (reference shown)": "{residents} / {acknowledged}",
        "SIGKILLs (listed below)": "{kill_count}",
        "requests that failed (refused or dropped) / 5xx answers": "{connection_errors} / {server_errors}",
        "pages pressed again / sends pressed again": "{interrupted_pages} / {submits_pressed_again}",
        "cases / duplicate cases / cases nobody was told about": "{cases} / {duplicate_cases} / "
        "{unacknowledged_cases}",
        "acknowledged submissions missing or wrong": "{wrong_count}",
        "outbox messages / undelivered at the end": "{messages} / {undelivered}",
        "CRM: pushes / requests created / repeats that arrived (same key)": "{crm_pushes} / {crm_records} / "
        "{crm_repeats}",
        "mail: acknowledgements / emails / repeats that arrived (same Message-ID)": "{acks} / {emails} / "
        "{email_repeats}",
        "messages lost (no receiver has them)": "{lost}",
        "CRM requests a CRM ignoring the key would have made": "{without_key_requests}",
        "burst / drain after it, wall time": "{burst_seconds:.0f} s / {drain_seconds:.0f} s",
        "verdict": "{verdict}",
    }
    for label, template in rows.items():
        cells = [template.format(**_figures(r)) for r in results]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| database | SIGKILL to | when | requests in flight (sends) | "
        "undelivered messages (already accepted by their receiver) | serving again after |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        for kill in result["kills"]:
            gunicorn = kill["killed"].startswith("gunicorn")
            when = f"{kill['after']} residents answered" if gunicorn else f"{kill['after']} pushes delivered"
            back = f"{kill['down_seconds']:.0f} s" if gunicorn else "–"
            lines.append(
                f"| {result['database']} | {kill['killed']} | {when} | {kill['in_flight']} "
                f"({kill['sends_in_flight']}) | {kill['undelivered']} ({kill['accepted']}) | {back} |"
            )
    return lines


def _figures(result: dict) -> dict:
    return result | {
        "kill_count": len(result.get("kills", [])),
        "wrong_count": len(result["wrong"]),
        "lost": len(result["crm_lost"]) + len(result["mail_lost"]),
        "without_key_requests": result["crm_records"] + result["crm_repeats"],
        "verdict": verdict(result),
    }


def outage_lines(result: dict) -> list[str]:
    simulated = OUTAGE_MINUTES + (result["cleared_after_minutes"] or 0)
    lines = [
        f"**{result['database']}**: {result['residents']} residents; {simulated} simulated minutes in "
        f"{result['real_seconds']:.0f} s. Each row is what the deliveries page showed at that minute, "
        "before the worker's round.",
        "",
        "| simulated minute | cases | CRM pushes waiting (failed at least once) | oldest waiting | "
        'soonest next attempt | "retry now" would bring forward | acknowledgements waiting | '
        "workbench alert |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for snap in result["timeline"]:
        minute = snap["minute"]
        label = f"{minute} (CRM back)" if minute == OUTAGE_MINUTES and not snap.get("after_round") else minute
        label = f"{minute}, after its round" if snap.get("after_round") else label
        oldest, upcoming = snap.get("oldest_minutes"), snap.get("next_attempt_minutes")
        lines.append(
            f"| {label} | {snap['cases']} | {snap['waiting']} ({snap['failing']}) | "
            f"{'–' if oldest is None else f'{oldest:.0f} min'} | "
            f"{'–' if upcoming is None else f'in {max(upcoming, 0):.0f} min'} | "
            f"{snap.get('retryable', '–')} | {snap.get('acks_waiting', '–')} | {snap.get('alert', '–')} |"
        )
    after, recovery, cleared = result["delivered_after"], result["recovery"], result["cleared_after_minutes"]
    outcomes = result["crm_outcomes"]
    last = recovery.get("last_attempt_minutes")
    lines += [
        "",
        f"- When the CRM came back: {recovery.get('waiting')} pushes waiting, the last of them scheduled "
        f'{"–" if last is None else f"{last:.0f}"} minutes later; "retry now" would have brought '
        f'{recovery.get("retryable", "–")} forward at once. Staff read: "{recovery.get("last_error")}".',
        f"- Left to the backoff, the backlog cleared {cleared} simulated minutes after the CRM came back"
        + (f" (half of it within {statistics.median(after):.0f} minutes)." if after else "."),
        f"- The CRM answered {outcomes.get('500', 0)} POSTs with 500 and took {outcomes.get('late', 0)} but "
        f"answered too late; {result['crm_pushes']} pushes, {result['crm_records']} requests created, "
        f"{result['crm_repeats']} repeats recognised by their key (a CRM ignoring the key would have made "
        f"{_figures(result)['without_key_requests']} requests for {result['crm_pushes']} cases); at most "
        f"{result['max_attempts']} attempts at one message.",
        f"- Residents: {result['acknowledged']} of {result['residents']} acknowledged; pressing send to the "
        f"confirmation page took {seconds_summary(result['submit_seconds'])} (the CRM push is left to the "
        f"worker; only the acknowledgement is sent in the request); acknowledgement emails "
        f"{result['emails']} of {result['acks']}.",
        f"- Cases {result['cases']}, duplicate cases {result['duplicate_cases']}, undelivered messages "
        f"{result['undelivered']}, lost {_figures(result)['lost']}: {verdict(result)}.",
    ]
    return lines


METHOD = f"""Not timed tests: fault injection against the real stack, checked afterwards. Run with
`.venv/bin/python -m bench.faults --database both --markdown`. Each scenario gets a scratch database
migrated as a deployment is (`flask db upgrade`, `flask kb import-content`), real gunicorn with
gunicorn.conf.py (2 workers of 4 threads) on 127.0.0.1, `CRM_ADAPTER=open311` and `NOTIFIER=smtp` pointing
at idempotent receivers in the benchmark's process (bench/fake_crm.py: an Open311 GeoReport v2 CRM that
creates one service request per `Idempotency-Key` and an SMTP server keeping one email per Message-ID;
both count every repeat that arrives), `DELIVERY_TIMEOUT={DELIVERY_TIMEOUT_S}`,
`OUTBOX_LEASE_SECONDS={LEASE_S}` (the default is 600) and rate limits off. Residents walk every page of
the missed-bin form with their own sessions and CSRF tokens, and press again whatever failed
(bench/fault_residents.py).

**Crash mid-burst.** The worker runs as its own process (`flask crm deliver --loop --interval
{WORKER_INTERVAL_S}`). The CRM takes {CRM_LATENCY_S} s and the mail server {MAIL_LATENCY_S} s to answer after
accepting, so kills land in the window between a receiver acting and `delivered_at` being committed. Each
time a share of the residents has been answered, gunicorn's whole process group and the worker are sent
SIGKILL together and started again. CRM pushes go by the worker (only the acknowledgement is tried inside
the resident's request), and the CRM refuses the first POST of each push (503), so pushes are retried
about a minute later; when it has delivered half of them the worker alone is killed and
started again. Then the worker drains the outbox (leases of killed processes end after
{LEASE_S} s) and the checks run: every
acknowledged submission is exactly one case with the resident's answers and email; no case nobody was
told about; every outbox message delivered; the CRM created exactly one request per push and the mailbox
holds exactly one email per acknowledgement; repeats that arrived (at-least-once delivery after a crash)
are counted, not hidden.

**The CRM down for an hour.** Real: every HTTP call to the CRM (answered 500, or every {HANG_EVERY}th one
taken by the CRM but answered after {DELIVERY_TIMEOUT_S + 1} s, past the timeout, so we see a failure for
a request the CRM did create), the residents' submissions through gunicorn and the acknowledgement each
sends at once, the SMTP acknowledgements. Simulated: the hour. The benchmark is the worker: it calls
`deliver_due(adapters, now=...)` with the adapters `flask crm deliver` builds, stepping `now` one minute a
round, so the backoff (1, 2, 4 … minutes, capped at 6 hours) runs in seconds. {WAVE_EVERY_MINUTES}-minute
waves of residents send forms during the outage. The backlog is read with the service behind the staff
deliveries page (crm_bridge.delivery_backlog: its summary and the workbench alert). Two simplifications:
the cases' creation times are real, so a later wave's first retry comes at once rather than a minute
on; and the "oldest waiting" is right because the oldest message is the first wave's."""


READING = """**Reading the results.**

- Nothing acknowledged was lost and nothing was made twice. A send that died with the server is pressed
  again and finds the case already made (the hand-off's submission key). A message in a killed process's
  hands stays leased, then goes again with the same key, and the receiver counts a repeat, not a new case
  or email.
- Repeats do arrive: that is at-least-once delivery at work, and exactly-once *effects* need a receiver
  that uses the key. Not every mail server collapses a repeated Message-ID, GOV.UK Notify does not refuse a
  repeated reference, and an Open311 CRM that ignores `Idempotency-Key` would have made the requests in
  the row "a CRM ignoring the key would have made" (in the outage mostly from POSTs it took but answered
  too late, which our side had to count as failures).
- After a SIGKILL the portal is away as long as gunicorn takes to start its workers, which build the
  search index before taking requests ("serving again after"; on a loaded 2-core machine).
- After an outage the backoff makes a message wait, once the receiver is back, up to about as long again
  as it had been failing, capped at 6 hours: about half an hour after this hour. "Retry now" on the staff
  deliveries page sends the waiting messages on the worker's next round (with the default 10-minute lease
  it leaves alone those due within 10 minutes; with the benchmark's 10 s lease it would take nearly all).
- A CRM that hangs rather than refusing never holds a resident's send: only the acknowledgement is tried
  inside the request, and CRM pushes go by the worker. Before that rule (found by this benchmark), each
  send waited for the CRM up to `DELIVERY_TIMEOUT` (3.8 s with 2 s here; 15 s by default), holding a
  gunicorn thread."""


def markdown(crashes: list[dict], outages: list[dict], started: str) -> str:
    lines = ["## Faults: crash mid-burst and a CRM outage", "", METHOD, ""]
    lines += [f"Run {started} on {machine()}."]
    lines += [
        "The machine was shared with other work while this ran: the wall times are not figures to compare, "
        "the counts are what matter.",
        "",
    ]
    if crashes:
        lines += ["### Crash mid-burst", "", *crash_table(crashes), ""]
        for result in crashes:
            for problem in (*result["gave_up"], *result["wrong"])[:5]:
                lines.append(f"- {result['database']}: {problem}")
    if outages:
        lines += ["### The CRM down for an hour", ""]
        for result in outages:
            lines += [*outage_lines(result), ""]
    lines += [READING]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--scenario", choices=("crash", "outage", "both"), default="both")
    parser.add_argument("--residents", type=int, default=60, help="residents in the crash burst")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--kills", type=int, default=2, help="SIGKILLs during the burst")
    parser.add_argument("--per-wave", type=int, default=5, help="residents every 10 minutes of the outage")
    parser.add_argument("--markdown", action="store_true", help="print the whole docs/benchmarks.md section")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL scratch database to look at")
    args = parser.parse_args(argv)
    databases = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    started = datetime.now().strftime("%Y-%m-%d %H:%M")
    crashes = outages = []
    if args.scenario in ("crash", "both"):
        crashes = [crash(name, args.residents, args.concurrency, args.kills) for name in databases]
    if args.scenario in ("outage", "both"):
        outages = [outage(name, args.per_wave) for name in databases]
    if "postgresql" in databases and not args.keep:
        drop_postgres_database()
    (RESULTS / "faults.json").write_text(json.dumps({"crash": crashes, "outage": outages}, default=str))
    text = markdown(crashes, outages, started)
    if not args.markdown:
        text = text.split("\n### ", 1)[-1]
        text = "### " + text
    print(text)
    (RESULTS / "faults.md").write_text(text)
    return 0 if all(passed(result) for result in (*crashes, *outages)) else 1


if __name__ == "__main__":
    sys.exit(main())
