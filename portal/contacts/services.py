"""Handing an assisted contact off as a case through the residents' own e-form pages.

The advisor answers the same questions the resident would; the draft remembers the channel and the
advisor, so the one hand-off records the case's one contact with that channel, logged by the advisor
(portal.eforms.services.submit calls crm_bridge.assisted.hand_off_assisted for such a draft)."""

from __future__ import annotations

from dataclasses import dataclass

from crm_bridge.assisted import AssistedContactError, customer_for_contact
from crm_bridge.audit import audit
from crm_bridge.staff.models import StaffUser
from portal.db import db
from portal.domain import ASSISTED_CHANNELS
from portal.eforms.models import FormDraft
from portal.eforms.services import request_type_for, start_draft


@dataclass(frozen=True)
class AssistedHandOff:
    request_type: str
    channel: str
    lang: str = "en"
    avoidable_reason: str | None = None
    summary: str = ""
    customer_id: int | None = None
    customer: dict | None = None  # name, email, phone, postcode typed by the advisor


def start_assisted_form(details: AssistedHandOff, actor: StaffUser) -> FormDraft:
    """A draft of the request type's e-form, marked as the advisor's, pre-filled with what the advisor
    already captured (the summary as the details, the customer's details), so nothing is keyed twice."""
    request_type = request_type_for(details.request_type)
    if request_type is None:
        raise AssistedContactError(f"unknown request type {details.request_type!r}")
    if details.channel not in ASSISTED_CHANNELS:
        raise AssistedContactError(f"not an assisted channel: {details.channel!r}")
    draft = start_draft(request_type, details.channel, details.lang, details=details.summary)
    draft.assisted_by_id = actor.id
    draft.avoidable_reason = details.avoidable_reason
    draft.customer = _customer_prefill(details, actor)
    db.session.commit()
    return draft


def _customer_prefill(details: AssistedHandOff, actor: StaffUser) -> dict:
    if details.customer_id is not None:
        customer = customer_for_contact(details.customer_id)
        if customer is None:
            raise AssistedContactError("the chosen customer cannot take contacts")
        audit(actor, "view", "customer", customer.id, purpose="assisted_hand_off")
        return {
            "name": customer.name or "",
            "email": customer.email or "",
            "phone": customer.phone or "",
            "address": customer.address or "",
            "preferred_contact": customer.preferred_contact or "email",
        }
    given = details.customer or {}
    if not (given.get("email") or given.get("phone")):
        return {}
    return {
        "name": given.get("name") or "",
        "email": given.get("email") or "",
        "phone": given.get("phone") or "",
        "address": "",
        "preferred_contact": "email" if given.get("email") else "phone",
    }
