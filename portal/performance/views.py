from __future__ import annotations

import time

from flask import current_app, render_template
from flask_babel import _, format_date
from flask_babel import lazy_gettext as _l

from crm_bridge.reports.periods import Period
from crm_bridge.reports.published import NOT_RECORDED, PublishedPerformance, published_performance
from crm_bridge.workbench.sla import uk_date
from portal.auth.access import open_to_everyone
from portal.db import utcnow

from . import performance

# The figures are for whole quarters past, so they change rarely; the page is public and may be asked for
# often. Counting them takes a few aggregate queries, so each process keeps them this long.
CACHE_SECONDS = 300
CACHE_KEY = "performance_figures"

CATEGORY_LABELS = {
    "service-failure": _l("We did not provide a service, or got it wrong"),
    "standards-failure": _l("We did not meet our published service standards"),
    "officer-behaviour": _l("The behaviour or attitude of a member of staff"),
    "bureaucratic-process": _l("Our process or rules"),
    "poor-information": _l("Information we gave was wrong or unclear"),
    "other": _l("Something else"),
    NOT_RECORDED: _l("Not recorded"),
}


STANDARD_LABELS = {
    "first_contact_resolution": _l("Sort out what you need the first time you contact us"),
    "written_acknowledged": _l("Acknowledge online forms and emails within 1 working day"),
    "written_responded": _l("Reply in full to online forms and emails within 10 working days"),
    "complaints_responded": _l("Reply in full to complaints within 15 working days"),
    "letters_acknowledged": _l("Acknowledge letters within 5 working days"),
    "visitors_seen": _l("See visitors to our offices within 10 minutes"),
}

OUTCOME_LABELS = {
    "upheld": _l("Upheld"),
    "partly_upheld": _l("Partly upheld"),
    "not_upheld": _l("Not upheld"),
}


@performance.get("/our-performance")
@open_to_everyone
def show_performance():
    figures = cached_figures()
    return render_template(
        "performance/show.html",
        page_title=_("Our performance"),
        figures=figures,
        quarter_label=quarter_label,
        standard_labels=STANDARD_LABELS,
        outcome_labels=OUTCOME_LABELS,
        category_labels=CATEGORY_LABELS,
    )


def cached_figures() -> PublishedPerformance:
    """The figures as of today (UK), counted at most once every CACHE_SECONDS per process. The key holds no
    language: numbers are formatted for the resident's language when the page is rendered."""
    today = uk_date(utcnow())
    cached = current_app.extensions.get(CACHE_KEY)
    if cached and cached[0] == today and cached[1] > time.monotonic():
        return cached[2]
    figures = published_performance(today, current_app.config["REPORT_TARGETS"])
    current_app.extensions[CACHE_KEY] = (today, time.monotonic() + CACHE_SECONDS, figures)
    return figures


def quarter_label(quarter: Period) -> str:
    """ "April to June 2026", with the month names in the resident's language."""
    return _(
        "%(first_month)s to %(last_month)s %(year)s",
        first_month=format_date(quarter.start, "LLLL"),
        last_month=format_date(quarter.end, "LLLL"),
        year=quarter.end.year,
    )
