"""The dashboard in words: labels for its codes (the existing label maps reused), numbers in the page's
locale, and what each chart and table shows. The figures themselves come from crm_bridge.reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import _, format_date, format_decimal, format_percent
from flask_babel import lazy_gettext as _l

from crm_bridge.reports.dashboard import Dashboard, Headline, Table, complaint_categories
from crm_bridge.reports.metrics import Ratio
from portal.contacts.forms import (
    AVOIDABLE_LABELS,
    CHANNEL_LABELS,
    INTERACTION_TYPE_LABELS,
    SERVICE_GROUP_LABELS,
)
from portal.domain import LANGUAGES
from portal.satisfaction.forms import RATING_CHOICES
from portal.workbench.forms import OUTCOME_LABELS

HEADLINE_LABELS = {
    "self_service_share": _l("Self-service share"),
    "first_contact_resolution": _l("Resolved at the first point of contact"),
    "avoidable_contact_rate": _l("Avoidable contact"),
    "acknowledged_on_time": _l("Acknowledged within the standard"),
    "responded_on_time": _l("Full response within the standard"),
    "complaints_responded_on_time": _l("Complaints answered within the standard"),
    "visitors_seen_on_time": _l("Visitors seen within the standard"),
    "satisfied": _l("Satisfied with the service"),
}
HEADLINE_HINTS = {
    "self_service_share": _l("Contacts on the website, chat assistant, kiosk or partner apps"),
    "first_contact_resolution": _l("Contacts resolved with no hand-off"),
    "avoidable_contact_rate": _l(
        "Chasing progress, not understood, repeat or wrongly routed. Lower is better"
    ),
    "acknowledged_on_time": _l("1 working day for forms and emails, 5 for letters"),
    "responded_on_time": _l("Usually 10 working days; complaints apart"),
    "complaints_responded_on_time": _l("15 working days"),
    "satisfied": _l("Rated good or very good"),
}
TABLE_CAPTIONS = {
    "channels": _l("Contacts by channel"),
    "service_groups": _l("Contacts by service group"),
    "interaction_types": _l("Contacts by interaction type"),
    "languages": _l("Contacts by language"),
    "avoidable_reasons": _l("Avoidable contacts by reason"),
    "response_by_channel": _l("Response times by channel"),
    "complaints_by_category": _l("Complaints by category"),
    "complaints_by_service_group": _l("Complaints by service group"),
    "complaints_by_stage": _l("Complaints by stage"),
    "complaints_by_outcome": _l("Complaints by outcome"),
    "satisfaction_by_rating": _l("Satisfaction ratings"),
    "satisfaction_by_moment": _l("Satisfaction by moment rated"),
    "visits": _l("Reception visitors"),
}
COLUMN_LABELS = {
    "contacts": _l("Contacts"),
    "previous_contacts": _l("Contacts in the previous period"),
    "share": _l("Share"),
    "first_contact_resolution": _l("Resolved at first point"),
    "cases": _l("Cases"),
    "acknowledged_on_time": _l("Acknowledged within the standard"),
    "responded_on_time": _l("Full response within the standard"),
    "complaints": _l("Complaints"),
    "previous_complaints": _l("Complaints in the previous period"),
    "ratings": _l("Ratings"),
    "previous_ratings": _l("Ratings in the previous period"),
    "satisfied": _l("Satisfied"),
    "previous_satisfied": _l("Satisfied in the previous period"),
    "visitors": _l("Visitors"),
    "previous_visitors": _l("Visitors in the previous period"),
}
DIMENSION_LABELS = {
    "channel": _l("Channel"),
    "service_group": _l("Service group"),
    "interaction_type": _l("Interaction type"),
    "lang": _l("Language"),
    "avoidable_reason": _l("Reason"),
    "complaint_category": _l("Category"),
    "complaint_stage": _l("Stage"),
    "complaint_outcome": _l("Outcome"),
    "rating": _l("Rating"),
    "moment": _l("Rated after"),
    "visit_outcome": _l("What happened"),
}
MOMENT_LABELS = {
    "answer": _l("An answer that helped"),
    "form": _l("A form sent"),
    "case_resolved": _l("A request resolved"),
    "kiosk_visit": _l("A visit to the kiosk"),
}
VISIT_LABELS = {
    "on_time": _l("Seen within the standard"),
    "late": _l("Seen later"),
    "left": _l("Left before being seen"),
    "waiting": _l("Still waiting (not counted)"),
}
RATING_LABELS = {int(choice.value): choice.label for choice in RATING_CHOICES}


def filter_label(dimension: str) -> str:
    return str(DIMENSION_LABELS.get(dimension, dimension))


def column_label(column: str) -> str:
    return str(COLUMN_LABELS.get(column, column))


def value_label(dimension: str, value) -> str:
    """A code in words, in the page's language."""
    if value is None:
        return _("No outcome yet") if dimension == "complaint_outcome" else _("Not recorded")
    if dimension == "complaint_stage":
        return _("Stage %(stage)s", stage=value)
    if dimension == "complaint_category":
        label = complaint_categories().get(value)
        return _(label) if label else str(value)
    if dimension == "lang":
        return LANGUAGES.get(value, value)
    labels = {
        "channel": CHANNEL_LABELS,
        "service_group": SERVICE_GROUP_LABELS,
        "interaction_type": INTERACTION_TYPE_LABELS,
        "avoidable_reason": AVOIDABLE_LABELS,
        "complaint_outcome": OUTCOME_LABELS,
        "rating": RATING_LABELS,
        "moment": MOMENT_LABELS,
        "visit_outcome": VISIT_LABELS,
    }.get(dimension, {})
    return str(labels.get(value, value))


def percent(value: float | None) -> str:
    return "" if value is None else format_percent(value, "#,##0.0%")


def number(value: int) -> str:
    return format_decimal(value, "#,##0")


def cell_text(cell) -> str:
    """A count as a number; a ratio as a percentage, or a dash when nothing was counted."""
    if isinstance(cell, Ratio):
        return percent(cell.value) or "–"
    return number(cell)


def csv_value(cell) -> str | int:
    """A count as it is; a ratio as a percentage to one decimal place (empty when nothing was counted)."""
    if isinstance(cell, Ratio):
        return "" if cell.value is None else f"{100 * cell.value:.1f}"
    return cell


def period_text(start: date, end: date) -> str:
    return _("%(start)s to %(end)s", start=format_date(start, "d MMMM y"), end=format_date(end, "d MMMM y"))


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    hint: str
    figure: str
    counted: str
    previous: str
    change: str
    target: str
    verdict: str  # in words: met, not met, no target, nothing counted
    verdict_class: str


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    y: int
    width: float


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    height: int


@dataclass(frozen=True)
class TableView:
    key: str
    caption: str
    first_header: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, str | None, tuple[str, ...]], ...]  # (label, drill-down link, cells)
    chart: Chart
    chart_caption: str
    csv_url: str


@dataclass(frozen=True)
class ActiveFilter:
    label: str
    value: str
    remove_url: str


@dataclass(frozen=True)
class DashboardView:
    period: str
    previous_period: str
    cards: tuple[Card, ...]
    tables: tuple[TableView, ...]
    filters: tuple[ActiveFilter, ...]
    visits_counted: bool
    contacts: str
    csv_args: dict


def dashboard_view(dashboard: Dashboard, args: dict, standard_minutes: int) -> DashboardView:
    """What the template shows. `args` is the query string, kept in drill-down, removal and CSV links."""
    return DashboardView(
        period=period_text(dashboard.period.start, dashboard.period.end),
        previous_period=period_text(dashboard.previous_period.start, dashboard.previous_period.end),
        cards=tuple(_card(headline, standard_minutes) for headline in dashboard.headlines),
        tables=tuple(_table_view(table, args) for table in dashboard.tables),
        filters=tuple(
            ActiveFilter(filter_label(name), value_label(name, value), _with(args, name, None))
            for name, value in dashboard.filters.active().items()
        ),
        visits_counted=dashboard.visits_counted,
        contacts=number(dashboard.totals.contacts[0]),
        csv_args=args,
    )


def _with(args: dict, name: str, value: str | None) -> str:
    """The dashboard with one filter set (value) or removed (None), everything else kept."""
    kept = {key: item for key, item in args.items() if key != name}
    if value is not None:
        kept[name] = value
    return url_for("reports.show_dashboard", **kept)


def _card(headline: Headline, standard_minutes: int) -> Card:
    current, previous = headline.current, headline.previous
    return Card(
        key=headline.key,
        label=str(HEADLINE_LABELS.get(headline.key, headline.key)),
        hint=_hint(headline.key, standard_minutes),
        figure=percent(current.value) or _("No figures"),
        counted=_(
            "%(numerator)s of %(denominator)s",
            numerator=number(current.numerator),
            denominator=number(current.denominator),
        ),  # fmt: skip
        previous=percent(previous.value) or _("No figures"),
        change=_change_text(headline.change),
        target=percent(headline.target) if headline.target is not None else _("No target"),
        verdict=_verdict(headline),
        verdict_class={True: "met", False: "not-met"}.get(headline.met, "none"),
    )


def _hint(key: str, standard_minutes: int) -> str:
    if key == "visitors_seen_on_time":
        return _("Called within %(minutes)s minutes of checking in", minutes=standard_minutes)
    return str(HEADLINE_HINTS.get(key, ""))


def _change_text(change: float | None) -> str:
    if change is None:
        return _("Cannot compare")
    points = format_decimal(abs(change), "#,##0.0")
    if round(change, 1) == 0:
        return _("No change")
    if change > 0:
        return _("Up %(points)s percentage points", points=points)
    return _("Down %(points)s percentage points", points=points)


def _verdict(headline: Headline) -> str:
    if headline.current.value is None:
        return _("Nothing to count in this period")
    if headline.met is None:
        return _("No target")
    return _("Target met") if headline.met else _("Target not met")


BAR_HEIGHT, ROW_HEIGHT, BAR_SPACE = 14, 40, 440  # SVG units; the label sits above its bar


def _chart(table: Table) -> Chart:
    cells = table.column(table.chart)
    values = [(cell.value or 0) if isinstance(cell, Ratio) else cell for cell in cells]
    largest = 1.0 if isinstance(cells[0], Ratio) else max(values, default=0) or 1
    bars = tuple(
        Bar(
            value_label(table.dimension, row.value),
            cell_text(cell),
            index * ROW_HEIGHT,
            BAR_SPACE * value / largest,
        )
        for index, (row, cell, value) in enumerate(zip(table.rows, cells, values, strict=True))
    )
    return Chart(bars, len(bars) * ROW_HEIGHT)


def _table_view(table: Table, args: dict) -> TableView:
    drill = table.drill_down
    rows = tuple(
        (
            value_label(table.dimension, row.value),
            _with(args, drill, str(row.value))
            if drill and row.value is not None and not args.get(drill)
            else None,
            tuple(cell_text(cell) for cell in row.cells),
        )
        for row in table.rows
    )
    return TableView(
        key=table.key,
        caption=str(TABLE_CAPTIONS.get(table.key, table.key)),
        first_header=filter_label(table.dimension),
        headers=tuple(column_label(column) for column in table.columns),
        rows=rows,
        chart=_chart(table),
        chart_caption=column_label(table.chart),
        csv_url=url_for("reports.export_table", table=table.key, **args),
    )
