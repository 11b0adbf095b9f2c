"""The public "Our performance" figures (docs/performance-page.md): complaint statistics for the last whole
financial quarters, and how the council did against each published service standard in the last whole
quarter. Aggregates only, counted in SQL: nothing about any one case or resident leaves this module.

Every figure is about what came in during a quarter (a case by `created_at`, a contact by `started_at`, a
visitor by the UK day of check-in), bucketed by the quarter's UK-time bounds (`Period.utc_bounds`), so a
complaint made at 00:30 BST on 1 July belongs to July's quarter.
Plain values in, plain values out: no Flask."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from portal.db import db

from ..models import Case
from . import metrics, queries
from .metrics import EMPTY, Ratio
from .periods import Period, recent_quarters

PUBLISHED_QUARTERS = 4

# The complaint form's categories (crm_bridge/data/request-types.yaml, question "category"), in the
# order DOMAIN.md lists them. A complaint logged without one is counted as NOT_RECORDED.
COMPLAINT_CATEGORIES = (
    "service-failure",
    "standards-failure",
    "officer-behaviour",
    "bureaucratic-process",
    "poor-information",
    "other",
)
NOT_RECORDED = "not-recorded"
OUTCOMES = ("upheld", "partly_upheld", "not_upheld")
# Stage 1 (the service) and stage 2 (the review): every complaint has one. Named as values rather than
# IS NOT NULL so the database reads only complaints from the (complaint_stage, created_at) index.
COMPLAINT_STAGES = (1, 2)

# "E-forms and emails" in the standards: everything that reaches us in writing, except letters.
WRITTEN_CHANNELS = ("web", "chat", "kiosk", "app", "email")
LETTER_CHANNEL = "post"
VISITOR_STANDARD_MINUTES = 10


@dataclass(frozen=True)
class QuarterComplaints:
    quarter: Period
    received: int = 0
    answered_on_time: Ratio = EMPTY
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    escalated: int = 0
    ombudsman: int = 0
    by_category: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COMPLAINT_CATEGORIES, 0))


@dataclass(frozen=True)
class StandardResult:
    """One published standard in one quarter. `target` is a fraction (0.95 for 95%)."""

    name: str
    ratio: Ratio
    target: float

    @property
    def met(self) -> bool | None:
        return metrics.target_met(self.ratio, self.target)


@dataclass(frozen=True)
class PublishedPerformance:
    quarters: list[QuarterComplaints]  # newest first
    standards: list[StandardResult]  # for quarters[0]

    @property
    def last_quarter(self) -> Period:
        return self.quarters[0].quarter

    @property
    def categories(self) -> tuple[str, ...]:
        """The categories to show: "not recorded" only when some complaint has none."""
        unrecorded = any(q.by_category.get(NOT_RECORDED) for q in self.quarters)
        return (*COMPLAINT_CATEGORIES, NOT_RECORDED) if unrecorded else COMPLAINT_CATEGORIES


# Which target (portal.config.REPORT_TARGETS) each standard is judged against.
STANDARD_TARGETS = {
    "first_contact_resolution": "first_contact_resolution",
    "written_acknowledged": "acknowledged_on_time",
    "written_responded": "responded_on_time",
    "complaints_responded": "complaints_responded_on_time",
    "letters_acknowledged": "acknowledged_on_time",
    "visitors_seen": "visitors_seen_on_time",
}


def published_performance(today: date, targets: dict[str, float]) -> PublishedPerformance:
    """The figures as of `today` (a UK date): only whole quarters are published."""
    quarters = recent_quarters(today, PUBLISHED_QUARTERS)
    return PublishedPerformance(
        quarters=complaints_by_quarter(quarters, today),
        standards=standards_in(quarters[0], today, targets),
    )


# --- complaints by quarter ----------------------------------------------------------------------------------


def complaints_by_quarter(quarters: list[Period], today: date) -> list[QuarterComplaints]:
    """One entry per quarter, in the order given; a quarter with no complaints has zeros. One query: the
    complaints of all the quarters are bucketed by quarter and category, then counted."""
    respond = (Case.resolved_on, Case.respond_due, today)
    flags = sa.select(
        quarter_bucket(Case.created_at, quarters).label("quarter"),
        sa.func.coalesce(Case.complaint_category, NOT_RECORDED).label("category"),
        _when(_on_time(*respond), "on_time"),
        _when(_late(*respond), "late"),
        *(_when(Case.complaint_outcome == outcome, outcome) for outcome in OUTCOMES),
        _when(Case.complaint_stage == 2, "escalated"),
        _when(Case.ombudsman_referred_at.is_not(None), "ombudsman"),
    ).where(Case.complaint_stage.in_(COMPLAINT_STAGES), _within(Case.created_at, quarters))
    flagged = flags.subquery()
    counted = ("on_time", "late", *OUTCOMES, "escalated", "ombudsman")
    rows = db.session.execute(
        sa.select(
            flagged.c.quarter,
            flagged.c.category,
            sa.func.count().label("count"),
            *(sa.func.sum(flagged.c[name]).label(name) for name in counted),
        ).group_by(flagged.c.quarter, flagged.c.category)
    ).all()
    return [
        _quarter_complaints(quarter, [row._mapping for row in rows if row.quarter == index])
        for index, quarter in enumerate(quarters)
    ]


def _quarter_complaints(quarter: Period, rows: list) -> QuarterComplaints:
    def total(name: str) -> int:
        return sum(int(row[name] or 0) for row in rows)

    by_category = dict.fromkeys(COMPLAINT_CATEGORIES, 0)
    for row in rows:
        key = row["category"] if row["category"] in COMPLAINT_CATEGORIES else NOT_RECORDED
        by_category[key] = by_category.get(key, 0) + row["count"]
    return QuarterComplaints(
        quarter=quarter,
        received=total("count"),
        answered_on_time=metrics.on_time(total("on_time"), total("late")),
        outcomes={outcome: total(outcome) for outcome in OUTCOMES},
        escalated=total("escalated"),
        ombudsman=total("ombudsman"),
        by_category=by_category,
    )


# --- the standards in the last whole quarter ----------------------------------------------------------------


def standards_in(quarter: Period, today: date, targets: dict[str, float]) -> list[StandardResult]:
    """Counted by the managers' dashboard queries (queries.py), so the public page and the dashboard give
    the same figure for the same quarter."""
    window = queries.Window.of(quarter)
    everything = queries.Filters()
    contacts = queries.contact_groups(window, everything)
    cases = queries.case_groups(window, everything, today)
    visits = queries.visit_totals(window, everything, VISITOR_STANDARD_MINUTES).current
    ratios = {
        "first_contact_resolution": metrics.first_contact_resolution(
            sum(group.current for group in contacts if group.resolved),
            sum(group.current for group in contacts),
        ),
        **_case_standards(cases),
        "visitors_seen": metrics.on_time(visits.on_time, visits.late),
    }
    return [StandardResult(name, ratios[name], targets[target]) for name, target in STANDARD_TARGETS.items()]


def _case_standards(groups: list[queries.CaseGroup]) -> dict[str, Ratio]:
    """Acknowledged and answered by the due dates the hand-off gave each case (1 working day to
    acknowledge e-forms and emails, 5 for letters; 10 to answer, 15 for complaints); pending cases are
    left out (metrics.acknowledgement and metrics.response)."""

    def counts(keep) -> queries.CaseCounts:
        total = queries.CaseCounts()
        for group in groups:
            if keep(group):
                total += group.current
        return total

    written = counts(lambda g: g.channel in WRITTEN_CHANNELS and not g.complaint)
    letters = counts(lambda g: g.channel == LETTER_CHANNEL and not g.complaint)
    complaints = counts(lambda g: g.complaint)
    return {
        "written_acknowledged": metrics.on_time(written.acknowledged_on_time, written.acknowledged_late),
        "written_responded": metrics.on_time(written.responded_on_time, written.responded_late),
        "complaints_responded": metrics.on_time(complaints.responded_on_time, complaints.responded_late),
        "letters_acknowledged": metrics.on_time(letters.acknowledged_on_time, letters.acknowledged_late),
    }


# --- SQL helpers --------------------------------------------------------------------------------------------


def quarter_bucket(column, quarters: list[Period]) -> sa.Case:
    """The index in `quarters` of the quarter a stored (naive UTC) time falls in, else NULL."""
    return sa.case(
        *(
            (sa.and_(column >= start, column < end), index)
            for index, (start, end) in enumerate(q.utc_bounds() for q in quarters)
        ),
        else_=sa.null(),
    )


def _within(column, quarters: list[Period]):
    """From the start of the earliest quarter to the end of the latest: lets the database use an index."""
    bounds = [q.utc_bounds() for q in quarters]
    return sa.and_(column >= min(b[0] for b in bounds), column < max(b[1] for b in bounds))


def _on_time(done_on, due, today: date):
    """SQL for metrics' ON_TIME: done on or before the due date."""
    return done_on.is_not(None) & (done_on <= due)


def _late(done_on, due, today: date):
    """SQL for metrics' LATE: done after the due date, or not done and the due date has passed."""
    return (done_on.is_not(None) & (done_on > due)) | (done_on.is_(None) & (due < today))


def _when(condition, label: str | None = None):
    """1 where the condition holds, else 0: summed, it counts the rows that meet it."""
    expression = sa.case((condition, 1), else_=0)
    return expression.label(label) if label else expression
