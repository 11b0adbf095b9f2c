"""The kiosk's own pages: enrolment, the start screen and finishing a visit."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import _

from .device import current_kiosk, remember_device
from .registry import enrol_device

kiosk = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="templates", static_folder="static")


@kiosk.after_request
def _never_cache(response):
    """Nothing one visitor saw may come back from a cache for the next (back button included)."""
    response.headers["Cache-Control"] = "no-store"
    return response


@kiosk.get("/enrol/<code>")
def enrol(code: str):
    enrolled = enrol_device(code)
    if enrolled is None:
        abort(404)
    response = redirect(url_for("kiosk.show_start"))
    remember_device(response, enrolled[1])
    return response


@kiosk.get("")
def show_start():
    if current_kiosk() is None:
        return render_template("kiosk/not_registered.html", page_title=_("This device is not a kiosk")), 403
    return render_template("kiosk/start.html", page_title=_("How can we help you today?"))
