from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import db, utcnow


class FormDraft(db.Model):
    """A resident's answers while they fill in a form: server-side, so they survive pages and refreshes
    and can be wiped at once (the kiosk). Its key becomes the submission key: submitting twice is one case."""

    __tablename__ = "portal_form_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    request_type: Mapped[str] = mapped_column(sa.String(60))
    channel: Mapped[str] = mapped_column(sa.String(20))
    kiosk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kiosk_device.id", ondelete="SET NULL"))
    lang: Mapped[str] = mapped_column(sa.String(8))
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    details: Mapped[str] = mapped_column(sa.Text, default="")
    location: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    customer: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    photos: Mapped[list] = mapped_column(sa.JSON, default=list)
    transcript: Mapped[list] = mapped_column(sa.JSON, default=list)
    searches: Mapped[list] = mapped_column(sa.JSON, default=list)
    case_reference: Mapped[str | None] = mapped_column(sa.String(20))
    # A draft an advisor fills in for a caller (contacts.start_assisted_form): channel is then phone,
    # face_to_face, email or post, and the case's contact is logged by this member of staff.
    assisted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="SET NULL"))
    avoidable_reason: Mapped[str | None] = mapped_column(sa.String(40))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)
