from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import db, utcnow
from portal.domain import CHANNELS, INTERACTION_TYPES

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
