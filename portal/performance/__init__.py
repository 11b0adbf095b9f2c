"""The public "Our performance" page: the service standards, the customer charter and complaint statistics
by quarter (docs/performance-page.md)."""

from flask import Blueprint

performance = Blueprint("performance", __name__)

from . import views  # noqa: E402,F401  (adds the routes to the blueprint)
