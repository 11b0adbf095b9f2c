"""Friendly error pages; the API answers in JSON."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import _
from flask_wtf.csrf import CSRFError


def _page(status: int, title: str, message: str):
    if request.path.startswith("/api/"):
        return jsonify(error=title), status
    return render_template("errors/error.html", page_title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(404)
    def not_found(_error):
        if request.path.startswith("/open311/"):  # no Open311 route matched (a control character in it)
            from crm_bridge.open311.views import Open311Error, open311_error

            return open311_error(Open311Error(404, "not an Open311 GeoReport v2 resource (.json or .xml)"))
        return _page(404, _("Page not found"), _("If you typed the web address, check it is correct."))

    @app.errorhandler(CSRFError)
    def form_expired(_error):
        if request.headers.get("HX-Request"):
            # htmx swaps no 400; reloading the page gives the resident a fresh form that works.
            return "", 400, {"HX-Refresh": "true"}
        return _page(
            400,
            _("Sorry, your form has expired"),
            _("Go back, refresh the page and try again. Nothing you entered has been saved."),
        )

    @app.errorhandler(429)
    def too_many_requests(error):
        from .rate_limits import too_many_requests as answer  # page, htmx fragment or JSON (rate-limits.md)

        return answer(error)

    @app.errorhandler(405)
    def not_allowed(_error):
        return _page(405, _("Page not found"), _("If you typed the web address, check it is correct."))

    @app.errorhandler(500)
    def server_error(_error):
        return _page(500, _("Sorry, there is a problem with the service"), _("Try again later."))
