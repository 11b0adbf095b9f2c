"""The audit log is append-only in the database itself, and audit_query narrows it."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from crm_bridge.audit import AuditEvent, audit, audit_csv, audit_query
from portal.db import db


def _rows(query) -> list[str]:
    return [f"{event.object_type} {event.object_id}" for event in db.session.scalars(query)]


@pytest.fixture
def events(create_staff):
    ada = create_staff("advisor")
    otto = create_staff("service_officer")
    for actor, action, object_type, object_id, at in (
        (ada, "view", "case", 1, datetime(2026, 3, 1, 9)),
        (otto, "view", "case", 2, datetime(2026, 3, 2, 9)),
        (ada, "update", "customer", 3, datetime(2026, 3, 3, 9)),
        (None, "sign_in_failed", "staff_user", "unknown", datetime(2026, 3, 4, 9)),
    ):
        audit(actor, action, object_type, object_id, fields=["status"]).created_at = at
    db.session.commit()
    return ada, otto


def test_rows_are_written_with_the_change(events):
    ada, _ = events
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.object_id == "3"))

    assert (event.actor, event.action, event.detail) == (ada, "update", {"fields": ["status"]})


def test_unknown_actions_are_refused(app):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit(None, "peek", "case", 1)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'view'",
        "DELETE FROM audit_event",
        "UPDATE audit_event SET detail = '{}'",
    ],
)
def test_database_refuses_update_and_delete_in_raw_sql(events, statement):
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.engine.begin() as connection:
        connection.execute(sa.text(statement))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 4


def test_database_refuses_changes_through_the_orm(events):
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.object_id == "1"))
    event.action = "erase"
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.commit()
    db.session.rollback()

    db.session.delete(db.session.scalar(sa.select(AuditEvent).where(AuditEvent.object_id == "1")))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_id == "1")) == "view"


def test_audit_query_filters_newest_first(events):
    ada, otto = events

    assert _rows(audit_query()) == ["staff_user unknown", "customer 3", "case 2", "case 1"]
    assert _rows(audit_query(actor_id=ada.id)) == ["customer 3", "case 1"]
    assert _rows(audit_query(action="view")) == ["case 2", "case 1"]
    assert _rows(audit_query(object_type="case", object_id="2")) == ["case 2"]
    assert _rows(audit_query(object_id=3)) == ["customer 3"]
    assert _rows(audit_query(since=datetime(2026, 3, 2), until=datetime(2026, 3, 3, 9))) == ["case 2"]
    assert _rows(audit_query(actor_id=otto.id, action="update")) == []


def test_csv_neutralises_formulas(app):
    event = audit(None, "view", "customer", "=1+1", note="@SUM(A1)")
    db.session.commit()

    lines = audit_csv([event]).splitlines()

    assert lines[0].startswith("id,time_utc,staff_id")
    assert ",'=1+1," in lines[1]
