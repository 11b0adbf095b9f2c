"""The one-question satisfaction rating residents give right after a transaction (docs/satisfaction.md)."""

from flask import Blueprint

satisfaction = Blueprint("satisfaction", __name__, url_prefix="/rate-our-service")

from . import views  # noqa: E402,F401  (adds the routes and template globals to the blueprint)
from .views import ask_kiosk_visitor, forget_kiosk_rating, kiosk_rating_pending  # noqa: E402

__all__ = ["ask_kiosk_visitor", "forget_kiosk_rating", "kiosk_rating_pending", "satisfaction"]
