"""The audit log viewer: admins filter, page through and download the append-only log."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from crm_bridge.audit import AuditEvent, audit
from portal.db import db
from tests.portal.helpers import assert_well_formed, page, rows, text


def _event(actor, action="view", object_type="case", object_id=1, at=None, **detail):
    event = audit(actor, action, object_type, object_id, **detail)
    if at is not None:
        event.created_at = at
    db.session.commit()
    return event


def _record_column(response) -> list[str]:
    return [text(row.find_all("td")[3]) for row in page(response).select("table tbody tr")]


def test_audit_log_lists_events_newest_first(staff_client, create_staff):
    client, _ = staff_client("admin")
    advisor = create_staff("advisor", name="Ada Advisor")
    _event(advisor, "view", "case", 7, at=datetime(2026, 3, 1, 9))
    _event(advisor, "update", "customer", 8, at=datetime(2026, 3, 2, 9), fields=["phone"])

    response = client.get("/staff/admin/audit")

    assert assert_well_formed(response, 200) == "Audit log"
    table_rows = page(response).select("table tbody tr")
    assert [text(row.find_all("td")[3]) for row in table_rows] == ["customer 8", "case 7"]
    assert "Ada Advisor" in text(table_rows[0])
    assert "Changed" in text(table_rows[0])
    assert "fields: ['phone']" in text(table_rows[0])


def test_audit_log_filters(staff_client, create_staff):
    client, _ = staff_client("admin")
    ada = create_staff("advisor", name="Ada Advisor")
    otto = create_staff("service_officer", name="Otto Officer")
    _event(ada, "view", "case", 1, at=datetime(2026, 3, 1, 9))
    _event(otto, "view", "case", 2, at=datetime(2026, 3, 5, 9))
    _event(ada, "update", "customer", 3, at=datetime(2026, 3, 9, 23, 59))
    _event(ada, "view", "case", 4, at=datetime(2026, 3, 10, 0, 0))

    assert _record_column(client.get(f"/staff/admin/audit?actor={otto.id}")) == ["case 2"]
    assert _record_column(client.get("/staff/admin/audit?action=update")) == ["customer 3"]
    assert _record_column(client.get("/staff/admin/audit?object_type=case&object_id=4")) == ["case 4"]
    dated = client.get(
        "/staff/admin/audit?date_from=5&date_from=3&date_from=2026&date_to=9&date_to=3&date_to=2026"
    )
    assert _record_column(dated) == ["customer 3", "case 2"]
    soup = page(dated)
    assert [box["value"] for box in soup.select("input[name=date_to]")] == ["9", "3", "2026"]


def test_bad_filters_are_refused_next_to_the_field(staff_client):
    client, _ = staff_client("admin")

    response = client.get(
        "/staff/admin/audit?object_type=case&date_from=31&date_from=2&date_from=2026"
        "&date_to=1&date_to=1&date_to=2026"
    )

    assert assert_well_formed(response, 422) == "Audit log"
    soup = page(response)
    assert "Date from must be a real date" in text(soup.find(class_="govuk-error-summary"))
    group = soup.find(id="date_from").find_parent(class_="govuk-form-group")
    assert "Date from must be a real date" in text(group.find(class_="govuk-error-message"))
    assert soup.find(id="object_type")["value"] == "case"
    assert soup.find("table") is None
    later = client.get(
        "/staff/admin/audit?date_from=2&date_from=2&date_from=2026&date_to=1&date_to=1&date_to=2026"
    )
    assert "Date to must be the same as or after date from" in text(page(later).main)


def test_audit_log_is_paginated_and_pages_keep_the_filters(staff_client, create_staff):
    client, _ = staff_client("admin")
    advisor = create_staff("advisor")
    for number in range(1, 61):
        audit(advisor, "view", "case", number)
    db.session.commit()

    first = client.get("/staff/admin/audit?action=view")
    assert len(page(first).select("table tbody tr")) == 50
    assert _record_column(first)[0] == "case 60"
    next_link = page(first).select_one(".govuk-pagination__next a")["href"]
    assert "action=view" in next_link
    assert "page=2" in next_link
    second = client.get(next_link)
    assert _record_column(second)[-1] == "case 1"
    assert len(_record_column(second)) == 10
    assert "60 events" in text(page(second).main)


def test_csv_download_holds_the_filtered_rows_and_is_audited(staff_client, create_staff):
    client, admin = staff_client("admin")
    advisor = create_staff("advisor", email="ada@northdale.example")
    _event(advisor, "view", "case", 1)
    _event(advisor, "update", "case", 2, fields=["status"])
    _event(advisor, "view", "customer", "=HYPERLINK(1)")
    link = page(client.get("/staff/admin/audit?object_type=case")).find(
        "a", string="Download these rows (CSV)"
    )

    response = client.get(link["href"])

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0][:7] == ["id", "time_utc", "staff_id", "staff_email", "action", "object_type", "object_id"]
    assert [(row[3], row[4], row[6]) for row in table[1:]] == [
        ("ada@northdale.example", "update", "2"),
        ("ada@northdale.example", "view", "1"),
    ]
    assert table[1][7] == '{"fields": ["status"]}'
    export = rows(AuditEvent)[-1]
    assert (export.actor_id, export.action, export.object_type) == (admin.id, "export", "audit_log")
    assert export.detail == {"filter_object_type": "case", "rows": 2}

    everything = list(
        csv.reader(io.StringIO(client.get("/staff/admin/audit/export.csv").get_data(as_text=True)))
    )
    assert "'=HYPERLINK(1)" in [row[6] for row in everything]


def test_only_admins_read_the_audit_log(staff_client):
    for role in ("advisor", "service_officer", "manager", "kb_editor"):
        client, _ = staff_client(role)
        assert client.get("/staff/admin/audit").status_code == 403
        assert client.get("/staff/admin/audit/export.csv").status_code == 403
