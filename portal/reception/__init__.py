"""The reception queue in the workbench: visitors who checked in at the kiosk, called and seen by advisors."""

from flask import Blueprint

from portal.auth.access import guard_staff_blueprint

reception = Blueprint("reception", __name__, url_prefix="/staff/reception")
guard_staff_blueprint(reception)

from . import views  # noqa: E402,F401  (adds the routes to the blueprint)
