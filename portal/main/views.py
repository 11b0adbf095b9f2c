from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import _, get_locale

from knowledge_base.operations import published_titles
from portal.channel import current_channel
from portal.db import db
from portal.domain import LANGUAGES
from portal.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE
from portal.search.forms import SearchForm
from portal.urls import safe_next_url

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
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
