"""Assisted contacts: advisors log phone, face-to-face, email and post contacts, or hand them off."""

from flask import Blueprint

from portal.auth.access import guard_staff_blueprint

contacts = Blueprint("contacts", __name__, url_prefix="/staff/contacts")
guard_staff_blueprint(contacts)

from . import views  # noqa: E402,F401  (adds the routes to the blueprint)
