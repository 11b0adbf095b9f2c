"""What an acknowledgement says, whichever notifier sends it: the case it is about, and its wording in the
resident's language (Flask-Babel's force_locale; needs an application context, as the worker and the
request that hands off both have)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale, format_date, gettext

from portal.db import db

from ..catalogue import default_catalogue
from ..models import Case, OutboxMessage
from .base import DeliveryError

DATE_FORMAT = "d MMMM yyyy"  # 20 November 2026, with the month in the resident's language


@dataclass(frozen=True)
class Acknowledgement:
    reference: str
    email: str
    lang: str
    name: str
    request_type: str
    acknowledge_due: date
    respond_due: date
    tracking_url: str


def tracking_url(public_base_url: str, token: str) -> str:
    return f"{public_base_url.rstrip('/')}/track/{token}"


def acknowledgement_for(message: OutboxMessage, public_base_url: str) -> Acknowledgement:
    payload = message.payload or {}
    case_id = message.case_id or payload.get("case_id")
    case = db.session.get(Case, case_id) if case_id else None
    if case is None:
        raise DeliveryError(f"case {case_id} no longer exists")
    customer = case.customer
    email = payload.get("email") or (customer.email if customer else None)
    if not email:
        raise DeliveryError(f"case {case.reference} has no email address to acknowledge to")
    request_type = default_catalogue().get(case.request_type)
    return Acknowledgement(
        reference=case.reference or payload.get("reference", ""),
        email=email,
        lang=payload.get("lang") or case.lang or "en",
        name=customer.name if customer else "",
        request_type=request_type.name if request_type else case.request_type,
        acknowledge_due=case.acknowledge_due,
        respond_due=case.respond_due,
        tracking_url=tracking_url(public_base_url, case.tracking_token),
    )


def localised_dates(ack: Acknowledgement) -> dict[str, str]:
    with force_locale(ack.lang):
        return {
            "acknowledge_due": format_date(ack.acknowledge_due, DATE_FORMAT),
            "respond_due": format_date(ack.respond_due, DATE_FORMAT),
            "request_type": gettext(ack.request_type),
        }


def email_text(ack: Acknowledgement, council_name: str) -> tuple[str, str]:
    """Subject and plain-text body in the resident's language."""
    with force_locale(ack.lang):
        values = localised_dates(ack) | {"reference": ack.reference, "council": council_name}
        subject = gettext("We have received your request: reference %(reference)s", **values)
        greeting = gettext("Dear %(name)s,", name=ack.name) if ack.name else gettext("Hello,")
        paragraphs = [
            greeting,
            gettext("Thank you for contacting %(council)s. We have received your request:", **values)
            + f" {values['request_type']}.",
            gettext("Your reference is %(reference)s. Please quote it if you contact us about it.", **values),
            gettext("What happens next"),
            gettext(
                "The team that deals with this will look at your request. We aim to acknowledge it by "
                "%(acknowledge_due)s and to respond in full by %(respond_due)s.",
                **values,
            ),
            gettext("You can check its progress at any time:") + f"\n{ack.tracking_url}",
            gettext("This email was sent automatically by %(council)s.", **values),
        ]
    return subject, "\n\n".join(paragraphs) + "\n"
