from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import db, utcnow
from portal.domain import CHANNELS, INTERACTION_TYPES

from .staff.models import StaffUser

AVOIDABLE_REASONS = ("chasing_progress", "not_understood", "repeat_contact", "wrongly_routed")


class Contact(db.Model):
    """Every interaction a customer has with the council, whatever the channel (ARCHITECTURE.md)."""

    __tablename__ = "crm_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(20), index=True)
    service_group: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    interaction_type: Mapped[str] = mapped_column(sa.String(40))
    lang: Mapped[str] = mapped_column(sa.String(8), default="en")
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ended_at: Mapped[datetime | None]
    resolved_at_first_point: Mapped[bool] = mapped_column(default=False)
    avoidable: Mapped[bool | None]
    avoidable_reason: Mapped[str | None] = mapped_column(sa.String(40))
    satisfaction: Mapped[int | None]
    article_slug: Mapped[str | None] = mapped_column(sa.String(120))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("crm_customer.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("crm_case.id", ondelete="SET NULL"), index=True)
    # The advisor who logged an assisted contact; none for self-service.
    logged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="SET NULL"))
    # The reception kiosk the contact was made at (channel "kiosk"), so each device's use can be counted.
    kiosk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kiosk_device.id", ondelete="SET NULL"))

    customer: Mapped[Customer | None] = relationship()
    case: Mapped[Case | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(sa.column("channel").in_(CHANNELS), name="channel"),
        sa.CheckConstraint(sa.column("interaction_type").in_(INTERACTION_TYPES), name="interaction_type"),
        sa.CheckConstraint(
            sa.or_(
                sa.column("avoidable_reason").is_(None), sa.column("avoidable_reason").in_(AVOIDABLE_REASONS)
            ),
            name="avoidable_reason",
        ),
    )


class ContactTally(db.Model):
    """Contacts counted per UK day and per dashboard dimension, kept in step by record_contact and rebuilt
    exactly by crm_bridge/reports/tallies.py; the dashboard reads this, not crm_contact. No personal data.
    "" stands for no service group and no avoidable reason (a primary key column cannot be NULL)."""

    __tablename__ = "crm_contact_tally"

    # The primary key in this order: the dashboard's GROUP BY, then the day. SQLite then reads the table in
    # group order with no sort (a day-first key made it sort every tally row of the period: seconds at 1M
    # contacts a year), and a service-group drill-down is a range of it.
    service_group: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    interaction_type: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    lang: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    resolved_at_first_point: Mapped[bool] = mapped_column(primary_key=True)
    avoidable_reason: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    contacts: Mapped[int] = mapped_column(sa.Integer)

    # On SQLite the rows are stored in primary key order (no separate rowid table to look up).
    __table_args__ = {"sqlite_with_rowid": False}


CASE_STATUSES = ("new", "acknowledged", "in_progress", "waiting_for_customer", "resolved", "closed")
EVENT_KINDS = (
    "created",
    "status",
    "public_update",
    "internal_note",
    "assignment",
    "external_update",
    "complaint",
    "merge",
)
COMPLAINT_OUTCOMES = ("upheld", "partly_upheld", "not_upheld")
CONTACT_METHODS = ("email", "phone", "post")


class Customer(db.Model):
    """A resident, matched on verified email or phone to give a single view across services."""

    __tablename__ = "crm_customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    address: Mapped[str] = mapped_column(sa.Text, default="")
    postcode: Mapped[str | None] = mapped_column(sa.String(10))
    preferred_lang: Mapped[str] = mapped_column(sa.String(8), default="en")
    preferred_contact: Mapped[str] = mapped_column(sa.String(20), default="email")
    needs_interpreter: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Merged into another record: this one is kept, empty of cases and contacts, so old links resolve.
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("crm_customer.id"))
    anonymised_at: Mapped[datetime | None]
    # Unreasonably persistent complainant policy: why, what contact is restricted to, when to review.
    restriction_reason: Mapped[str | None] = mapped_column(sa.Text)
    restriction_terms: Mapped[str | None] = mapped_column(sa.Text)
    restriction_review_on: Mapped[date | None]
    restriction_set_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    restriction_set_at: Mapped[datetime | None]

    cases: Mapped[list[Case]] = relationship(
        back_populates="customer", order_by="Case.id", foreign_keys="Case.customer_id"
    )

    __table_args__ = (
        sa.CheckConstraint(sa.column("preferred_contact").in_(CONTACT_METHODS), name="preferred_contact"),
    )

    @property
    def restricted(self) -> bool:
        return bool(self.restriction_reason)


class Case(db.Model):
    """A request handed off to the team that owns the service."""

    __tablename__ = "crm_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    tracking_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The resident's form (or an API client's idempotency key): submitting it twice finds this case.
    submission_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    request_type: Mapped[str] = mapped_column(sa.String(60), index=True)
    service_group: Mapped[str] = mapped_column(sa.String(40), index=True)
    queue: Mapped[str] = mapped_column(sa.String(60), index=True)
    interaction_type: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(30), default="new", index=True)
    channel: Mapped[str] = mapped_column(sa.String(20))
    lang: Mapped[str] = mapped_column(sa.String(8), default="en")
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    details: Mapped[str] = mapped_column(sa.Text, default="")
    location: Mapped[dict | None] = mapped_column(sa.JSON)
    transcript: Mapped[list] = mapped_column(sa.JSON, default=list)
    searches: Mapped[list] = mapped_column(sa.JSON, default=list)
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("crm_customer.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    acknowledge_due: Mapped[date]
    respond_due: Mapped[date]
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    # The UK working day of acknowledgement and of the response, set with the times above, so reports
    # compare them with the due dates in SQL (docs/metrics.md).
    acknowledged_on: Mapped[date | None]
    resolved_on: Mapped[date | None]
    complaint_stage: Mapped[int | None]
    complaint_category: Mapped[str | None] = mapped_column(sa.String(40))
    external_reference: Mapped[str | None] = mapped_column(sa.String(120))
    external_state: Mapped[str | None] = mapped_column(sa.String(40))
    complaint_outcome: Mapped[str | None] = mapped_column(sa.String(20))
    ombudsman_referred_at: Mapped[datetime | None]
    interpreter_needed: Mapped[bool] = mapped_column(default=False)
    assigned_to_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL"), index=True
    )
    # A duplicate joined to the case that carries on: closed, its history kept, its resident kept informed.
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("crm_case.id"), index=True)
    anonymised_at: Mapped[datetime | None]

    customer: Mapped[Customer | None] = relationship(back_populates="cases")
    assigned_to: Mapped[StaffUser | None] = relationship()
    merged_into: Mapped[Case | None] = relationship(remote_side="Case.id", foreign_keys=[merged_into_id])
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseEvent.id"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Attachment.id"
    )

    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(CASE_STATUSES), name="status"),
        sa.CheckConstraint(sa.column("channel").in_(CHANNELS), name="channel"),
        sa.CheckConstraint(
            sa.or_(
                sa.column("complaint_outcome").is_(None),
                sa.column("complaint_outcome").in_(COMPLAINT_OUTCOMES),
            ),
            name="complaint_outcome",
        ),
        # The dashboard's case figures (crm_bridge/reports/queries.py) are read from this index alone.
        sa.Index(
            "ix_crm_case_report",
            "channel",
            "service_group",
            "complaint_stage",
            "complaint_category",
            "complaint_outcome",
            "created_at",
            "lang",
            "acknowledged_on",
            "acknowledge_due",
            "resolved_on",
            "respond_due",
        ),
        # The public complaint statistics (crm_bridge/reports/published.py) read only the complaints.
        sa.Index("ix_crm_case_complaint_stage_created_at", "complaint_stage", "created_at"),
    )

    @property
    def public_events(self) -> list[CaseEvent]:
        return [event for event in self.events if event.public]


class CaseEvent(db.Model):
    """What happened to a case: append-only. Only public events are shown or sent to the resident."""

    __tablename__ = "crm_case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("crm_case.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(30))
    status: Mapped[str | None] = mapped_column(sa.String(30))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    author: Mapped[str] = mapped_column(sa.String(200), default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="SET NULL"))
    public: Mapped[bool] = mapped_column(default=False)

    case: Mapped[Case] = relationship(back_populates="events")

    __table_args__ = (sa.CheckConstraint(sa.column("kind").in_(EVENT_KINDS), name="kind"),)


class Attachment(db.Model):
    """A photo re-encoded and stored outside the static files, under a random name."""

    __tablename__ = "crm_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("crm_case.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="attachments")


class OutboxMessage(db.Model):
    """Anything that leaves the system, written in the same transaction as the change that caused it."""

    __tablename__ = "crm_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), index=True)
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    idempotency_key: Mapped[str] = mapped_column(sa.String(160), unique=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("crm_case.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    delivered_at: Mapped[datetime | None] = mapped_column(index=True)


SATISFACTION_MOMENTS = ("answer", "form", "case_resolved", "kiosk_visit")
# 5 very good, 4 good, 3 neither good nor poor, 2 poor, 1 very poor.
SATISFACTION_RATINGS = (5, 4, 3, 2, 1)


class SatisfactionRating(db.Model):
    """A resident's one-question rating of a transaction, given right after it (docs/metrics.md).

    Linked to the contact the transaction recorded (where it recorded one: a kiosk visit may record none)
    and to the case for a resolved case. Channel, service group and language are copied from the
    transaction, so satisfaction is counted from this table alone. `subject` names the transaction
    rated ("contact:42:answer", "case:7:resolved", "kiosk-visit:<random>"): one rating each."""

    __tablename__ = "crm_satisfaction"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    subject: Mapped[str] = mapped_column(sa.String(80), unique=True)
    moment: Mapped[str] = mapped_column(sa.String(20))
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    channel: Mapped[str] = mapped_column(sa.String(20))
    service_group: Mapped[str | None] = mapped_column(sa.String(40))
    lang: Mapped[str] = mapped_column(sa.String(8), default="en")
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("crm_contact.id", ondelete="SET NULL"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("crm_case.id", ondelete="SET NULL"), index=True)
    kiosk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kiosk_device.id", ondelete="SET NULL"))

    contact: Mapped[Contact | None] = relationship()
    case: Mapped[Case | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(sa.column("moment").in_(SATISFACTION_MOMENTS), name="moment"),
        sa.CheckConstraint(sa.column("rating").between(1, 5), name="rating"),
        sa.CheckConstraint(sa.column("channel").in_(CHANNELS), name="channel"),
        # The dashboard's one scan (crm_bridge/reports/queries.py): its GROUP BY, the period, the filters.
        sa.Index(
            "ix_crm_satisfaction_report", "moment", "rating", "created_at", "channel", "service_group", "lang"
        ),
    )


class Open311ApiKey(db.Model):
    """A partner app's key for POSTing Open311 requests: only its SHA-256 hash is kept."""

    __tablename__ = "crm_open311_api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
