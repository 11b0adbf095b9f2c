"""The content-gaps report: who may open it, its three tables with their links, UK-day periods, filters,
bad input, the CSV of each table, the residents' comments (escaped and audited)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from crm_bridge.audit import AuditEvent
from knowledge_base.models import AnswerFeedback, SearchLog
from portal.db import db
from tests.portal.helpers import assert_well_formed, page, text

URL = "/staff/reports/content-gaps"
Q1 = {
    "period": "custom",
    "date_from": ["1", "1", "2026"],
    "date_to": ["31", "3", "2026"],
}
DAY = datetime(2026, 2, 10, 12, 0)


def log(query, confident=False, top_slug=None, at=DAY, lang="en", channel="web", source="results", times=1):
    for _ in range(times):
        db.session.add(
            SearchLog(
                created_at=at,
                query=query,
                lang=lang,
                channel=channel,
                source=source,
                top_slug=top_slug,
                top_score=0.5,
                confident=confident,
                result_count=1,
            )  # fmt: skip
        )
    db.session.commit()


def feedback(article, helpful, comment="", at=DAY, times=1):
    for _ in range(times):
        db.session.add(
            AnswerFeedback(
                article_id=article.id,
                created_at=at,
                lang="en",
                channel="web",
                helpful=helpful,
                comment=comment,
            )  # fmt: skip
        )
    db.session.commit()


def table_rows(soup, key: str) -> list[list[str]]:
    """Each row's cells as read, the actions column left out."""
    table = soup.find(id=f"table-{key}")
    return [[text(cell) for cell in row.find_all(["th", "td"])[:-1]] for row in table.tbody.find_all("tr")]


def csv_rows(client, key: str, args: dict) -> list[list[str]]:
    response = client.get(f"{URL}/{key}.csv", query_string=args)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def manager(staff_client):
    client, _user = staff_client("manager")
    return client


@pytest.fixture
def gaps(create_article):
    bins = create_article(slug="bin-day", title="Find your bin day")
    tax = create_article(slug="council-tax-bands", title="Council tax bands")
    log("Sofa collection", top_slug="bin-day", times=2)
    log("sofa  COLLECTION", lang="pl", at=DAY + timedelta(days=1))
    log("bin day", confident=True, top_slug="bin-day", times=4)
    log("pothole")
    feedback(bins, helpful=False, comment="It did not say which day", times=2)
    feedback(bins, helpful=True)
    feedback(tax, helpful=False)
    return bins, tax


def test_manager_sees_the_three_tables_with_counts(manager, gaps):
    response = manager.get(URL, query_string=Q1)

    assert assert_well_formed(response, 200) == "Content gaps"
    soup = page(response)
    assert text(soup.find(id="report-period")) == "1 January 2026 to 31 March 2026"
    assert text(soup.find(id="search-totals")).startswith("8 searches, 4 of them with no confident answer.")
    assert table_rows(soup, "unanswered") == [
        ["sofa collection", "3", "English, Polski", "11 Feb 2026, 12:00", "Find your bin day"],
        ["pothole", "1", "English", "10 Feb 2026, 12:00", ""],
    ]
    assert table_rows(soup, "not-helpful") == [
        ["Find your bin day", "2", "1", "66.7%", "2"],
        ["Council tax bands", "1", "0", "100.0%", "0"],
    ]
    assert table_rows(soup, "most-searched") == [
        ["bin day", "4", "100.0%", "Find your bin day"],
        ["sofa collection", "3", "0.0%", "Find your bin day"],
        ["pothole", "1", "0.0%", ""],
    ]
    for key in ("unanswered", "not-helpful", "most-searched"):
        table = soup.find(id=f"table-{key}")
        assert "top 50" in text(table.caption)
        assert all(header["scope"] == "col" for header in table.thead.find_all("th"))
        assert all(row.th["scope"] == "row" for row in table.tbody.find_all("tr"))


def test_links_create_an_article_from_the_query_or_edit_the_best_one(manager, gaps):
    soup = page(manager.get(URL, query_string=Q1))

    sofa_links = soup.find(id="table-unanswered").tbody.find("tr").find_all("a")
    create, edit = sofa_links
    assert text(create) == "Create an article for ‘sofa collection’"
    assert urlsplit(create["href"]).path == "/staff/knowledge-base/new"
    assert parse_qs(urlsplit(create["href"]).query) == {"question": ["sofa collection"]}
    assert text(edit) == "Edit ‘Find your bin day’"
    assert edit["href"] == "/staff/knowledge-base/articles/bin-day"
    pothole_links = soup.find(id="table-unanswered").tbody.find_all("tr")[1].find_all("a")
    assert [text(link) for link in pothole_links] == ["Create an article for ‘pothole’"]
    unhelpful = soup.find(id="table-not-helpful").tbody.find("tr").find_all("a")
    assert [link["href"].split("?")[0] for link in unhelpful] == [
        "/staff/knowledge-base/articles/bin-day",
        "/staff/reports/content-gaps/comments/bin-day",
    ]
    assert "date_from=2026" in unhelpful[1]["href"]  # the comments keep the period


def test_the_create_link_fills_in_the_question_for_an_editor(staff_client, gaps):
    client, _user = staff_client("kb_editor")
    create = page(client.get(URL, query_string=Q1)).select_one("#table-unanswered tbody a")

    form = page(client.get(create["href"]))

    assert form.find("textarea", id="questions").get_text().strip() == "sofa collection"
    assert form.find("input", id="title").get("value", "") == ""


def test_the_knowledge_base_list_links_to_the_report(staff_client):
    client, _user = staff_client("kb_editor")

    link = page(client.get("/staff/knowledge-base")).find("a", href=URL)

    assert link is not None


@pytest.mark.parametrize("role", ["manager", "kb_editor"])
def test_managers_and_editors_may_open_it(staff_client, gaps, role):
    client, _user = staff_client(role)
    bins, _tax = gaps

    assert client.get(URL).status_code == 200
    assert client.get(f"{URL}/unanswered.csv").status_code == 200
    assert client.get(f"{URL}/comments/{bins.slug}").status_code == 200


@pytest.mark.parametrize("role", ["advisor", "service_officer", "admin"])
def test_other_roles_may_not(staff_client, gaps, role):
    client, _user = staff_client(role)

    for url in (URL, f"{URL}/most-searched.csv", f"{URL}/comments/bin-day"):
        assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, gaps):
    for url in (URL, f"{URL}/not-helpful.csv", f"{URL}/comments/bin-day"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.location.startswith("/staff/sign-in")


def test_the_period_is_whole_uk_days(manager, app):
    # 31 March 2026 is in British Summer Time: the UK day ends at 23:00 UTC.
    log("late on the last day", at=datetime(2026, 3, 31, 22, 30))
    log("first of april in the uk", at=datetime(2026, 3, 31, 23, 30))
    log("new year in the uk", at=datetime(2026, 1, 1, 0, 0))
    log("new year's eve", at=datetime(2025, 12, 31, 23, 59))

    soup = page(manager.get(URL, query_string=Q1))

    assert [row[0] for row in table_rows(soup, "most-searched")] == [
        "late on the last day",
        "new year in the uk",
    ]


def test_language_and_channel_filters(manager, app):
    log("dydd biniau", lang="cy", channel="web", times=2)
    log("dydd biniau", lang="cy", channel="kiosk")
    log("bin day", lang="en", channel="kiosk")

    welsh = page(manager.get(URL, query_string={**Q1, "lang": "cy"}))
    kiosk = page(manager.get(URL, query_string={**Q1, "channel": "kiosk"}))

    assert table_rows(welsh, "most-searched") == [["dydd biniau", "3", "0.0%", ""]]
    assert [row[:2] for row in table_rows(kiosk, "most-searched")] == [["bin day", "1"], ["dydd biniau", "1"]]
    assert welsh.find(id="lang").find("option", selected=True)["value"] == "cy"


def test_bad_input_is_shown_next_to_its_field_and_the_rest_kept(manager, gaps):
    response = manager.get(
        URL,
        query_string={
            "period": "custom",
            "date_from": ["31", "2", "2026"],
            "date_to": ["31", "3", "2026"],
            "lang": "xx",
            "channel": "kiosk",
        },  # fmt: skip
    )

    assert response.status_code == 422
    soup = page(response)
    summary = text(soup.find(class_="govuk-error-summary"))
    assert "Date from must be a real date" in summary
    assert "Choose a language from the list" in summary
    language = soup.find(id="lang").find_parent(class_="govuk-form-group")
    assert "Choose a language from the list" in text(language.find(class_="govuk-error-message"))
    dates = soup.find(id="date_from").find_parent(class_="govuk-form-group")
    assert "Date from must be a real date" in text(dates.find(class_="govuk-error-message"))
    assert soup.find(id="channel").find("option", selected=True)["value"] == "kiosk"
    assert soup.find(id="date_to-year")["value"] == "2026"
    assert soup.find(id="period").find("option", selected=True)["value"] == "custom"


@pytest.mark.parametrize("key", ["unanswered", "not-helpful", "most-searched"])
def test_each_csv_holds_the_rows_of_its_table(manager, gaps, key):
    soup = page(manager.get(URL, query_string=Q1))
    table = soup.find(id=f"table-{key}")
    link = soup.find(id=f"table-{key}-csv")

    response = manager.get(link["href"])
    header, *rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))

    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="content-gaps-{key}-2026-01-01-to-2026-03-31.csv"'
    )
    assert header == [text(th) for th in table.thead.find_all("th")][:-1]
    shown = table_rows(soup, key)
    assert len(rows) == len(shown) > 0
    for csv_row, shown_row in zip(rows, shown, strict=True):
        assert [_as_shown(value) for value in csv_row] == shown_row


def _as_shown(value: str) -> str:
    """A CSV value as the page shows it: a share to one decimal place as a percentage, a time as on
    the page (only the times of this test's data)."""
    if value.replace(".", "").isdigit() and "." in value:
        return f"{value}%"
    if value.startswith("2026-02-1"):
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M")
        return f"{moment.day} Feb 2026, {moment:%H:%M}"
    return value


def test_a_query_holding_html_is_shown_as_text(manager, staff_client, app):
    query = '<script>alert("x")</script><b>bins</b>'
    log(query, times=2)

    response = manager.get(URL, query_string=Q1)

    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    soup = page(response)
    assert table_rows(soup, "unanswered")[0][0] == query.lower()
    assert soup.find(id="table-unanswered").find("b") is None
    rows = csv_rows(manager, "unanswered", Q1)
    assert rows[1][0] == query.lower()


def test_csv_cells_never_start_a_formula(manager, app):
    log("=cmd|' /C calc'!A0")

    rows = csv_rows(manager, "unanswered", Q1)

    assert rows[1][0].startswith("'=")


def test_comments_are_shown_escaped_newest_first_and_each_read_audited(staff_client, gaps):
    client, user = staff_client("kb_editor")
    bins, _tax = gaps
    feedback(bins, helpful=True, comment="<img src=x onerror=alert(1)> newest", at=DAY + timedelta(days=5))

    response = client.get(f"{URL}/comments/bin-day", query_string=Q1)

    assert assert_well_formed(response, 200) == "Comments on ‘Find your bin day’"
    soup = page(response)
    table = soup.find(id="comments-table")
    comments = [text(row.find_all("td")[-1]) for row in table.tbody.find_all("tr")]
    assert comments == [
        "<img src=x onerror=alert(1)> newest",
        "It did not say which day",
        "It did not say which day",
    ]
    assert table.find("img") is None
    assert "3 comments." in text(soup.find(id="comments-period"))
    shown_ids = set(
        db.session.scalars(
            sa.select(AnswerFeedback.id).where(
                AnswerFeedback.article_id == bins.id, AnswerFeedback.comment != ""
            )
        )
    )
    audits = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == "answer_feedback")
    ).all()
    assert {int(event.object_id) for event in audits} == shown_ids
    assert {(event.actor_id, event.action, event.detail.get("via")) for event in audits} == {
        (user.id, "view", "content_gaps")
    }


def test_comments_of_an_unknown_article_are_not_found(manager, app):
    assert manager.get(f"{URL}/comments/no-such-article").status_code == 404


def test_the_report_itself_writes_no_audit_rows(manager, gaps):
    manager.get(URL, query_string=Q1)

    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
