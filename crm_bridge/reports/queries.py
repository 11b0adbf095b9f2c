"""The dashboard's aggregate queries: one scan of each table counts the period and the period before it.

Each query keeps the rows from the start of the previous period to the end of this one and counts, per
group, the rows of each period with SUM(CASE ...) (rows in a gap between the two count in neither). The
groups (a few hundred, a few thousand at most) come back to dashboard.py, which adds them up into the
figures with metrics.py. No row is ever loaded to be counted in Python.

Contacts are counted from their daily tally (tallies.py), not from crm_contact, which is too big to scan
for a year in under a second. For the other tables the GROUP BY columns are the leading columns of a
covering index (crm_bridge/models.py, kiosk/visit_models.py), so SQLite reads the index in group order
without sorting and PostgreSQL can answer from the index alone (docs/reports.md, "Performance").

Filters: service group, channel and language apply to contacts, cases and ratings alike. Reception
visits are face-to-face visits that know only their language: the language filter applies to them; a
service group, or a channel other than face to face, leaves them out (`visits_apply`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from portal.db import db

from ..models import Case, ContactTally, SatisfactionRating
from .periods import Period

FACE_TO_FACE = "face_to_face"

# kiosk.visit_models.CheckIn's table, named here so crm_bridge imports nothing from kiosk (the layering in
# docs/architecture.md): only the columns the reception figures read.
VISITS = sa.table(
    "kiosk_check_in",
    sa.column("day", sa.Date),
    sa.column("status", sa.String),
    sa.column("wait_seconds", sa.Integer),
    sa.column("lang", sa.String),
).c


@dataclass(frozen=True)
class Filters:
    """The drill-down: None means every value."""

    service_group: str | None = None
    channel: str | None = None
    lang: str | None = None

    def active(self) -> dict[str, str]:
        return {name: value for name, value in vars(self).items() if value}

    @property
    def visits_apply(self) -> bool:
        return self.service_group is None and self.channel in (None, FACE_TO_FACE)


@dataclass(frozen=True)
class Window:
    """The period reported on and the one it is compared with (which ends before it starts)."""

    current: Period
    previous: Period

    def __post_init__(self):
        if self.previous.end >= self.current.start:
            raise ValueError("the previous period must end before the current one starts")

    @classmethod
    def of(cls, period: Period) -> Window:
        return cls(period, period.previous())


@dataclass(frozen=True)
class ContactGroup:
    channel: str
    service_group: str | None
    interaction_type: str
    lang: str
    resolved: bool
    avoidable_reason: str | None
    current: int
    previous: int


@dataclass(frozen=True)
class CaseCounts:
    received: int = 0
    acknowledged_on_time: int = 0
    acknowledged_late: int = 0
    responded_on_time: int = 0
    responded_late: int = 0

    def __add__(self, other: CaseCounts) -> CaseCounts:
        # Field by field: called once per group and dimension, so a generic loop over vars() shows up in the
        # dashboard's time at a million contacts (docs/benchmarks.md).
        return CaseCounts(
            self.received + other.received,
            self.acknowledged_on_time + other.acknowledged_on_time,
            self.acknowledged_late + other.acknowledged_late,
            self.responded_on_time + other.responded_on_time,
            self.responded_late + other.responded_late,
        )


@dataclass(frozen=True)
class CaseGroup:
    channel: str
    service_group: str
    complaint_stage: int | None
    complaint_category: str | None
    complaint_outcome: str | None
    current: CaseCounts
    previous: CaseCounts

    @property
    def complaint(self) -> bool:
        return self.complaint_stage is not None


@dataclass(frozen=True)
class RatingGroup:
    moment: str
    rating: int
    current: int
    previous: int


@dataclass(frozen=True)
class VisitCounts:
    on_time: int = 0
    late: int = 0
    left: int = 0  # late because they left before being called (counted in `late` too)
    waiting: int = 0


@dataclass(frozen=True)
class VisitTotals:
    current: VisitCounts = field(default_factory=VisitCounts)
    previous: VisitCounts = field(default_factory=VisitCounts)


def _counted(condition) -> sa.ColumnElement:
    """COUNT(*) FILTER (WHERE ...): SQLite 3.30+ and PostgreSQL; cheaper than SUM(CASE ...) in SQLite."""
    return sa.func.count().filter(condition)


class unranged(FunctionElement):
    """The column as is; on SQLite written `+column`, so the planner does not range-scan the column's own
    index (then sort every row for the GROUP BY) but reads the covering report index in group order."""

    inherit_cache = True

    def __init__(self, column):
        super().__init__(column)
        self.type = column.type


@compiles(unranged)
def _plain(element, compiler, **kw):
    return compiler.process(element.clauses.clauses[0], **kw)


@compiles(unranged, "sqlite")
def _unary_plus(element, compiler, **kw):
    return "+" + compiler.process(element.clauses.clauses[0], **kw)


def _between(column, window: Window, bounds: Callable[[Period], tuple]) -> tuple:
    """(the WHERE on the whole span, is-current, is-previous) for a timestamp or date column."""
    previous_start, previous_end = bounds(window.previous)
    current_start, current_end = bounds(window.current)
    span = sa.and_(column >= previous_start, column < current_end)
    return span, column >= current_start, column < previous_end


def _utc(period: Period) -> tuple[datetime, datetime]:
    return period.utc_bounds()


def _days(period: Period) -> tuple[date, date]:
    return period.start, date.fromordinal(period.end.toordinal() + 1)


def _filtered(query: sa.Select, model, filters: Filters) -> sa.Select:
    for name, value in filters.active().items():
        query = query.where(getattr(model, name) == value)
    return query


def contact_groups(window: Window, filters: Filters) -> list[ContactGroup]:
    """Contacts by channel, service group, interaction type, language, resolution and avoidable reason,
    counted for each period by the UK day they started: read from the daily tally (tallies.py), which the
    periods' UK days match exactly."""
    day = ContactTally.day
    span = sa.and_(day >= window.previous.start, day <= window.current.end)
    dimensions = (  # the order of the tally's primary key, so SQLite groups without sorting
        ContactTally.service_group,
        ContactTally.channel,
        ContactTally.interaction_type,
        ContactTally.lang,
        ContactTally.resolved_at_first_point,
        ContactTally.avoidable_reason,
    )
    current = sa.func.sum(ContactTally.contacts).filter(day >= window.current.start)
    previous = sa.func.sum(ContactTally.contacts).filter(day <= window.previous.end)
    query = sa.select(*dimensions, current, previous).where(span).group_by(*dimensions)
    rows = db.session.execute(_filtered(query, ContactTally, filters))
    return [
        ContactGroup(
            channel, group or None, kind, lang, bool(resolved), reason or None, now or 0, before or 0
        )
        for group, channel, kind, lang, resolved, reason, now, before in rows
    ]


def case_groups(window: Window, filters: Filters, today: date) -> list[CaseGroup]:
    """Cases received in each period by channel, service group and complaint stage, category and outcome,
    with how many were acknowledged and answered in full on time or late as of `today` (metrics.py
    `acknowledgement` and `response`, in SQL; pending cases are counted in neither)."""
    span, current, previous = _between(unranged(Case.created_at), window, _utc)
    # Late: done after the due date, or not done and the due date has passed (done "today" would be late).
    ack_on_time = Case.acknowledged_on <= Case.acknowledge_due
    ack_late = sa.func.coalesce(Case.acknowledged_on, today) > Case.acknowledge_due
    response_on_time = Case.resolved_on <= Case.respond_due
    response_late = sa.func.coalesce(Case.resolved_on, today) > Case.respond_due
    dimensions = (
        Case.channel,
        Case.service_group,
        Case.complaint_stage,
        Case.complaint_category,
        Case.complaint_outcome,
    )

    def counts(in_period) -> list:
        return [
            _counted(in_period),
            *(
                _counted(sa.and_(in_period, condition))
                for condition in (ack_on_time, ack_late, response_on_time, response_late)
            ),
        ]

    query = sa.select(*dimensions, *counts(current), *counts(previous)).where(span).group_by(*dimensions)
    groups = []
    for row in db.session.execute(_filtered(query, Case, filters)):
        numbers = [int(value or 0) for value in row[5:]]
        groups.append(CaseGroup(*row[:5], CaseCounts(*numbers[:5]), CaseCounts(*numbers[5:])))
    return groups


def rating_groups(window: Window, filters: Filters) -> list[RatingGroup]:
    """Satisfaction ratings by moment and score, counted for each period by when they were given."""
    span, current, previous = _between(unranged(SatisfactionRating.created_at), window, _utc)
    dimensions = (SatisfactionRating.moment, SatisfactionRating.rating)
    query = sa.select(*dimensions, _counted(current), _counted(previous)).where(span).group_by(*dimensions)
    rows = db.session.execute(_filtered(query, SatisfactionRating, filters))
    return [RatingGroup(moment, rating, now, before) for moment, rating, now, before in rows]


def visit_totals(window: Window, filters: Filters, standard_minutes: int) -> VisitTotals:
    """Reception visits by UK day of check-in: called within the standard, called later or left before
    being called, still waiting (metrics.py `visit`, in SQL)."""
    if not filters.visits_apply:
        return VisitTotals()
    span, current, previous = _between(VISITS.day, window, _days)
    called_in_time = VISITS.wait_seconds <= standard_minutes * 60
    left = sa.and_(VISITS.wait_seconds.is_(None), VISITS.status == "left")
    late = sa.or_(VISITS.wait_seconds > standard_minutes * 60, left)
    waiting = sa.and_(VISITS.wait_seconds.is_(None), VISITS.status != "left")

    def counts(in_period) -> list:
        return [
            _counted(sa.and_(in_period, condition)) for condition in (called_in_time, late, left, waiting)
        ]

    query = sa.select(*counts(current), *counts(previous)).where(span)
    if filters.lang:
        query = query.where(VISITS.lang == filters.lang)
    numbers = [int(value or 0) for value in db.session.execute(query).one()]
    return VisitTotals(VisitCounts(*numbers[:4]), VisitCounts(*numbers[4:]))
