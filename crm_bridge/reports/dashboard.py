"""The managers' dashboard for a period: headline figures against the previous period and the targets, and
the tables behind them (docs/reports.md). Codes only: labels belong to the portal.

    build_dashboard(period, Filters(channel="web"), targets, today) -> Dashboard

Four aggregate queries (queries.py), one per table, whatever the period; the figures are added up here
from the groups they return, with the definitions in metrics.py."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from portal.domain import CHANNELS, INTERACTION_TYPES, LANGUAGES, SERVICE_GROUPS

from ..catalogue import default_catalogue
from ..models import AVOIDABLE_REASONS, COMPLAINT_OUTCOMES, SATISFACTION_MOMENTS, SATISFACTION_RATINGS
from . import metrics
from .metrics import Ratio
from .periods import Period
from .queries import (
    CaseCounts,
    CaseGroup,
    ContactGroup,
    Filters,
    RatingGroup,
    VisitCounts,
    VisitTotals,
    Window,
    case_groups,
    contact_groups,
    rating_groups,
    visit_totals,
)

__all__ = ["Dashboard", "Filters", "Headline", "Row", "Table", "build_dashboard", "complaint_categories"]

COMPLAINT_STAGES = (1, 2)
VISIT_OUTCOMES = ("on_time", "late", "left", "waiting")
# Lower is better: shown with its change, never judged against a target.
LOWER_IS_BETTER = frozenset({"avoidable_contact_rate"})
# Tables whose rows drill down into the dashboard filtered by their value.
DRILL_DOWNS = {"channel", "service_group", "lang"}


@dataclass(frozen=True)
class Headline:
    key: str
    current: Ratio
    previous: Ratio
    target: float | None  # a fraction (0.8 for 80%)
    change: float | None  # percentage points since the previous period
    met: bool | None  # None: no target, or nothing counted

    @property
    def higher_is_better(self) -> bool:
        return self.key not in LOWER_IS_BETTER


@dataclass(frozen=True)
class Row:
    value: str | int | None  # the dimension's code (None: not recorded)
    cells: tuple  # one per column: an int (a count) or a Ratio


@dataclass(frozen=True)
class Table:
    key: str
    dimension: str  # what the rows are: channel, service_group, lang, rating, ...
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    chart: str  # the column the chart draws

    @property
    def drill_down(self) -> str | None:
        """The filter a row adds when followed, if its rows are a drill-down dimension."""
        return self.dimension if self.dimension in DRILL_DOWNS else None

    def column(self, key: str) -> list:
        index = self.columns.index(key)
        return [row.cells[index] for row in self.rows]


@dataclass(frozen=True)
class Totals:
    contacts: tuple[int, int] = (0, 0)  # (this period, previous period)
    cases: tuple[int, int] = (0, 0)
    complaints: tuple[int, int] = (0, 0)
    ratings: tuple[int, int] = (0, 0)
    visitors: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Dashboard:
    period: Period
    previous_period: Period
    filters: Filters
    headlines: tuple[Headline, ...]
    tables: tuple[Table, ...]
    totals: Totals = field(default_factory=Totals)
    visits_counted: bool = True  # False when the filters leave reception visits out

    def headline(self, key: str) -> Headline:
        return next(headline for headline in self.headlines if headline.key == key)

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)

    @property
    def table_keys(self) -> tuple[str, ...]:
        return tuple(table.key for table in self.tables)


TABLE_KEYS = (
    "channels",
    "service_groups",
    "interaction_types",
    "languages",
    "avoidable_reasons",
    "response_by_channel",
    "complaints_by_category",
    "complaints_by_service_group",
    "complaints_by_stage",
    "complaints_by_outcome",
    "satisfaction_by_rating",
    "satisfaction_by_moment",
    "visits",
)


def build_dashboard(
    period: Period,
    filters: Filters,
    targets: Mapping[str, float],
    today: date,
    visit_standard_minutes: int = 10,
) -> Dashboard:
    """Every figure for `period` and the period before it, as of `today` (which decides what is late)."""
    window = Window.of(period)
    contacts = _ContactTally.of(contact_groups(window, filters))
    cases = _CaseTally.of(case_groups(window, filters, today))
    ratings = _RatingTally.of(rating_groups(window, filters))
    visits = visit_totals(window, filters, visit_standard_minutes)

    figures = {
        "self_service_share": _both(contacts, lambda t: metrics.self_service_share(t.by["channel"])),
        "first_contact_resolution": _both(
            contacts, lambda t: metrics.first_contact_resolution(t.resolved, t.total)
        ),
        "avoidable_contact_rate": _both(
            contacts, lambda t: metrics.avoidable_contact_rate(t.by["avoidable_reason"])
        ),
        "acknowledged_on_time": _both(cases, lambda t: _acknowledged(t.all)),
        "responded_on_time": _both(cases, lambda t: _responded(t.requests)),
        "complaints_responded_on_time": _both(cases, lambda t: _responded(t.complaints)),
        "satisfied": _both(ratings, lambda t: metrics.satisfied(t.by_rating)),
    }
    if filters.visits_apply:
        figures["visitors_seen_on_time"] = (_seen_on_time(visits.current), _seen_on_time(visits.previous))
    headlines = tuple(_headline(key, now, before, targets.get(key)) for key, (now, before) in figures.items())
    tables = (
        _contact_table("channels", contacts, "channel", CHANNELS, fcr=True),
        _contact_table("service_groups", contacts, "service_group", SERVICE_GROUPS, fcr=True),
        _contact_table("interaction_types", contacts, "interaction_type", INTERACTION_TYPES),
        _contact_table("languages", contacts, "lang", LANGUAGES, fcr=True),
        _avoidable_table(contacts),
        _response_table(cases),
        _complaint_table("complaints_by_category", cases, "complaint_category", complaint_categories()),
        _complaint_table("complaints_by_service_group", cases, "service_group", SERVICE_GROUPS),
        _complaint_table("complaints_by_stage", cases, "complaint_stage", COMPLAINT_STAGES),
        _complaint_table("complaints_by_outcome", cases, "complaint_outcome", COMPLAINT_OUTCOMES),
        _rating_table(ratings),
        _moment_table(ratings),
        *((_visits_table(visits),) if filters.visits_apply else ()),
    )
    return Dashboard(
        period=window.current,
        previous_period=window.previous,
        filters=filters,
        headlines=headlines,
        tables=tables,
        totals=Totals(
            contacts=_both(contacts, lambda t: t.total),
            cases=_both(cases, lambda t: t.all.received),
            complaints=_both(cases, lambda t: t.complaints.received),
            ratings=_both(ratings, lambda t: sum(t.by_rating.values())),
            visitors=(_visitors(visits.current), _visitors(visits.previous)),
        ),
        visits_counted=filters.visits_apply,
    )


def complaint_categories() -> dict[str, str]:
    """The complaint categories of the catalogue's complaint form: code to (English) label, in its order."""
    for request_type in default_catalogue():
        if request_type.feedback == "complaint":
            for question in request_type.questions:
                if question.code == "category":
                    return dict(question.choices)
    return {}


# --- adding up the groups, once ---------------------------------------------------------------------------

CONTACT_DIMENSIONS = ("channel", "service_group", "interaction_type", "lang", "avoidable_reason")
CASE_DIMENSIONS = ("channel", "service_group", "complaint_category", "complaint_stage", "complaint_outcome")


class _ContactTally:
    """One period's contacts: in all, resolved at first point, and both by each dimension's value."""

    def __init__(self):
        self.total = self.resolved = 0
        self.by = {dimension: Counter() for dimension in CONTACT_DIMENSIONS}
        self.resolved_by = {dimension: Counter() for dimension in CONTACT_DIMENSIONS}

    @classmethod
    def of(cls, groups: Iterable[ContactGroup]) -> dict[str, _ContactTally]:
        tallies = {"current": cls(), "previous": cls()}
        for group in groups:
            for period, tally in tallies.items():
                count = getattr(group, period)
                if count:
                    tally.add(group, count)
        return tallies

    def add(self, group: ContactGroup, count: int) -> None:
        self.total += count
        self.resolved += count if group.resolved else 0
        for dimension in CONTACT_DIMENSIONS:
            value = getattr(group, dimension)
            self.by[dimension][value] += count
            if group.resolved:
                self.resolved_by[dimension][value] += count


class _CaseTally:
    """One period's cases (all, requests, complaints), and complaints and all cases by each dimension."""

    def __init__(self):
        self.all = self.requests = self.complaints = CaseCounts()
        self.by: dict[str, dict] = {dimension: {} for dimension in CASE_DIMENSIONS}
        self.complaints_by: dict[str, dict] = {dimension: {} for dimension in CASE_DIMENSIONS}
        self.requests_by_channel: dict = {}

    @classmethod
    def of(cls, groups: Iterable[CaseGroup]) -> dict[str, _CaseTally]:
        tallies = {"current": cls(), "previous": cls()}
        for group in groups:
            for period, tally in tallies.items():
                counts = getattr(group, period)
                if counts.received:
                    tally.add(group, counts)
        return tallies

    def add(self, group: CaseGroup, counts: CaseCounts) -> None:
        self.all += counts
        if group.complaint:
            self.complaints += counts
        else:
            self.requests += counts
            _add_to(self.requests_by_channel, group.channel, counts)
        for dimension in CASE_DIMENSIONS:
            value = getattr(group, dimension)
            _add_to(self.by[dimension], value, counts)
            if group.complaint:
                _add_to(self.complaints_by[dimension], value, counts)


def _add_to(counts_by: dict, value, counts: CaseCounts) -> None:
    counts_by[value] = counts_by.get(value, CaseCounts()) + counts


class _RatingTally:
    def __init__(self):
        self.by_rating: Counter = Counter()
        self.by_moment: dict[str, Counter] = {moment: Counter() for moment in SATISFACTION_MOMENTS}

    @classmethod
    def of(cls, groups: Iterable[RatingGroup]) -> dict[str, _RatingTally]:
        tallies = {"current": cls(), "previous": cls()}
        for group in groups:
            for period, tally in tallies.items():
                count = getattr(group, period)
                tally.by_rating[group.rating] += count
                tally.by_moment.setdefault(group.moment, Counter())[group.rating] += count
        return tallies


def _both(tallies: dict, figure: Callable):
    """The figure for this period and for the previous one."""
    return figure(tallies["current"]), figure(tallies["previous"])


# --- headline figures --------------------------------------------------------------------------------------


def _headline(key: str, current: Ratio, previous: Ratio, target: float | None) -> Headline:
    if key in LOWER_IS_BETTER:
        target = None
    return Headline(
        key=key,
        current=current,
        previous=previous,
        target=target,
        change=metrics.change_in_points(current, previous),
        met=metrics.target_met(current, target),
    )


def _acknowledged(counts: CaseCounts) -> Ratio:
    return metrics.on_time(counts.acknowledged_on_time, counts.acknowledged_late)


def _responded(counts: CaseCounts) -> Ratio:
    return metrics.on_time(counts.responded_on_time, counts.responded_late)


def _seen_on_time(counts: VisitCounts) -> Ratio:
    return metrics.on_time(counts.on_time, counts.late)


def _visitors(counts: VisitCounts) -> int:
    return counts.on_time + counts.late + counts.waiting


# --- tables ------------------------------------------------------------------------------------------------


def _values(known: Iterable, found: Iterable) -> list:
    """Every known value in its order, then any other value found (None, "not recorded", last)."""
    values = list(known)
    extra = {value for value in found if value not in values}
    return values + sorted((v for v in extra if v is not None), key=str) + ([None] if None in extra else [])


def _contact_table(key: str, tallies: dict, dimension: str, known, fcr: bool = False) -> Table:
    now, before = tallies["current"], tallies["previous"]
    found = [value for value, count in (now.by[dimension] + before.by[dimension]).items() if count]
    rows = []
    for value in _values(known, found):
        count = now.by[dimension][value]
        cells = [count, before.by[dimension][value], Ratio(count, now.total)]
        if fcr:
            cells.append(metrics.first_contact_resolution(now.resolved_by[dimension][value], count))
        rows.append(Row(value, tuple(cells)))
    columns = ("contacts", "previous_contacts", "share") + (("first_contact_resolution",) if fcr else ())
    return Table(key, dimension, columns, tuple(rows), chart="contacts")


def _avoidable_table(tallies: dict) -> Table:
    now, before = tallies["current"].by["avoidable_reason"], tallies["previous"].by["avoidable_reason"]
    total = tallies["current"].total
    rows = tuple(
        Row(reason, (now[reason], before[reason], Ratio(now[reason], total))) for reason in AVOIDABLE_REASONS
    )
    return Table(
        "avoidable_reasons", "avoidable_reason", ("contacts", "previous_contacts", "share"), rows, "contacts"
    )


def _response_table(tallies: dict) -> Table:
    now = tallies["current"]
    rows = tuple(
        Row(
            channel,
            (
                now.by["channel"].get(channel, CaseCounts()).received,
                _acknowledged(now.by["channel"].get(channel, CaseCounts())),
                _responded(now.requests_by_channel.get(channel, CaseCounts())),
            ),
        )
        for channel in _values(CHANNELS, now.by["channel"])
    )
    return Table(
        "response_by_channel",
        "channel",
        ("cases", "acknowledged_on_time", "responded_on_time"),
        rows,
        chart="acknowledged_on_time",
    )


def _complaint_table(key: str, tallies: dict, dimension: str, known) -> Table:
    now, before = tallies["current"].complaints_by[dimension], tallies["previous"].complaints_by[dimension]
    empty = CaseCounts()
    rows = tuple(
        Row(
            value,
            (
                now.get(value, empty).received,
                before.get(value, empty).received,
                _responded(now.get(value, empty)),
            ),
        )
        for value in _values(known, [*now, *before])
    )
    return Table(
        key, dimension, ("complaints", "previous_complaints", "responded_on_time"), rows, "complaints"
    )


def _rating_table(tallies: dict) -> Table:
    now, before = tallies["current"].by_rating, tallies["previous"].by_rating
    total = sum(now.values())
    rows = tuple(
        Row(score, (now[score], before[score], Ratio(now[score], total))) for score in SATISFACTION_RATINGS
    )
    return Table(
        "satisfaction_by_rating", "rating", ("ratings", "previous_ratings", "share"), rows, "ratings"
    )


def _moment_table(tallies: dict) -> Table:
    rows = []
    for moment in SATISFACTION_MOMENTS:
        now = metrics.satisfied(tallies["current"].by_moment[moment])
        before = metrics.satisfied(tallies["previous"].by_moment[moment])
        rows.append(Row(moment, (now.denominator, now, before)))
    return Table(
        "satisfaction_by_moment",
        "moment",
        ("ratings", "satisfied", "previous_satisfied"),
        tuple(rows),
        "satisfied",
    )


def _visits_table(visits: VisitTotals) -> Table:
    def called_late(counts: VisitCounts) -> int:
        return counts.late - counts.left

    now, before = visits.current, visits.previous
    rows = (
        Row("on_time", (now.on_time, before.on_time)),
        Row("late", (called_late(now), called_late(before))),
        Row("left", (now.left, before.left)),
        Row("waiting", (now.waiting, before.waiting)),
    )
    return Table("visits", "visit_outcome", ("visitors", "previous_visitors"), rows, "visitors")
