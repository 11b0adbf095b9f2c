from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_babel import _, get_locale

from knowledge_base.operations import published_titles
from portal.db import db
from portal.domain import LANGUAGES
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


@main.get("/language/<lang>")
def choose_language(lang: str):
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next_url(request.args.get("next"), default=url_for("main.show_home")))


@main.get("/healthz")
def check_health():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
