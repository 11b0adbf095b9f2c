"""What a case update says, whichever notifier sends it: the public update's text, the case's reference and
its tracking link, in the resident's language (Flask-Babel's force_locale; needs an application context).

Only a public event is ever sent: a message pointing at an internal note (which the services never write)
is refused, not delivered. Nothing else of the case goes into the email."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale, gettext

from portal.db import db

from ..models import Case, CaseEvent, OutboxMessage
from ..satisfaction import rating_url, token_for_resolved_case
from .acknowledgement import tracking_url
from .base import DeliveryError


@dataclass(frozen=True)
class CaseUpdate:
    reference: str
    email: str
    lang: str
    text: str
    tracking_url: str
    # The update resolves the case: where the resident tells us how we did (crm_bridge/satisfaction.py).
    rating_url: str | None = None


def case_update_for(
    message: OutboxMessage, public_base_url: str, secret_key: str | None = None
) -> CaseUpdate:
    """What to send; with the application's SECRET_KEY, an update that resolves the case carries a rating
    link."""
    payload = message.payload or {}
    case_id = message.case_id or payload.get("case_id")
    case = db.session.get(Case, case_id) if case_id else None
    if case is None:
        raise DeliveryError(f"case {case_id} no longer exists")
    event = db.session.get(CaseEvent, payload.get("event_id")) if payload.get("event_id") else None
    if event is None or event.case_id != case.id:
        raise DeliveryError(f"the update for case {case.reference} no longer exists")
    if not event.public or event.kind == "internal_note":
        raise DeliveryError(f"event {event.id} of case {case.reference} is not public: never sent")
    email = case.customer.email if case.customer is not None else None
    if not email:
        raise DeliveryError(f"case {case.reference} has no email address to send the update to")
    return CaseUpdate(
        reference=case.reference or payload.get("reference", ""),
        email=email,
        lang=payload.get("lang") or case.lang or "en",
        text=event.text,
        tracking_url=tracking_url(public_base_url, case.tracking_token),
        rating_url=rating_url(public_base_url, token_for_resolved_case(case.id, secret_key))
        if payload.get("resolved") and secret_key
        else None,
    )


def email_text(update: CaseUpdate, council_name: str) -> tuple[str, str]:
    """Subject and plain-text body in the resident's language."""
    with force_locale(update.lang):
        values = {"reference": update.reference, "council": council_name}
        subject = gettext("Update on your request %(reference)s", **values)
        paragraphs = [
            gettext("Hello,"),
            gettext("There is an update on your request %(reference)s:", **values),
            update.text,
            gettext("You can check its progress at any time:") + f"\n{update.tracking_url}",
            *(
                [gettext("Tell us how we did (one question, 1 minute):") + f"\n{update.rating_url}"]
                if update.rating_url
                else []
            ),
            gettext("This email was sent automatically by %(council)s.", **values),
        ]
    return subject, "\n\n".join(paragraphs) + "\n"


def personalisation(update: CaseUpdate) -> dict[str, str]:
    """For a GOV.UK Notify template with ((reference)), ((update)) and ((tracking_link)); a resolution
    adds the rating page: ((rating_link)), and ((show_rating)) "yes" for optional content
    ((show_rating??Tell us how we did: ((rating_link))))."""
    return {
        "reference": update.reference,
        "update": update.text,
        "tracking_link": update.tracking_url,
        "rating_link": update.rating_url or "",
        "show_rating": "yes" if update.rating_url else "no",
    }
