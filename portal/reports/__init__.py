"""Managers' reports in the workbench: the dashboard, its CSV tables and the content gaps."""

from flask import Blueprint

from portal.auth.access import guard_staff_blueprint

reports = Blueprint("reports", __name__, url_prefix="/staff/reports")
guard_staff_blueprint(reports)

from . import content_gaps, views  # noqa: E402,F401  (add the routes to the blueprint)
