"""The audit log: every staff read of a case or customer and every change, append-only.

Rows name the member of staff, the action and the record by id; they hold no resident's personal data, so
erasing a customer never has to touch them. The database itself refuses UPDATE and DELETE on the table
(triggers on SQLite and PostgreSQL, created with the table and by the migration)."""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import db, utcnow

from .spreadsheet import csv_text
from .staff.models import StaffUser

AUDIT_ACTIONS = (
    "view",
    "create",
    "update",
    "merge",
    "export",
    "erase",
    "anonymise",
    "sign_in",
    "sign_in_failed",
    "sign_out",
)


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(30), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(30), index=True)
    object_id: Mapped[str] = mapped_column(sa.String(60), index=True)
    # What changed or why, by field name and code: never a resident's personal data.
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))

    actor: Mapped[StaffUser | None] = relationship()

    __table_args__ = (sa.CheckConstraint(sa.column("action").in_(AUDIT_ACTIONS), name="action"),)


APPEND_ONLY_SQLITE = [
    sa.DDL(
        f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
    )
    for verb in ("UPDATE", "DELETE")
]
APPEND_ONLY_POSTGRESQL = [
    sa.DDL(
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql"
    ),
    sa.DDL(
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
    ),
]
for _ddl in APPEND_ONLY_SQLITE:
    sa.event.listen(AuditEvent.__table__, "after_create", _ddl.execute_if(dialect="sqlite"))
for _ddl in APPEND_ONLY_POSTGRESQL:
    sa.event.listen(AuditEvent.__table__, "after_create", _ddl.execute_if(dialect="postgresql"))


def audit(
    actor: StaffUser | None,
    action: str,
    object_type: str,
    object_id: int | str,
    ip_address: str | None = None,
    **detail,
) -> AuditEvent:
    """Adds an audit row to the session: committed with the change it records, or on its own for a read."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail,
        ip_address=ip_address,
    )
    db.session.add(event)
    return event


def audit_query(
    actor_id: int | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> sa.Select:
    """The audit log, newest first, narrowed by whichever filters are given."""
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id:
        query = query.where(AuditEvent.object_id == str(object_id))
    if since is not None:
        query = query.where(AuditEvent.created_at >= since)
    if until is not None:
        query = query.where(AuditEvent.created_at < until)
    return query


EXPORT_LIMIT = 50_000
CSV_HEADER = (
    "id",
    "time_utc",
    "staff_id",
    "staff_email",
    "action",
    "object_type",
    "object_id",
    "detail",
    "ip",
)


def export_audit_log(actor: StaffUser, **filters) -> list[AuditEvent]:
    """The rows `audit_query(**filters)` selects (at most EXPORT_LIMIT), the export itself audited."""
    events = list(db.session.scalars(audit_query(**filters).limit(EXPORT_LIMIT)))
    detail = {f"filter_{name}": str(value) for name, value in filters.items() if value not in (None, "")}
    audit(actor, "export", "audit_log", "filtered", rows=len(events), **detail)
    db.session.commit()
    return events


def audit_csv(events: list[AuditEvent]) -> str:
    return csv_text(
        CSV_HEADER,
        (
            (
                event.id,
                event.created_at.isoformat(timespec="seconds"),
                event.actor_id,
                event.actor.email if event.actor else "",
                event.action,
                event.object_type,
                event.object_id,
                json.dumps(event.detail or {}, sort_keys=True, ensure_ascii=False),
                event.ip_address,
            )
            for event in events
        ),
    )
