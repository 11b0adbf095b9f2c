"""The managers' dashboard (docs/reports.md): a period and drill-down filters in one GET form, headline
figures against the previous period and the targets, and each table as a chart, a data table and a CSV."""

from __future__ import annotations

from flask import Response, current_app, request
from flask_babel import _

from crm_bridge.reports.dashboard import TABLE_KEYS, Dashboard, build_dashboard
from crm_bridge.spreadsheet import csv_text
from crm_bridge.staff.roles import Permission
from crm_bridge.workbench.sla import uk_today
from kiosk.visits import WAIT_STANDARD_MINUTES
from portal.auth.access import permission_required
from portal.layout import render_page

from . import reports
from .forms import DashboardForm
from .presentation import column_label, csv_value, dashboard_view, filter_label, value_label


def _standard_minutes() -> int:
    return int(current_app.config.get("RECEPTION_WAIT_STANDARD_MINUTES") or WAIT_STANDARD_MINUTES)


def _dashboard_for_request() -> tuple[DashboardForm, Dashboard, bool]:
    """The form as asked (errors next to their fields) and the dashboard for what was valid in it: the
    default period when the period asked for was not."""
    form = DashboardForm(formdata=request.args)
    valid = form.validate() if request.args else True
    today = uk_today()
    dashboard = build_dashboard(
        form.chosen_period(today),
        form.filters(),
        current_app.config["REPORT_TARGETS"],
        today,
        visit_standard_minutes=_standard_minutes(),
    )
    return form, dashboard, valid


@reports.get("")
@permission_required(Permission.VIEW_REPORTS)
def show_dashboard():
    form, dashboard, valid = _dashboard_for_request()
    html = render_page(
        "reports/dashboard.html",
        "dashboard",
        form=form,
        view=dashboard_view(dashboard, request.args.to_dict(flat=False), _standard_minutes()),
        page_title=_("Reports"),
    )
    return html, 200 if valid else 422


@reports.get("/tables/<any(" + ", ".join(TABLE_KEYS) + "):table>.csv")
@permission_required(Permission.VIEW_REPORTS)
def export_table(table: str):
    """One table of the dashboard as CSV, for the same period and filters (query string) as the page."""
    _form, dashboard, _valid = _dashboard_for_request()
    if table not in dashboard.table_keys:  # the visits table, when the filters leave visits out
        return Response(_("This table has no figures for these filters."), 404, mimetype="text/plain")
    chosen = dashboard.table(table)
    header = [filter_label(chosen.dimension)] + [column_label(column) for column in chosen.columns]
    rows = (
        [value_label(chosen.dimension, row.value)] + [csv_value(cell) for cell in row.cells]
        for row in chosen.rows
    )
    period = dashboard.period
    filename = f"{table.replace('_', '-')}-{period.start.isoformat()}-to-{period.end.isoformat()}.csv"
    return Response(
        csv_text(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
