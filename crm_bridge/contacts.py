"""Recording contacts: every channel comes through here, so channel share and first-contact resolution
fall out of one table."""

from __future__ import annotations

from datetime import datetime

from portal.db import db, utcnow
from portal.domain import CHANNELS

from .models import Contact


def record_self_service_answer(
    channel: str,
    lang: str,
    article_slug: str,
    service_group: str | None,
    summary: str = "",
    started_at: datetime | None = None,
) -> Contact:
    """A resident confirmed that an answer from the knowledge base answered their question.

    Added to the session; the caller commits it with whatever else the same action records."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    now = utcnow()
    contact = Contact(
        channel=channel,
        service_group=service_group,
        interaction_type="providing_information",
        lang=lang,
        started_at=started_at or now,
        ended_at=now,
        resolved_at_first_point=True,
        avoidable=False,
        article_slug=article_slug,
        summary=summary[:1000],
    )
    db.session.add(contact)
    return contact
