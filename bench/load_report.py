"""The load benchmark's tables: one run as it finishes, and the docs/benchmarks.md section for them all."""

from __future__ import annotations

import sys
import textwrap

ROWS = {
    "search as you type": "search as you type (htmx partial)",
    "search page": "search results page",
    "chat question": "chat question (htmx)",
    "form submission": "form submission (the hand-off POST)",
    "all requests": "all requests",
}
HEADER = "| server | operation | requests | req/s | p50 | p95 | p99 | max | errors |"
RULE = "|---|---|---:|---:|---:|---:|---:|---:|---:|"


def server_label(run: dict) -> str:
    resolved = run["server"]["resolved"]
    workers, threads = resolved.get("workers"), resolved.get("threads")
    shape = f"{_count(workers, resolved.get('worker_class') + ' worker')} x {_count(threads, 'thread')}"
    return f"{run['server']['label']}: {shape}"


def _count(number, noun: str) -> str:
    return f"{number} {noun}{'' if str(number) == '1' else 's'}"


def rows(run: dict) -> list[str]:
    lines = []
    label = server_label(run)
    for op, title in ROWS.items():
        figures = run["operations"].get(op, {"requests": 0, "per_second": 0.0, "errors": 0})
        cells = [
            label if not lines else "",
            title,
            f"{figures['requests']:,}",
            f"{figures['per_second']:.1f}",
            *(_ms(figures.get(name)) for name in ("p50", "p95", "p99", "max")),
            str(figures["errors"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} ms"


def facts(run: dict) -> str:
    """One paragraph per run: the checks, the errors, where the time went, the machine."""
    checks, logged = run["checks"], run["gunicorn_log"]
    verdict = "checks passed" if not checks["problems"] else f"**{len(checks['problems'])} problems**"
    measured = run["submissions"].get("acknowledged", 0)
    parts = [
        f"{checks['acknowledged']} forms acknowledged ({measured} in the measured run, "
        f"{checks['acknowledged'] - measured} in the warm-up), {checks['found once']} of them found exactly "
        f"once with every answer; {checks['sent, not acknowledged']} sent but not acknowledged "
        f"({checks['of which committed']} of those committed); {verdict}",
        f"errors: {_kinds(run['error_kinds']) or 'none'}"
        + (f" (in the warm-up: {_kinds(run['warm_up_errors'])})" if run.get("warm_up_errors") else ""),
        f"gunicorn logged {_count(logged['errors'], 'error')} and "
        f"{_count(logged['worker_timeouts'], 'worker time-out')}"
        + (f" (first: `{logged['first_error']}`)" if logged["first_error"] else ""),
    ]
    inside = "; ".join(
        f"{name} p50 {figures['p50']:,.0f} ms, p95 {figures['p95']:,.0f} ms"
        for name, figures in logged.get("app_ms", {}).items()
        if name != "all"
    )
    if inside:
        parts.append(f"time inside the application (its access log, no queueing for a worker): {inside}")
    parts.append(
        f"CPU: gunicorn {run['server_cpu_s']:.0f} s, residents' process {run['client_cpu_s']:.0f} s, "
        f"machine {run['machine_busy']:.0%} busy over {run['elapsed']:.0f} s; load average "
        f"{_load(run['load_before'])} before, {_load(run['load_after'])} after"
    )
    return f"- {server_label(run)}: " + "; ".join(parts) + "."


def _kinds(counts: dict) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))


def _load(values: list[float]) -> str:
    return " ".join(f"{value:.1f}" for value in values)


def print_run(run: dict) -> None:
    print(f"\n{run['database']}, {run['residents']} residents, {run['elapsed']:.0f} s", flush=True)
    print(HEADER)
    print(RULE)
    print("\n".join(rows(run)))
    print(facts(run))
    for problem in run["checks"]["problems"][:30]:
        print(f"  PROBLEM {problem}", file=sys.stderr)
    for error in run["errors_sample"][:5]:
        print(f"  error: {error}", file=sys.stderr)
    sys.stdout.flush()


def markdown(reports: list[dict]) -> str:
    first = reports[0]["runs"][0]
    think = "-".join(f"{value:g}" for value in first["think"])
    connections = (
        "each resident keeps its connection alive between requests, as nginx does to gunicorn"
        if first.get("keep_alive", True)
        else "a new connection for every request"
    )
    lines = [
        f"## Load: {first['residents']} concurrent residents",
        "",
        f"Command: `.venv/bin/{reports[0]['command']}`. Not a timed test: figures depend on the machine.",
        "",
        f"{first['residents']} simulated residents (bench/residents.py: one asyncio task and cookie jar "
        "each, in a process of their own on the same machine) search as they type (the htmx partial "
        "requests the search box makes), open results pages and articles, ask the chat assistant and answer "
        "its question, and send forms (a missed bin, a complaint, fly-tipping) through every page to the "
        f"confirmation, each with a marker in its details; {think} s of thinking between actions and pages; "
        f"{connections}. "
        f"Each run has {first['duration']:.0f} s of load against real gunicorn on a fresh database "
        "(migrated, sample articles imported), rate limits off and deliveries only queued. Afterwards the "
        "database is read directly: every acknowledged case must exist exactly once with every answer, its "
        "contact and its queued acknowledgement; every answered search must be logged; the daily contact "
        "tally must match the contacts. The baseline, in the same run, is gunicorn's own defaults (one sync "
        "worker, one request at a time: gunicorn without a configuration file), to show what the "
        "configuration's workers and threads buy.",
        "",
    ]
    for report in reports:
        lines += [f"### {report['version']}", "", HEADER, RULE]
        for run in report["runs"]:
            lines += rows(run)
        lines.append("")
        lines += [facts(run) for run in report["runs"]]
        lines.append("")
    lines.append(
        reports[0]["machine"] + ". Latencies are measured by the residents' process (request sent to body "
        "read); p50 to max are over the requests that got an HTTP answer; errors are unexpected statuses, "
        "time-outs (30 s) and broken connections."
    )
    return "\n".join(_wrapped(line) for line in lines)


def _wrapped(line: str, width: int = 110) -> str:
    """Prose wrapped as the rest of docs/benchmarks.md is; tables and headings as they are."""
    if line.startswith(("|", "#")) or len(line) <= width:
        return line
    indent = "  " if line.startswith("- ") else ""
    return textwrap.fill(
        line, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )
