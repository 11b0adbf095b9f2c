"""What every page's layout needs: the council's details, the language and its direction, htmx rendering."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import get_locale
from jinja2_fragments.flask import render_block

from .domain import LANGUAGES, SERVICE_GROUPS
from .i18n import text_direction


def register_layout(app: Flask) -> None:
    app.context_processor(_layout_context)


def _layout_context() -> dict:
    lang = str(get_locale())
    return {
        "council": {
            "name": current_app.config["COUNCIL_NAME"],
            "phone": current_app.config["COUNCIL_PHONE"],
            "email": current_app.config["COUNCIL_EMAIL"],
            "address": current_app.config["COUNCIL_ADDRESS"],
        },
        "current_lang": lang,
        "text_direction": text_direction(lang),
        "languages": LANGUAGES,
        "service_groups": SERVICE_GROUPS,
    }


def is_htmx_fragment_request() -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render_page(template: str, block: str, **context) -> str:
    """The whole page, or only the block htmx swaps when the request comes from htmx."""
    if is_htmx_fragment_request():
        return render_block(template, block, **context)
    return render_template(template, **context)
