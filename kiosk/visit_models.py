"""A visitor's check-in at the reception kiosk: a ticket in the reception queue until an advisor sees them."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_bridge.models import Contact
from crm_bridge.staff.models import StaffUser
from portal.db import db, utcnow

from .models import Kiosk

CHECK_IN_STATUSES = ("waiting", "called", "seen", "left")
MAX_NAME = 60


class CheckIn(db.Model):
    """One visit to reception. `day` is the UK calendar day of the check-in: ticket numbers restart each
    day, so (day, number) is unique. `activity` is what the visitor did at the kiosk before checking in
    (searches, chat transcript, case references, answers confirmed), so the advisor re-keys nothing.

    Personal data: the name or initials and the activity; `kiosk.visits.forget_old_check_ins` empties
    both after the retention period, keeping the times and codes the reception figures need."""

    __tablename__ = "kiosk_check_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kiosk_device.id", ondelete="SET NULL"), index=True
    )
    day: Mapped[date] = mapped_column(index=True)
    number: Mapped[int]
    ticket: Mapped[str] = mapped_column(sa.String(8))
    name_or_initials: Mapped[str] = mapped_column(sa.String(MAX_NAME), default="")
    topic: Mapped[str] = mapped_column(sa.String(40))
    lang: Mapped[str] = mapped_column(sa.String(8), default="en")
    needs_interpreter: Mapped[bool | None]
    status: Mapped[str] = mapped_column(sa.String(12), default="waiting", index=True)
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    called_at: Mapped[datetime | None]
    # Seconds from check-in to being called, set when called: "seen within 10 minutes" is counted in SQL.
    wait_seconds: Mapped[int | None]
    called_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="SET NULL"))
    finished_at: Mapped[datetime | None]
    activity: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("crm_contact.id", ondelete="SET NULL"))
    forgotten_at: Mapped[datetime | None]

    kiosk: Mapped[Kiosk | None] = relationship()
    called_by: Mapped[StaffUser | None] = relationship()
    contact: Mapped[Contact | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("day", "number", name="uq_kiosk_check_in_day_number"),
        sa.CheckConstraint(sa.column("status").in_(CHECK_IN_STATUSES), name="status"),
        # The dashboard's reception figures (crm_bridge/reports/queries.py), from the index alone.
        sa.Index("ix_kiosk_check_in_report", "day", "lang", "status", "wait_seconds"),
    )
