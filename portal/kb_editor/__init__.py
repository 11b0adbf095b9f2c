"""Knowledge-base editors: articles and translations, publishing, review dates and the change log."""

from flask import Blueprint

from portal.auth.access import guard_staff_blueprint

kb_editor = Blueprint("kb_editor", __name__, url_prefix="/staff/knowledge-base")
guard_staff_blueprint(kb_editor)

from . import views  # noqa: E402,F401  (adds the routes to the blueprint)
