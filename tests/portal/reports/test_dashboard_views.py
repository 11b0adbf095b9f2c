"""The managers' dashboard pages: who may see them, the form, drill-down and the CSV tables."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest

from crm_bridge.contacts import record_contact
from crm_bridge.reports.periods import preset
from crm_bridge.workbench.sla import uk_today
from portal.db import db
from tests.portal.helpers import assert_well_formed, page, text

URL = "/staff/reports"
JULY = "period=custom&date_from=1&date_from=7&date_from=2026&date_to=31&date_to=7&date_to=2026"


@pytest.fixture
def july_contacts(app):
    def contact(channel, **fields):
        values = {
            "service_group": "environment",
            "interaction_type": "providing_information",
            "lang": "en",
            "resolved_at_first_point": False,
        }
        record_contact(channel, started_at=datetime(2026, 7, 14, 10), **(values | fields))

    for _ in range(3):
        contact("web", resolved_at_first_point=True)
    contact("phone", service_group="parking", lang="pl", avoidable_reason="repeat_contact")
    db.session.commit()


def test_a_manager_sees_the_dashboard(staff_client, july_contacts):
    client, _ = staff_client("manager")

    response = client.get(f"{URL}?{JULY}")

    assert assert_well_formed(response, 200) == "Reports"
    soup = page(response)
    assert "1 July 2026 to 31 July 2026" in text(soup.find(id="report-period"))
    assert "1 June 2026 to 30 June 2026" in text(soup.find(id="compared-with"))
    card = soup.find(id="headline-self-service-share")
    assert "75.0%" in text(card)
    assert "3 of 4" in text(card)
    assert "Target met" in text(card)  # in words, not colour alone
    assert "Cannot compare" in text(card)
    table = soup.find(id="table-channels")
    assert table.find("caption").get_text(strip=True) == "Contacts by channel"
    assert all(th["scope"] == "col" for th in table.select("thead th"))
    assert text(table.find("th", scope="row")).startswith("Website")
    chart = soup.find(id="table-channels-chart").find("svg")
    assert chart["aria-hidden"] == "true"
    assert soup.find(attrs={"style": True}) is None


@pytest.mark.parametrize("role", ["advisor", "kb_editor", "service_officer"])
def test_other_staff_are_refused(staff_client, role):
    client, _ = staff_client(role)

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}/tables/channels.csv").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (URL, f"{URL}/tables/channels.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.location.startswith("/staff/sign-in")


def test_the_default_period_is_last_quarter(staff_client):
    client, _ = staff_client("manager")
    quarter = preset("last-quarter", uk_today())

    soup = page(client.get(URL))

    assert quarter.end.strftime("%Y") in text(soup.find(id="report-period"))
    assert soup.find(id="period").find("option", selected=True)["value"] == "last-quarter"


def _link(soup, table_id: str, label: str):
    return next(a for a in soup.find(id=table_id).find_all("a") if text(a).startswith(label))


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.text)))


def test_each_table_downloads_as_csv_with_the_same_figures(staff_client, july_contacts):
    client, _ = staff_client("manager")
    soup = page(client.get(f"{URL}?{JULY}"))
    link = soup.find(id="table-channels-csv")

    response = client.get(link["href"])

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == [
        "Channel",
        "Contacts",
        "Contacts in the previous period",
        "Share",
        "Resolved at first point",
    ]
    assert rows[1] == ["Website", "3", "0", "75.0", "100.0"]
    assert ["Phone", "1", "0", "25.0", "0.0"] in rows
    assert ["Post", "0", "0", "0.0", ""] in rows
    html_rows = [
        [text(cell) for cell in row.find_all(["th", "td"])]
        for row in soup.find(id="table-channels").select("tbody tr")
    ]
    assert [row[1] for row in html_rows] == [row[1] for row in rows[1:]]


def test_rows_drill_down_and_filters_can_be_removed(staff_client, july_contacts):
    client, _ = staff_client("manager")
    soup = page(client.get(f"{URL}?{JULY}"))
    phone = _link(soup, "table-channels", "Phone")

    drilled = client.get(phone["href"])

    assert "channel=phone" in phone["href"] and "date_from=2026" in phone["href"]
    soup = page(drilled)
    filters = soup.find(id="active-filters")
    assert "Channel" in text(filters) and "Phone" in text(filters)
    assert "1 of 1" not in text(soup.find(id="headline-self-service-share"))
    assert "0 of 1" in text(soup.find(id="headline-self-service-share"))
    # The channel is chosen, so the channel rows no longer drill down; service groups still do.
    assert soup.find(id="table-channels").find("a") is None
    parking = _link(soup, "table-service-groups", "Parking")
    assert "service_group=parking" in parking["href"] and "channel=phone" in parking["href"]
    remove = filters.find("a")
    assert "channel=" not in remove["href"]
    assert "1 July 2026" in text(page(client.get(remove["href"])).find(id="report-period"))
    csv_link = soup.find(id="table-languages-csv")
    assert "channel=phone" in csv_link["href"]
    assert _csv(client.get(csv_link["href"]))[1:3] == [
        ["English", "0", "0", "0.0", ""],
        ["Cymraeg", "0", "0", "0.0", ""],
    ]


def test_a_date_that_does_not_exist_is_refused_next_to_the_field(staff_client):
    client, _ = staff_client("manager")

    response = client.get(f"{URL}?period=custom&date_from=31&date_from=2&date_from=2026"
                          "&date_to=1&date_to=3&date_to=2026&channel=web")  # fmt: skip

    assert assert_well_formed(response, 422) == "Reports"
    soup = page(response)
    assert "Date from must be a real date" in text(soup.find(class_="govuk-error-summary"))
    group = soup.find(id="date_from").find_parent(class_="govuk-form-group")
    assert "Date from must be a real date" in text(group.find(class_="govuk-error-message"))
    assert [box["value"] for box in soup.select("input[name=date_to]")] == ["1", "3", "2026"]
    assert soup.find(id="channel").find("option", selected=True)["value"] == "web"
    default = preset("last-quarter", uk_today())
    assert f"{default.start.day} " in text(soup.find(id="report-period"))


def test_an_end_before_the_start_and_an_unknown_filter_are_refused(staff_client):
    client, _ = staff_client("manager")

    response = client.get(f"{URL}?period=custom&date_from=2&date_from=3&date_from=2026"
                          "&date_to=1&date_to=3&date_to=2026&lang=xx")  # fmt: skip

    assert response.status_code == 422
    soup = page(response)
    assert "Date to must be the same as or after date from" in text(
        soup.find(id="date_to").find_parent(class_="govuk-form-group")
    )
    assert "Choose one of the options for ‘Language’" in text(
        soup.find(id="lang").find_parent(class_="govuk-form-group")
    )
    assert soup.find(id="active-filters") is None


def test_the_visits_table_is_not_offered_when_visits_are_not_counted(staff_client):
    client, _ = staff_client("manager")

    soup = page(client.get(f"{URL}?service_group=parking"))

    assert soup.find(id="visits-not-counted") is not None
    assert soup.find(id="table-visits") is None
    assert client.get(f"{URL}/tables/visits.csv?service_group=parking").status_code == 404
    assert client.get(f"{URL}/tables/visits.csv").status_code == 200
    assert client.get(f"{URL}/tables/nothing.csv").status_code == 404


def test_the_page_is_translated(staff_client):
    client, _ = staff_client("manager")
    client.set_cookie("lang", "cy", domain="localhost")

    response = client.get(URL)

    assert response.status_code == 200
    assert date.today().year > 2000  # the page renders in another locale without error
