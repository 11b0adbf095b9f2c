from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import _, get_locale

from knowledge_base.operations import published_titles
from portal.channel import current_channel
from portal.db import db
from portal.domain import LANGUAGES
from portal.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE
from portal.search.forms import SearchForm
from portal.urls import safe_next_url

from . import health

main = Blueprint("main", __name__)

# The tasks residents ask about most, shown on the home page (DOMAIN.md's top contact reasons).
POPULAR_TASKS = [
    "bin-collection-day",
    "missed-bin-collection",
    "bulky-waste-collection",
    "pay-council-tax",
    "council-tax-discounts",
    "bus-pass-apply",
    "pay-parking-fine",
    "homelessness-prevention",
    "fly-tipping",
]


@main.get("/")
def show_home():
    popular = published_titles(POPULAR_TASKS, str(get_locale()))
    return render_template(
        "search/search.html",
        form=SearchForm(),
        response=None,
        popular_tasks=popular,
        page_title=_("Find answers"),
    )


@main.get("/contact")
def show_contact():
    return render_template("main/contact.html", page_title=_("Contact us"))


@main.get("/accessibility")
def show_accessibility():
    return render_template("main/accessibility.html", page_title=_("Accessibility statement"))


@main.get("/language/<lang>")
def choose_language(lang: str):
    """The resident's choice holds for the visit (session) and, on their own device, for a year (cookie);
    on a kiosk only for the visit, which the Finish button wipes."""
    response = redirect(safe_next_url(request.args.get("next"), default=url_for("main.show_home")))
    if lang in LANGUAGES:
        session["lang"] = lang
        if current_channel() != "kiosk":
            response.set_cookie(
                LANGUAGE_COOKIE,
                lang,
                max_age=LANGUAGE_COOKIE_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            )
    return response


@main.get("/healthz")
def check_health():
    """Liveness: the process answers. Nothing else is checked, so a database outage never gets every
    process restarted at once (readiness, below, takes them out of the load balancer instead)."""
    return _no_store(jsonify(status="ok"))


@main.get("/readyz")
def check_readiness():
    """Readiness: 200 when this process can serve residents, else 503 naming what is not ready."""
    checks = health.readiness(db.engine, current_app.extensions["migrate"].directory, _redis_client())
    ready = health.is_ready(checks)
    return _no_store(jsonify(status="ready" if ready else "not ready", checks=checks)), 200 if ready else 503


def _redis_client():
    """One client (and connection pool) per application, made on first use; None without REDIS_URL."""
    if not current_app.config.get("REDIS_URL"):
        return None
    if "readiness_redis" not in current_app.extensions:
        current_app.extensions["readiness_redis"] = health.redis_client(current_app.config["REDIS_URL"])
    return current_app.extensions["readiness_redis"]


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response
