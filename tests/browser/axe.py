"""axe-core in the page under test: WCAG 2.2 A and AA rules, violations returned in a readable form.

axe-core comes from npm (`node_modules/axe-core/axe.min.js`, a devDependency installed by `npm ci`); it is
injected into the page by Playwright, so there is no Python wrapper to trust. Where it is missing the
browser tests that need it are skipped, except under CI, where a missing axe-core is a failure."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

_RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.map((node) => ({
      target: node.target.map(String),
      html: node.html,
      summary: node.failureSummary || "",
    })),
  }));
}"""


@dataclass(frozen=True)
class Violation:
    id: str
    impact: str | None
    help: str
    nodes: list[dict]

    def describe(self, max_nodes: int = 5) -> str:
        lines = [f"- {self.id} ({self.impact}): {self.help}"]
        for node in self.nodes[:max_nodes]:
            lines.append(f"    at {' '.join(node['target'])}")
            lines.append(f"       {node['html'][:200]}")
            for line in node["summary"].splitlines()[1:3]:
                lines.append(f"       {line.strip()}")
        if len(self.nodes) > max_nodes:
            lines.append(f"    ... and {len(self.nodes) - max_nodes} more")
        return "\n".join(lines)


def axe_script() -> Path:
    if AXE_SCRIPT.exists():
        return AXE_SCRIPT
    if os.environ.get("CI"):
        pytest.fail("axe-core is not installed: run `npm ci` (make test does)", pytrace=False)
    pytest.skip("axe-core is not installed (node_modules/axe-core): run `npm ci`")


def run_axe(page) -> list[Violation]:
    """Every WCAG 2.2 A/AA violation axe-core finds in the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated rather than added as a <script> tag: the page's Content-Security-Policy refuses inline
        # scripts, and Playwright's evaluation is not subject to it.
        page.evaluate(axe_script().read_text() + "\n;undefined")
    found = page.evaluate(_RUN_AXE, WCAG_TAGS)
    return [Violation(**violation) for violation in found]


def report(violations: list[Violation], where: str) -> str:
    if not violations:
        return f"{where}: no accessibility violations"
    details = "\n".join(violation.describe() for violation in violations)
    return f"{where}: {len(violations)} accessibility rule(s) violated (axe-core, WCAG 2.2 A/AA)\n{details}"


def assert_accessible(page, where: str | None = None) -> None:
    """Fail with every violation on the page, its selectors and HTML, when axe-core finds any."""
    violations = run_axe(page)
    assert not violations, report(violations, where or page.url)
