"""Recording contacts: every channel comes through here, so channel share and first-contact resolution
fall out of one table, and the dashboard's daily tally (crm_bridge/reports/tallies.py) stays in step."""

from __future__ import annotations

from datetime import datetime

from portal.db import db, utcnow
from portal.domain import CHANNELS

from .models import Contact
from .reports.tallies import count_contact


def record_contact(
    channel: str,
    interaction_type: str,
    lang: str,
    *,
    resolved_at_first_point: bool,
    service_group: str | None = None,
    started_at: datetime | None = None,
    **details,
) -> Contact:
    """The one way a contact is recorded, whatever the channel. details: article_slug, summary, case,
    customer, avoidable, avoidable_reason. Added to the session; the caller commits it with whatever
    else the same action records."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    now = utcnow()
    details["summary"] = (details.get("summary") or "")[:1000]
    contact = Contact(
        channel=channel,
        interaction_type=interaction_type,
        lang=lang,
        service_group=service_group,
        started_at=started_at or now,
        ended_at=now,
        resolved_at_first_point=resolved_at_first_point,
        avoidable=details.pop("avoidable", False),
        **details,
    )
    db.session.add(contact)
    count_contact(db.session, contact)  # the dashboard's daily tally, in the same transaction
    return contact


def record_self_service_answer(
    channel: str,
    lang: str,
    article_slug: str,
    service_group: str | None,
    summary: str = "",
    started_at: datetime | None = None,
    kiosk_id: int | None = None,
) -> Contact:
    """A resident confirmed that an answer from the knowledge base answered their question."""
    return record_contact(
        channel,
        "providing_information",
        lang,
        resolved_at_first_point=True,
        service_group=service_group,
        started_at=started_at,
        article_slug=article_slug,
        summary=summary,
        kiosk_id=kiosk_id,
    )
