"""The public "Our performance" page: open to everyone, in every language, aggregate figures only."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask_babel import refresh

from crm_bridge.handoff import CustomerDetails
from crm_bridge.reports.metrics import Ratio
from crm_bridge.reports.periods import recent_quarters
from crm_bridge.reports.published import PublishedPerformance, QuarterComplaints
from crm_bridge.workbench.sla import uk_date
from portal.db import db, utcnow
from portal.performance.views import CACHE_KEY
from tests.portal.helpers import assert_well_formed, page, text

PLANTED_NAME = "Zebedee Quixotically-Farquharson"


def get(client, url, **kwargs):
    refresh()  # the tests share one application context, where Flask-Babel keeps the locale it chose
    return client.get(url, **kwargs)


def last_quarter_start() -> datetime:
    """Noon on the 10th day of the last whole quarter, as stored (naive UTC)."""
    start = recent_quarters(uk_date(utcnow()), 1)[0].start
    return datetime(start.year, start.month, 10, 12, 0)


@pytest.fixture
def complaint(create_case):
    def create(**fields):
        return create_case(
            request_type="complaint",
            answers={"category": "officer-behaviour", "service_group": "parking"},
            location=None,
            created_at=last_quarter_start(),
            **fields,
        )

    return create


def test_anyone_can_read_the_page_without_signing_in(client):
    response = get(client, "/our-performance")

    assert assert_well_formed(response, 200) == "Our performance"
    soup = page(response)
    assert [text(h) for h in soup.select("h2.govuk-heading-l")] == [
        "Our service standards",
        "Our customer charter",
        "Complaints by quarter",
    ]
    assert "Local Government and Social Care Ombudsman" in text(
        soup.find(id="how-to-complain").find_next("ol")
    )


def test_the_footer_links_to_the_page(client):
    soup = page(get(client, "/contact"))

    links = [a["href"] for a in soup.select("footer a.govuk-footer__link")]
    assert "/our-performance" in links


def test_an_empty_quarter_shows_zeros_and_no_result_rather_than_an_error(client):
    soup = page(get(client, "/our-performance"))

    received = [text(cell) for cell in soup.find(id="complaints-received").find_all("td")]
    assert received == ["0", "0", "0", "0"]
    results = [text(row.find_all("td")[-1]) for row in soup.find(id="standards-table").tbody.find_all("tr")]
    assert results == ["No result"] * 6


def test_the_tables_are_accessible_and_label_the_quarters_in_words(client):
    soup = page(get(client, "/our-performance"))
    quarters = list(reversed(recent_quarters(uk_date(utcnow()), 4)))

    for table_id in ("standards-table", "complaints-table", "categories-table"):
        table = soup.find(id=table_id)
        assert text(table.caption)
        assert {th["scope"] for th in table.find_all("th")} == {"col", "row"}
    headers = [text(th) for th in soup.find(id="complaints-table").thead.find_all("th")][1:]
    assert headers == [
        f"{q.start:%B} to {q.end:%B} {q.end.year}"
        for q in quarters  # e.g. "April to June 2026"
    ]


def test_the_figures_are_shown_and_no_personal_data(client, complaint):
    resident = CustomerDetails(name=PLANTED_NAME, email="zebedee@example.org", phone="01632 960999")
    for _ in range(3):
        case = complaint(customer=resident, details=f"{PLANTED_NAME} was shouted at")
    case.resolved_on = uk_date(case.created_at)
    case.complaint_outcome = "upheld"
    db.session.commit()

    response = get(client, "/our-performance")
    html = response.get_data(as_text=True)
    soup = page(response)

    assert text(soup.find(id="complaints-received").find_all("td")[-1]) == "3"
    assert text(soup.find(id="complaints-upheld").find_all("td")[-1]) == "1"
    assert text(soup.find(id="category-officer-behaviour").find_all("td")[-1]) == "3"
    for personal in (PLANTED_NAME, "Zebedee", "zebedee@example.org", "960999", case.reference, "shouted"):
        assert personal not in html


def test_the_figures_are_cached_for_a_few_minutes(app, client, complaint):
    get(client, "/our-performance")
    complaint()

    cached = page(get(client, "/our-performance"))
    app.extensions.pop(CACHE_KEY)
    fresh = page(get(client, "/our-performance"))

    assert text(cached.find(id="complaints-received").find_all("td")[-1]) == "0"
    assert text(fresh.find(id="complaints-received").find_all("td")[-1]) == "1"


@pytest.mark.parametrize(("lang", "direction"), [("cy", "ltr"), ("ur", "rtl")])
def test_the_page_is_in_the_residents_language(client, lang, direction):
    response = get(client, f"/language/{lang}?next=/our-performance")
    soup = page(get(client, "/our-performance"))

    assert response.status_code == 302
    assert (soup.html["lang"], soup.html["dir"]) == (lang, direction)
    quarter = recent_quarters(uk_date(utcnow()), 1)[0]
    caption = text(soup.find(id="standards-caption"))
    assert str(quarter.end.year) in caption
    assert f"{quarter.start:%B}" not in caption  # the month is named in the resident's language


def test_numbers_are_formatted_for_the_locale(app, client):
    quarters = recent_quarters(uk_date(utcnow()), 4)
    figures = PublishedPerformance(
        quarters=[QuarterComplaints(q, received=12345, answered_on_time=Ratio(1, 3)) for q in quarters],
        standards=[],
    )
    app.extensions[CACHE_KEY] = (uk_date(utcnow()), float("inf"), figures)

    soup = page(get(client, "/our-performance"))

    assert text(soup.find(id="complaints-received").find_all("td")[-1]) == "12,345"
    assert text(soup.find(id="complaints-on-time").find_all("td")[-1]) == "1 (33%)"


def test_numbers_are_grouped_as_the_residents_language_groups_them(app, client):
    quarters = recent_quarters(uk_date(utcnow()), 4)
    figures = PublishedPerformance([QuarterComplaints(q, received=12345) for q in quarters], standards=[])
    app.extensions[CACHE_KEY] = (uk_date(utcnow()), float("inf"), figures)
    get(client, "/language/pl?next=/our-performance")

    soup = page(get(client, "/our-performance"))

    assert soup.find(id="complaints-received").find_all("td")[-1].get_text(strip=True) == "12\xa0345"


def test_on_the_kiosk_the_ombudsman_address_is_words_not_a_link_off_the_kiosk(kiosk_client):
    soup = page(get(kiosk_client, "/our-performance"))

    complaining = soup.find(id="how-to-complain").find_next("ol")
    assert "www.lgo.org.uk" in text(complaining)
    assert not [a for a in complaining.find_all("a") if a["href"].startswith("http")]
