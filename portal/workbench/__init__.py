"""The advisors' and service officers' workbench: queues, the case page and the work done on a case."""

from flask import Blueprint

from portal.auth.access import guard_staff_blueprint

workbench = Blueprint("workbench", __name__, url_prefix="/staff/cases")
guard_staff_blueprint(workbench)

from . import actions, views  # noqa: E402,F401  (they add their routes to the blueprint)
