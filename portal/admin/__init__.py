"""Administration: staff accounts, the audit log, kiosks and the outbox's delivery backlog."""

from flask import Blueprint

from portal.auth.access import guard_staff_blueprint

admin = Blueprint("admin", __name__, url_prefix="/staff/admin")
guard_staff_blueprint(admin)

from . import deliveries, kiosks, views  # noqa: E402,F401  (adds the routes to the blueprint)
