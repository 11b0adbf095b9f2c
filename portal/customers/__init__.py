"""The single customer view, merging records, the persistent-complainant marker, subject access, erasure."""

from flask import Blueprint

from portal.auth.access import guard_staff_blueprint

customers = Blueprint("customers", __name__, url_prefix="/staff/customers")
guard_staff_blueprint(customers)

from . import views  # noqa: E402,F401  (adds the routes to the blueprint)
