"""Dashboard benchmark: the managers' dashboard for a year over 1,000,000 demo contacts, on SQLite and on
PostgreSQL, beside the naive way (loading the year's contacts into Python and counting them there).

Run from the project root:  .venv/bin/python -m bench.dashboard [--contacts 1000000] [--runs 5]
                            [--databases sqlite,postgresql] [--refill]

Each database is filled once by the real generator (`flask crm demo-data`, crm_bridge.demo_data) with 12
months ending on the last day of the previous month, and kept for the next run while the seed, size and end
match: SQLite in bench/results/dashboard.db (gitignored), PostgreSQL in the database bench_reports on
127.0.0.1 (user postgres). The dashboard is timed for the last 12 months (with the period before it, as the
page shows it): cold is the first call on a new connection pool, warm the median of --runs calls; then one
drill-down (a service group). The slowest statements of a warm call are listed, with EXPLAIN on request.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from crm_bridge.demo_data import DemoOptions, generate
from crm_bridge.models import Contact
from crm_bridge.reports.dashboard import Filters, build_dashboard
from crm_bridge.reports.periods import preset
from crm_bridge.workbench.sla import uk_today
from portal import create_app
from portal.config import report_targets
from portal.db import db

RESULTS = Path(__file__).resolve().parent / "results"
SQLITE_FILE = RESULTS / "dashboard.db"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "bench_reports"
SEED = 2026
DRILL_DOWN = "council-tax"


def database_url(name: str) -> str:
    return f"sqlite:///{SQLITE_FILE}" if name == "sqlite" else f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"


def ensure_postgres_database() -> None:
    engine = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": POSTGRES_DATABASE}
        )
        if not exists:
            connection.execute(sa.text(f"CREATE DATABASE {POSTGRES_DATABASE}"))
    engine.dispose()


def fill(name: str, options: DemoOptions, refill: bool) -> float | None:
    """Fill the scratch database unless it already holds these demo data; the seconds taken, or None."""
    RESULTS.mkdir(exist_ok=True)
    stamp_file = RESULTS / f"dashboard-{name}.json"
    stamp = {"contacts": options.contacts, "seed": options.seed, "end": options.end.isoformat()}
    if not refill and stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp:
        return None
    if name == "postgresql":
        ensure_postgres_database()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(name), "SECRET_KEY": "bench"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        started, cpu = time.perf_counter(), time.process_time()
        with db.engine.begin() as connection:
            summary = generate(connection, options, today=options.end)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"{name}: {summary} in {seconds:.0f} s ({cpu:.0f} s of this process's CPU; load {_load()})",
              file=sys.stderr, flush=True)  # fmt: skip
        db.engine.dispose()
    stamp_file.write_text(json.dumps(stamp))
    return seconds


@contextmanager
def statement_timer(engine: sa.Engine):
    """Every statement's wall time while inside, for listing the slowest."""
    timings: list[tuple[float, str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("started", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        timings.append((time.perf_counter() - conn.info["started"].pop(), statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        yield timings
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def naive_count(period) -> int:
    """The naive way: every contact of the year and the year before loaded as objects, counted in Python."""
    counted = Counter()
    for compared in (period, period.previous()):
        start, end = compared.utc_bounds()
        contacts = db.session.scalars(
            sa.select(Contact).where(Contact.started_at >= start, Contact.started_at < end)
        ).all()
        counted.update((contact.channel, contact.resolved_at_first_point) for contact in contacts)
        db.session.expunge_all()
    return counted.total()


def analyse(engine: sa.Engine) -> None:
    """Planner statistics, as PostgreSQL's autovacuum gathers them soon after a large load (the bench
    times straight after the fill, before it would) and as `ANALYZE` gives SQLite."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("ANALYZE"))


def measure(name: str, today: date, runs: int, explain: int) -> dict:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(name), "SECRET_KEY": "bench"})
    period, targets = preset("last-12-months", today), report_targets()
    with app.app_context():
        analyse(db.engine)
        db.engine.dispose()

        def year() -> None:
            build_dashboard(period, Filters(), targets, today)
            db.session.remove()

        def drill_down() -> None:
            build_dashboard(period, Filters(service_group=DRILL_DOWN), targets, today)
            db.session.remove()

        cold = timed(year)
        warm = statistics.median(timed(year) for _ in range(runs))
        drill = statistics.median(timed(drill_down) for _ in range(runs))
        with statement_timer(db.engine) as timings:
            year()
        slowest = sorted(timings, key=lambda timing: -timing[0])[:5]
        started = time.perf_counter()
        counted = naive_count(period)
        naive = time.perf_counter() - started
        contacts = db.session.scalar(sa.select(sa.func.count()).select_from(Contact))
        plans = [_explain(statement, parameters) for _, statement, parameters in slowest[:explain]]
        db.session.remove()
        db.engine.dispose()
    return {
        "name": name, "contacts": contacts, "cold": cold, "warm": warm, "drill": drill, "naive": naive,
        "naive_rows": counted, "statements": len(timings), "slowest": slowest, "plans": plans,
    }  # fmt: skip


def _explain(statement: str, parameters) -> str:
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN ANALYZE "
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    return "\n".join(" | ".join(str(value) for value in row) for row in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--refill", action="store_true", help="Generate again even if the data match.")
    parser.add_argument("--explain", type=int, default=0, help="EXPLAIN the N slowest statements.")
    args = parser.parse_args(argv)

    today = uk_today()
    end = today.replace(day=1) - timedelta(days=1)  # the last 12 whole months, as the preset takes them
    options = DemoOptions(contacts=args.contacts, months=12, end=end, seed=SEED)
    results = []
    for name in args.databases.split(","):
        filled = fill(name, options, args.refill)
        result = measure(name, today, args.runs, args.explain)
        result["fill"] = filled
        results.append(result)
    print_table(results, today)
    return 0


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def print_table(results: list[dict], today: date) -> None:
    columns = (
        "database",
        "contacts",
        "fill s",
        "year cold",
        "year warm (median)",
        "drill-down warm",
        "naive",
    )
    print(f"| {' | '.join(columns)} |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        fill_text = f"{r['fill']:.0f}" if r["fill"] is not None else "(kept)"
        print(
            f"| {r['name']} | {r['contacts']:,} | {fill_text} | {r['cold'] * 1000:.0f} ms | "
            f"{r['warm'] * 1000:.0f} ms | {r['drill'] * 1000:.0f} ms | {r['naive'] * 1000:,.0f} ms |"
        )
    machine = f"Python {platform.python_version()}, {platform.platform()}, {os.cpu_count()} cores"
    print(f"\n{today}, {machine}, load average {_load()}")
    for r in results:
        print(f"\n{r['name']}: {r['statements']} statements in a warm call; the slowest:")
        for seconds, statement, _ in r["slowest"]:
            print(f"- {seconds * 1000:.0f} ms: {' '.join(statement.split())[:300]}")
        for plan in r["plans"]:
            print(f"\n```\n{plan}\n```")


if __name__ == "__main__":
    sys.exit(main())
