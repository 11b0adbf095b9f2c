"""The load benchmark's figures and its check of the database afterwards (bench/load.py).

summarise: per operation, requests per second and p50 / p95 / p99 / max latency of the requests that got
an HTTP answer, and the errors (an unexpected status, a time-out, a broken connection).

verify: reads the database directly (SQLAlchemy, the run's DATABASE_URL). Every submission whose
confirmation page showed a reference must be exactly one case, with that reference and every answer,
the details, the place and the resident's details as sent, one web contact and one acknowledgement queued.
A submission sent but not acknowledged (its request failed or timed out) may or may not have been
committed: counted apart, and checked the same way when it was. A case nobody sent, a duplicate, a lost
search log or a daily contact tally out of step with the contacts is a problem; any problem fails the run.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import sqlalchemy as sa

SEARCH_SOURCES = {
    "typeahead": ("search as you type",),
    "results": ("search page",),
    "chat": ("chat question",),
}


def summarise(client: dict) -> dict:
    samples = client["samples"]
    elapsed = client["elapsed"]
    errors = Counter(error["op"] for error in client["errors"])
    operations = {}
    for op in sorted({sample[0] for sample in samples}):
        ops = [s for s in samples if s[0] == op]
        operations[op] = _figures(ops, elapsed, errors[op])
    operations["all requests"] = _figures(samples, elapsed, sum(errors[op] for op in operations))
    states = Counter(submission["state"] for submission in client["submissions"])
    return {
        "residents": client["residents"],
        "duration": client["duration"],
        "think": client["think"],
        "elapsed": round(elapsed, 1),
        "operations": operations,
        "keep_alive": client.get("keep_alive", True),
        "page_errors": {op: n for op, n in errors.items() if op not in operations},
        "error_kinds": dict(Counter(_kind(error) for error in client["errors"])),
        "errors_sample": client["errors"][:20],
        "submissions": dict(states),
        "client_cpu_s": round(client["client_cpu_s"], 1),
        "server_cpu_s": round(client["server_cpu_s"], 1),
        "machine_busy": round(client["machine_busy"], 3),
        "load_before": client["load_before"],
        "load_after": client["load_after"],
    }


def _kind(error: dict) -> str:
    outcome = error["outcome"]
    if isinstance(outcome, int):
        return f"HTTP {outcome}"
    if "reset" in error.get("body", ""):
        return "connection reset"
    return str(outcome)


def _figures(samples: list, elapsed: float, errors: int) -> dict:
    answered = np.array([s[2] for s in samples if isinstance(s[3], int)])
    statuses = Counter(str(s[3]) for s in samples)
    figures = {"requests": len(samples), "per_second": round(len(samples) / elapsed, 1), "errors": errors}
    if answered.size:
        p50, p95, p99 = np.percentile(answered, [50, 95, 99])
        figures.update(p50=round(p50, 1), p95=round(p95, 1), p99=round(p99, 1), max=round(answered.max(), 1))
    return {**figures, "statuses": dict(statuses)}


def verify(url: str, client: dict, warm_up: dict | None = None) -> dict:
    """The database against what the residents sent; the warm-up's residents wrote to it too."""
    if warm_up is not None:
        client = {
            "submissions": warm_up["submissions"] + client["submissions"],
            "samples": warm_up["samples"] + client["samples"],
        }
    return _verify(url, client)


def _verify(url: str, client: dict) -> dict:
    from crm_bridge.handoff import normalise_phone
    from crm_bridge.models import Case, Contact, OutboxMessage
    from crm_bridge.reports.tallies import KEY, tallies_from_contacts
    from knowledge_base.models import SearchLog
    from portal import create_app
    from portal.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-load-checks"})
    problems: list[str] = []
    with app.app_context():
        session = db.session
        cases = session.scalars(sa.select(Case)).all()
        by_marker: dict[str, list] = defaultdict(list)
        for case in cases:
            by_marker[(case.details or "").split(" ", 1)[0]].append(case)
        contacts = Counter(
            session.execute(sa.select(Contact.case_id, Contact.channel).where(Contact.case_id.is_not(None)))
        )
        acknowledgements = Counter(
            session.scalars(sa.select(OutboxMessage.case_id).where(OutboxMessage.kind == "acknowledgement"))
        )
        counts = {"acknowledged": 0, "found once": 0, "sent, not acknowledged": 0, "of which committed": 0}
        sent_markers = set()
        for submission in client["submissions"]:
            marker = submission["marker"]
            sent_markers.add(marker)
            found = by_marker.get(marker, [])
            acknowledged = submission["state"] == "acknowledged"
            counts["acknowledged" if acknowledged else "sent, not acknowledged"] += 1
            if len(found) > 1:
                problems.append(f"{marker}: {len(found)} cases ({', '.join(c.reference for c in found)})")
                continue
            if not found:
                if acknowledged:
                    problems.append(
                        f"{marker}: acknowledged as {submission['reference']} but not in the database"
                    )
                continue
            case = found[0]
            counts["found once" if acknowledged else "of which committed"] += 1
            if acknowledged and case.reference != submission["reference"]:
                problems.append(f"{marker}: shown {submission['reference']}, stored {case.reference}")
            problems += _compare(case, submission, normalise_phone)
            if (
                contacts[(case.id, "web")] != 1
                or sum(n for (cid, _), n in contacts.items() if cid == case.id) != 1
            ):
                problems.append(f"{case.reference}: not exactly one web contact")
            if acknowledgements[case.id] != 1:
                problems.append(f"{case.reference}: {acknowledgements[case.id]} acknowledgements queued")
        strangers = [
            case.reference
            for marker, found in by_marker.items()
            if marker not in sent_markers
            for case in found
        ]
        if strangers:
            problems.append(f"cases nobody sent: {', '.join(strangers[:10])}")
        references = Counter(case.reference for case in cases)
        problems += [f"reference {ref} used {n} times" for ref, n in references.items() if n > 1]
        logged = dict(
            session.execute(sa.select(SearchLog.source, sa.func.count()).group_by(SearchLog.source)).all()
        )
        searches = _search_logs(client["samples"], logged, problems)
        stored = {
            tuple(getattr(row, name) for name in KEY): row.contacts
            for row in session.scalars(sa.select(_tally()))
        }
        recomputed = dict(tallies_from_contacts(session))
        if stored != recomputed:
            counted, made = sum(stored.values()), sum(recomputed.values())
            problems.append(f"contact tally out of step: {counted} counted, {made} contacts")
        db.engine.dispose()
    return {**counts, "cases in database": len(cases), "search logs": searches, "problems": problems}


def _tally():
    from crm_bridge.models import ContactTally

    return ContactTally


def _compare(case, sent: dict, normalise_phone) -> list[str]:
    """What the case holds against what the resident sent; each difference a problem."""
    problems = []
    location = None
    if sent["location"]:
        location = {**sent["location"], "lat": None, "lng": None}
    customer = case.customer
    expected = {
        "request type": (case.request_type, sent["code"]),
        "answers": (case.answers, sent["answers"]),
        "details": (case.details, sent["details"]),
        "location": (case.location, location),
        "name": (customer and customer.name, sent["customer"]["name"]),
        "email": (customer and customer.email, sent["customer"]["email"].lower()),
        "phone": (customer and customer.phone, normalise_phone(sent["customer"]["phone"])),
    }
    for what, (stored, wanted) in expected.items():
        if stored != wanted:
            problems.append(f"{case.reference}: {what} stored {stored!r}, sent {wanted!r}")
    return problems


def _search_logs(samples: list, logged: dict, problems: list[str]) -> dict:
    """Every search answered is logged once; a search that failed may or may not have been."""
    figures = {}
    for source, ops in SEARCH_SOURCES.items():
        answered = sum(1 for s in samples if s[0] in ops and s[3] == 200)
        failed = sum(1 for s in samples if s[0] in ops and s[3] != 200)
        count = logged.get(source, 0)
        figures[source] = {"answered": answered, "logged": count}
        if not answered <= count <= answered + failed:
            problems.append(f"search log ({source}): {count} rows for {answered} answered, {failed} failed")
    return figures
