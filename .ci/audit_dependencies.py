"""Known vulnerabilities in the installed Python packages (pip-audit), for `make audit`.

Silent when every package was audited and none has a vulnerability. Fails (exit 1) on a vulnerability
not listed, with its reason, in .ci/pip-audit-ignore.txt. When no vulnerability service answers (no
network, or PyPI's per-release JSON is not served here) it cannot audit: it says so in a warning and
exits 0, so a network problem does not fail the build; PIP_AUDIT_REQUIRED=1 makes that a failure too.

Environment: PIP_AUDIT_SERVICES (default "pypi osv", tried in turn until one audits something),
PIP_AUDIT_OSV_URL (an OSV mirror instead of api.osv.dev), PIP_AUDIT_IGNORE_FILE. docs/security-scans.md.
"""

from __future__ import annotations

import json
import os
import re
import subprocess  # nosec B404  # runs pip-audit from this virtual environment, below
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

IGNORE_FILE = Path(__file__).resolve().parent / "pip-audit-ignore.txt"
EDITABLE = "distribution marked as editable"  # pip-audit's words for --skip-editable
NETWORK_TROUBLE = re.compile(
    r"ConnectionError|ConnectTimeout|ReadTimeout|NameResolutionError|Max retries|timed out|Tip: your network"
)


class AuditError(Exception):
    """pip-audit could not be run as configured: a failure whatever the network."""


@dataclass
class Outcome:
    service: str
    audited: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    problem: str = ""  # why the service audited nothing


def read_ignore_list(path: Path) -> dict[str, str]:
    """{vulnerability ID: reason}; an ID without a reason is refused."""
    ignored = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        entry, _, reason = line.partition("#")
        if not entry.strip():
            continue
        if not reason.strip():
            raise AuditError(f"{path.name} line {number}: {entry.strip()} needs a reason after '#'")
        ignored[entry.strip()] = reason.strip()
    return ignored


def run_pip_audit(service: str, ignored: dict[str, str]) -> Outcome:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        command = [sys.executable, "-m", "pip_audit", "--format", "json", "--output", str(report)]
        command += ["--vulnerability-service", service, "--progress-spinner", "off", "--skip-editable"]
        command += ["--aliases", "on", "--desc", "off"]
        if os.environ.get("PIP_AUDIT_OSV_URL"):
            command += ["--osv-url", os.environ["PIP_AUDIT_OSV_URL"]]
        for vulnerability in ignored:
            command += ["--ignore-vuln", vulnerability]
        # This interpreter's own pip-audit, with options from this file and IDs from the ignore list.
        finished = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
        if not report.exists():
            return _no_report(service, finished)
        dependencies = json.loads(report.read_text(encoding="utf-8"))["dependencies"]
    outcome = Outcome(service)
    for dependency in dependencies:
        if dependency.get("skip_reason") == EDITABLE:
            continue  # this project, installed for development: its dependencies are what is audited
        (outcome.skipped if "skip_reason" in dependency else outcome.audited).append(dependency)
    if not outcome.audited:
        reason = outcome.skipped[0]["skip_reason"] if outcome.skipped else "no packages found"
        outcome.problem = f"every package was skipped, for example: {reason}"
    return outcome


def _no_report(service: str, finished: subprocess.CompletedProcess) -> Outcome:
    lines = finished.stderr.strip().splitlines() or ["(no output)"]
    if NETWORK_TROUBLE.search(finished.stderr):
        return Outcome(service, problem=lines[-1][:200])
    raise AuditError(
        f"pip-audit -s {service} failed (exit {finished.returncode}):\n" + "\n".join(lines[-20:])
    )


def vulnerabilities(outcome: Outcome) -> list[str]:
    return [
        f"{dep['name']} {dep['version']}: {' = '.join([vuln['id'], *vuln.get('aliases', [])])}"
        + (f" (fixed in {', '.join(vuln['fix_versions'])})" if vuln["fix_versions"] else " (no fix yet)")
        for dep in outcome.audited
        for vuln in dep["vulns"]
    ]


def main() -> int:
    try:
        ignored = read_ignore_list(Path(os.environ.get("PIP_AUDIT_IGNORE_FILE") or IGNORE_FILE))
        outcomes = []
        for service in os.environ.get("PIP_AUDIT_SERVICES", "pypi osv").split():
            outcomes.append(run_pip_audit(service, ignored))
            if outcomes[-1].audited:
                return report(outcomes[-1])
    except AuditError as error:
        print(f"Dependency audit failed: {error}", file=sys.stderr)
        return 2
    reasons = "; ".join(f"-s {outcome.service}: {outcome.problem}" for outcome in outcomes)
    required = os.environ.get("PIP_AUDIT_REQUIRED") == "1"
    level = "ERROR" if required else "WARNING"
    message = "the dependency audit could not run: the packages were NOT checked for known vulnerabilities"
    print(f"{level}: {message}. No vulnerability service answered ({reasons}).", file=sys.stderr)
    return 1 if required else 0


def report(outcome: Outcome) -> int:
    found = vulnerabilities(outcome)
    if outcome.skipped:
        names = ", ".join(dep["name"] for dep in outcome.skipped)
        print(f"WARNING: pip-audit -s {outcome.service} could not audit: {names}", file=sys.stderr)
    if found:
        advice = "upgrade, or list the ID with a reason in .ci/pip-audit-ignore.txt"
        print(
            f"Known vulnerabilities (pip-audit -s {outcome.service}); {advice}:",
            *found,
            sep="\n  ",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
