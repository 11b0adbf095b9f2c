from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import db, utcnow


class Kiosk(db.Model):
    """A registered reception device. It proves itself with a random device token kept in a cookie; only
    the token's SHA-256 hash is stored, so the database cannot be used to pose as a kiosk."""

    __tablename__ = "kiosk_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    # A one-time code an admin gives the device to enrol it; cleared once used.
    enrolment_code_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    enrolment_expires_at: Mapped[datetime | None]
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    enrolled_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="SET NULL"))

    @property
    def active(self) -> bool:
        return self.token_hash is not None and self.revoked_at is None
