"""What every page's layout needs: the council's details, the language and its direction, htmx rendering."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from govuk_frontend_wtf.main import wtforms_errors
from jinja2_fragments.flask import render_block
from sqlalchemy.exc import SQLAlchemyError

from crm_bridge.catalogue import default_catalogue
from kiosk.device import current_kiosk

from .auth.navigation import staff_navigation
from .db import db
from .domain import LANGUAGES, SERVICE_GROUPS
from .i18n import html_language_attributes, language_choices, text_direction


def register_layout(app: Flask) -> None:
    app.context_processor(_layout_context)
    app.add_template_global(error_summary)
    app.add_template_global(case_status_label)
    app.add_template_global(request_type_named, "request_type_named")
    app.add_template_global(staff_navigation)
    app.add_template_global(language_choices)
    app.after_request(_vary_on_htmx)


def error_summary(form, attributes: dict | None = None) -> dict:
    """Parameters for govukErrorSummary: every error of the form, linked to its field, in our words."""
    return wtforms_errors(form, {"titleText": _("There is a problem"), "attributes": attributes or {}})


def request_type_named(code: str | None):
    """The e-form an article or answer points to, if the catalogue has it."""
    return default_catalogue().get(code) if code else None


def case_status_label(status: str) -> str:
    labels = {
        "new": _("Received"),
        "acknowledged": _("Acknowledged"),
        "in_progress": _("In progress"),
        "waiting_for_customer": _("Waiting for your reply"),
        "resolved": _("Resolved"),
        "closed": _("Closed"),
    }
    return labels.get(status, status)


def pagination(page: int, pages: int, href: Callable[[int], str], label: str) -> dict | None:
    """govukPagination's parameters: the first, last and nearby pages, with ellipses between; None when
    there is only one page."""
    if pages < 2:
        return None
    items, last = [], 0
    for number in range(1, pages + 1):
        if number in (1, pages) or abs(number - page) <= 2:
            if number - last > 1:
                items.append({"ellipsis": True})
            items.append({"number": number, "href": href(number), "current": number == page})
            last = number
    return {
        "previous": {"href": href(page - 1)} if page > 1 else None,
        "next": {"href": href(page + 1)} if page < pages else None,
        "items": items,
        "landmarkLabel": label,
    }


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
        "html_lang": html_language_attributes(lang),
        "languages": LANGUAGES,
        "service_groups": SERVICE_GROUPS,
        "htmx_fragment": is_htmx_fragment_request(),
        # Residents' pages extend this: the kiosk's own layout on a registered kiosk, else the portal's.
        "base_layout": "kiosk/layout.html" if _on_a_kiosk() else "layout.html",
    }


def _on_a_kiosk() -> bool:
    try:
        return current_kiosk() is not None
    except SQLAlchemyError:
        # An error page while the database is down still renders, in the portal's layout.
        db.session.rollback()
        return False


def is_htmx_fragment_request() -> bool:
    """htmx asking for a part of the page: not a boosted link and not a history restore, which want it all."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def _vary_on_htmx(response: Response) -> Response:
    """The same URL answers with a fragment or the whole page, so no cache may give one for the other."""
    if response.mimetype == "text/html":
        response.vary.add("HX-Request")
    return response


def render_page(template: str, block: str, **context) -> str:
    """The whole page, or only the block htmx swaps when the request comes from htmx."""
    if is_htmx_fragment_request():
        return render_block(template, block, **context)
    return render_template(template, **context)
